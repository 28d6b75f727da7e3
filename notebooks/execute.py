"""Execute notebooks in place (keeping their outputs), or check that they run: used by `make notebooks` and the tests.

    python notebooks/execute.py [NOTEBOOK ...]          # execute and save outputs (default: all)
    python notebooks/execute.py --check [NOTEBOOK ...]  # execute without saving; exit 1 on error
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def execute(path: Path, save: bool, timeout: int = 900) -> None:
    """Run every cell of ``path`` with the notebooks folder as working directory; raise on a cell error."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(HERE)}}).execute()
    if save:
        nbformat.write(nb, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python notebooks/execute.py")
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="run without saving outputs")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(HERE.glob("*.ipynb"))
    for p in paths:
        if not p.is_file():
            print(f"execute.py: error: no notebook at {p}", file=sys.stderr)
            return 2
        print(f"executing {p.name}", flush=True)
        execute(p, save=not args.check)
    return 0


if __name__ == "__main__":
    sys.exit(main())

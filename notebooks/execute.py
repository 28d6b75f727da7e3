"""Execute notebooks in place (keeping their outputs), or check that they run: used by `make notebooks` and the tests.

    python notebooks/execute.py [NOTEBOOK ...]          # execute and save outputs (default: all)
    python notebooks/execute.py --check [NOTEBOOK ...]  # execute without saving; exit 1 on error
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
#: the checkout these notebooks belong to: its packages come first on the kernel's path (not an installed copy)
ROOT = HERE.parent


def execute(path: Path, save: bool, timeout: int = 900) -> Any:
    """Run every cell of ``path`` with the notebooks folder as working directory and this checkout's packages first
    on the kernel's path; raise on a cell error. Returns the executed notebook (an ``nbformat`` node)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
               MPLBACKEND="module://matplotlib_inline.backend_inline")
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(HERE)}}).execute(env=env)
    if save:
        nbformat.write(nb, path)
    return nb


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

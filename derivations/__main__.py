"""``python -m derivations regenerate [MODULE ...] [--check]``: write or verify ``numerics/generated/`` (the
formulas of each derivation module, and the Taylor recurrences ``<topic>_taylor`` of the flows)."""
from __future__ import annotations

import argparse
import sys

from derivations.codegen import regenerate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m derivations")
    parser.add_argument("command", choices=["regenerate"], help="regenerate the numerics' formulas")
    parser.add_argument("modules", nargs="*",
                        help="derivation modules (or <topic>_taylor modules) to regenerate (default: all)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a generated file is stale; write nothing")
    args = parser.parse_args(argv)
    try:
        stale = regenerate(check=args.check, modules=args.modules or None)
    except ValueError as exc:
        print(f"python -m derivations: error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if stale:
            print("stale generated files (run `python -m derivations regenerate`): "
                  + ", ".join(f"numerics/generated/{s}.py" for s in stale), file=sys.stderr)
            return 1
        print("numerics/generated is up to date")
        return 0
    print("regenerated: " + (", ".join(stale) if stale else "nothing changed"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

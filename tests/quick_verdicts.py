"""The quick tier's expected verdicts at seed 0, with each claim's basis: ``tests/data/quick_verdicts.json``.

``python tests/quick_verdicts.py REPORT.json`` rewrites the file from a JSON report of the quick tier at seed 0
(``python -m checks --tier quick --seed 0 --format json --output REPORT.json``); do it only after reading why each
changed verdict changed, and say so in the commit message.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

EXPECTED = Path(__file__).resolve().parent / "data" / "quick_verdicts.json"


def verdicts_of(doc: dict) -> dict[str, dict[str, str]]:
    """Claim id -> {"verdict", "basis"} of a JSON report."""
    return {c["id"]: {"verdict": c["verdict"], "basis": c.get("basis", "")} for c in doc["claims"]}


def expected() -> dict[str, dict[str, str]]:
    """The recorded verdicts and bases."""
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/quick_verdicts.py QUICK_REPORT.json", file=sys.stderr)
        return 2
    doc = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    run = doc.get("run", {})
    if run.get("tier") != "quick" or run.get("seed") != 0:
        print(f"need a quick-tier report at seed 0, got tier {run.get('tier')!r}, seed {run.get('seed')!r}",
              file=sys.stderr)
        return 2
    EXPECTED.parent.mkdir(parents=True, exist_ok=True)
    EXPECTED.write_text(json.dumps(verdicts_of(doc), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {EXPECTED} ({len(doc['claims'])} claims)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

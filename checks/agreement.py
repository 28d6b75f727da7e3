"""Do two runs agree? ``python -m checks.agreement QUICK.json FULL.json [--output TIERS.md]`` compares the quick
and the full tier; ``python -m checks.agreement BEFORE.json AFTER.json --same-tier`` compares two runs of one tier
(before and after a change).

Both files are JSON reports of ``python -m checks --format json`` with the same seed. Former claim ids
(``checks/aliases.json``) are read as the ids they became, so reports from before a renaming compare one to
one. Every claim in both is compared; a differing verdict is listed with the two summaries and, for the tiers,
the explanation recorded in ``EXPLAINED`` (a claim id to a sentence) where one has been worked out. The exit
status is 1 when a difference has no explanation (for two runs of one tier: any difference).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from checks.registry import resolve

#: Differences between the tiers that have been looked into, and why they arise.
EXPLAINED: dict[str, str] = {
    "hb_nag.fig7": "On the quick instance (one seed, reduced size) the gap ordering holds; at the paper's size it "
                   "holds for some seeds and not others (seed 1 holds), so the full tier cannot decide it: a settings "
                   "claim is refuted only when every seed and setting refutes it.",
    "matrix_factorization.fig1a": "The order in which the components reach the ¾ level holds on the quick instance; at "
                                  "the paper's size, with seed 2, two components reach ¾ within the same 0.01 "
                                  "recording step, so their order is undecided there (INCONCLUSIVE, not a failure).",
}
#: the explanation of a difference where the quick tier ran a settings claim on reduced instances
REDUCED = ("A settings claim (it rests on values the paper does not give) run on the quick tier's reduced instances "
           "can only be INCONCLUSIVE; the full tier decides it at the paper's size over {seeds} seed(s) across the "
           "plausible range of each setting (the sensitivity table is in its evidence).")


@dataclass(frozen=True)
class Difference:
    """One claim whose verdict differs between the tiers."""

    claim: str
    quick: str
    full: str
    quick_summary: str
    full_summary: str
    #: the quick tier ran a settings claim on reduced instances: number of seeds the full tier used, else None
    reduced_settings_seeds: int | None = None

    @property
    def explanation(self) -> str | None:
        if self.claim in EXPLAINED:
            return EXPLAINED[self.claim]
        if self.reduced_settings_seeds is not None:
            return REDUCED.format(seeds=self.reduced_settings_seeds)
        return None


def reduced_settings_seeds(quick: dict, full: dict) -> int | None:
    """For a settings claim whose quick run on reduced instances was INCONCLUSIVE (reduced instances never refute
    one): how many seeds its full run used; else None."""
    ev_q, ev_f = quick.get("evidence") or {}, full.get("evidence") or {}
    if quick.get("basis") != "settings" or ev_q.get("at_paper_size") is not False or quick["verdict"] != "INCONCLUSIVE":
        return None
    return len(ev_f.get("seeds") or []) or None


def load_report(path: Path) -> dict:
    """A JSON report with its run metadata; a clear error when the file is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable JSON report of `python -m checks --format json` ({exc})") from None
    if not isinstance(data, dict) or "claims" not in data or "run" not in data:
        raise ValueError(f"{path}: a JSON report needs the keys 'run' and 'claims'")
    return data


def compare(quick: dict, full: dict, same_tier: bool = False) -> tuple[list[Difference], int]:
    """Differences in verdict over the claims both reports hold, and the number of claims compared (``same_tier``:
    two runs of one tier, before and after a change; else the quick tier first and the full tier second)."""
    if same_tier:
        if quick["run"].get("tier") != full["run"].get("tier"):
            raise ValueError(f"--same-tier needs two runs of one tier, got {quick['run'].get('tier')!r} and "
                             f"{full['run'].get('tier')!r}")
    else:
        for name, rep, tier in (("first", quick, "quick"), ("second", full, "full")):
            if rep["run"].get("tier") != tier:
                raise ValueError(f"the {name} report is of tier {rep['run'].get('tier')!r}, expected {tier!r}")
    if quick["run"].get("seed") != full["run"].get("seed"):
        raise ValueError(f"the reports have different seeds ({quick['run'].get('seed')} and "
                         f"{full['run'].get('seed')})")
    q = {resolve(c["id"]): c for c in quick["claims"]}
    f = {resolve(c["id"]): c for c in full["claims"]}
    shared = sorted(q.keys() & f.keys())
    diffs = [Difference(cid, q[cid]["verdict"], f[cid]["verdict"], q[cid]["summary"], f[cid]["summary"],
                        None if same_tier else reduced_settings_seeds(q[cid], f[cid]))
             for cid in shared if q[cid]["verdict"] != f[cid]["verdict"]]
    return diffs, len(shared)


def to_markdown(diffs: list[Difference], compared: int, quick: dict, full: dict, same_tier: bool = False) -> str:
    """TIERS.md (or, for two runs of one tier, a before/after note): how many claims agree, and every difference
    with its explanation."""
    run = full["run"]
    first, second = ("Before", "After") if same_tier else ("Quick", "Full")
    title = f"# {run.get('tier')} tier: before against after" if same_tier else "# Quick tier against full tier"
    usage = "BEFORE.json AFTER.json --same-tier" if same_tier else "QUICK.json FULL.json"
    where = "in both runs" if same_tier else "in both tiers"
    lines = [title, "", f"Seed {run.get('seed')}, {run.get('dps')} digits; versions {run.get('versions')}. "
             f"Generated by `python -m checks.agreement {usage}`.", "",
             f"**{compared - len(diffs)} of {compared} claims get the same verdict {where}; {len(diffs)} differ.**", ""]
    if run.get("note"):
        lines += [f"{second} run: {run['note']}.", ""]
    for name, rep in ((first, quick), (second, full)):
        tally: dict[str, int] = {}
        for c in rep["claims"]:
            tally[c["verdict"]] = tally.get(c["verdict"], 0) + 1
        counts = ", ".join(f"{k} {v}" for k, v in sorted(tally.items()))
        lines.append(f"- {name}: {len(rep['claims'])} claims, {counts}")
    lines.append("")
    if diffs:
        lines += [f"| claim | {first.lower()} | {second.lower()} | why |", "|---|---|---|---|"]
        for d in diffs:
            why = (None if same_tier else d.explanation) or (
                f"**not yet explained.** {first.lower()}: {d.quick_summary[:160]} / "
                f"{second.lower()}: {d.full_summary[:160]}")
            lines.append(f"| `{d.claim}` | {d.quick} | {d.full} | {why.replace('|', '/')} |")
    first_ids = {resolve(c["id"]) for c in quick["claims"]}
    only_second = [c for c in full["claims"] if resolve(c["id"]) not in first_ids]
    if only_second:
        lines += ["", f"## Only in the {second.lower()} {'run' if same_tier else 'tier'}", "",
                  "| claim | verdict | summary |", "|---|---|---|"]
        lines += [f"| `{c['id']}` | {c['verdict']} | {c['summary'][:200].replace('|', '/')} |" for c in only_second]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m checks.agreement", description=__doc__.splitlines()[0])
    parser.add_argument("quick", type=Path, help="JSON report of the quick tier (or the run before a change)")
    parser.add_argument("full", type=Path, help="JSON report of the full tier (or the run after), same seed")
    parser.add_argument("--same-tier", action="store_true", help="compare two runs of one tier, before and after")
    parser.add_argument("--output", type=Path, default=None, help="write the Markdown here (default: print it)")
    args = parser.parse_args(argv)
    try:
        quick, full = load_report(args.quick), load_report(args.full)
        diffs, compared = compare(quick, full, args.same_tier)
    except ValueError as exc:
        print(f"python -m checks.agreement: error: {exc}", file=sys.stderr)
        return 2
    text = to_markdown(diffs, compared, quick, full, args.same_tier)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    if args.same_tier:
        return 1 if diffs else 0
    return 1 if any(d.explanation is None for d in diffs) else 0


if __name__ == "__main__":
    sys.exit(main())

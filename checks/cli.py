"""Command line: ``python -m checks [SELECTOR ...] [options]``.

Selectors are claim ids, globs over ids (``momentum_dln.prop*``) or paper names (``hb_nag``); a former id
(``checks/aliases.json``) selects the claim it became. Usage errors print one line and exit 2; ``--strict``
exits 1 when a claim is REFUTED or INCONCLUSIVE.
"""
from __future__ import annotations

import argparse
import contextlib
import difflib
import fnmatch
import os
import sys
from pathlib import Path
from typing import Iterator, Sequence

from checks.context import DASK_SCHEMES, SWEEP_KINDS, TIERS, Context
from checks.discovery import load_all
from checks.registry import PAPERS, Claim, aliases
from checks.report import FORMATS

USAGE_EXIT = 2


class UsageError(Exception):
    """A problem with the command line's words; reported in one line with exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one clear line, no usage dump, exit 2
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m checks", description="Check the papers' claims and report verdicts.")
    p.add_argument("selectors", nargs="*", metavar="SELECTOR",
                   help="claim ids, globs over ids, or paper names (default: all)")
    p.add_argument("--paper", action="append", default=[], metavar="PAPER",
                   help=f"restrict to a paper (repeatable): {', '.join(PAPERS)}")
    p.add_argument("--tier", default="quick", help="quick (default): quick-tier claims on small instances; "
                   "full: every claim at the paper's sizes")
    p.add_argument("--list", action="store_true", help="list the selected entries without running them")
    p.add_argument("--coverage", action="store_true", help="list inventory keys that no entry covers")
    p.add_argument("--format", default="table", help=f"report format: {', '.join(FORMATS)}")
    p.add_argument("--output", metavar="FILE", help="write the report to FILE instead of the terminal")
    p.add_argument("--seed", default="0", help="non-negative integer seed of every random instance (default 0)")
    p.add_argument("--dps", default="50", help="decimal digits of the high-precision reference (>= 20, default 50)")
    p.add_argument("--jobs", default="1", help="run claims in this many processes (default 1; results do not depend on it)")
    p.add_argument("--sweep", default="local", metavar="EXECUTOR",
                   help="who evaluates the checks' parameter sweeps: local (default: local processes, the cores "
                        "left over by --jobs), serial, or a Dask scheduler address tcp://host:port (results do not "
                        "depend on it)")
    p.add_argument("--strict", action="store_true", help="exit 1 if any claim is REFUTED or INCONCLUSIVE")
    return p


def _int_option(name: str, text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise UsageError(f"--{name} must be an integer >= {minimum}, got {text!r}") from None
    if value < minimum:
        raise UsageError(f"--{name} must be an integer >= {minimum}, got {value}")
    return value


def select(registry: dict[str, Claim], selectors: Sequence[str], papers: Sequence[str], tier: str) -> list[Claim]:
    """Claims matching the selectors and papers (all when none given), restricted by tier, in id order."""
    for paper in papers:
        if paper not in PAPERS:
            hint = difflib.get_close_matches(paper, PAPERS, n=1)
            raise UsageError(f"unknown paper {paper!r}; allowed: {', '.join(PAPERS)}"
                             + (f" (did you mean {hint[0]!r}?)" if hint else ""))
    chosen: dict[str, Claim] = {}
    former = aliases()
    for sel in selectors or ["*"]:
        if sel in PAPERS:
            hits = [c for c in registry.values() if c.paper == sel]
        else:
            hits = [c for c in registry.values() if fnmatch.fnmatchcase(c.id, sel)]
            hits += [registry[new] for old, new in former.items() if fnmatch.fnmatchcase(old, sel) and new in registry]
        if not hits:
            hint = difflib.get_close_matches(sel, list(registry) + list(PAPERS), n=3, cutoff=0.5)
            raise UsageError(f"no claim matches {sel!r}" + (f"; close matches: {', '.join(hint)}" if hint else
                                                             "; use --list to see the ids"))
        chosen.update((c.id, c) for c in hits)
    claims = [c for c in chosen.values() if not papers or c.paper in papers]
    if tier == "quick":
        claims = [c for c in claims if c.tier == "quick"]
    if not claims:
        raise UsageError(f"the selection matches no {tier}-tier claim" + (" of the chosen papers" if papers else "")
                         + ("; try --tier full" if tier == "quick" else ""))
    return sorted(claims, key=lambda c: c.id)


def _emit(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send what compiled solvers print to file descriptor 1 (ODEPACK's "lsoda--" messages, in this and in the
    worker processes started inside) to stderr, so that a report written to stdout stays parseable."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no file descriptor 1 (embedded use): nothing to protect
        yield
        return
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def run(argv: Sequence[str]) -> int:
    """The command line's body; raises UsageError on bad words."""
    from rich.console import Console

    from checks import report
    from checks.coverage import coverage, coverage_text, inventory_path, load_inventory
    from checks.runner import run_claims

    args = build_parser().parse_args(argv)
    if args.tier not in TIERS:
        raise UsageError(f"--tier must be one of {', '.join(TIERS)}, got {args.tier!r}")
    if args.format not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, got {args.format!r}")
    seed = _int_option("seed", args.seed, 0)
    dps = _int_option("dps", args.dps, 20)
    jobs = _int_option("jobs", args.jobs, 1)
    if args.output and not Path(args.output).resolve().parent.is_dir():
        raise UsageError(f"--output: folder {str(Path(args.output).parent)!r} does not exist")
    registry = load_all()

    if args.coverage:
        path = inventory_path()
        if path is None:
            _emit("no inventory (shared/claims.json) beside this checkout; coverage cannot be measured", args.output)
            return 0
        inv = load_inventory(path)
        _emit(coverage_text(coverage(registry.values(), inv), inv), args.output)
        return 0

    claims = select(registry, args.selectors, args.paper, args.tier)
    console = Console(width=None if sys.stdout.isatty() else 200)
    if args.list:
        if args.format == "json":
            _emit(report.listing_json(claims), args.output)
        else:
            report.print_listing(claims, console)
        return 0

    if not (args.sweep in SWEEP_KINDS or args.sweep.startswith(DASK_SCHEMES)):
        raise UsageError(f"--sweep must be {' or '.join(SWEEP_KINDS)} or a Dask scheduler address "
                         f"(tcp://host:port), got {args.sweep!r}")
    ctx = Context(seed=seed, tier=args.tier, dps=dps, sweep=args.sweep,
                  sweep_workers=max(1, (os.cpu_count() or 1) // jobs))
    from rich.progress import Progress

    with stdout_to_stderr(), Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("checking", total=len(claims))

        def step(i: int, c: Claim) -> None:
            bar.update(task, completed=i, description=c.id)

        rows = run_claims(claims, ctx, progress=step, jobs=jobs)
        bar.update(task, completed=len(claims))
    if args.format == "json":
        _emit(report.to_json(rows, ctx), args.output)
    elif args.format == "markdown":
        _emit(report.to_markdown(rows, ctx), args.output)
    elif args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            report.print_table(rows, Console(file=fh, width=200))
    else:
        report.print_table(rows, console)
    bad = [r for r in rows if not r.result.verdict.holds]
    return 1 if args.strict and bad else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: usage errors print one line to stderr and return 2."""
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except UsageError as exc:
        print(f"checks: error: {exc}", file=sys.stderr)
        return USAGE_EXIT

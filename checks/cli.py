"""Command line: ``python -m checks [SELECTOR ...] [options]`` and ``python -m checks show ID [options]``.

Selectors are claim ids, globs over ids (``momentum_dln.prop*``) or paper names (``hb_nag``); a former id
(``checks/aliases.json``) selects the claim it became. ``show`` prints everything about one claim (paper text,
evidence, derivations, the command that reruns it); ``--from-json`` rebuilds a report from a saved JSON report
without rerunning. Usage errors print one line and exit 2; ``--strict`` exits 1 when a claim is REFUTED or
INCONCLUSIVE.
"""
from __future__ import annotations

import argparse
import contextlib
import difflib
import fnmatch
import json
import os
import shutil
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
    p.add_argument("--jobs", default="1",
                   help="run claims in this many processes (default 1; results do not depend on it)")
    p.add_argument("--sweep", default="local", metavar="EXECUTOR",
                   help="who evaluates the checks' parameter sweeps: local (default: local processes, the cores "
                        "left over by --jobs), serial, or a Dask scheduler address tcp://host:port (results do not "
                        "depend on it)")
    p.add_argument("--strict", action="store_true", help="exit 1 if any claim is REFUTED or INCONCLUSIVE")
    p.add_argument("--verbose", action="store_true", help="table: the whole statement, summary and evidence of each "
                   "claim, nothing cut")
    p.add_argument("--from-json", metavar="FILE", help="build the report from a saved JSON report (--format json) "
                   "instead of running the claims")
    return p


def build_show_parser() -> argparse.ArgumentParser:
    """``python -m checks show ID``: one claim's paper text, verdict, whole evidence, derivations and rerun command."""
    p = _Parser(prog="python -m checks show", description="Everything about one claim: the paper's text around it, "
                "its verdict and whole evidence, counterexample and corrected form, the derivations and generated "
                "formulas its run calls, and the command that reruns it.")
    p.add_argument("claim", metavar="ID", help="a claim id (or a former id)")
    p.add_argument("--tier", help="quick or full (default: the claim's own tier)")
    p.add_argument("--seed", default="0", help="non-negative integer seed (default 0)")
    p.add_argument("--dps", default="50", help="decimal digits of the high-precision reference (>= 20, default 50)")
    p.add_argument("--from-json", metavar="FILE", help="take the verdict and evidence from a saved JSON report "
                   "instead of running the claim (the derivations are then not traced)")
    p.add_argument("--context", default="8", help="lines of the paper's text shown after the statement (default 8)")
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


def console_width() -> int | None:
    """The table's width: the terminal's, else ``COLUMNS``, else 200 (a file or a pipe)."""
    if sys.stdout.isatty():
        return None
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) >= 40 else 200


def resolve_claim(registry: dict[str, Claim], text: str) -> Claim:
    """The claim named by an id or a former id; a UsageError with close matches otherwise."""
    cid = aliases().get(text, text)
    if cid in registry:
        return registry[cid]
    hint = difflib.get_close_matches(text, list(registry) + list(aliases()), n=3, cutoff=0.5)
    raise UsageError(f"no claim {text!r}" + (f"; close matches: {', '.join(hint)}" if hint else
                                              "; use --list to see the ids"))


def show(argv: Sequence[str]) -> int:
    """``python -m checks show ID``: print everything about one claim."""
    from checks.report.document import by_id, record, run_metadata
    from checks.report.show import explain
    from checks.report.trace import traced_run

    args = build_show_parser().parse_args(argv)
    seed, dps = _int_option("seed", args.seed, 0), _int_option("dps", args.dps, 20)
    context = _int_option("context", args.context, 0)
    registry = load_all()
    claim = resolve_claim(registry, args.claim)
    tier = args.tier or claim.tier
    if tier not in TIERS:
        raise UsageError(f"--tier must be one of {', '.join(TIERS)}, got {tier!r}")
    if tier == "quick" and claim.tier == "full":
        raise UsageError(f"{claim.id} runs in the full tier only; use --tier full")
    width = shutil.get_terminal_size((100, 24)).columns
    if args.from_json:
        doc = _load(args.from_json)
        records = by_id(doc)
        former = {new: old for old, new in aliases().items()}
        rec = records.get(claim.id) or records.get(former.get(claim.id, ""))
        if rec is None:
            raise UsageError(f"{args.from_json!r} has no record of {claim.id}")
        text = explain(claim, rec, doc["run"], None, registry, records, width, context)
    else:
        ctx = Context(seed=seed, tier=tier, dps=dps)
        with stdout_to_stderr():
            row, called = traced_run(claim, ctx)
        text = explain(claim, record(row), run_metadata(ctx), called, registry, {}, width, context)
    _emit(text, None)
    return 0


def _load(path: str) -> dict:
    from checks.report.document import load_document

    try:
        return load_document(Path(path))
    except ValueError as exc:
        raise UsageError(f"--from-json: {exc}") from None


def emit_report(doc: dict, fmt: str, output: str | None, verbose: bool) -> None:
    """Write the document in format ``fmt`` to ``output`` (or the terminal)."""
    from rich.console import Console

    from checks.report.html import to_html
    from checks.report.markdown import to_markdown
    from checks.report.table import print_table

    if fmt == "json":
        _emit(json.dumps(doc, indent=2, ensure_ascii=False), output)
    elif fmt == "markdown":
        _emit(to_markdown(doc), output)
    elif fmt == "html":
        _emit(to_html(doc), output)
    elif output:
        with open(output, "w", encoding="utf-8") as fh:
            print_table(doc["claims"], doc["tally"], Console(file=fh, width=200), verbose)
    else:
        print_table(doc["claims"], doc["tally"], Console(width=console_width()), verbose)


def check_options(args: argparse.Namespace) -> tuple[int, int, int]:
    """Validate the run's option words; (seed, dps, jobs)."""
    if args.tier not in TIERS:
        raise UsageError(f"--tier must be one of {', '.join(TIERS)}, got {args.tier!r}")
    if args.format not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, got {args.format!r}")
    seed = _int_option("seed", args.seed, 0)
    dps = _int_option("dps", args.dps, 20)
    jobs = _int_option("jobs", args.jobs, 1)
    if args.output and not Path(args.output).resolve().parent.is_dir():
        raise UsageError(f"--output: folder {str(Path(args.output).parent)!r} does not exist")
    if not (args.sweep in SWEEP_KINDS or args.sweep.startswith(DASK_SCHEMES)):
        raise UsageError(f"--sweep must be {' or '.join(SWEEP_KINDS)} or a Dask scheduler address "
                         f"(tcp://host:port), got {args.sweep!r}")
    if args.from_json and (args.selectors or args.paper or args.list or args.coverage):
        raise UsageError("--from-json rebuilds a saved report as it is: give no selectors, --paper, --list or "
                         "--coverage with it")
    return seed, dps, jobs


def run_selected(claims: list[Claim], ctx: Context, jobs: int) -> list:
    """Run the claims with a progress bar on stderr; the rows."""
    from rich.console import Console
    from rich.progress import Progress

    from checks.runner import run_claims

    with stdout_to_stderr(), Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("checking", total=len(claims))

        def step(i: int, c: Claim) -> None:
            bar.update(task, completed=i, description=c.id)

        rows = run_claims(claims, ctx, progress=step, jobs=jobs)
        bar.update(task, completed=len(claims))
    return rows


def run(argv: Sequence[str]) -> int:
    """The command line's body; raises UsageError on bad words."""
    from rich.console import Console

    from checks.coverage import coverage, coverage_text, inventory_path, load_inventory
    from checks.report import document, listing_json
    from checks.report.table import print_listing

    if argv and argv[0] == "show":
        return show(argv[1:])
    args = build_parser().parse_args(argv)
    seed, dps, jobs = check_options(args)
    if args.from_json:
        doc = _load(args.from_json)
    else:
        registry = load_all()
        if args.coverage:
            path = inventory_path()
            if path is None:
                _emit("no inventory (shared/claims.json) beside this checkout; coverage cannot be measured",
                      args.output)
                return 0
            inv = load_inventory(path)
            _emit(coverage_text(coverage(registry.values(), inv), inv), args.output)
            return 0
        claims = select(registry, args.selectors, args.paper, args.tier)
        if args.list:
            if args.format == "json":
                _emit(listing_json(claims), args.output)
            else:
                print_listing(claims, Console(width=console_width()))
            return 0
        ctx = Context(seed=seed, tier=args.tier, dps=dps, sweep=args.sweep,
                      sweep_workers=max(1, (os.cpu_count() or 1) // jobs))
        doc = document(run_selected(claims, ctx, jobs), ctx)
    emit_report(doc, args.format, args.output, args.verbose)
    bad = [c for c in doc["claims"] if c["verdict"] not in ("PROVED", "CONFIRMED")]
    return 1 if args.strict and bad else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: usage errors print one line to stderr and return 2."""
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except UsageError as exc:
        print(f"checks: error: {exc}", file=sys.stderr)
        return USAGE_EXIT

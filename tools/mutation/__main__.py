"""Command line: ``python -m tools.mutation [FILE ...] [--sample K --seed S] [--workers N] ...`` from the
repository root (``make mutate`` runs a sample of 30 mutants per file; ``--help`` lists the options)."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from dataclasses import asdict
from itertools import chain, zip_longest
from pathlib import Path
from typing import Callable

from tools.mutation.baseline import CACHE_DIR, Baseline, load_json, snapshot_baseline, verification_baseline
from tools.mutation.forkserver import import_heavy_libraries
from tools.mutation.mutants import ROOT, Mutant, default_targets, mutants_of, relative_path, show
from tools.mutation.report import to_markdown
from tools.mutation.run import exercised, expected_cost, run_mutants, sample_mutants

PROG = "python -m tools.mutation"
LAST_RUN, VERIFY_RUN = CACHE_DIR / "last-run.json", CACHE_DIR / "verify-run.json"


def build_parser() -> argparse.ArgumentParser:
    """The command line's options."""
    parser = argparse.ArgumentParser(prog=PROG)
    parser.add_argument("files", nargs="*", type=Path,
                        help="files to mutate (default: every derivation module and generated file)")
    parser.add_argument("--sample", type=int, default=None, metavar="K",
                        help="K mutants per file drawn at random from the exercised ones (default: all)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample (default 0)")
    parser.add_argument("--workers", type=int, default=1, help="mutants run at once (default 1)")
    parser.add_argument("--timeout-factor", type=float, default=5.0,
                        help="timeout = factor × baseline seconds of the affected claims + allowance (default 5)")
    parser.add_argument("--output", type=Path, default=ROOT / "MUTATION.md")
    parser.add_argument("--baseline-only", action="store_true", help="take the snapshot, trace its baseline, stop")
    parser.add_argument("--reuse-baseline", action="store_true",
                        help="mutate the latest snapshot with its baseline (no new snapshot of the sources)")
    parser.add_argument("--mutants", nargs="+", metavar="PATH:INDEX",
                        help="verification: run only these mutants, on a snapshot of the current sources; the report "
                             "of the last sampled run then shows their outcome next to each survivor")
    parser.add_argument("--show", metavar="PATH:INDEX", help="print one mutant of the latest snapshot and stop")
    parser.add_argument("--render", action="store_true",
                        help="rewrite the report from the last run's stored state (e.g. after classifying survivors)")
    return parser


def check_options(args: argparse.Namespace,
                  parser: argparse.ArgumentParser) -> tuple[list[Path], list[tuple[str, int]]]:
    """The files to mutate and the ``--mutants`` asked for; a bad option exits with status 2."""
    for name, value, low in (("--sample", args.sample, 1), ("--workers", args.workers, 1), ("--seed", args.seed, 0)):
        if value is not None and value < low:
            parser.error(f"{name} must be an integer >= {low}, got {value}")
    if not args.timeout_factor >= 1:
        parser.error(f"--timeout-factor must be >= 1, got {args.timeout_factor}")
    files = [f.resolve() for f in args.files] or default_targets()
    for f in files:
        if not f.is_file() or ROOT not in f.parents or f.suffix != ".py":
            parser.error(f"{f} is not a Python file of this repository")
    wanted: list[tuple[str, int]] = []
    for item in args.mutants or []:
        path, _, index = item.rpartition(":")
        if not (ROOT / path).is_file() or not index.isdigit():
            parser.error(f"--mutants needs PATH:INDEX with PATH a file of the repository, got {item!r}")
        wanted.append((path, int(index)))
    return files, wanted


def show_mutant(spec: str, parser: argparse.ArgumentParser) -> int:
    """``--show PATH:INDEX``: print one mutant of the latest snapshot (or of the checkout)."""
    latest = CACHE_DIR / "latest"
    snap_root = CACHE_DIR / f"snapshot-{latest.read_text(encoding='utf-8').strip()}" if latest.exists() else ROOT
    path, _, index = spec.rpartition(":")
    root = snap_root if (snap_root / path).is_file() else ROOT
    if not (root / path).is_file() or not index.isdigit():
        parser.error(f"--show needs PATH:INDEX with PATH a file of the repository, got {spec!r}")
    print(show(root / path, int(index), root))
    return 0


def plan(files: list[Path], snap: Path, base: Baseline, sample: int | None, seed: int,
         say: Callable[[str], None]) -> tuple[list[Mutant], dict[str, dict], float]:
    """The mutants to run (files interleaved, so a stopped run still covers every file), per-file facts for
    the report, and an upper estimate of the seconds needed."""
    by_file: dict[str, list[Mutant]] = {}
    files_info: dict[str, dict] = {}
    estimate = 0.0
    for f in files:
        rel = relative_path(f)
        muts = mutants_of(snap / rel, root=snap)
        chosen, pool = sample_mutants(muts, base, sample, seed)
        estimate += sum(expected_cost(m, base) for m in chosen)
        idle: dict[str, int] = {}
        for m in muts:
            if not exercised(m, base):
                idle[m.function] = idle.get(m.function, 0) + 1
        claims = set().union(*(base.affected(m.traced_name) for m in muts)) if muts else set()
        if rel.startswith("derivations/"):
            claims |= base.topic_claims(f.stem)
        files_info[rel] = {"mutants": len(muts), "exercised": pool, "idle_functions": idle,
                           "papers": sorted({base.papers[c] for c in claims})}
        by_file[rel] = chosen
        say(f"{rel}: {len(muts)} mutants, {pool} exercised, {len(chosen)} to run")
    order = [m for m in chain.from_iterable(zip_longest(*by_file.values())) if m is not None]
    return order, files_info, estimate


def chosen_mutants(wanted: list[tuple[str, int]], snap: Path, parser: argparse.ArgumentParser) -> list[Mutant]:
    """The ``--mutants PATH:INDEX`` of the snapshot ``snap``."""
    order = []
    for path, index in wanted:
        muts = mutants_of(snap / path, root=snap)
        if index >= len(muts):
            parser.error(f"{path} has mutants 0..{len(muts) - 1} in the snapshot, not {index}")
        order.append(muts[index])
    return order


class Run:
    """A run's stored state (``reports/mutation/last-run.json``, or ``verify-run.json`` for ``--mutants``), the
    outcomes stored for its snapshot (reused by a larger sample) and the report rewritten after each mutant."""

    def __init__(self, state: dict, order: list[Mutant], snap: Path, output: Path, verifying: bool) -> None:
        self.state, self.output, self.verifying = state, output, verifying
        self.path = VERIFY_RUN if verifying else LAST_RUN
        if verifying and (earlier := load_json(VERIFY_RUN)):  # keep the re-runs of other mutants
            redone = {m.key for m in order}
            state["outcomes"] = [(m, o) for m, o in earlier["outcomes"] if m.get("key") not in redone]
            state["command"] = earlier["command"] + "; " + state["command"]
        self.cache = snap / "outcomes.json"
        self.known = load_json(self.cache) or {}
        if self.known.get("factor") != state["factor"]:
            self.known = {"factor": state["factor"], "outcomes": {}}
        self.count = 0

    def write(self) -> None:
        """Store the state and rewrite the report (of the last sampled run, with the verification's outcomes)."""
        self.path.write_text(json.dumps(self.state), encoding="utf-8")
        main_state = load_json(LAST_RUN) if self.verifying else self.state
        if main_state is not None:
            self.output.write_text(to_markdown(main_state, main_state["date"], load_json(VERIFY_RUN)), encoding="utf-8")

    def record(self, m: Mutant, outcome: dict, fresh: bool = True) -> None:
        """Add one mutant's outcome (``fresh``: just run, so store it for the snapshot) and report it."""
        if fresh:
            self.known["outcomes"][f"{m.path}:{m.index}"] = outcome
            self.cache.write_text(json.dumps(self.known), encoding="utf-8")
        self.state["outcomes"].append((asdict(m), outcome))
        self.count += 1
        print(f"[{self.count}/{self.state['planned']}] {outcome['status']:<20} {outcome['seconds']:6.1f} s  {m.where()}"
              + (f" -> {outcome['claim']}: {outcome['was']} -> {outcome['verdict']}" if "claim" in outcome else ""),
              flush=True)
        self.write()

    def pending(self, order: list[Mutant]) -> list[Mutant]:
        """Record the mutants of ``order`` whose outcome is stored; the others, still to run."""
        todo = []
        for m in order:
            if f"{m.path}:{m.index}" in self.known["outcomes"]:
                self.record(m, self.known["outcomes"][f"{m.path}:{m.index}"], fresh=False)
            else:
                todo.append(m)
        self.write()
        return todo


def main(argv: list[str] | None = None) -> int:
    """Run the command line; the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.show:
        return show_mutant(args.show, parser)
    if args.render:
        state = load_json(LAST_RUN)
        if state is None:
            parser.error(f"no stored run at {LAST_RUN}")
        args.output.write_text(to_markdown(state, state["date"], load_json(VERIFY_RUN)), encoding="utf-8")
        print(f"wrote {args.output}")
        return 0
    files, wanted = check_options(args, parser)
    sys.dont_write_bytecode = True
    os.environ.setdefault("MPLBACKEND", "Agg")
    import_heavy_libraries()
    say = lambda s: print(s, flush=True)  # noqa: E731
    try:
        snap, base = (verification_baseline(wanted, log=say) if wanted else
                      snapshot_baseline(args.workers, args.reuse_baseline, log=say))
    except (FileNotFoundError, ValueError) as exc:
        parser.error(str(exc))
    if args.baseline_only:
        return 0
    if wanted:
        order, files_info = chosen_mutants(wanted, snap, parser), {}
    else:
        order, files_info, estimate = plan(files, snap, base, args.sample, args.seed, say)
        say(f"{len(order)} mutants to run; at most about {estimate / 60 / args.workers:.0f} min if none were "
            "detected early")
    command = f"{PROG} " + " ".join(argv if argv is not None else sys.argv[1:])
    state = {"command": command.strip(), "date": dt.date.today().isoformat(), "snapshot": snap.name.split("-", 1)[1],
             "files": files_info, "outcomes": [], "papers": base.papers, "sample": args.sample, "seed": args.seed,
             "factor": args.timeout_factor, "planned": len(order), "complete": False,
             "fingerprints": bool(base.fingerprints)}
    run = Run(state, order, snap, args.output, verifying=bool(wanted))
    run_mutants(run.pending(order), base, workers=args.workers, factor=args.timeout_factor, root=snap,
                on_result=run.record)
    state["complete"] = True
    run.write()
    say(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``python -m benchmarks [NAME ...] [--long] [--output BENCHMARKS.md]``: run benchmarks, write BENCHMARKS.md.

Every benchmark module exposes ``main(...)`` (runs its variants side by side and returns its rows) and
``markdown(rows) -> str`` (its section). Without names, every benchmark runs except the long parts, which
``--long`` adds (the full tier of the check suite, d = 10⁴ of the Bregman solve, 100 digits of the
mpmath sign-flow solve, the whole 10⁶-epoch MGD sweep). Sections of benchmarks not run this time are kept
from the existing output file, so one benchmark can be rerun alone. Exit status 1 if a benchmark failed;
usage errors print one line and exit 2.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import platform
import re
import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence

ROOT = Path(__file__).resolve().parent.parent

#: name -> (module, title, how to call main given --long). Order = order of the sections.
BENCHMARKS: dict[str, tuple[str, str, Callable[[Any, bool], Any]]] = {
    "suite": ("bench_suite", "Check suite", lambda m, long: m.main(full=long)),
    "full_tier": ("bench_full_tier", "Full tier: Figures 2 and 6 kernels against the numpy loops and the matmul "
                  "rate; full-tier wall, peak memory and Dask sweeps (issue 18)", lambda m, long: m.main(long=long)),
    "mgf": ("bench_mgf", "MGF(λ) to convergence (momentum_dln)", lambda m, long: m.main()),
    "integrators": ("bench_integrators", "Integrators: MGF, HB/NAG flows and smoothed sign flow",
                    lambda m, long: m.main()),
    "mgd_sweep": ("bench_mgd_sweep", "Batched MGD sweep (Figure 4 grid)", lambda m, long: _mgd_sweep(m, long)),
    "bregman": ("bench_bregman", "Implicit-bias solve (argmin of a Bregman divergence) against d",
                lambda m, long: m.main(long=long)),
    "mpmath": ("bench_mpmath", "High-precision reference (mpmath) against digits", lambda m, long: m.main(long=long)),
    "regenerate": ("bench_regenerate", "Regeneration of all formulas", lambda m, long: m.main()),
    "taylor": ("bench_taylor", "High-precision Taylor integrator: against mpmath.odefun, and MGF(λ) against an "
               "mpmath reference", lambda m, long: m.main()),
}
MARK = "<!-- benchmark: {} -->"
HEADER = "# Benchmarks"


def _mgd_sweep(module: Any, long: bool) -> Any:
    """bench_mgd_sweep.main takes an argv list: its defaults, without the whole 10⁶-epoch sweep unless --long."""
    return module.main([] if long else ["--no-full"])


def machine() -> str:
    """Date, cores, load, Python and the BLAS numpy uses."""
    import numpy as np
    import scipy

    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas_text = f"{blas.get('name')} {blas.get('version')}"
        cfg = blas.get("openblas configuration", "")
        if cfg:
            blas_text += f" ({' '.join(cfg.split()[2:])})"
    except Exception:  # older numpy: no dict form
        blas_text = "unknown"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    return (f"Run {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.node() or 'this machine'}: "
            f"{os.cpu_count()} cores ({platform.machine()}, shared with other jobs; load average at the start "
            f"{load}), Python {platform.python_version()}, numpy {np.__version__} with BLAS {blas_text}, "
            f"OPENBLAS_NUM_THREADS={threads}, scipy {scipy.__version__}. Times are of one run each and noisy; "
            "compare the ratios within a section, not absolute times across sections.")


def split_sections(text: str) -> dict[str, str]:
    """Sections of an existing BENCHMARKS.md by benchmark name (those written by this command carry a marker)."""
    parts = re.split(r"(?m)^(?=<!-- benchmark: )", text)
    out = {}
    for part in parts[1:]:
        m = re.match(r"<!-- benchmark: (\w+) -->", part)
        if m:
            out[m.group(1)] = part.rstrip() + "\n"
    return out


def section(name: str, title: str, module: str, body: str, seconds: float, head: str) -> str:
    """A marked section; a body that starts with its own ``## `` heading keeps it."""
    heading = f"## {title} (`benchmarks/{module}.py`)"
    if body.startswith("## "):
        heading, _, body = body.partition("\n")
    return f"{MARK.format(name)}\n{heading}\n\n{head}\n\n{body.strip()}\n\n_This benchmark took {seconds:.0f} s._\n"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*", metavar="NAME", help=f"benchmarks to run (default all): {', '.join(BENCHMARKS)}")
    p.add_argument("--long", action="store_true",
                   help="add the long parts (the check suite's full tier, d = 10^4 of the Bregman solve, "
                   "100 digits of the mpmath sign flow, the whole MGD sweep)")
    p.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"), metavar="FILE",
                   help="Markdown file to write (default BENCHMARKS.md at the repository root)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        print(f"python -m benchmarks: error: unknown benchmark(s) {', '.join(unknown)}; "
              f"allowed: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    out_path = Path(args.output)
    if not out_path.resolve().parent.is_dir():
        print(f"python -m benchmarks: error: --output: folder {str(out_path.parent)!r} does not exist", file=sys.stderr)
        return 2
    chosen = args.names or list(BENCHMARKS)
    old = split_sections(out_path.read_text(encoding="utf-8")) if out_path.exists() else {}
    new: dict[str, str] = {}
    failed: list[str] = []
    for name in chosen:
        module, title, call = BENCHMARKS[name]
        print(f"benchmark {name} ...", flush=True)
        head = machine()
        try:
            mod = importlib.import_module(f"benchmarks.{module}")
            if not hasattr(mod, "markdown"):
                print(f"  benchmarks/{module}.py has no markdown(rows): not run, its previous section is kept",
                      flush=True)
                continue
            start = time.perf_counter()
            rows = call(mod, args.long)
            seconds = time.perf_counter() - start
            body = mod.markdown(rows)
        except Exception as exc:  # one broken benchmark must not lose the others' results
            failed.append(name)
            print(f"  benchmark {name} failed: {exc!r}; its previous section is kept", file=sys.stderr, flush=True)
            continue
        new[name] = section(name, title, module, body, seconds, head)
        # Write after every benchmark, so an interrupted run keeps what it measured; the file is read again
        # first, so that sections another run wrote in the meantime are kept.
        current = split_sections(out_path.read_text(encoding="utf-8")) if out_path.exists() else old
        _write(out_path, {**current, **new})
    print(f"wrote {out_path}" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


def _write(path: Path, sections: dict[str, str]) -> None:
    intro = (f"{HEADER}\n\nWritten by `python -m benchmarks` (`make bench`); rerun one with "
             "`python -m benchmarks NAME` "
             "(its section is replaced, the others are kept). `--long` adds the full tier of the check suite, d = 10⁴ "
             "of the Bregman solve, 100 digits of the mpmath sign-flow solve and the whole 10⁶-epoch MGD sweep. "
             "Each section names the machine and load it ran on.\n")
    body = [sections[n] for n in BENCHMARKS if n in sections]
    path.write_text(intro + "\n" + "\n".join(body), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())

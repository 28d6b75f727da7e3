"""Draw a :class:`checks.report.figures.Panel` as a small self-contained SVG with matplotlib's SVG backend.

Text stays text (``svg.fonttype = none``), ids are salted per panel so that many plots can sit inline in one page,
and the output has no date, so that a report rebuilt from the same evidence is byte-identical.
"""
from __future__ import annotations

import io
import math
import re
from typing import Any, Callable, Mapping

from checks.report.figures import Panel, abscissa, curves_of, numbers, variable_of
from checks.verdict import REFUTE_FACTOR

#: Inches of one panel (about 340 x 220 px) and its font size in points.
SIZE = (4.7, 3.0)
FONT = 8
COLOURS = {"points": "#1f5fa8", "fit": "#1f5fa8", "claimed": "#c0392b", "tolerance": "#2e8b57",
           "refute": "#c0392b", "band": "#9ab8dc"}
RC = {"svg.fonttype": "none", "font.size": FONT, "axes.titlesize": FONT, "axes.labelsize": FONT,
      "legend.fontsize": FONT - 1, "xtick.labelsize": FONT - 1, "ytick.labelsize": FONT - 1,
      "font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"], "axes.spines.top": False,
      "axes.spines.right": False}


def positive_floor(values: list[float]) -> float:
    """A level below the smallest positive value, to draw zeros on a log axis."""
    pos = [v for v in values if v > 0 and math.isfinite(v)]
    return min(pos) / 10 if pos else 1e-300


def draw_order(ax: Any, ev: Mapping[str, Any]) -> None:
    """Log-log error against the step with the fitted and the claimed slope through the points' centre."""
    hs, errs = numbers(ev["h"]) or [], numbers(ev["errors"]) or []
    lx, ly = [math.log(h) for h in hs], [math.log(e) for e in errs]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    ends = [min(hs), max(hs)]
    fitted, claimed = float(ev["fitted_order"]), float(ev["expected_order"])
    ax.loglog(hs, errs, "o", color=COLOURS["points"], ms=4, label="measured error")
    stderr = ev.get("stderr")
    pm = f" ± {float(stderr):.2g}" if isinstance(stderr, (int, float)) and math.isfinite(stderr) else ""
    ax.loglog(ends, [math.exp(my + fitted * (math.log(h) - mx)) for h in ends], "-", color=COLOURS["fit"],
              lw=1, label=f"fitted slope {fitted:.3g}{pm}")
    ax.loglog(ends, [math.exp(my + claimed * (math.log(h) - mx)) for h in ends], "--", color=COLOURS["claimed"],
              lw=1, label=f"claimed slope {claimed:g}")
    ax.set_xlabel(variable_of(ev))
    ax.set_ylabel("error")


def draw_errors(ax: Any, ev: Mapping[str, Any]) -> None:
    """Each instance's error against the tolerance and the refutation level (log scale; zeros at the floor)."""
    errs = numbers(ev.get("errors")) or [float(ev["max_error"])]
    tol = float(ev["tolerance"])
    floor = positive_floor(errs + [tol])
    xs = list(range(1, len(errs) + 1))
    shown = [e if e > 0 else floor for e in errs]
    over = [e > tol for e in errs]
    ax.semilogy([x for x, o in zip(xs, over) if not o], [s for s, o in zip(shown, over) if not o], "o",
                color=COLOURS["points"], ms=4, label="error (0 drawn at the floor)" if floor in shown else "error")
    if any(over):
        ax.semilogy([x for x, o in zip(xs, over) if o], [s for s, o in zip(shown, over) if o], "o",
                    color=COLOURS["refute"], ms=4, label="above tolerance")
    ax.axhline(tol, color=COLOURS["tolerance"], lw=1, label=f"tolerance {tol:.2g}")
    ax.axhline(REFUTE_FACTOR * tol, color=COLOURS["refute"], lw=1, ls="--",
               label=f"refutes above {REFUTE_FACTOR:g}× tol")
    ax.set_xlabel("instance" if "errors" in ev else f"worst of {ev.get('instances_tried', '?')} instance(s)")
    ax.set_ylabel("error")
    ax.set_xlim(0.5, len(errs) + 0.5)
    if len(errs) <= 12:
        ax.set_xticks(xs)


def draw_threshold(ax: Any, ev: Mapping[str, Any]) -> None:
    """The measured values with their error bars, the threshold and each value's refutation level
    (threshold + REFUTE_FACTOR x its error), against a swept parameter when one varies."""
    vals, errs = numbers(ev["values"]) or [], numbers(ev["error_estimates"]) or []
    thr = float(ev["threshold"])
    sweep = abscissa(ev.get("instances"), len(vals))
    xs = sweep[1] if sweep else [float(i) for i in range(1, len(vals) + 1)]
    refute = [thr + REFUTE_FACTOR * e for e in errs]
    positive = all(v > 0 for v in vals + [thr]) and max(vals + [thr]) / min(vals + [thr]) > 100
    ax.errorbar(xs, vals, yerr=errs, fmt="o", color=COLOURS["points"], ms=4, capsize=2, lw=1, label="measured")
    ax.axhline(thr, color=COLOURS["tolerance"], lw=1, label=f"threshold {thr:g}")
    ax.plot(xs, refute, "_", color=COLOURS["refute"], ms=10, mew=1.5,
            label=f"refutes above (+{REFUTE_FACTOR:g}× error)")
    if positive:
        ax.set_yscale("log")
    if sweep and min(xs) > 0 and max(xs) / min(xs) > 20:
        ax.set_xscale("log")
    ax.set_xlabel(sweep[0] if sweep else "instance")
    ax.set_ylabel("value")
    if not sweep and len(vals) <= 12:
        ax.set_xticks(xs)


def draw_counts(ax: Any, ev: Mapping[str, Any]) -> None:
    """Found against claimed counts, one pair per instance."""
    pairs = ev["pairs"]
    xs = list(range(1, len(pairs) + 1))
    ax.plot(xs, [p[1] for p in pairs], "s", mfc="none", color=COLOURS["claimed"], ms=7, label="claimed")
    ax.plot(xs, [p[0] for p in pairs], "o", color=COLOURS["points"], ms=4, label="found")
    ax.set_xlabel("instance")
    ax.set_ylabel("count")
    if len(xs) <= 12:
        ax.set_xticks(xs)


def draw_curves(ax: Any, ev: Mapping[str, Any]) -> None:
    """Curves of one kind and axes, with their bands and reference levels."""
    curves = curves_of(ev)
    for c in curves:
        line = ax.plot(c["x"], c["y"], "-", lw=1, marker="o" if len(c["x"]) <= 30 else None, ms=3,
                       label=str(c.get("label", "")))
        if numbers(c.get("low")) and numbers(c.get("high")):
            ax.fill_between(c["x"], c["low"], c["high"], color=line[0].get_color(), alpha=0.2, lw=0)
        for name, level in (c.get("reference") or {}).items():
            ax.axhline(float(level), color=COLOURS["refute"], lw=1, ls="--", label=f"{name} {float(level):.2g}")
    log = str(curves[0].get("log", ""))
    if "x" in log:
        ax.set_xscale("log")
    if "y" in log:
        ax.set_yscale("log")
    ax.set_xlabel(str(curves[0].get("xlabel", "")))
    ax.set_ylabel(str(curves[0].get("ylabel", "")))


DRAW: dict[str, Callable[[Any, Mapping[str, Any]], None]] = {
    "order": draw_order, "errors": draw_errors, "threshold": draw_threshold, "counts": draw_counts,
    "curves": draw_curves}


def title_of(panel: Panel) -> str:
    """The panel's title: its part and verdict, shortened to fit."""
    text = " — ".join(t for t in (panel.title, panel.verdict) if t)
    return text if len(text) <= 70 else text[:69] + "…"


def panel_svg(panel: Panel, salt: str) -> str:
    """The panel as an ``<svg>`` element (no XML prolog), its ids salted with ``salt``."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with matplotlib.rc_context({**RC, "svg.hashsalt": salt}):
        fig = Figure(figsize=SIZE, dpi=72)
        FigureCanvasSVG(fig)
        ax = fig.add_subplot()
        DRAW[panel.kind](ax, panel.data)
        ax.set_title(title_of(panel), loc="left")
        ax.legend(loc="best", frameon=False)
        fig.subplots_adjust(left=0.16, right=0.97, bottom=0.16, top=0.9)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return compact(buf.getvalue())


def compact(svg: str) -> str:
    """The ``<svg>`` element of matplotlib's output without prolog, metadata, unreferenced ids and layout blanks."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    used = set(re.findall(r"#([\w.-]+)", svg))
    svg = re.sub(r' id="([^"]+)"', lambda m: m.group(0) if m.group(1) in used else "", svg)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    svg = re.sub(r">\s+<", "><", svg)
    return re.sub(r"\s*\n\s*", " ", svg).strip()

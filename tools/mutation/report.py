"""MUTATION.md from a run's state: the plan, scores with Wilson intervals per file, per paper and overall,
every surviving mutant with its classification (and its outcome in a verification run of the current
sources, if any), and the mutants no quick-tier claim reaches.

A run's state (written by ``python -m tools.mutation``) holds ``command``, ``sample``, ``seed``, ``factor``,
``planned``, ``complete``, ``fingerprints``, ``snapshot``, ``papers`` (claim -> paper), ``files`` (per file:
``mutants``, ``exercised``, ``idle_functions``, ``papers``) and ``outcomes`` (pairs of a mutant as a dict and
its outcome).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from tools.mutation.baseline import FINGERPRINT_RTOL
from tools.mutation.mutants import Mutant
from tools.mutation.run import ALLOWANCE, DETECTED
from tools.mutation.triage import classification, kind_of


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval (95% by default) of a proportion k/n."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def score(k: int, n: int) -> str:
    """``k/n`` as a percentage with its 95% Wilson interval ("–" when n is 0)."""
    if n == 0:
        return "–"
    lo, hi = wilson(k, n)
    return f"{100 * k / n:.1f}% [{100 * lo:.0f}–{100 * hi:.0f}]"


def rerun_note(outcome: dict | None) -> str:
    """What a survivor's re-run on the current sources gave ("" when it was not re-run)."""
    if outcome is None:
        return ""
    if outcome["status"] == "detected":
        return (f" Re-run on the current sources: detected ({outcome['claim']}: {outcome['was']} → "
                f"{outcome['verdict']}).")
    return f" Re-run on the current sources: {outcome['status']}."


def _file_counts() -> dict[str, int]:
    return {"run": 0, "detected": 0, "timeouts": 0, "crashes": 0, "equivalent": 0, "idle": 0, "survived_equivalent": 0}


@dataclass
class Tally:
    """A run's outcomes counted per file and per paper, its survivors and its mutants that reached no claim."""

    per_file: dict[str, dict[str, int]] = field(default_factory=dict)
    per_paper: dict[str, dict[str, int]] = field(default_factory=dict)
    survivors: list[tuple[Mutant, dict]] = field(default_factory=list)
    idle_after: list[Mutant] = field(default_factory=list)

    def scored(self, path: str) -> int:
        """The mutants of a file that count in its score (run, not equivalent by construction, reaching a claim)."""
        f = self.per_file.get(path, _file_counts())
        return f["run"] - f["equivalent"] - f["idle"]

    def add(self, m: Mutant, outcome: dict, files: dict[str, dict], papers: dict[str, str]) -> None:
        """Count one mutant's outcome."""
        f = self.per_file.setdefault(m.path, _file_counts())
        f["run"] += 1
        status = outcome["status"]
        if status == "equivalent":
            f["equivalent"] += 1
            return
        if status == "not exercised":
            f["idle"] += 1
            self.idle_after.append(m)
            return
        detected = status in DETECTED
        f["detected"] += detected
        f["timeouts"] += status == "timeout"
        f["crashes"] += status in ("crash", "regeneration failed")
        equivalent = not detected and kind_of(classification(m)) == "equivalent"
        for paper in sorted({papers.get(c, "?") for c in outcome.get("affected", [])} or set(files[m.path]["papers"])):
            p = self.per_paper.setdefault(paper, {"n": 0, "detected": 0, "equivalent": 0})
            p["n"] += 1
            p["detected"] += detected
            p["equivalent"] += equivalent
        if not detected:
            self.survivors.append((m, outcome))
            f["survived_equivalent"] += equivalent


def _header(state: dict, date: str, n_run: int) -> list[str]:
    lines = ["# Mutation testing report", "",
             f"Date: {date}. Command: `{state['command']}`. "
             + ("Run complete." if state.get("complete") else
                f"**Run in progress or stopped: {n_run} of {state['planned']} planned mutants run**; "
                "the scores cover the mutants run so far."), "",
             "A mutant plants one error in a formula (a number changed, an operator swapped, an exponent raised, "
             "a sign",
             "or a term dropped) in `derivations/` (then the topic is regenerated) or in `numerics/generated/`. The",
             "quick-tier claims that reach the mutated function (traced on an unmutated baseline; a cached result",
             "charges the functions and seconds of its computation to every claim that uses it), or a generated",
             "function whose code the",
             "regeneration changed, run again cheapest first; the mutant is **detected** at the first verdict that",
             "differs from the baseline, or when regeneration fails, the run crashes, or it exceeds",
             f"{state['factor']:g}× the affected claims' baseline seconds + {ALLOWANCE:g} s "
             "(a timeout, counted apart).",
             "A derivation mutant whose regenerated code is identical and whose function no claim calls is an",
             "*equivalent* mutant by construction and is left out of the score, as are mutants in functions that no",
             "quick-tier claim reaches (listed at the end). Fault detection by the test suite is not counted.",
             ("A REFUTED claim whose counterexample carries other numbers" if state.get("fingerprints") else
              "This run compared verdicts only. The re-runs of its survivors (on the current sources) also count a "
              "REFUTED claim whose counterexample carries other numbers")
             + f" (relative change above {FINGERPRINT_RTOL:g}; each counterexample is checked to reproduce in a fresh "
               "process) as detecting the mutant: a mis-transcribed wrong formula changes the errata sheet.", "",
             "## Sampling plan", ""]
    if state["sample"] is None:
        lines += ["Every exercised mutant of every target file (no sampling).", ""]
    else:
        lines += [f"Stratified by file: {state['sample']} mutants per file drawn uniformly without replacement "
                  f"(seed {state['seed']}) from the mutants in exercised functions (all of them when a file has "
                  "fewer). A function is exercised when the baseline saw a quick-tier claim reach it, or, in a "
                  "derivation, when building the formulas (or importing) reached it and a claim uses the topic's "
                  "generated code. Intervals are 95% Wilson intervals of the sampled proportion; the overall line "
                  "also gives the estimate weighted by each file's number of exercised mutants.", ""]
    if state.get("snapshot"):
        lines += [f"Sources: the snapshot `{state['snapshot']}` of the checkout (`reports/mutation/`), taken when "
                  "the run started.", ""]
    return lines


def _summary(t: Tally, files: dict[str, dict], rerun: dict[str, dict]) -> list[str]:
    n_all = sum(t.scored(path) for path in t.per_file)
    k_all = sum(f["detected"] for f in t.per_file.values())
    weighted = [(files[path]["exercised"], f["detected"] / t.scored(path))
                for path, f in t.per_file.items() if t.scored(path)]
    weight = sum(w for w, _ in weighted)
    lo, hi = wilson(k_all, n_all)
    kinds = [kind_of(classification(m)) or "unclassified" for m, _ in t.survivors]
    n_eq = kinds.count("equivalent")
    lo2, hi2 = wilson(k_all, n_all - n_eq)
    lines = [f"**Overall: {k_all}/{n_all} sampled mutants detected, {100 * k_all / max(n_all, 1):.1f}% "
             f"(95% Wilson interval {100 * lo:.1f}–{100 * hi:.1f}%)"
             + (f"; weighted by file: {100 * sum(w * s for w, s in weighted) / weight:.1f}%" if weight else "")
             + ".**", "",
             f"Survivors: {len(t.survivors)} — {n_eq} equivalent, {kinds.count('gap, closed')} gaps closed since the "
             f"run (re-checked below when a verification run exists), {kinds.count('gap, open')} gaps open, "
             f"{kinds.count('refuted either way')} mutants of a formula the paper gets wrong (refuted either way), "
             f"{kinds.count('unclassified')} not yet classified. Leaving the equivalent mutants out: "
             f"{k_all}/{n_all - n_eq} = {100 * k_all / max(n_all - n_eq, 1):.1f}% "
             f"(95% Wilson interval {100 * lo2:.1f}–{100 * hi2:.1f}%).", ""]
    reran = [rerun.get(m.key) for m, _ in t.survivors if kind_of(classification(m)) != "equivalent"]
    if rerun:
        k3 = k_all + sum(o is not None and o["status"] in DETECTED for o in reran)
        lo3, hi3 = wilson(k3, n_all - n_eq)
        lines += [f"**After the changes made since the run: {k3}/{n_all - n_eq} = "
                  f"{100 * k3 / max(n_all - n_eq, 1):.1f}% "
                  f"(95% Wilson interval {100 * lo3:.1f}–{100 * hi3:.1f}%), equivalent mutants left out.** The "
                  f"survivors that are not equivalent were re-run on the current sources (`--mutants`; "
                  f"{sum(o is not None for o in reran)} re-run, {k3 - k_all} of them now detected; each survivor's "
                  "line below gives its outcome); the gaps still open are not re-run and count as survivors.", ""]
    return lines


def _tables(t: Tally, files: dict[str, dict]) -> list[str]:
    lines = ["### Per file", "",
             "Columns: *regen. equal* = derivation mutants whose regenerated code is identical (equivalent by "
             "construction); *not reached* = the regenerated change lands only in functions no claim uses; "
             "*surv. equiv.* = survivors classified equivalent by hand (below); the last column leaves those out.", "",
             "| file | papers | mutants | exercised | run | regen. equal | not reached | detected | timeout | crash "
             "| score [95% CI] | surv. equiv. | score without them |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for path, info in files.items():
        f, n = t.per_file.get(path, _file_counts()), t.scored(path)
        eq = f["survived_equivalent"]
        lines.append(f"| `{path}` | {', '.join(info['papers']) or '–'} | {info['mutants']} | {info['exercised']} "
                     f"| {f['run']} | {f['equivalent']} | {f['idle']} | {f['detected']} | {f['timeouts']} "
                     f"| {f['crashes']} | {score(f['detected'], n)} | {eq} | {score(f['detected'], n - eq)} |")
    lines += ["", "### Per paper", "",
              "A mutant counts for every paper whose claims it affects (detected by any of them).", "",
              "| paper | mutants | detected | score [95% CI] | surv. equiv. | score without them |",
              "|---|---|---|---|---|---|"]
    for paper, p in sorted(t.per_paper.items()):
        lines.append(f"| {paper} | {p['n']} | {p['detected']} | {score(p['detected'], p['n'])} | {p['equivalent']} "
                     f"| {score(p['detected'], p['n'] - p['equivalent'])} |")
    return lines


def _survivors_and_unreached(t: Tally, files: dict[str, dict], rerun: dict[str, dict]) -> list[str]:
    lines = ["", f"## Surviving mutants ({len(t.survivors)})", ""]
    for m, o in sorted(t.survivors, key=lambda mo: (mo[0].path, mo[0].index)):
        why = classification(m)
        lines.append(f"- {m.where()} — claims run: {', '.join(o.get('affected', [])) or '–'}. "
                     + (f"**{why}**" if why else "*Not yet classified.*") + rerun_note(rerun.get(m.key)))
    if not t.survivors:
        lines.append("None.")
    lines += ["", "## Mutants no quick-tier claim reaches", "",
              "Per file: the number of mutants outside the exercised functions, by function "
              "(these were not sampled).", ""]
    for path, info in files.items():
        idle = info["idle_functions"]
        if idle:
            lines.append(f"- `{path}`: {sum(idle.values())} — " + ", ".join(f"{fn} ({n})" for fn, n in idle.items()))
    if t.idle_after:
        lines += ["", "Sampled derivation mutants whose regenerated code changed only in functions no claim uses:", ""]
        lines += [f"- {m.where()}" for m in t.idle_after]
    return lines


def to_markdown(state: dict, date: str, verified: dict | None = None) -> str:
    """MUTATION.md from a run's state (see the module's docstring); ``verified`` is the state of a re-run of
    chosen mutants on the current sources (``--mutants``), matched to the survivors by their keys."""
    rerun = {m["key"]: o for m, o in (verified or {}).get("outcomes", [])}
    outcomes = [(Mutant(**m), o) for m, o in state["outcomes"]]
    t = Tally()
    for m, o in outcomes:
        t.add(m, o, state["files"], state["papers"])
    lines = _header(state, date, len(outcomes)) + _summary(t, state["files"], rerun) + _tables(t, state["files"])
    return "\n".join(lines + _survivors_and_unreached(t, state["files"], rerun)) + "\n"

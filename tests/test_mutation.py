"""The mutation harness itself (tools/mutation/, run from the repository root): enumeration, stable keys,
application, tracing, the fork runner, detection of a bad mutant of a small derivation, an equivalent mutant,
the markdown report, and the triage table (every key matches a mutant of the current sources)."""
from __future__ import annotations

import functools
import json
import textwrap
import time
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

import pytest

from tools.mutation import baseline, forkserver, mutants, report, run, trace, triage
from tools.mutation.__main__ import main

forkserver.import_heavy_libraries()  # imported once here, as the harness does, so that forked children share them

SMALL = textwrap.dedent('''
    """A module."""
    LIMIT = 10

    def f(x):
        """Doc."""
        return -x + 2 * x ** 2

    def g(y):
        return y - 1
''')


def test_enumeration_skips_docstrings_and_module_constants(tmp_path: Path) -> None:
    p = tmp_path / "derivations" / "small.py"
    p.parent.mkdir()
    p.write_text(SMALL)
    muts = mutants.mutants_of(p, root=tmp_path)
    assert [m.function for m in muts] == ["f"] * 7 + ["g"] * 3
    assert all(m.path == "derivations/small.py" for m in muts)
    descriptions = [m.description for m in muts]
    assert "constant 10 -> 11" not in descriptions  # module level: not a formula
    assert {"sign dropped: -x", "exponent raised by 1 in x ** 2", "operator Add -> Sub in -x + 2 * x ** 2",
            "term dropped: -x + 2 * x ** 2", "operator Sub -> Add in y - 1", "constant 1 -> 2"} <= set(descriptions)
    assert [m.index for m in muts] == list(range(len(muts)))


def test_keys_name_the_change_not_the_file_and_survive_moving_code(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(SMALL)
    moved = "import math\n\nclass K:\n    def f(self):\n        return 2 * 2\n\n" + textwrap.dedent('''
        def h(z):
            return z + 2 * z + 5

        def g(y):
            return y - 1
    ''')
    (tmp_path / "b.py").write_text(moved)
    a = {m.key: m for m in mutants.mutants_of(tmp_path / "a.py", root=tmp_path)}
    b = {m.key: m for m in mutants.mutants_of(tmp_path / "b.py", root=tmp_path)}
    assert len(a) == 10 and "f: sign dropped: -x in -x + 2 * x ** 2" in a and "g: constant 1 -> 2 in y - 1" in a
    g_keys = {k for k, m in a.items() if m.function == "g"}
    assert g_keys == {k for k, m in b.items() if m.function == "g"}  # g moved to another file, below other code
    assert {a[k].index for k in g_keys} != {b[k].index for k in g_keys}
    # the same change twice in one function: numbered in source order; methods carry their class
    assert {"K.f: constant 2 -> 3 in 2 * 2 #1", "K.f: constant 2 -> 3 in 2 * 2 #2",
            "h: constant 2 -> 3 in 2 * z"} <= set(b)
    long = "x + " * 40 + "x"
    site = mutants.sites_of(f"def f(x):\n    return {long}\n")[-1]
    assert site.description == "term dropped: " + long[:50] and len(site.change) < 100
    assert mutants.abbreviate(long) != mutants.abbreviate(long[:-1] + "y")  # a hash of the whole text


def test_apply_changes_exactly_one_site() -> None:
    muts_by_desc: dict[str, int] = {}
    for i, site in enumerate(mutants.sites_of(SMALL)):
        muts_by_desc.setdefault(site.description, i)
    ns: dict = {}
    exec(mutants.apply_source(SMALL, muts_by_desc["sign dropped: -x"]), ns)
    assert ns["f"](1.0) == 3.0 and ns["g"](1.0) == 0.0
    ns = {}
    exec(mutants.apply_source(SMALL, muts_by_desc["term dropped: -x + 2 * x ** 2"]), ns)
    assert ns["f"](3.0) == -3.0
    ns = {}
    exec(mutants.apply_source(SMALL, muts_by_desc["operator Sub -> Add in y - 1"]), ns)
    assert ns["g"](1.0) == 2.0 and ns["f"](1.0) == 1.0


def test_instrument_records_outermost_functions() -> None:
    src = SMALL + "\nclass C:\n    def h(self):\n        def inner():\n            return 1\n        return inner()\n"
    calls: list[str] = []
    ns = {"__mutation_trace__": calls.append}
    exec(trace.instrument(src, "derivations/small.py"), ns)
    assert ns["f"](1.0) == 1.0 and ns["f"].__doc__ == "Doc."
    ns["C"]().h()
    assert calls == ["derivations/small.py:f", "derivations/small.py:h"]


def test_wilson_interval() -> None:
    assert report.wilson(0, 0) == (0.0, 1.0)
    lo, hi = report.wilson(10, 10)
    assert hi == pytest.approx(1.0) and lo == pytest.approx(0.7225, abs=1e-3)
    lo, hi = report.wilson(50, 100)
    assert lo == pytest.approx(0.4038, abs=1e-3) and hi == pytest.approx(0.5962, abs=1e-3)


def test_run_forked_reports_results_crashes_and_timeouts(tmp_path: Path) -> None:
    def child(task: object, slot: int) -> dict:
        if task == "boom":
            raise ValueError("planted")
        if task == "slow":
            time.sleep(30)
        if task == "tightened":
            forkserver.extend_deadline(0.5)
            time.sleep(30)
        return {"status": "ok", "task": task, "slot": slot}

    got: dict = {}
    start = time.monotonic()
    forkserver.run_forked(["a", "boom", "slow", "b", "tightened"], child, lambda t, s, o: got.__setitem__(t, o),
                          workers=2, timeout=lambda t: 60.0 if t == "tightened" else 1.0, scratch=tmp_path)
    assert time.monotonic() - start < 20
    assert got["a"]["status"] == "ok" and got["b"]["status"] == "ok"
    assert got["boom"]["status"] == "crash" and "planted" in got["boom"]["error"]
    assert got["slow"]["status"] == "timeout"
    assert got["tightened"]["status"] == "timeout" and got["tightened"]["seconds"] < 10
    with pytest.raises(ValueError, match="workers"):
        forkserver.run_forked([], child, lambda *a: None, workers=0)


PROBE_DERIVATION = textwrap.dedent('''
    """A probe derivation for the mutation tests."""
    import sympy as sp

    from derivations.codegen import Formula

    x = sp.Symbol("x")


    def shifted_square(x):
        return x ** 2 + 3


    def branch_factor(n):
        if n > 100:
            return 7
        return 1


    def formulas():
        return [Formula("probe", (x,), shifted_square(x) * branch_factor(1), "x^2 + 3")]
''')

PROBE_CLAIMS = textwrap.dedent('''
    from checks.registry import claim
    from checks.verdict import from_errors


    def check_probe(fn):
        return from_errors("probe", [abs(fn(2.0) - 7.0)], 1e-12)


    @claim("hb_nag.eq999.mutation_probe", section="probe", keys=(), statement="probe", kind="identity")
    def zz_mutation_probe(ctx):
        from numerics.generated.mutation_probe import probe
        return check_probe(probe)


    @claim("hb_nag.eq998.wrong_probe", section="probe", keys=(), statement="probe(2) = 8 (false)", kind="identity")
    def zz_a_wrong_probe(ctx):
        from numerics.generated.mutation_probe import probe
        return from_errors("wrong probe", [abs(probe(2.0) - 8.0)], 1e-12)
''')


def test_bad_mutant_detected_and_equivalent_one_not(tmp_path: Path) -> None:
    work = forkserver.make_workcopy(tmp_path / "repo")
    (work / "derivations" / "mutation_probe.py").write_text(PROBE_DERIVATION)
    (work / "checks" / "papers" / "zz_mutation_probe.py").write_text(PROBE_CLAIMS)
    target = work / "derivations" / "mutation_probe.py"

    def regenerate(_t: object, _s: int) -> dict:
        forkserver.fresh_project(work)
        from derivations.codegen import regenerate as regen
        regen(modules=["mutation_probe"])
        return {"status": "ok"}

    out: dict = {}
    forkserver.run_forked([None], regenerate, lambda t, s, o: out.update(o), scratch=tmp_path)
    assert out["status"] == "ok", out
    base = baseline.compute_baseline([target, work / "numerics" / "generated" / "mutation_probe.py"],
                                     claim_ids=["hb_nag.eq999.mutation_probe", "hb_nag.eq998.wrong_probe"],
                                     root=work, claim_modules=["checks.papers.zz_mutation_probe"])
    assert base.verdicts == {"hb_nag.eq999.mutation_probe": "CONFIRMED", "hb_nag.eq998.wrong_probe": "REFUTED"}
    assert list(base.fingerprints) == ["hb_nag.eq998.wrong_probe"]  # reproduced in a fresh process
    assert "numerics/generated/mutation_probe.py:probe" in base.callers
    assert "derivations/mutation_probe.py:branch_factor" in base.special[trace.FORMULAS]
    muts = {m.description + " " + m.function: m for m in mutants.mutants_of(target, root=work)}
    bad, dead = muts["constant 3 -> 4 shifted_square"], muts["constant 7 -> 8 branch_factor"]
    cube = muts["exponent raised by 1 in x ** 2 shifted_square"]
    assert run.exercised(bad, base) and run.exercised(dead, base)
    results = run.run_mutants([bad, dead, cube], base, root=work)
    # x^2 + 4: the false claim (run first, cheapest and first by name) becomes true
    assert results[bad]["status"] == "detected" and results[bad]["claim"] == "hb_nag.eq998.wrong_probe"
    assert results[bad]["verdict"] == "CONFIRMED"
    assert results[dead]["status"] == "equivalent"  # the regenerated code is identical
    # x^3 + 3: the false claim stays REFUTED, with another counterexample
    assert results[cube]["status"] == "detected" and results[cube]["by"] == "counterexample"
    generated = [m for m in mutants.mutants_of(work / "numerics" / "generated" / "mutation_probe.py", root=work)
                 if m.function == "probe"]
    assert generated and run.run_mutants(generated[:1], base, root=work)[generated[0]]["status"] == "detected"


def test_fingerprints_compare_counterexample_numbers() -> None:
    import numpy as np

    cx = {"b": [1, np.float64(2.5), np.array([3.0, 4.0])], "a": {"name": "x", "flag": True, "n": 7}}
    assert baseline.fingerprint(cx) == [7.0, "x", 1.0, 2.5, 3.0, 4.0]
    assert not baseline.same_fingerprint(["eta**2"], ["eta**3"]) and baseline.same_fingerprint(["a", 1.0], ["a", 1.0])
    assert baseline.same_fingerprint([1.0, float("nan")], [1.0 + 1e-9, float("nan")])
    assert not baseline.same_fingerprint([1.0], [1.01]) and not baseline.same_fingerprint([1.0], [1.0, 2.0])


def test_markdown_report_lists_scores_and_every_survivor() -> None:
    a = mutants.Mutant("derivations/t.py", 0, 3, "f", "constant 1 -> 2", "f: constant 1 -> 2 in x + 1")
    b = mutants.Mutant("derivations/t.py", 1, 4, "f", "sign dropped: -x", "f: sign dropped: -x in -x + 1")
    c = mutants.Mutant("numerics/generated/t.py", 0, 9, "g", "term dropped: x + y", "g: term dropped: x + y")
    d = mutants.Mutant("derivations/t.py", 2, 5, "h", "constant 7 -> 8", "h: constant 7 -> 8 in 7")
    state = {"command": "python -m tools.mutation --sample 3", "sample": 3, "seed": 0, "factor": 5.0,
             "planned": 5, "complete": False, "papers": {"hb_nag.x": "hb_nag", "sign_descent.y": "sign_descent"},
             "files": {"derivations/t.py": {"mutants": 9, "exercised": 6, "idle_functions": {"k": 3},
                                            "papers": ["hb_nag"]},
                       "numerics/generated/t.py": {"mutants": 4, "exercised": 1, "idle_functions": {},
                                                   "papers": ["sign_descent"]}},
             "outcomes": [(asdict(a), {"status": "detected", "affected": ["hb_nag.x"], "claim": "hb_nag.x"}),
                          (asdict(b), {"status": "survived", "affected": ["hb_nag.x"]}),
                          (asdict(c), {"status": "timeout"}),
                          (asdict(d), {"status": "equivalent"})]}
    # the re-run of the current sources matches the survivor by its key, though its index there is another
    moved = asdict(b) | {"path": "derivations/u.py", "index": 17}
    verified = {"outcomes": [(moved, {"status": "detected", "claim": "hb_nag.x", "was": "REFUTED",
                                      "verdict": "REFUTED with another counterexample"})]}
    text = report.to_markdown(json.loads(json.dumps(state)), "2026-01-01", verified)
    assert "Re-run on the current sources: detected (hb_nag.x: REFUTED → REFUTED with another counterexample)" in text
    assert "Date: 2026-01-01" in text and "3 of 5 planned" not in text and "4 of 5 planned" in text
    assert "**Overall: 2/3 sampled mutants detected, 66.7%" in text
    assert "line 4 (f): sign dropped: -x" in text and "Surviving mutants (1)" in text
    assert "| hb_nag | 2 | 1 | 50.0% [9–91] | 0 | 50.0% [9–91] |" in text and "| sign_descent | 1 | 1 |" in text
    assert "`derivations/t.py`: 3 — k (3)" in text


def test_command_line_rejects_bad_options(capsys: pytest.CaptureFixture[str]) -> None:
    for argv, word in ((["--sample", "0"], "--sample"), (["--workers", "0"], "--workers"),
                       (["--timeout-factor", "0.5"], "--timeout-factor"), (["no/such/file.py"], "not a Python file")):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
        assert word in capsys.readouterr().err


def test_tracer_charges_cache_hits_to_the_claim_that_hits() -> None:
    tracer = trace.Tracer()
    cache = tracer.lru_cache(functools.lru_cache)

    @cache(maxsize=None)
    def trajectory(n: int, scale: float = 1.0) -> float:
        tracer.record("numerics/generated/t.py:step")
        time.sleep(0.05)
        return n * scale + 1

    tracer.current = "a"
    assert trajectory(1) == 2
    tracer.current = "b"
    assert trajectory(1) == 2 and trajectory(1) == 2
    tracer.current = "c"
    tracer.record("derivations/t.py:other")
    assert tracer.used == {"a": {"numerics/generated/t.py:step"}, "b": {"numerics/generated/t.py:step"},
                           "c": {"derivations/t.py:other"}}
    assert "a" not in tracer.extra and 0.05 <= tracer.extra["b"] < 0.5  # charged once, on the first hit
    assert trajectory.cache_info().hits == 2
    tracer.current = "d"
    assert trajectory(2, scale=2.0) == 5 and trajectory(2, scale=2.0) == 5 and "d" not in tracer.extra  # its own
    tracer.current = "e"
    assert trajectory(2, scale=2.0) == 5 and 0.05 <= tracer.extra["e"] < 0.5  # a keyword call's record found


def test_cache_key_is_equal_where_lru_cache_shares_an_entry() -> None:
    assert trace.cache_key((1,), {"a": 2.0}) == trace.cache_key((1.0,), {"a": 2})  # lru_cache: 1 == 1.0
    assert trace.cache_key((1,), {"a": 2, "b": 3}) == trace.cache_key((1,), {"b": 3, "a": 2})
    assert trace.cache_key((1,), {}, typed=True) != trace.cache_key((1.0,), {}, typed=True)
    assert trace.cache_key((1,), {"a": 2}) != trace.cache_key((1, 2), {})
    hash(trace.cache_key((1, "x", (2, 3)), {"k": None}, typed=True))


def test_samples_are_nested_and_cover_exercised_functions_only() -> None:
    muts = [mutants.Mutant("derivations/t.py", i, i, "f" if i % 3 else "idle", "constant 1 -> 2", f"key {i}")
            for i in range(40)]
    base = baseline.Baseline(verdicts={"p.c": "PROVED"}, seconds={"p.c": 1.0}, modules={"p.c": "m"},
                             papers={"p.c": "p"}, callers={"derivations/t.py:f": ["p.c"]},
                             special={trace.IMPORT: [], trace.FORMULAS: []})
    small, pool = run.sample_mutants(muts, base, 5, seed=3)
    large, _ = run.sample_mutants(muts, base, 12, seed=3)
    every, _ = run.sample_mutants(muts, base, None, seed=3)
    assert pool == 26 and len(every) == 26 and large[:5] == small
    assert all(m.function == "f" for m in every)
    assert run.sample_mutants(muts, base, 5, seed=4)[0] != small
    assert run.timeout_for({"p.c"}, base, 5.0) == 5.0 + run.ALLOWANCE


def test_classification_by_key() -> None:
    reasons = triage.load_reasons()
    velocity = next(r for r in reasons if r.name == "dead-velocity")
    key = velocity.mutants[0]
    m = mutants.Mutant("numerics/generated/momentum_discretisation.py", 250, 71, "mgf_quadratic_mode", "", key)
    assert triage.classification(m) == velocity.classification
    assert triage.kind_of(velocity.classification) == "equivalent"
    assert triage.classification(mutants.Mutant(m.path, m.index, m.line, m.function, "", key + " (stale)")) == ""
    for reason in reasons:
        assert reason.mutants and triage.kind_of(reason.classification) in triage.KINDS, reason
    with pytest.raises(ValueError, match="classified twice"):
        triage.classifications([triage.Reason("a", "equivalent: x", ("k",)),
                                triage.Reason("b", "gap, open: y", ("k",))])


def current_mutants_by_key() -> dict[str, list[mutants.Mutant]]:
    """Every mutant the harness generates on the current sources (its targets, and the claim modules, wherever
    they sit under checks/papers/), by key."""
    by_key: dict[str, list[mutants.Mutant]] = defaultdict(list)
    papers = sorted((mutants.ROOT / "checks" / "papers").rglob("*.py"))
    for path in mutants.default_targets() + papers:
        for m in mutants.mutants_of(path):
            by_key[m.key].append(m)
    return by_key


def test_every_triage_key_matches_one_mutant_of_the_current_sources() -> None:
    by_key = current_mutants_by_key()
    unmatched = [key for key in triage.TRIAGE if key not in by_key]
    ambiguous = {key: [m.where() for m in by_key[key]] for key in triage.TRIAGE if len(by_key.get(key, ())) > 1}
    assert not unmatched, f"triage keys no current mutant has (re-classify or delete them): {unmatched}"
    assert not ambiguous, f"triage keys that match mutants of several files: {ambiguous}"

"""The mutation harness itself (checks/mutation.py): enumeration, application, tracing, the fork runner,
detection of a bad mutant of a small derivation, an equivalent mutant, and the markdown report."""
from __future__ import annotations

import ast
import json
import textwrap
import time
from dataclasses import asdict
from pathlib import Path

import importlib

import pytest

from checks import mutation as M

for _heavy in M.HEAVY_LIBRARIES:  # imported once here, as the harness does, so that forked children share them
    importlib.import_module(_heavy)

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
    muts = M.mutants_of(p, root=tmp_path)
    assert [m.function for m in muts] == ["f"] * 7 + ["g"] * 3
    assert all(m.path == "derivations/small.py" for m in muts)
    descriptions = [m.description for m in muts]
    assert "constant 10 -> 11" not in descriptions  # module level: not a formula
    assert {"sign dropped: -x", "exponent raised by 1 in x ** 2", "operator Add -> Sub in -x + 2 * x ** 2",
            "term dropped: -x + 2 * x ** 2", "operator Sub -> Add in y - 1", "constant 1 -> 2"} <= set(descriptions)
    assert [m.index for m in muts] == list(range(len(muts)))


def test_apply_changes_exactly_one_site() -> None:
    muts_by_desc = {}
    m = M._Mutator()
    m.visit(ast.parse(SMALL))
    for i, (_, fn, d) in enumerate(m.sites):
        muts_by_desc.setdefault(d, i)
    ns: dict = {}
    exec(M.apply_source(SMALL, muts_by_desc["sign dropped: -x"]), ns)
    assert ns["f"](1.0) == 3.0 and ns["g"](1.0) == 0.0
    ns = {}
    exec(M.apply_source(SMALL, muts_by_desc["term dropped: -x + 2 * x ** 2"]), ns)
    assert ns["f"](3.0) == -3.0
    ns = {}
    exec(M.apply_source(SMALL, muts_by_desc["operator Sub -> Add in y - 1"]), ns)
    assert ns["g"](1.0) == 2.0 and ns["f"](1.0) == 1.0


def test_instrument_records_outermost_functions() -> None:
    src = SMALL + "\nclass C:\n    def h(self):\n        def inner():\n            return 1\n        return inner()\n"
    calls: list[str] = []
    ns = {"__mutation_trace__": calls.append}
    exec(M.instrument(src, "derivations/small.py"), ns)
    assert ns["f"](1.0) == 1.0 and ns["f"].__doc__ == "Doc."
    ns["C"]().h()
    assert calls == ["derivations/small.py:f", "derivations/small.py:h"]


def test_wilson_interval() -> None:
    assert M.wilson(0, 0) == (0.0, 1.0)
    lo, hi = M.wilson(10, 10)
    assert hi == pytest.approx(1.0) and lo == pytest.approx(0.7225, abs=1e-3)
    lo, hi = M.wilson(50, 100)
    assert lo == pytest.approx(0.4038, abs=1e-3) and hi == pytest.approx(0.5962, abs=1e-3)


def test_run_forked_reports_results_crashes_and_timeouts(tmp_path: Path) -> None:
    def child(task: object, slot: int) -> dict:
        if task == "boom":
            raise ValueError("planted")
        if task == "slow":
            time.sleep(30)
        if task == "tightened":
            M.extend_deadline(0.5)
            time.sleep(30)
        return {"status": "ok", "task": task, "slot": slot}

    got: dict = {}
    start = time.monotonic()
    M.run_forked(["a", "boom", "slow", "b", "tightened"], child, lambda t, s, o: got.__setitem__(t, o), workers=2,
                 timeout=lambda t: 60.0 if t == "tightened" else 1.0, scratch=tmp_path)
    assert time.monotonic() - start < 20
    assert got["a"]["status"] == "ok" and got["b"]["status"] == "ok"
    assert got["boom"]["status"] == "crash" and "planted" in got["boom"]["error"]
    assert got["slow"]["status"] == "timeout"
    assert got["tightened"]["status"] == "timeout" and got["tightened"]["seconds"] < 10
    with pytest.raises(ValueError, match="workers"):
        M.run_forked([], child, lambda *a: None, workers=0)


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
    work = M.make_workcopy(tmp_path / "repo")
    (work / "derivations" / "mutation_probe.py").write_text(PROBE_DERIVATION)
    (work / "checks" / "papers" / "zz_mutation_probe.py").write_text(PROBE_CLAIMS)
    target = work / "derivations" / "mutation_probe.py"

    def regenerate(_t: object, _s: int) -> dict:
        M._fresh_project(work)
        from derivations.codegen import regenerate as regen
        regen(modules=["mutation_probe"])
        return {"status": "ok"}

    out: dict = {}
    M.run_forked([None], regenerate, lambda t, s, o: out.update(o), scratch=tmp_path)
    assert out["status"] == "ok", out
    base = M.compute_baseline([target, work / "numerics" / "generated" / "mutation_probe.py"],
                              claim_ids=["hb_nag.eq999.mutation_probe", "hb_nag.eq998.wrong_probe"], root=work,
                              claim_modules=["checks.papers.zz_mutation_probe"])
    assert base.verdicts == {"hb_nag.eq999.mutation_probe": "CONFIRMED", "hb_nag.eq998.wrong_probe": "REFUTED"}
    assert list(base.fingerprints) == ["hb_nag.eq998.wrong_probe"]  # reproduced in a fresh process
    assert "numerics/generated/mutation_probe.py:probe" in base.callers
    assert "derivations/mutation_probe.py:branch_factor" in base.special[M.FORMULAS]
    muts = {m.description + " " + m.function: m for m in M.mutants_of(target, root=work)}
    bad, dead = muts["constant 3 -> 4 shifted_square"], muts["constant 7 -> 8 branch_factor"]
    cube = muts["exponent raised by 1 in x ** 2 shifted_square"]
    assert M.exercised(bad, base) and M.exercised(dead, base)
    results = M.run_mutants([bad, dead, cube], base, root=work)
    # x^2 + 4: the false claim (run first, cheapest and first by name) becomes true
    assert results[bad]["status"] == "detected" and results[bad]["claim"] == "hb_nag.eq998.wrong_probe"
    assert results[bad]["verdict"] == "CONFIRMED"
    assert results[dead]["status"] == "equivalent"  # the regenerated code is identical
    # x^3 + 3: the false claim stays REFUTED, with another counterexample
    assert results[cube]["status"] == "detected" and results[cube]["by"] == "counterexample"
    generated = [m for m in M.mutants_of(work / "numerics" / "generated" / "mutation_probe.py", root=work)
                 if m.function == "probe"]
    assert generated and M.run_mutants(generated[:1], base, root=work)[generated[0]]["status"] == "detected"


def test_fingerprints_compare_counterexample_numbers() -> None:
    import numpy as np

    cx = {"b": [1, np.float64(2.5), np.array([3.0, 4.0])], "a": {"name": "x", "flag": True, "n": 7}}
    assert M.fingerprint(cx) == [7.0, "x", 1.0, 2.5, 3.0, 4.0]
    assert not M.same_fingerprint(["eta**2"], ["eta**3"]) and M.same_fingerprint(["a", 1.0], ["a", 1.0])
    assert M.same_fingerprint([1.0, float("nan")], [1.0 + 1e-9, float("nan")])
    assert not M.same_fingerprint([1.0], [1.01]) and not M.same_fingerprint([1.0], [1.0, 2.0])


def test_markdown_report_lists_scores_and_every_survivor() -> None:
    a = M.Mutant("derivations/t.py", 0, 3, "f", "constant 1 -> 2")
    b = M.Mutant("derivations/t.py", 1, 4, "f", "sign dropped: -x")
    c = M.Mutant("numerics/generated/t.py", 0, 9, "g", "term dropped: x + y")
    d = M.Mutant("derivations/t.py", 2, 5, "h", "constant 7 -> 8")
    state = {"command": "python -m checks.mutation --sample 3", "sample": 3, "seed": 0, "factor": 5.0,
             "planned": 5, "complete": False, "papers": {"hb_nag.x": "hb_nag", "sign_descent.y": "sign_descent"},
             "files": {"derivations/t.py": {"mutants": 9, "exercised": 6, "idle_functions": {"k": 3}, "papers": ["hb_nag"]},
                       "numerics/generated/t.py": {"mutants": 4, "exercised": 1, "idle_functions": {}, "papers": ["sign_descent"]}},
             "outcomes": [(asdict(a), {"status": "detected", "affected": ["hb_nag.x"], "claim": "hb_nag.x"}),
                          (asdict(b), {"status": "survived", "affected": ["hb_nag.x"]}),
                          (asdict(c), {"status": "timeout"}),
                          (asdict(d), {"status": "equivalent"})]}
    verified = {"outcomes": [(asdict(b), {"status": "detected", "claim": "hb_nag.x", "was": "REFUTED",
                                          "verdict": "REFUTED with another counterexample"})]}
    text = M.to_markdown(json.loads(json.dumps(state)), "2026-01-01", verified)
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
            M.main(argv)
        assert exc.value.code == 2
        assert word in capsys.readouterr().err


def test_tracer_charges_cache_hits_to_the_claim_that_hits() -> None:
    import functools

    tracer = M._Tracer()
    cache = tracer.lru_cache(functools.lru_cache)

    @cache(maxsize=None)
    def trajectory(n: int) -> int:
        tracer.record("numerics/generated/t.py:step")
        time.sleep(0.05)
        return n + 1

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


def test_samples_are_nested_and_cover_exercised_functions_only() -> None:
    muts = [M.Mutant("derivations/t.py", i, i, "f" if i % 3 else "idle", "constant 1 -> 2") for i in range(40)]
    base = M.Baseline(verdicts={"p.c": "PROVED"}, seconds={"p.c": 1.0}, modules={"p.c": "m"}, papers={"p.c": "p"},
                      callers={"derivations/t.py:f": ["p.c"]}, special={M.IMPORT: [], M.FORMULAS: []})
    small, pool = M.sample_mutants(muts, base, 5, seed=3)
    large, _ = M.sample_mutants(muts, base, 12, seed=3)
    every, _ = M.sample_mutants(muts, base, None, seed=3)
    assert pool == 26 and len(every) == 26 and large[:5] == small
    assert all(m.function == "f" for m in every)
    assert M.sample_mutants(muts, base, 5, seed=4)[0] != small
    assert M.timeout_for({"p.c"}, base, 5.0) == 5.0 + M.ALLOWANCE


def test_classification_by_index_and_by_group() -> None:
    path, index = next(iter(M.EXPLAINED))
    desc, why = M.EXPLAINED[(path, index)]
    assert M.classification(M.Mutant(path, index, 1, "f", desc)) == why
    assert M.classification(M.Mutant(path, index, 1, "f", desc + " (stale)")) == ""  # the file changed since
    velocity = M.Mutant("numerics/generated/momentum_discretisation.py", 250, 71, "mgf_quadratic_mode", "constant 1 -> 2")
    assert M.classification(velocity).startswith("equivalent")
    assert M.classification(M.Mutant(velocity.path, 100, 71, "mgf_quadratic_mode", "constant 1 -> 2")) == ""
    for why in [w for _, w in M.EXPLAINED.values()] + list(M.EXPLAINED_GROUPS.values()):
        assert why.split(":")[0].split(" (")[0] in ("equivalent", "gap, closed", "gap, open",
                                     "refuted either way"), why

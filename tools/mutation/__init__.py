"""Mutation testing of the formulas the checks rely on: ``python -m tools.mutation`` (or ``make mutate``).

Each mutant plants one small error in a derivation module (``derivations/<topic>.py``, after which the
formulas are regenerated) or in a generated file (``numerics/generated/<topic>.py``): a number changed,
an operator swapped (+/−, ×/÷), an exponent raised, a sign dropped, a term dropped. The mutant is
*detected* when a quick-tier claim that depends on the mutated function gets a verdict other than its
unmutated (baseline) verdict (or, for a REFUTED claim, a counterexample with other numbers), or
regeneration fails, or the run crashes or times out. Mutants, work copies and the baseline come from one
snapshot of the sources (``reports/mutation/``), so edits made in the checkout during a run do not leak in.

How a mutant is made cheap:

* a fork server: this process imports the heavy libraries (SymPy, NumPy, SciPy, mpmath) once and forks a
  child per mutant; the child points ``sys.path`` at a scratch work copy, writes the mutant there,
  regenerates the topic in-process when a derivation was mutated, imports the project fresh and runs
  the affected claims;
* tracing: the baseline runs every quick-tier claim once in an instrumented copy of the project (each
  outermost function of the target files records its calls; each ``lru_cache`` result remembers what its
  computation reached and cost, and charges both to every claim that hits it), so a claim is charged the
  functions it reaches and the time it would take alone; a mutant reruns only the claims that reach the
  mutated function (for a derivation: or a generated function whose code the regeneration changed);
* early exit: the affected claims run cheapest first and the child stops at the first changed verdict;
* a timeout of ``--timeout-factor`` × the baseline seconds of the affected claims (+ a fixed allowance)
  counts as detected, reported apart;
* ``--workers N`` children at once, each in its own work copy;
* ``--sample K --seed S``: K mutants per file drawn at random from those in exercised functions (nested:
  a larger K reuses the stored outcomes of a smaller one); ``--mutants PATH:INDEX ...`` re-runs chosen
  mutants on the current sources (after a gap was closed); ``--show`` prints one mutant; ``--render``
  rewrites MUTATION.md with the survivors' classifications (``tools/mutation/triage.json``).

Modules, by job: :mod:`.mutants` (finding and applying mutants, their stable keys), :mod:`.trace` (which
claims reach which code), :mod:`.forkserver` (forked children, work copies, timeouts), :mod:`.baseline` (the
traced unmutated run and its snapshot), :mod:`.run` (which mutants to run, and running them),
:mod:`.triage` (the hand classifications of survivors), :mod:`.report` (MUTATION.md), ``__main__`` (the
command line).

Why not mutmut: it judges mutants by a pytest run only, cannot regenerate numerics/generated/ from a
mutated derivation, and mutates strings and arguments that carry no mathematics; this package does only
what it cannot: mutate formulas, regenerate, and compare verdicts.
"""

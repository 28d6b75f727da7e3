"""Claims of "Implicit Acceleration of Gradient Flow in Overparameterized Linear Models" (ICLR 2021 submission,
seed 004, OCR text): gradient flow on symmetric and asymmetric matrix factorisation, its conservation law
Q = UᵀU − VᵀV, Riccati closed forms and how the imbalance Q accelerates convergence.

Layout, by section of the paper:

- :mod:`.instances`: the tier profiles (one record per section family) and the instances several claims share;
- :mod:`.hypotheses`: the hypothesis classes the numeric claims draw their instances from (sizes k ≥ n ≥ m,
  scales, imbalance, sign patterns of spectral initialisations);
- :mod:`.symmetric`: §2, the linear model and the symmetric factorisation (Prop. 1–2, Cor. 1);
- :mod:`.riccati`: App. A–C, the Riccati equation behind them (Lemma 6, well-posedness, the stabilising solution);
- :mod:`.conservation`: §3 and App. D, the conservation law (11), the gauge (12)–(14), Prop. 3 and Table 2;
- :mod:`.regularised`: §4 and App. E–F, general initialisation (Prop. 4–5, (18), (22), (55), (58));
- :mod:`.experiments`: §5, Figures 1–3;
- :mod:`.beyond`: App. G (gradient descent's rate) and beyond the paper: where the conservation law breaks
  (gradient descent, heavy ball) and how many laws there are;
- :mod:`.rates`: the decay-rate fit the sections share.

Every registered function is a thin wrapper around a ``check_*`` function that takes the paper's formula (a
SymPy builder, a closed form, a claimed rate or count) or instance as arguments, so the tests can hand in a
perturbed one and see REFUTED.

Tolerances. Flow solutions come from :func:`numerics.matrix_factorization.flow` (the front door
:func:`numerics.flow.solve_flow`), whose error estimate is the largest entrywise difference between two solves
1000× apart in tolerance; :func:`numerics.matrix_factorization.propagated_error` carries it to products of the
parameters. Closed forms are evaluated in mpmath at ``ctx.dps`` digits, so their own error is negligible against
the flow's.
"""

#: Prefix of this paper's inventory keys (``shared/claims.json``).
KEY = "matrix_factorization:"

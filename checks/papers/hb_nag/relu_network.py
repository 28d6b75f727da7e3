"""App. B.2 (Figure 6): a four-layer bias-free ReLU network trained by GD, HB and NAG, test error against the
initial scale."""
from __future__ import annotations

import numpy as np

from checks.context import Context
from checks.papers.hb_nag.comparisons import compare
from checks.papers.hb_nag.instances import K, ReluProblem, relu_problem
from checks.registry import claim
from checks.verdict import Result, combine, inconclusive
from numerics import hb_nag as N

#: This claim shares nothing with the others.
GROUP = "relu_network"
#: Steps per training run and the initial scales Σ_k‖W_k‖_F² (the paper's values are lost).
FIG6_STEPS, FIG6_SCALES = 5000, (50.0, 100.0, 200.0)


def check_fig6(problem: ReluProblem, steps: int, scales: tuple[float, ...]) -> Result:
    """Train GD/HB/NAG from each scale (same weights up to scale), compare test errors D = Σ(f − y)²/(2n)."""
    n = problem.X.shape[0]
    test, train = {}, {}
    for a in ("gd", "hb", "nag"):
        te, tr = [], []
        for sc in scales:
            W, loss = N.relu_net_train(problem.X, problem.y, sc, a, 1e-2, 0.9, steps,
                                       np.random.default_rng(problem.init_seed))
            te.append(0.5 * float(np.sum((N.relu_net_predict(W, problem.X_test) - problem.y_test) ** 2)) / n)
            tr.append(loss)
        test[a], train[a] = np.array(te), np.array(tr)
    if not all(np.all(np.isfinite(t)) for t in train.values()) or max(float(t.max()) for t in train.values()) > 1e-3:
        return inconclusive("a network did not fit the training data (training loss > 1e-3)",
                            train_loss={k: v for k, v in train.items()})
    unc = np.full(len(scales), 1e-3 * max(float(np.max(t)) for t in test.values()))
    parts = {f"{a} < gd": compare(f"test error {a} < GD", test[a], test["gd"], unc) for a in ("hb", "nag")}
    parts.update({f"{a} smaller at smaller scale": compare("test error grows with the scale", test[a][:-1],
                                                           test[a][1:], unc[1:])
                  for a in ("gd", "hb", "nag")})
    return combine("Fig. 6", parts).with_evidence(scales=scales, test_error=test, train_loss=train, steps=steps,
                                                  seed=problem.seed)


@claim("hb_nag.fig6", section="App. B.2", equations=("Fig. 6",), keys=(K + "figure-6-claim",), tier="full",
       statement="Four-layer bias-free ReLU network (100×100 layers), η = 10⁻², μ = 0.9, initial scale "
                 "Σ_k‖W_k‖_F², test error D on 40 fresh samples of the sparse model: HB/NAG reach lower test error "
                 "than GD, and test error decreases as the initial scale decreases (scales 50, 100, 200: the paper's "
                 "values are lost; smaller scales leave GD at the saddle within the step budget).",
       latex=r"D_{test}^{HB},D_{test}^{NAG}<D_{test}^{GD}", kind="experiment", basis="settings",
       depends_on="the data and the networks' initial weights (one seed), the initial scales and the number of "
                  "steps (App. B.2 gives the architecture, η and μ only)")
def _fig6(ctx: Context) -> Result:
    return check_fig6(relu_problem(ctx), FIG6_STEPS, FIG6_SCALES)

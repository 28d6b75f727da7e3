"""MGF as a time-varying mirror flow (§3.4, App. C.2, C.3.1, Poster 5): ξ_t and the sinh representation, ∇Φ_t(θ_t) = ξ_t
(eq. 15, Prop. 4), the perturbed initialisation θ̃₀, the Bregman cosine theorem, the integrated mirror flow (KKT)
and Lemma 3."""
from __future__ import annotations

import functools
import math
from typing import Callable

import numpy as np

from checks.context import Context, stream_rng
from checks.papers.momentum_dln.hypotheses_flow import GENERAL, check_pool, per_run
from checks.papers.momentum_dln.instances import K, describe_run, unconverged
from checks.registry import claim
from checks.symbolic import residuals_vanish
from checks.verdict import Result, combine, from_errors
from derivations import momentum_flow as MD
from numerics import hyperbolic_entropy as HE
from numerics import momentum_flow as MF
from numerics.generated.momentum_flow import grad_potential, phi_of_alpha
from numerics.mgf_integrals import gradient_integral

GROUP = "continuous"
#: the ξ residuals of App. C.2 as printed (symbolic, computed once per process)
xi_residuals_paper = functools.lru_cache(maxsize=None)(lambda: MD.xi_residuals())
#: how a check reads Theorem 1's limits from an end state (a test may substitute a wrong θ̃₀)
LimitsOf = Callable[[MF.MGFRun, "np.ndarray | None"], dict[str, np.ndarray]]


def kernel_of_X(X: np.ndarray) -> np.ndarray:
    """Orthonormal rows spanning ker X (singular values below 1e-12 of the largest count as zero)."""
    _, sv, Vt = np.linalg.svd(X)
    return Vt[np.sum(sv > 1e-12 * sv[0]):]


def check_xi_in_span(run: MF.MGFRun, ctx: Context) -> Result:
    """ξ_t (= −J − λη from the state) lies in span(x_i): its component in ker X, at the end and along the run."""
    X = run.X
    ker = kernel_of_X(X)
    ts = np.linspace(0, run.t_end, 50)
    xis = np.array([run.xi(s) for s in run.states(ts)])
    comp = float(np.max(np.abs(xis @ ker.T)))
    scale = float(np.max(np.abs(xis)))
    # A ker-X component of ξ = −J − λη can only be numerical error of the state: rounding (last term) and the error
    # of J, which the stiff solver accumulates over thousands of steps (its Newton corrections are solved in floating
    # point; this part does not shrink with the tolerance). Its size is measured independently: J at the end against
    # ∫₀ᵀ∇L by quadrature on the dense output, and the tight-minus-loose end-state difference of ξ.
    j_quad = gradient_integral(run)
    numerical = float(np.max(np.abs(run.get("J") - j_quad)))
    if run.flow.loose is not None:
        diff = run.state - run.loose_state
        xi_diff = run.get("J", diff) + run.lam * run.get("eta", diff)
        if np.all(np.isfinite(xi_diff)):
            numerical = max(numerical, float(np.max(np.abs(xi_diff))))
    tol = numerical + 1e-12 * max(scale, 1.0) * X.shape[1]
    return from_errors("component of ξ_t in ker X", [comp], tol, instances=[describe_run(run, ctx)], xi_scale=scale,
                       J_state_minus_quadrature=float(np.max(np.abs(run.get("J") - j_quad))))


@claim("momentum_dln.appC-2.xi_sinh", section="App. C.2", keys=(K + "xi-t-closed-form-and-sinh-representation",),
       statement="ξ_t = −∫₀ᵗ∇L(1 − e^{−(t−s)/λ})ds solves λξ̈ + ξ̇ + ∇L = 0, ξ₀ = ξ̇₀ = 0, lies in span(x_i); with "
                 "α± = w± e^{∓ξ}: θ = ½Δ sinh(2ξ + ln|α₊/α₋|) and φ = ½ln|α₊/α₋| = ½arcsinh((α₊² − α₋²)/(2Δ)).",
       kind="identity", basis="printed", hypothesis_class=GENERAL)
def _xi_sinh(ctx: Context) -> Result:
    return combine("ξ_t and the sinh representation", {
        "closed form solves the ODE": residuals_vanish("ξ ODE", xi_residuals_paper()),
        "sinh representation": residuals_vanish("sinh representation", MD.sinh_representation_residuals()),
        "xi in span(x_i)": check_pool("ξ_t in span(x_i)", GENERAL,
                                      per_run(ctx, False, lambda run: check_xi_in_span(run, ctx)), ctx)})


def check_grad_potential_along(run: MF.MGFRun, ctx: Context, sign: float = 1.0) -> Result:
    """∇Φ_t(θ_t) = ½arcsinh(2θ_t/Δ_t) − φ_t equals sign·ξ_t along the run (t after the last crossing)."""
    t_from = max([c.t for c in run.crossings], default=0.0)
    ts = np.linspace(t_from, run.t_end, 41)[1:]
    errs, scale = [], 0.0
    for s in run.states(ts):
        xi = run.xi(s)
        ap, am = run.get("p", s) * np.exp(-xi), run.get("m", s) * np.exp(xi)
        gphi = grad_potential(run.theta(s), run.balancedness(s), phi_of_alpha(ap, am))
        errs.append(float(np.max(np.abs(gphi - sign * xi))))
        scale = max(scale, float(np.max(np.abs(xi))))
    # both sides come from the same state (arcsinh, log and exp of O(1) arguments): their difference is rounding,
    # a few EPS·max(1, |ξ|) per operation; 1e-12 ≈ 4500 EPS allows the chain of a dozen operations with a wide margin
    tol = 1e-12 * max(1.0, scale)
    return from_errors(f"∇Φ_t(θ_t) − ({'+' if sign > 0 else '−'}ξ_t) after the last crossing", [max(errs)], tol,
                       instances=[describe_run(run, ctx)], xi_scale=scale)


@claim("momentum_dln.eq15", section="App. C.2", equations=("15",), keys=(K + "eq-15-potential-gradient-and-hessian",),
       statement="Φ_t = ψ_Δt − ⟨φ_t, ·⟩ has ∇Φ_t = ½arcsinh(2θ/Δ_t) − φ_t and ∇²Φ_t = diag(1/√(4θ² + Δ_t²)) ≻ 0, and "
                 "∇Φ_t(θ_t) = ξ_t for t ≥ T (App. C.2's sign).", corrects="momentum_dln.appC-3-1.grad_phi_sign",
       kind="identity", basis="printed", hypothesis_class=GENERAL)
def _eq15(ctx: Context) -> Result:
    return combine("eq. (15)", {"gradient and Hessian": residuals_vanish("eq. (15)", MD.potential_gradient_residuals()),
                                "grad Phi_t(theta_t) = xi_t": check_pool(
                                    "∇Φ_t(θ_t) = ξ_t", GENERAL,
                                    per_run(ctx, False, lambda run: check_grad_potential_along(run, ctx)), ctx)})


@claim("momentum_dln.appC-3-1.grad_phi_sign", section="App. C.3.1", keys=(K + "eq-15-potential-gradient-and-hessian",),
       statement="App. C.3.1 restates ∇Φ_t(θ_t) = −ξ_t (opposite sign to App. C.2).", kind="identity",
       basis="printed", hypothesis_class=GENERAL)
def _appC31_sign(ctx: Context) -> Result:
    return check_pool("∇Φ_t(θ_t) = −ξ_t", GENERAL,
                      per_run(ctx, False, lambda run: check_grad_potential_along(run, ctx, sign=-1.0)), ctx)


def check_perturbed_init(run: MF.MGFRun, ctx: Context) -> Result:
    """Symbolic: ∇Φ∞(θ̃₀) = 0 ⟺ θ̃₀ = (α₊,∞² − α₋,∞²)/4; numeric: Δ∞ = |α₊,∞α₋,∞| and ∇Φ∞(θ̃₀) = 0 on the run."""
    _, resid = MD.perturbed_initialisation()
    lim = MF.limits(run)
    phi_inf = phi_of_alpha(lim["alpha_p"], lim["alpha_m"])
    g = grad_potential(lim["theta_tilde0"], lim["delta"], phi_inf)
    d_err = float(np.max(np.abs(lim["delta"] - np.abs(lim["alpha_p"] * lim["alpha_m"]))))
    return combine("perturbed initialisation", {
        "solve grad Phi_inf = 0": residuals_vanish("θ̃₀ from ∇Φ∞ = 0", {"theta_tilde0 - (a^2-b^2)/4": resid}),
        "numeric on the run": from_errors("|∇Φ∞(θ̃₀)| and |Δ∞ − |α₊α₋||", [float(np.max(np.abs(g))), d_err],
                                          1e-12 * max(1.0, float(np.max(np.abs(phi_inf)))),
                                          instances=[describe_run(run, ctx)] * 2)})


@claim("momentum_dln.appC-3-1.perturbed_init", section="App. C.3.1",
       keys=(K + "perturbed-initialisation-from-grad-phi-inf-0",),
       statement="∇Φ∞(θ̃₀) = 0 iff θ̃₀ = (α₊,∞² − α₋,∞²)/4 with α±,∞ = w±,∞e^{±∫∇L} and Δ∞ = |α₊,∞α₋,∞| "
                 "(the displayed intermediate step writes Δ∞² inside arcsinh; Δ∞ is what the conclusion needs).",
       kind="identity", basis="printed", hypothesis_class=GENERAL)
def _appC31_perturbed(ctx: Context) -> Result:
    return check_pool("perturbed initialisation", GENERAL,
                      per_run(ctx, False, lambda run: check_perturbed_init(run, ctx)), ctx)


def pythagoras_residual(ts: np.ndarray, lim: dict[str, np.ndarray]) -> tuple[float, float]:
    """D(θ*, θ̃₀) − D(θ*, θ^MGF) − D(θ^MGF, θ̃₀) (D = D_ψΔ∞) and the size of its terms for a rounding bound:
    Σ over the three divergences and the coordinates of |ψ(a)| + |ψ(c)| + |∇ψ(c)(a − c)|."""
    th, t0, dl = lim["theta"], lim["theta_tilde0"], lim["delta"]
    mag = 0.0
    for a, c in ((ts, t0), (ts, th), (th, t0)):
        mag += float(np.sum(np.abs(HE.psi_coord(a, dl)) + np.abs(HE.psi_coord(c, dl))
                            + np.abs(HE.grad_psi(c, dl) * (a - c))))
    return HE.bregman(ts, t0, dl) - HE.bregman(ts, th, dl) - HE.bregman(th, t0, dl), mag


def check_bregman_cosine(run: MF.MGFRun, ctx: Context, rng: np.random.Generator, n_points: int = 5,
                         limit_of: LimitsOf | None = None) -> Result:
    """Symbolic three-point identity and ψ-objective equivalence; numerically D_Φ∞(θ*, θ̃₀) = D_Φ∞(θ*, θ^MGF) +
    D_Φ∞(θ^MGF, θ̃₀) for random interpolators θ* (D_Φ∞ = D_ψΔ∞: a linear term does not change a Bregman divergence),
    drawn from ``rng``. Each residual's error: its spread over the run's two solves and its last tenth (the limits'
    error, propagated by re-evaluation), the rounding of the three divergences, 4·d·EPS·Σ|terms|, and the KKT vector's
    round-off (see below). ``limit_of`` (default :func:`numerics.momentum_flow.limits`) lets a test substitute a
    wrong θ̃₀."""
    limit_of = limit_of or MF.limits
    lim = limit_of(run, None)
    X = run.X
    ker = kernel_of_X(X)
    # the residual is ⟨∇ψ(θ^MGF) − ∇ψ(θ̃₀), θ* − θ^MGF⟩ with θ* − θ^MGF in ker X: the KKT vector's ker-X part, whose
    # round-off (kkt_roundoff per ker coordinate) no re-solve reveals, enters times ‖θ* − θ^MGF‖₂
    kkt_part = math.sqrt(ker.shape[0]) * MF.kkt_roundoff(run, lim)
    errs, tols = [], []
    for _ in range(n_points):
        ts = lim["theta"] + ker.T @ rng.standard_normal(ker.shape[0]) * 0.3
        res, mag = pythagoras_residual(ts, lim)
        errs.append(abs(res))
        tols.append(run.spread(lambda s, ts=ts: pythagoras_residual(ts, limit_of(run, s))[0], 0.0)
                    + 4 * X.shape[1] * MF.EPS * mag + kkt_part * float(np.linalg.norm(ts - lim["theta"])))
    tol = max(tols)
    return combine("Bregman cosine theorem", {
        "three-point identity": residuals_vanish("three-point identity",
                                                 {"D(a,c)-D(a,b)-D(b,c)-<..>": MD.bregman_cosine_residual()}),
        "D_psi(., t0) = psi - <grad psi(t0), .> + const": residuals_vanish(
            "objective equivalence", {"d/dtheta difference": MD.bregman_linear_objective_residual()}),
        "Pythagoras on the run": from_errors("D(θ*,θ̃₀) − D(θ*,θ^MGF) − D(θ^MGF,θ̃₀)", errs, tol,
                                             instances=[describe_run(run, ctx)] * n_points)})


@claim("momentum_dln.appC-3-1.bregman_cosine", section="App. C.3.1 / C.3.3",
       keys=(K + "bregman-cosine-theorem-argument",),
       statement="D_Φ(a,c) = D_Φ(a,b) + D_Φ(b,c) + ⟨a−b, ∇Φ(b) − ∇Φ(c)⟩; with θ* − θ∞ ∈ ker X and ∇Φ∞(θ∞) − ∇Φ∞(θ̃₀) ∈ "
                 "span(x_i) the cross term vanishes, so θ∞ = argmin_S D_ψΔ∞(·, θ̃₀) = argmin_S[ψ_Δ∞ − ⟨∇ψ_Δ∞(θ̃₀), "
                 "·⟩].",
       kind="identity", basis="printed", hypothesis_class=GENERAL)
def _bregman_cosine(ctx: Context) -> Result:
    return check_pool("Bregman cosine theorem", GENERAL, per_run(
        ctx, False, lambda run: check_bregman_cosine(run, ctx, points_rng(ctx, run))), ctx)


def points_rng(ctx: Context, run: MF.MGFRun) -> np.random.Generator:
    """The random interpolators θ* of a drawn run: the claim's stream, named by the run's data and λ."""
    return stream_rng(ctx.seed, ctx.claim or "unnamed", "points", describe_run(run, ctx).get("data_seed", 0), run.lam)


def check_poster_proof(run: MF.MGFRun, ctx: Context, rng: np.random.Generator) -> Result:
    """∇Φ₀(θ₀) = 0 at the run's start, and the Bregman cosine theorem on the run (θ* drawn from ``rng``)."""
    s0 = run.state0
    # at t = 0 (ξ₀ = 0) ∇Φ₀(θ₀) = ½arcsinh(2θ₀/Δ₀) − ½arcsinh((w₊,₀² − w₋,₀²)/(2Δ₀)) with equal arguments: rounding
    # only, O(EPS) for |arguments| = O(1); 1e-14 ≈ 45 EPS
    g0 = grad_potential(run.theta(s0), run.balancedness(s0), phi_of_alpha(run.get("p", s0), run.get("m", s0)))
    return combine("poster proof strategy", {
        "grad Phi_0(theta_0) = 0": from_errors("|∇Φ₀(θ₀)|", [float(np.max(np.abs(g0)))], 1e-14,
                                               instances=[describe_run(run, ctx)]),
        "cosine theorem": check_bregman_cosine(run, ctx, rng)})


@claim("momentum_dln.poster5.proof_strategy", section="poster: Poster 5", source="poster",
       keys=(K + "poster-proof-strategy-perturbed-initialisation",),
       statement="Choose θ̃₀ with ∇Φ∞(θ̃₀) = ∇Φ₀(θ₀) (= 0 since ∇Φ₀(θ₀) = ξ₀ = 0); with θ* − θ^MGF ∈ ker X the Bregman "
                 "cosine theorem gives D_Φ∞(θ*, θ̃₀) = D_Φ∞(θ*, θ^MGF) + D_Φ∞(θ^MGF, θ̃₀).", kind="identity",
       basis="printed", hypothesis_class=GENERAL)
def _poster_proof(ctx: Context) -> Result:
    return check_pool("poster proof strategy", GENERAL,
                      per_run(ctx, False, lambda run: check_poster_proof(run, ctx, points_rng(ctx, run))), ctx)


def check_prop4(run: MF.MGFRun, ctx: Context) -> Result:
    """Prop. 4: symbolic (∇Φ_t(θ_t) = ξ_t and ξ solves the momentum ODE) and numeric (∇Φ_t(θ_t) − ξ_t after the last
    crossing, and the integrated form λ(ξ̇_t) + ξ_t + ∫₀ᵗ∇L = 0 at the end)."""
    bad = unconverged(run, "Prop. 4")
    if bad:
        return bad
    # λη + ξ + J vanishes identically by ξ's definition (ξ = −J − λη): only rounding of the sum, 1e-13·|J| ≈ 450 EPS
    integ = float(np.max(np.abs(run.lam * run.get("eta") + run.xi() + run.get("J"))))
    return combine("Prop. 4", {
        "symbolic": residuals_vanish("Prop. 4 (sinh representation + ξ ODE)",
                                     {**MD.sinh_representation_residuals(), **xi_residuals_paper()}),
        "grad Phi_t(theta_t) = xi_t along the run": check_grad_potential_along(run, ctx),
        "integrated ODE": from_errors("|λξ̇ + ξ + ∫∇L|", [integ], 1e-13 * max(1.0, float(np.max(np.abs(run.get("J"))))),
                                      instances=[describe_run(run, ctx)])})


@claim("momentum_dln.prop4", section="3.4 / App. C.2", equations=("Prop. 4", "15"), keys=(K + "proposition-4",),
       statement="After some T (T = 0 if Δ_t never vanishes), λ d²∇Φ_t(θ_t)/dt² + d∇Φ_t(θ_t)/dt + ∇L(θ_t) = 0 with "
                 "Φ_t = ψ_Δt − ⟨φ_t, ·⟩.", kind="identity", basis="printed", hypothesis_class=GENERAL)
def _prop4(ctx: Context) -> Result:
    return check_pool("Prop. 4", GENERAL, per_run(ctx, False, lambda run: check_prop4(run, ctx)), ctx)


def check_integrated_mirror_flow(run: MF.MGFRun, ctx: Context, integral_sign: float = 1.0,
                                 span_rows: int | None = None) -> Result:
    """∇Φ∞(θ^MGF) − ∇Φ₀(θ₀) = −∫₀^∞∇L ∈ span(x_i), and the KKT condition ∇ψ_Δ∞(θ^MGF) − ∇ψ_Δ∞(θ̃₀) ∈ span(x_i).
    Tests state it wrongly: ``integral_sign`` = −1 for "= +∫∇L", ``span_rows`` = k for "∈ span(x_1..x_k)"."""
    bad = unconverged(run, "integrated mirror flow")
    if bad:
        return bad
    lim = MF.limits(run)
    s0 = run.state0
    g0 = grad_potential(run.theta(s0), run.balancedness(s0), phi_of_alpha(run.get("p", s0), run.get("m", s0)))
    ginf = grad_potential(lim["theta"], lim["delta"], phi_of_alpha(lim["alpha_p"], lim["alpha_m"]))
    _, sv, Vt = np.linalg.svd(run.X[:span_rows], full_matrices=True)
    ker = Vt[np.sum(sv > 1e-12 * sv[0]):]

    def residuals(state: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """∇Φ∞(θ∞) − ∇Φ₀(θ₀) + ∫∇L, the ker-X part of ∫∇L and the ker-X part of the KKT vector, from an end state."""
        lm, J_ = MF.limits(run, state), run.get("J", state)
        g_inf = grad_potential(lm["theta"], lm["delta"], phi_of_alpha(lm["alpha_p"], lm["alpha_m"]))
        kkt_ = HE.grad_psi(lm["theta"], lm["delta"]) - HE.grad_psi(lm["theta_tilde0"], lm["delta"])
        return g_inf - g0 + integral_sign * J_, ker @ J_, ker @ kkt_

    r_a, r_b, r_c = residuals()
    J = run.get("J")
    scale_a = float(max(np.max(np.abs(ginf)), np.max(np.abs(g0)), np.max(np.abs(J))))
    # (a) holds term by term in exact arithmetic: its error estimate is how much it moves between the two solves (and
    # over the last tenth of the run), plus round-off relative to the terms' size (MGFRun.spread)
    tol_a = run.spread(lambda s: residuals(s)[0], scale_a)
    # (b) ∫∇L leaves span(x_i) by round-off alone (integral_roundoff), plus how far it moves between the solves
    tol_b = MF.integral_roundoff(run) + run.spread(lambda s: residuals(s)[1], 0.0)
    # (c) ∇ψ_Δ∞(θ̃₀) = ∫∇L + ½ln|w₊,∞/w₋,∞| coordinate-wise (θ̃₀ = (α₊² − α₋²)/4, α± = w±,∞e^{±∫∇L}), so the KKT
    # vector's ker-X part carries (b)'s round-off, plus that of evaluating ∇ψ twice (EPS relative, √d for ker)
    tol_c = (MF.kkt_roundoff(run, lim) + run.spread(lambda s: residuals(s)[1], 0.0)
             + run.spread(lambda s: residuals(s)[2], 0.0))
    inst = describe_run(run, ctx)
    return combine("integrated mirror flow", {
        "∇Φ∞(θ∞) − ∇Φ₀(θ₀) = −∫∇L": from_errors("|∇Φ∞(θ∞) − ∇Φ₀(θ₀) + ∫∇L|", [float(np.max(np.abs(r_a)))], tol_a,
                                                 instances=[inst]),
        "∫∇L in span(x_i)": from_errors("ker-X part of ∫∇L", [float(np.max(np.abs(r_b)))], tol_b, instances=[inst]),
        "KKT": from_errors("ker-X part of ∇ψ_Δ∞(θ∞) − ∇ψ_Δ∞(θ̃₀)", [float(np.max(np.abs(r_c)))], tol_c,
                           instances=[inst])})


@claim("momentum_dln.sec3-4.integrated_mirror_flow", section="3.4", keys=(K + "integrated-mirror-flow-kkt",),
       statement="∇Φ∞(θ^MGF) − ∇Φ₀(θ₀) = −∫₀^∞∇L(θ_t)dt ∈ span(x_1..x_n): the KKT conditions of Theorem 1's problem.",
       kind="identity", basis="printed", hypothesis_class=GENERAL)
def _integrated(ctx: Context) -> Result:
    return check_pool("integrated mirror flow", GENERAL,
                      per_run(ctx, False, lambda run: check_integrated_mirror_flow(run, ctx)), ctx)


def check_lemma3(run: MF.MGFRun, ctx: Context) -> Result:
    """∫₀ᵗ∇L converges (its change over the last half of the run is at the level of the solver's error) and
    ∫₀ᵗ∇L e^{−(t−s)/λ}ds = −λη_t → 0."""
    bad = unconverged(run, "Lemma 3")
    if bad:
        return bad
    half = run.states(np.array([0.5 * run.t_end]))[0]
    change = float(np.max(np.abs(run.get("J") - run.get("J", half))))
    kern = float(np.max(np.abs(run.lam * run.get("eta"))))
    scale = float(np.max(np.abs(run.get("J"))))
    tail = run.states(np.array([0.9 * run.t_end]))[0]
    tol = float(np.max(run.end_error("J"))) + float(np.max(np.abs(run.get("J") - run.get("J", tail)))) + 1e-13 * scale
    return from_errors("tail of ∫∇L over [T/2, T] and |∫∇L e^{−(t−s)/λ}| at T (scale |∫∇L| = %.2e)" % scale,
                       [kern], tol, instances=[describe_run(run, ctx)], J_change_last_half=change, J_scale=scale)


@claim("momentum_dln.lemma3", section="App. C.2", equations=("Lemma 3",), keys=(K + "lemma-3",),
       statement="Bounded trajectory and Δ∞ > 0 ⇒ lim ∫₀ᵗ∇L(θ_s)ds exists, so ∫₀ᵗ∇L(θ_s)e^{−(t−s)/λ}ds → 0.",
       kind="convergence", basis="printed", hypothesis_class=GENERAL)
def _lemma3(ctx: Context) -> Result:
    return check_pool("Lemma 3", GENERAL, per_run(ctx, False, lambda run: check_lemma3(run, ctx)), ctx)

"""App. D, Properties 1–4: the gradients of L in (u, v), and what the HB/NAG flows conserve up to O(η²),
symbolically and along the flows."""
from __future__ import annotations

from typing import Sequence

from checks.context import Context
from checks.papers.hb_nag.hypotheses import ANY_FLOWS, check_on_flows
from checks.papers.hb_nag.instances import FlowCase, K
from checks.papers.hb_nag.order_checks import T_SKIP, symbolic_order2, trajectory_order
from checks.papers.hb_nag.residuals import Residual, res_eq20, res_property2, res_property3, res_property4
from checks.registry import claim
from checks.symbolic import residuals_vanish
from checks.verdict import Result, combine
from derivations import hb_nag as D


@claim("hb_nag.property1", section="App. D", equations=("18", "19"), keys=(K + "property-1-eqs-18-19",),
       statement="For θ = u⊙u − v⊙v and L = ‖Xθ − y‖²/(2n): ∂_{u_j}L = 2u_j∂_{θ_j}L, ∂_{v_j}L = −2v_j∂_{θ_j}L with "
                 "∂_{θ_j}L = (1/n)Σ_i r_i x_ij, hence v_j∂_{u_j}L + u_j∂_{v_j}L = 0.",
       latex=r"v_j\partial_{u_j}L+u_j\partial_{v_j}L=0", kind="identity", basis="printed")
def _property1(ctx: Context) -> Result:
    return residuals_vanish("Property 1 (n = 2, d = 2, symbolic data)", D.property1_residuals())


@claim("hb_nag.property2", section="App. D", equations=("20", "21"), keys=(K + "property-2-eqs-20-21",),
       statement="Along HB/NAG flow αu̇_j = −α∂_{u_j}L/(1−μ) + O(η²) (same for v), hence α(v_ju̇_j + u_jv̇_j) = O(η²).",
       latex=r"\alpha(v_j\dot u_j+u_j\dot v_j)=\mathcal O(\eta^2)", kind="order", basis="printed",
       hypothesis_class=ANY_FLOWS)
def _property2(ctx: Context) -> Result:
    def along(cases: Sequence[FlowCase]) -> Result:
        return combine("Property 2 along the flow", {
            "eq. (20)": trajectory_order("α(u̇ + ∂_uL/(1−μ))", cases, res_eq20),
            "eq. (21)": trajectory_order("α(vu̇ + uv̇)", cases, res_property2)})

    return combine("Property 2", {
        "symbolic (velocities of eq. 20)": symbolic_order2(
            "Property 2", {"Property 2": D.properties_2_3_residuals()["Property 2"]}),
        "eqs. (20), (21) along flows": check_on_flows("Property 2 along flows", "any", along, ctx)})


@claim("hb_nag.property3", section="App. D", equations=("Property 3",), keys=(K + "property-3",),
       statement="Along HB/NAG flow (u_j + αu̇_j)(v_j + αv̇_j) = u_jv_j + O(η²).",
       latex=r"(u_j+\alpha\dot u_j)(v_j+\alpha\dot v_j)=u_jv_j+\mathcal O(\eta^2)", kind="order",
       basis="printed", hypothesis_class=ANY_FLOWS)
def _property3(ctx: Context) -> Result:
    return combine("Property 3", {
        "symbolic (velocities of eq. 20)": symbolic_order2(
            "Property 3", {"Property 3": D.properties_2_3_residuals()["Property 3"]}),
        "along flows": check_on_flows(
            "Property 3 along flows", "any",
            lambda cases: trajectory_order("(u+αu̇)(v+αv̇) − uv", cases, res_property3), ctx)})


def check_property4(cases: Sequence[FlowCase], t_skip: float, residual: Residual = res_property4) -> Result:
    """The exact identity behind eq. (22), and d(uv)/dt − 2αu̇v̇ = O(η²) on [t_skip, T] along the flows."""
    exact = residuals_vanish("eq. (22) before dropping O(η²)", {"exact identity": D.property4_exact_residual()})
    along = trajectory_order("d(uv)/dt − 2αu̇v̇", cases, residual, t_skip=t_skip)
    return combine("Property 4", {"exact identity d(uv)/dt = −α d/dt(u̇v+v̇u) + 2αu̇v̇": exact, "along flows": along})


@claim("hb_nag.property4", section="App. D", equations=("22",), keys=(K + "property-4-eq-22",),
       statement="Property 4 (as printed, a property of the dynamics (17), no time range given): d(u_jv_j)/dt = "
                 "2αu̇_jv̇_j + O(η²). Read at every time of the flow, t = 0 included (the flow of Theorem 3 runs for "
                 "t ≥ 0).",
       latex=r"\tfrac{d}{dt}u_jv_j=2\alpha\dot u_j\dot v_j+\mathcal O(\eta^2)", kind="order", basis="reconstructed",
       reconstruction="the paper prints no time range for Property 4. Read here at every t ≥ 0 of the flow (eq. "
                      "(17) holds for t ≥ 0), t = 0 included, where d(uv)/dt = 0 by Property 1 while 2αu̇v̇ = O(η): "
                      "REFUTED under this reading. Alternatives: at each fixed t ≥ t₀ > 0 (hb_nag.property4.corrected, "
                      "CONFIRMED), or integrated over [0, t] as D.1 uses it (the dropped term −α d/dt(u̇v + v̇u) "
                      "integrates to O(η²) by Property 2 at both ends)",
       hypothesis_class=ANY_FLOWS)
def _property4(ctx: Context) -> Result:
    return check_on_flows("Property 4 (at every t ≥ 0)", "any", lambda cases: check_property4(cases, 0.0), ctx)


@claim("hb_nag.property4.corrected", section="App. D", equations=("22", "30"), keys=(K + "property-4-eq-22",),
       corrects="hb_nag.property4",
       statement="d(u_jv_j)/dt = 2αu̇_jv̇_j + O(η²) holds for t ≥ t₀ > 0 fixed (outside the initial layer of width "
                 "O(α), where the dropped term α d/dt(u̇v + v̇u) is O(η)); at t = 0, d(uv)/dt = 0 while 2αu̇v̇ = O(η).",
       latex=r"\sup_{t\ge t_0}\big|\tfrac{d}{dt}u_jv_j-2\alpha\dot u_j\dot v_j\big|=\mathcal O(\eta^2)", kind="order",
       basis="printed", hypothesis_class=ANY_FLOWS)
def _property4_corrected(ctx: Context) -> Result:
    return check_on_flows("Property 4 (t ≥ t₀)", "any", lambda cases: check_property4(cases, T_SKIP), ctx)

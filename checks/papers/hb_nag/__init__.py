"""Lyu, Wang, Wang, Zhu, "Effects of Momentum in Implicit Bias of Gradient Flow for Diagonal Linear Networks"
(hb_nag): heavy-ball (HB) and Nesterov (NAG) flows on θ = u⊙u − v⊙v, main text and appendices B–D.

Layout, by section of the paper:

- :mod:`.instances`: the tier profiles, the regression instances, the cached flows and the experiments' data and
  training runs;
- :mod:`.modified_equations`: Proposition 1 and App. C (α of the HB and NAG flows, their order);
- :mod:`.gradient_flow`: §1 (single layer), §3 (gradient flow's bias) and Proposition 2;
- :mod:`.order_checks` and :mod:`.residuals`: O(η²) claims, symbolically and along the flows, and the residuals of
  App. D's identities along a flow;
- :mod:`.properties`: App. D's Properties 1–4;
- :mod:`.theta_dynamics`: App. D.1, eqs. (23)–(48), the θ dynamics and the potential;
- :mod:`.theorem3`: eq. (50), Theorem 3, the linear term R, Proposition 4 and App. D.3;
- :mod:`.proposition5`: App. D.2, Proposition 5 and eqs. (53)–(58);
- :mod:`.remarks`: the remarks of §3.1, §3.3, §3.5 and App. D.4, D.5;
- :mod:`.comparisons`, :mod:`.experiments`, :mod:`.momentum_gap`, :mod:`.sgd`: the experiments of §3.2, §3.3, §3.5
  and App. B.1, B.3 (Figures 1–5 and 7) and the cited SGD result (eq. 10);
- :mod:`.relu_network`: App. B.2's non-linear network (Figure 6);
- :mod:`.hypotheses`: the hypothesis classes the flow, gradient-flow and Prop. 5 claims draw their instances from
  (issue 16);
- :mod:`.settings_robust`: the experiments' verdicts over their plausible settings and 5 seeds (issue 16).

Each registered function gathers instances and formulas and returns a ``check_*`` call; the tests hand those a
perturbed formula or instance and expect REFUTED. Claims that hold "up to O(η²)" are checked by how the residual
scales with η (fit on four η values, claimed order 2).
"""

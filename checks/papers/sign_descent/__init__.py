"""Wang, Klabjan, "A Mirror Descent Perspective of Smoothed Sign Descent" (arXiv 2410.14158): smoothed sign descent
on a 2-layer diagonal linear network as mirror descent with a time-varying potential, and its implicit bias.

The seed text lost every formula, so each entry carries a ``reconstruction`` saying what was rebuilt from the prose,
on which sentences it rests and how sure we are. Setting as reconstructed (see ``derivations/sign_descent.py``):
L = (1/2n)‖Xβ − y‖², β = w₊² − w₋², g = ∇_β L; smoothed sign descent ẇ = −∇_w L/(|∇_w L| + ε) from w₊ = w₋ = α1;
the dominating weight w_d (non-decreasing) and the non-dominating weight w_n; stage quantity
h_i = |∂L/∂w_{d,i}| = 2w_{d,i}|g_i| compared with ε; dual variable θ = ∇Φ_ξ(β) = sign(β)√(|β| + ξ²) with ξ = w_n.
Assumption 3.3 (reconstructed): 9α²‖x_k‖₁ ≤ |y_k|/2 and ε < α|x_i||y_k|/n for every block k and i in it.

Layout: ``instances`` (the tier profile, the instances and the cached runs), ``hypotheses`` (the class of drawn
data, α and ε the trajectory claims check), ``criteria`` (decisions the checks
share), then one module per part of the paper: ``gradient_descent`` (§3.1-3.2, eqs. 1-11, App. C),
``assumptions`` (Assumption 3.2), ``sign_flow`` (§3.3.1 and App. A: eqs. 12-13, Props. 3.4, 3.5, 3.7, the
Lemmas A.1-A.3), ``mirror_map`` (the time-varying potential and the dual dynamics: Prop. 3.6, the ℓ_{3/2} norm,
the higher-order extension), ``implicit_bias`` (§3.3.2 and App. B: Lemmas B.1-B.3, Thm. 3.9, Cors. 3.10-3.12)
and ``experiments`` (Figures 1-3). Each registered function calls a ``check_*`` function with the instance and
the formula or rule as arguments; the tests hand those a perturbed one and expect REFUTED.
"""

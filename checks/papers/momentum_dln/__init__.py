"""Papazov, Pesme, Flammarion, "Leveraging Continuous Time to Understand Momentum When Training Diagonal Linear
Networks" (AISTATS 2024), with its poster: momentum gradient flow and descent on diagonal linear networks.

``instances`` holds the tier profiles, data, initialisations and cached runs of both halves. Continuous time (MGF,
§3 and App. B, C, E, F.2.1; ``GROUP = "continuous"``): ``entropy`` (ψ_Δ and its limits), ``gradient_flow`` (least
squares, the interpolators, gradient flow), ``mgf_identities`` (reparametrisation, energy, Lemmas 5-6),
``mirror_flow`` (ξ_t, ∇Φ_t, the Bregman cosine theorem, KKT), ``mgf_bias`` (Theorem 1, convergence),
``balancedness`` (Cor. 2, eqs. 21-25 and 30, Prop. 3), ``crossing_terms`` and ``crossings`` (App. C.3.2: zero
crossings, Lemma 1, eqs. 18-20), ``small_lambda`` (Δ∞ as λ → 0) and ``mgf_experiments`` (the λ sweeps of Figures 3, 8
and 9)."""

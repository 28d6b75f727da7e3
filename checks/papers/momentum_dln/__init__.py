"""Papazov, Pesme, Flammarion, "Leveraging Continuous Time to Understand Momentum When Training Diagonal Linear
Networks" (AISTATS 2024), with its poster: momentum gradient flow and descent on diagonal linear networks."""

"""Residuals of App. D's identities along a solved HB/NAG flow: each is a function (path, instance) -> array over
(time, coordinate) that the paper says is O(η²) (or zero)."""
from __future__ import annotations

from typing import Callable

import numpy as np

from checks.papers.hb_nag.instances import Instance
from numerics.hb_nag import FlowPath

Residual = Callable[[FlowPath, Instance], np.ndarray]


def loss_gradients(p: FlowPath, inst: Instance) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(∂_θL, ∂_uL, ∂_vL) along the path."""
    net = inst.net
    g = net.grad_theta(p.theta)
    return g, 2 * p.u * g, -2 * p.v * g


def xibar(p: FlowPath, inst: Instance) -> np.ndarray:
    """ξ̄(t) = ξ e^{−αφ(t)}."""
    return inst.xi * np.exp(-p.alpha * p.phi)


def res_eq20(p: FlowPath, inst: Instance) -> np.ndarray:
    """Eq. (20): α(u̇ + ∂_uL/(1−μ)) and α(v̇ + ∂_vL/(1−μ))."""
    _, gu, gv = loss_gradients(p, inst)
    return np.concatenate([p.alpha * (p.ud + gu / (1 - p.mu)), p.alpha * (p.vd + gv / (1 - p.mu))], axis=1)


def res_property2(p: FlowPath, inst: Instance) -> np.ndarray:
    """Property 2 (eq. 21): α(vu̇ + uv̇)."""
    return p.alpha * (p.v * p.ud + p.u * p.vd)


def res_property3(p: FlowPath, inst: Instance) -> np.ndarray:
    """Property 3: (u + αu̇)(v + αv̇) − uv."""
    a = p.alpha
    return (p.u + a * p.ud) * (p.v + a * p.vd) - p.u * p.v


def res_property4(p: FlowPath, inst: Instance) -> np.ndarray:
    """Property 4 (eq. 22): d(uv)/dt − 2αu̇v̇."""
    return p.ud * p.v + p.u * p.vd - 2 * p.alpha * p.ud * p.vd


def res_eq23(p: FlowPath, inst: Instance) -> np.ndarray:
    """Eq. (23): αθ̈ + θ̇ + G/(1−μ), G = 2[(u + αu̇)∂_uL − (v + αv̇)∂_vL]."""
    a, mu = p.alpha, p.mu
    _, gu, gv = loss_gradients(p, inst)
    Gj = 2 * ((p.u + a * p.ud) * gu - (p.v + a * p.vd) * gv)
    return a * p.theta_ddot + p.theta_dot + Gj / (1 - mu)


def res_eq30(p: FlowPath, inst: Instance) -> np.ndarray:
    """Eq. (30): uv − u(0)v(0)e^{−αφ}."""
    return p.u * p.v - inst.u0 * inst.v0 * np.exp(-p.alpha * p.phi)


def res_eq34(p: FlowPath, inst: Instance) -> np.ndarray:
    """Eq. (34): H − √((θ + αθ̇)² + 4ξ̄² − αθθ̇)."""
    a = p.alpha
    H = p.u * (p.u + a * p.ud) + p.v * (p.v + a * p.vd)
    A = (p.theta + a * p.theta_dot) ** 2 + 4 * xibar(p, inst) ** 2
    return H - np.sqrt(A - a * p.theta * p.theta_dot)


def res_eq35(p: FlowPath, inst: Instance) -> np.ndarray:
    """Eq. (35) with the expansion of 1/H: (αθ̈ + θ̇)/(4H) + ∂L/(1−μ)."""
    a, th, thd = p.alpha, p.theta, p.theta_dot
    g, _, _ = loss_gradients(p, inst)
    A = (th + a * thd) ** 2 + 4 * xibar(p, inst) ** 2
    inv_h = 1 / np.sqrt(A) + a / 2 * th * thd / (th ** 2 + 4 * inst.xi ** 2) ** 1.5
    return (a * p.theta_ddot + thd) * inv_h / 4 + g / (1 - p.mu)


def res_eq47(p: FlowPath, inst: Instance) -> np.ndarray:
    """Eq. (47): αθ̇ + 4α√(θ² + 4ξ²)∂L/(1−μ)."""
    g, _, _ = loss_gradients(p, inst)
    return p.alpha * p.theta_dot + 4 * p.alpha * np.sqrt(p.theta ** 2 + 4 * inst.xi ** 2) * g / (1 - p.mu)


def res_prop4(p: FlowPath, inst: Instance, xibar_scale: bool = True) -> np.ndarray:
    """Eq. (11) integrated from 0: ∇Q^M(θ̄(t), t) − ∇Q^M(θ̄(0), 0) + ∫₀ᵗ∂L/(1−μ) (the linear term R is constant);
    with ``xibar_scale=False`` the entropy's scale is ξ instead of ξ̄(t)."""
    thb = p.theta + p.alpha * p.theta_dot
    scale = xibar(p, inst) if xibar_scale else inst.xi
    return (np.arcsinh(thb / (2 * scale)) - np.arcsinh(thb[0] / (2 * inst.xi))) / 4 + p.grad_integral / (1 - p.mu)

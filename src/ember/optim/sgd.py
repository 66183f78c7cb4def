"""SGD with momentum, dampening, Nesterov momentum, weight decay and maximize (PyTorch's rule)."""

from __future__ import annotations

import numpy as np

from ..tensor import _from_array
from .optimizer import Optimizer, _check


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum.

    Per parameter, in PyTorch's notation (γ lr, μ momentum, τ dampening, λ weight_decay):
    ``g_t = ∇f + λθ`` (``-∇f + λθ`` to maximize); ``b_1 = g_1``, then
    ``b_t = μ b_{t-1} + (1 - τ) g_t``; ``g_t = g_t + μ b_t`` (Nesterov) or ``g_t = b_t``;
    ``θ_t = θ_{t-1} - γ g_t``.

    Args:
        params: parameters or parameter groups to optimize.
        lr: learning rate (default 1e-3).
        momentum: momentum factor (default 0).
        dampening: dampening for momentum (default 0).
        weight_decay: L2 penalty (default 0).
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening 0).
        maximize: maximize the objective instead of minimizing.

    Raises:
        ValueError: a negative lr, momentum or weight_decay, or an invalid Nesterov setting.
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach=None, differentiable: bool = False, fused=None) -> None:
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)

    @staticmethod
    def _apply_single(g, param, state, group, scratch) -> None:
        s0, s1 = scratch
        momentum = group["momentum"]  # μ
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                b = g.copy()  # b_1 ← g_1
                state["momentum_buffer"] = _from_array(b)
            else:
                b = buf._data
                b *= momentum  # b_t ← μ b_{t-1} + (1 - τ) g_t
                np.multiply(g, 1 - group["dampening"], out=s1)
                b += s1
            if group["nesterov"]:
                np.multiply(b, momentum, out=s1)  # g_t ← g_t + μ b_t
                g = np.add(g, s1, out=s0)
            else:
                g = b  # g_t ← b_t
        np.multiply(g, -group["lr"], out=s1)  # θ_t ← θ_{t-1} - γ g_t
        param += s1

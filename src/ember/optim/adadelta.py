"""Adadelta (with weight decay, maximize): PyTorch's update rule."""

from __future__ import annotations

import numpy as np

from ..tensor import _from_array
from ._kernels import decay_square_
from .optimizer import Optimizer, _check, _step_tensor


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), as ``torch.optim.Adadelta`` (the MNIST example's optimizer).

    Per parameter, in PyTorch's notation (γ lr, ρ rho, ε eps):
    ``v_t = ρ v_{t-1} + (1 - ρ) g_t²``; ``Δx_t = √(u_{t-1} + ε) / √(v_t + ε) g_t``;
    ``u_t = ρ u_{t-1} + (1 - ρ) Δx_t²``; ``θ_t = θ_{t-1} - γ Δx_t``.

    Args:
        params: parameters or parameter groups to optimize.
        lr: coefficient of the delta (default 1.0).
        rho: smoothing constant of both running averages (default 0.9).
        eps: added inside the square roots (default 1e-6).
        weight_decay: L2 penalty (default 0).
        maximize: maximize the objective instead of minimizing.

    Raises:
        ValueError: invalid lr, rho, eps or weight_decay (PyTorch's messages).
    """

    _n_scratch = 3

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach=None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False) -> None:
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(0.0 <= rho <= 1.0, f"Invalid rho value: {rho}")
        _check(eps >= 0.0, f"Invalid epsilon value: {eps}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, param, group) -> dict:
        return {"step": _step_tensor(), "square_avg": _from_array(np.zeros_like(param._data)),
                "acc_delta": _from_array(np.zeros_like(param._data))}

    @staticmethod
    def _apply_single(g, param, state, group, scratch) -> None:
        _, s1, s2 = scratch
        rho, eps = group["rho"], group["eps"]
        state["step"]._data += 1
        v = state["square_avg"]._data
        u = state["acc_delta"]._data
        decay_square_(v, g, rho, s1)  # v_t ← ρ v_{t-1} + (1 - ρ) g_t²
        std = np.add(v, eps, out=s1)  # √(v_t + ε)
        np.sqrt(std, out=std)
        delta = np.add(u, eps, out=s2)  # Δx_t ← √(u_{t-1} + ε) / √(v_t + ε) g_t
        np.sqrt(delta, out=delta)
        delta /= std
        delta *= g
        decay_square_(u, delta, rho, s1)  # u_t ← ρ u_{t-1} + (1 - ρ) Δx_t²
        delta *= -group["lr"]  # θ_t ← θ_{t-1} - γ Δx_t
        param += delta

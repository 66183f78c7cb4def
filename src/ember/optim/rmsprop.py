"""RMSprop (with momentum, centered variant, weight decay, maximize): PyTorch's update rule."""

from __future__ import annotations

import numpy as np

from ..tensor import _from_array
from ._kernels import decay_square_, lerp_
from .optimizer import Optimizer, _check, _step_tensor


class RMSprop(Optimizer):
    """RMSprop (Hinton), as ``torch.optim.RMSprop``.

    Per parameter, in PyTorch's notation (γ lr, α alpha, μ momentum, ε eps):
    ``v_t = α v_{t-1} + (1 - α) g_t²``; ``ṽ_t = v_t``, or centered
    ``ṽ_t = v_t - (g^ave_t)²`` with ``g^ave_t = α g^ave_{t-1} + (1 - α) g_t``; then
    ``θ_t = θ_{t-1} - γ g_t / (√ṽ_t + ε)``, or with momentum
    ``b_t = μ b_{t-1} + g_t / (√ṽ_t + ε)``, ``θ_t = θ_{t-1} - γ b_t``.

    Args:
        params: parameters or parameter groups to optimize.
        lr: learning rate (default 1e-2).
        alpha: smoothing constant of the squared-gradient average (default 0.99).
        eps: added to the denominator for numerical stability.
        weight_decay: L2 penalty (default 0).
        momentum: momentum factor (default 0).
        centered: normalize by an estimate of the gradient's variance.
        maximize: maximize the objective instead of minimizing.

    Raises:
        ValueError: invalid lr, eps, momentum, weight_decay or alpha.
    """

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach=None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(eps >= 0.0, f"Invalid epsilon value: {eps}")
        _check(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        _check(alpha >= 0.0, f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, param, group) -> dict:
        state = {"step": _step_tensor(), "square_avg": _from_array(np.zeros_like(param._data))}
        if group["momentum"] > 0:
            state["momentum_buffer"] = _from_array(np.zeros_like(param._data))
        if group["centered"]:
            state["grad_avg"] = _from_array(np.zeros_like(param._data))
        return state

    @staticmethod
    def _apply_single(g, param, state, group, scratch) -> None:
        s0, s1 = scratch
        alpha = group["alpha"]
        state["step"]._data += 1
        v = state["square_avg"]._data
        decay_square_(v, g, alpha, s1)  # v_t ← α v_{t-1} + (1 - α) g_t²
        if group["centered"]:
            g_ave = state["grad_avg"]._data
            lerp_(g_ave, g, 1 - alpha, s1)  # g^ave_t ← α g^ave_{t-1} + (1 - α) g_t
            np.multiply(g_ave, -1, out=s1)  # ṽ_t ← v_t - (g^ave_t)²
            s1 *= g_ave
            s1 += v
            avg = np.sqrt(s1, out=s1)
        else:
            avg = np.sqrt(v, out=s1)  # ṽ_t ← v_t
        avg += group["eps"]  # √ṽ_t + ε
        lr = group["lr"]
        if group["momentum"] > 0:
            b = state["momentum_buffer"]._data
            b *= group["momentum"]  # b_t ← μ b_{t-1} + g_t / (√ṽ_t + ε)
            np.divide(g, avg, out=s1)
            b += s1
            np.multiply(b, -lr, out=s1)  # θ_t ← θ_{t-1} - γ b_t
            param += s1
        else:
            np.multiply(g, -lr, out=s0)  # θ_t ← θ_{t-1} - γ g_t / (√ṽ_t + ε)
            s0 /= avg
            param += s0

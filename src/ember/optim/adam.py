"""Adam (with AMSGrad, L2 or decoupled weight decay, maximize): PyTorch's update rule."""

from __future__ import annotations

import math

import numpy as np

from ..tensor import _from_array
from ._kernels import decay_square_, lerp_
from .optimizer import Optimizer, _check, _step_tensor


class Adam(Optimizer):
    """Adam: adaptive moment estimation (Kingma & Ba), as ``torch.optim.Adam``.

    Per parameter, at step t, in PyTorch's notation (γ lr, β1, β2 betas, ε eps):
    ``m_t = β1 m_{t-1} + (1 - β1) g_t``; ``v_t = β2 v_{t-1} + (1 - β2) g_t²``;
    ``θ_t = θ_{t-1} - γ m̂_t / (√v̂_t + ε)`` with ``m̂_t = m_t / (1 - β1^t)``,
    ``v̂_t = v_t / (1 - β2^t)`` (``v_t``'s running maximum instead with ``amsgrad``).

    Args:
        params: parameters or parameter groups to optimize.
        lr: learning rate (default 1e-3).
        betas: coefficients of the running averages of the gradient and its square.
        eps: added to the denominator for numerical stability.
        weight_decay: L2 penalty added to the gradient (decoupled with
            ``decoupled_weight_decay=True``, which is AdamW).
        amsgrad: use the maximum of past squared-gradient averages.
        maximize: maximize the objective instead of minimizing.
        decoupled_weight_decay: shrink the weights directly (AdamW) instead of adding an L2 term.

    Raises:
        ValueError: invalid lr, eps, betas or weight_decay.
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach=None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused=None,
                 decoupled_weight_decay: bool = False) -> None:
        _check_adam_options(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _init_state(self, param, group) -> dict:
        state = {
            "step": _step_tensor(),
            "exp_avg": _from_array(np.zeros_like(param._data)),
            "exp_avg_sq": _from_array(np.zeros_like(param._data)),
        }
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = _from_array(np.zeros_like(param._data))
        return state

    @staticmethod
    def _apply_single(g, param, state, group, scratch) -> None:
        s0, s1 = scratch
        beta1, beta2 = group["betas"]
        step = state["step"]._data
        step += 1
        t = float(step)
        m = state["exp_avg"]._data
        v = state["exp_avg_sq"]._data
        lerp_(m, g, 1 - beta1, s1)  # m_t ← β1 m_{t-1} + (1 - β1) g_t
        decay_square_(v, g, beta2, s1)  # v_t ← β2 v_{t-1} + (1 - β2) g_t²
        if group["amsgrad"]:
            np.maximum(state["max_exp_avg_sq"]._data, v, out=state["max_exp_avg_sq"]._data)
            v = state["max_exp_avg_sq"]._data  # v_t^max ← max(v_{t-1}^max, v_t), used as v_t
        step_size = group["lr"] / (1 - beta1**t)  # γ / (1 - β1^t): m̂_t's bias correction
        denom = np.sqrt(v, out=s1)  # √v̂_t + ε, with v̂_t = v_t / (1 - β2^t)
        denom /= math.sqrt(1 - beta2**t)
        denom += group["eps"]
        np.multiply(m, -step_size, out=s0)  # θ_t ← θ_{t-1} - γ m̂_t / (√v̂_t + ε)
        s0 /= denom
        param += s0


def _check_adam_options(lr, betas, eps, weight_decay) -> None:
    """The checks (and messages) every Adam-family optimizer of PyTorch makes."""
    _check(lr >= 0.0, f"Invalid learning rate: {lr}")
    _check(eps >= 0.0, f"Invalid epsilon value: {eps}")
    _check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
    _check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
    _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")

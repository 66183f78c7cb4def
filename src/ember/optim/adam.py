"""Adam (with AMSGrad, L2 or decoupled weight decay, maximize): PyTorch's update rule."""

from __future__ import annotations

import math

import numpy as np

from ..tensor import _from_array
from .optimizer import Optimizer, _check, _step_tensor


class Adam(Optimizer):
    """Adam: adaptive moment estimation (Kingma & Ba), as ``torch.optim.Adam``.

    Per parameter, at step t: ``m = lerp(m, g, 1 - beta1)``,
    ``v = beta2 * v + (1 - beta2) * g * g``,
    ``p -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)``
    (``max(v)`` over the steps instead of ``v`` with ``amsgrad``).

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
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(eps >= 0.0, f"Invalid epsilon value: {eps}")
        _check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
        _check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
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
    def _apply_single(grad, param, state, group, scratch) -> None:
        s0, s1 = scratch
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        step = state["step"]._data
        step += 1
        g = grad
        if group["maximize"]:
            g = np.negative(grad, out=s0)
        weight_decay = group["weight_decay"]
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                param *= 1 - lr * weight_decay
            else:
                np.multiply(param, weight_decay, out=s1)
                g = np.add(g, s1, out=s0)
        exp_avg = state["exp_avg"]._data
        exp_avg_sq = state["exp_avg_sq"]._data
        _lerp(exp_avg, g, 1 - beta1, s1)
        exp_avg_sq *= beta2
        np.multiply(g, 1 - beta2, out=s1)
        s1 *= g
        exp_avg_sq += s1
        t = float(step)
        step_size = lr / (1 - beta1**t)
        bias_correction2_sqrt = math.sqrt(1 - beta2**t)
        if group["amsgrad"]:
            exp_avg_sq = state["max_exp_avg_sq"]._data
            np.maximum(exp_avg_sq, state["exp_avg_sq"]._data, out=exp_avg_sq)
        denom = np.sqrt(exp_avg_sq, out=s1)
        denom /= bias_correction2_sqrt
        denom += group["eps"]
        np.multiply(exp_avg, -step_size, out=s0)
        s0 /= denom
        param += s0


def _lerp(start: np.ndarray, end: np.ndarray, weight: float, tmp: np.ndarray) -> None:
    """``start.lerp_(end, weight)`` with PyTorch's two-sided formula (exact at both ends)."""
    np.subtract(end, start, out=tmp)
    if weight < 0.5:
        tmp *= weight
        start += tmp
    else:
        tmp *= 1 - weight
        np.subtract(end, tmp, out=start)

"""Adamax (Adam with the infinity norm): PyTorch's update rule."""

from __future__ import annotations

import numpy as np

from ..tensor import _from_array
from .adam import _lerp
from .optimizer import Optimizer, _check, _step_tensor


class Adamax(Optimizer):
    """Adamax, as ``torch.optim.Adamax``: ``m = lerp(m, g, 1 - beta1)``;
    ``u = max(beta2 * u, |g| + eps)``; ``p -= lr / (1 - beta1**t) * m / u``.

    Raises:
        ValueError: invalid lr, eps, betas or weight_decay (PyTorch's messages).
    """

    def __init__(self, params, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach=None, *, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(eps >= 0.0, f"Invalid epsilon value: {eps}")
        _check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
        _check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, param, group) -> dict:
        return {"step": _step_tensor(), "exp_avg": _from_array(np.zeros_like(param._data)),
                "exp_inf": _from_array(np.zeros_like(param._data))}

    @staticmethod
    def _apply_single(grad, param, state, group, scratch) -> None:
        s0, s1 = scratch
        beta1, beta2 = group["betas"]
        state["step"]._data += 1
        step = float(state["step"]._data)
        g = grad
        if group["maximize"]:
            g = np.negative(grad, out=s0)
        if group["weight_decay"] != 0:
            np.multiply(param, group["weight_decay"], out=s1)
            g = np.add(g, s1, out=s0)
        exp_avg, exp_inf = state["exp_avg"]._data, state["exp_inf"]._data
        _lerp(exp_avg, g, 1 - beta1, s1)
        exp_inf *= beta2
        np.abs(g, out=s1)
        s1 += group["eps"]
        np.maximum(exp_inf, s1, out=exp_inf)
        clr = group["lr"] / (1 - beta1 ** step)
        np.divide(exp_avg, exp_inf, out=s1)
        s1 *= -clr
        param += s1

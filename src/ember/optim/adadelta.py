"""Adadelta (with weight decay, maximize): PyTorch's update rule."""

from __future__ import annotations

import numpy as np

from ..tensor import _from_array
from .optimizer import Optimizer, _check, _step_tensor


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), as ``torch.optim.Adadelta`` (the MNIST example's optimizer).

    Per parameter: ``v = rho * v + (1 - rho) * g * g``;
    ``delta = sqrt(u + eps) / sqrt(v + eps) * g``; ``u = rho * u + (1 - rho) * delta**2``;
    ``p -= lr * delta``.

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
    def _apply_single(grad, param, state, group, scratch) -> None:
        s0, s1, s2 = scratch
        rho, eps = group["rho"], group["eps"]
        state["step"]._data += 1
        g = grad
        if group["maximize"]:
            g = np.negative(grad, out=s0)
        if group["weight_decay"] != 0:
            np.multiply(param, group["weight_decay"], out=s1)
            g = np.add(g, s1, out=s0)
        square_avg = state["square_avg"]._data
        acc_delta = state["acc_delta"]._data
        square_avg *= rho
        np.multiply(g, g, out=s1)
        s1 *= 1 - rho
        square_avg += s1
        std = np.add(square_avg, eps, out=s1)
        np.sqrt(std, out=std)
        delta = np.add(acc_delta, eps, out=s2)
        np.sqrt(delta, out=delta)
        delta /= std
        delta *= g
        acc_delta *= rho
        np.multiply(delta, delta, out=s1)
        s1 *= 1 - rho
        acc_delta += s1
        delta *= -group["lr"]
        param += delta

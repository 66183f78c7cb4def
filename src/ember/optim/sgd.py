"""SGD with momentum, dampening, Nesterov momentum, weight decay and maximize (PyTorch's rule)."""

from __future__ import annotations

import numpy as np

from ..tensor import _from_array
from .optimizer import Optimizer, _check


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum.

    Per parameter: ``g = grad + weight_decay * p`` (negated first if ``maximize``);
    ``buf = g`` on the first step, then ``buf = momentum * buf + (1 - dampening) * g``;
    ``g = g + momentum * buf`` (Nesterov) or ``g = buf``; ``p -= lr * g``.

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
    def _apply_single(grad, param, state, group, scratch) -> None:
        s0, s1 = scratch
        g = grad
        if group["maximize"]:
            g = np.negative(grad, out=s0)
        weight_decay = group["weight_decay"]
        if weight_decay != 0:
            np.multiply(param, weight_decay, out=s1)
            g = np.add(g, s1, out=s0)
        momentum = group["momentum"]
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = g.copy()
                state["momentum_buffer"] = _from_array(buf)
            else:
                buf = buf._data
                buf *= momentum
                np.multiply(g, 1 - group["dampening"], out=s1)
                buf += s1
            if group["nesterov"]:
                np.multiply(buf, momentum, out=s1)
                g = np.add(g, s1, out=s0)
            else:
                g = buf
        np.multiply(g, -group["lr"], out=s1)
        param += s1

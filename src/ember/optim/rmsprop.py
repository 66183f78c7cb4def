"""RMSprop (with momentum, centered variant, weight decay, maximize): PyTorch's update rule."""

from __future__ import annotations

import numpy as np

from ..tensor import _from_array
from .adam import _lerp
from .optimizer import Optimizer, _check, _step_tensor


class RMSprop(Optimizer):
    """RMSprop (Hinton), as ``torch.optim.RMSprop``.

    Per parameter: ``v = alpha * v + (1 - alpha) * g * g``; ``avg = sqrt(v) + eps`` (centered:
    ``sqrt(v - mean(g)**2) + eps`` with ``mean(g)`` a running average); then either
    ``p -= lr * g / avg`` or, with momentum, ``buf = momentum * buf + g / avg; p -= lr * buf``.

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
    def _apply_single(grad, param, state, group, scratch) -> None:
        s0, s1 = scratch
        alpha = group["alpha"]
        state["step"]._data += 1
        g = grad
        if group["maximize"]:
            g = np.negative(grad, out=s0)
        weight_decay = group["weight_decay"]
        if weight_decay != 0:
            np.multiply(param, weight_decay, out=s1)
            g = np.add(g, s1, out=s0)
        square_avg = state["square_avg"]._data
        square_avg *= alpha
        np.multiply(g, 1 - alpha, out=s1)
        s1 *= g
        square_avg += s1
        if group["centered"]:
            grad_avg = state["grad_avg"]._data
            _lerp(grad_avg, g, 1 - alpha, s1)
            np.multiply(grad_avg, -1, out=s1)
            s1 *= grad_avg
            s1 += square_avg
            avg = np.sqrt(s1, out=s1)
        else:
            avg = np.sqrt(square_avg, out=s1)
        avg += group["eps"]
        lr = group["lr"]
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]._data
            buf *= group["momentum"]
            np.divide(g, avg, out=s1)
            buf += s1
            np.multiply(buf, -lr, out=s1)
            param += s1
        else:
            np.multiply(g, -lr, out=s0)
            s0 /= avg
            param += s0

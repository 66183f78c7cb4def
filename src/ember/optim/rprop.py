"""Rprop (resilient backpropagation): PyTorch's update rule."""

from __future__ import annotations

import numpy as np

from ..tensor import _from_array
from .optimizer import Optimizer, _check, _step_tensor


class Rprop(Optimizer):
    """Rprop, as ``torch.optim.Rprop``: each weight has its own step size, grown by ``etas[1]``
    while the gradient keeps its sign and shrunk by ``etas[0]`` when it flips (then that step
    is skipped and the remembered gradient zeroed); only the gradient's sign moves the weight.

    Args:
        params: parameters or parameter groups to optimize.
        lr: initial step size (default 1e-2).
        etas: (decrease, increase) factors, ``0 < etaminus < 1 < etaplus``.
        step_sizes: (minimum, maximum) step size.
        maximize: maximize the objective instead of minimizing.

    Raises:
        ValueError: invalid lr or etas (PyTorch's messages).
    """

    def __init__(self, params, lr: float = 1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50),
                 *, capturable: bool = False, foreach=None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(0.0 < etas[0] < 1.0 < etas[1], f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, param, group) -> dict:
        return {"step": _step_tensor(), "prev": _from_array(np.zeros_like(param._data)),
                "step_size": _from_array(np.full_like(param._data, group["lr"]))}

    @staticmethod
    def _apply_single(g, param, state, group, scratch) -> None:
        s0, s1 = scratch
        etaminus, etaplus = group["etas"]
        low, high = group["step_sizes"]
        state["step"]._data += 1
        prev, step_size = state["prev"]._data, state["step_size"]._data
        np.multiply(g, prev, out=s1)
        flipped = s1 < 0
        # factor: etaplus where the sign held, etaminus where it flipped, 1 where either is 0
        factor = np.where(s1 > 0, etaplus, np.where(flipped, etaminus, 1.0)).astype(s1.dtype)
        step_size *= factor
        np.clip(step_size, low, high, out=step_size)
        np.copyto(s0, g)  # g may be scratch[0]: this is its last read
        s0[flipped] = 0  # a flipped sign skips this step and is forgotten
        np.sign(s0, out=s1)
        s1 *= step_size
        param -= s1
        np.copyto(prev, s0)

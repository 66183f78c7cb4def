"""ASGD (averaged stochastic gradient descent): PyTorch's update rule."""

from __future__ import annotations

import numpy as np

from ..tensor import _from_array
from .optimizer import Optimizer, _check, _step_tensor


class ASGD(Optimizer):
    """Averaged SGD (Polyak and Juditsky), as ``torch.optim.ASGD``. At step t, in PyTorch's
    notation: ``θ ← θ (1 - λ η) - η g``; the average ``ax`` follows θ exactly until ``t0``
    and then averages, ``ax ← ax + μ (θ - ax)``; ``η ← lr / (1 + λ lr t)^α``,
    ``μ ← 1 / max(1, t - t0)``. ``state["ax"]`` holds the averaged weights.

    Args:
        params: parameters or parameter groups to optimize.
        lr: learning rate (default 1e-2).
        lambd: decay term (default 1e-4).
        alpha: power for the η update (default 0.75).
        t0: step at which averaging starts (default 1e6).
        weight_decay: L2 penalty (default 0).
        maximize: maximize the objective instead of minimizing.

    Raises:
        ValueError: invalid lr or weight_decay (PyTorch's messages).
    """

    def __init__(self, params, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach=None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, param, group) -> dict:
        # eta and mu are float32 scalars in PyTorch: the update uses their rounded values
        return {"step": _step_tensor(),
                "eta": _from_array(np.asarray(group["lr"], dtype=np.float32)),
                "mu": _from_array(np.ones((), dtype=np.float32)),
                "ax": _from_array(np.zeros_like(param._data))}

    @staticmethod
    def _apply_single(g, param, state, group, scratch) -> None:
        _, s1 = scratch
        lr, lambd = group["lr"], group["lambd"]
        state["step"]._data += 1
        step = float(state["step"]._data)
        eta = float(state["eta"]._data)
        mu = state["mu"]._data
        ax = state["ax"]._data
        param *= 1 - lambd * eta  # decay
        np.multiply(g, -eta, out=s1)
        param += s1
        if float(mu) != 1:
            np.subtract(param, ax, out=s1)
            s1 *= mu
            ax += s1
        else:
            np.copyto(ax, param)
        state["eta"]._data[...] = lr / ((1 + lambd * lr * step) ** group["alpha"])
        mu[...] = 1 / max(1, step - group["t0"])

"""Adagrad (with learning-rate decay, initial accumulator, weight decay): PyTorch's rule."""

from __future__ import annotations

import numpy as np

from ..tensor import _from_array
from .optimizer import Optimizer, _check, _step_tensor


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.), as ``torch.optim.Adagrad``.

    Per parameter, at step t, in PyTorch's notation (γ lr, η lr_decay, ε eps):
    ``γ̃ = γ / (1 + (t - 1) η)``; ``state_sum_t = state_sum_{t-1} + g_t²``;
    ``θ_t = θ_{t-1} - γ̃ g_t / (√state_sum_t + ε)``. Unlike the other optimizers, the state is
    created for every parameter at construction (as PyTorch does).

    Args:
        params: parameters or parameter groups to optimize.
        lr: learning rate (default 1e-2).
        lr_decay: learning-rate decay (default 0).
        weight_decay: L2 penalty (default 0).
        initial_accumulator_value: starting value of the squared-gradient sums.
        eps: added to the denominator for numerical stability (default 1e-10).
        maximize: maximize the objective instead of minimizing.

    Raises:
        ValueError: invalid lr, lr_decay, weight_decay, initial_accumulator_value or eps.
    """

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach=None, *,
                 maximize: bool = False, differentiable: bool = False, fused=None) -> None:
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(lr_decay >= 0.0, f"Invalid lr_decay value: {lr_decay}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        _check(initial_accumulator_value >= 0.0,
               f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        _check(eps >= 0.0, f"Invalid epsilon value: {eps}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p] = self._init_state(p, group)

    def _init_state(self, param, group) -> dict:
        total = np.full_like(param._data, group["initial_accumulator_value"])
        return {"step": _step_tensor(), "sum": _from_array(total)}

    @staticmethod
    def _apply_single(g, param, state, group, scratch) -> None:
        s0, s1 = scratch
        step = state["step"]._data
        step += 1
        clr = group["lr"] / (1 + (float(step) - 1) * group["lr_decay"])  # γ̃ ← γ / (1 + (t-1) η)
        state_sum = state["sum"]._data
        np.multiply(g, g, out=s1)  # state_sum_t ← state_sum_{t-1} + g_t²
        state_sum += s1
        std = np.sqrt(state_sum, out=s1)  # √state_sum_t + ε
        std += group["eps"]
        np.multiply(g, -clr, out=s0)  # θ_t ← θ_{t-1} - γ̃ g_t / (√state_sum_t + ε)
        s0 /= std
        param += s0

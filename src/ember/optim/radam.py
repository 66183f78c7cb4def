"""RAdam: rectified Adam (Liu et al.), PyTorch's update rule."""

from __future__ import annotations

import math

import numpy as np

from ..tensor import _from_array
from ._kernels import decay_square_, lerp_
from .adam import _check_adam_options
from .optimizer import Optimizer, _step_tensor


class RAdam(Optimizer):
    """RAdam, as ``torch.optim.RAdam``: Adam with its adaptive term switched on (and
    rectified) once the variance estimate is tractable (``ρ_t > 5``). Per parameter, in
    PyTorch's notation: ``m_t``, ``v_t`` as Adam's; ``m̂_t = m_t / (1 - β1^t)``;
    ``ρ_∞ = 2 / (1 - β2) - 1``; ``ρ_t = ρ_∞ - 2 t β2^t / (1 - β2^t)``; if ``ρ_t > 5``,
    ``θ_t = θ_{t-1} - γ m̂_t r_t l_t`` with ``l_t = √(1 - β2^t) / (√v_t + ε)`` and
    ``r_t = √((ρ_t - 4)(ρ_t - 2) ρ_∞ / ((ρ_∞ - 4)(ρ_∞ - 2) ρ_t))``; else ``θ_t = θ_{t-1} - γ m̂_t``.

    Raises:
        ValueError: invalid lr, eps, betas or weight_decay.
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach=None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_adam_options(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, param, group) -> dict:
        return {"step": _step_tensor(), "exp_avg": _from_array(np.zeros_like(param._data)),
                "exp_avg_sq": _from_array(np.zeros_like(param._data))}

    @staticmethod
    def _apply_single(g, param, state, group, scratch) -> None:
        s0, s1 = scratch
        beta1, beta2 = group["betas"]
        state["step"]._data += 1
        t = float(state["step"]._data)
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        lerp_(m, g, 1 - beta1, s1)  # m_t ← β1 m_{t-1} + (1 - β1) g_t
        decay_square_(v, g, beta2, s1)  # v_t ← β2 v_{t-1} + (1 - β2) g_t²
        bias_correction2 = 1 - beta2**t
        rho_inf = 2 / (1 - beta2) - 1  # ρ_∞ ← 2 / (1 - β2) - 1
        rho_t = rho_inf - 2 * t * (beta2**t) / bias_correction2  # ρ_t ← ρ_∞ - 2 t β2^t / (1 - β2^t)
        update = np.divide(m, 1 - beta1**t, out=s0)  # m̂_t ← m_t / (1 - β1^t)
        update *= group["lr"]  # γ m̂_t
        if rho_t > 5.0:
            np.sqrt(v, out=s1)  # l_t ← √(1 - β2^t) / (√v_t + ε)
            s1 += group["eps"]
            np.divide(math.sqrt(bias_correction2), s1, out=s1)
            update *= s1
            # r_t ← √((ρ_t - 4)(ρ_t - 2) ρ_∞ / ((ρ_∞ - 4)(ρ_∞ - 2) ρ_t))
            update *= math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                                / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        param -= update  # θ_t ← θ_{t-1} - γ m̂_t r_t l_t (or - γ m̂_t while ρ_t ≤ 5)

"""Adamax (Adam with the infinity norm): PyTorch's update rule."""

from __future__ import annotations

import numpy as np

from ..tensor import _from_array
from ._kernels import lerp_
from .adam import _check_adam_options
from .optimizer import Optimizer, _step_tensor


class Adamax(Optimizer):
    """Adamax, as ``torch.optim.Adamax``. In PyTorch's notation (γ lr, β1, β2 betas, ε eps):
    ``m_t = β1 m_{t-1} + (1 - β1) g_t``; ``u_t = max(β2 u_{t-1}, |g_t| + ε)``;
    ``θ_t = θ_{t-1} - γ m_t / ((1 - β1^t) u_t)``.

    Raises:
        ValueError: invalid lr, eps, betas or weight_decay (PyTorch's messages).
    """

    def __init__(self, params, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach=None, *, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        _check_adam_options(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, param, group) -> dict:
        return {"step": _step_tensor(), "exp_avg": _from_array(np.zeros_like(param._data)),
                "exp_inf": _from_array(np.zeros_like(param._data))}

    @staticmethod
    def _apply_single(g, param, state, group, scratch) -> None:
        _, s1 = scratch
        beta1, beta2 = group["betas"]
        state["step"]._data += 1
        t = float(state["step"]._data)
        m, u = state["exp_avg"]._data, state["exp_inf"]._data
        lerp_(m, g, 1 - beta1, s1)  # m_t ← β1 m_{t-1} + (1 - β1) g_t
        u *= beta2  # u_t ← max(β2 u_{t-1}, |g_t| + ε)
        np.abs(g, out=s1)
        s1 += group["eps"]
        np.maximum(u, s1, out=u)
        clr = group["lr"] / (1 - beta1**t)  # γ / (1 - β1^t)
        np.multiply(m, -clr, out=s1)  # θ_t ← θ_{t-1} - γ m_t / ((1 - β1^t) u_t)
        s1 /= u
        param += s1

"""NAdam: Adam with Nesterov momentum (Dozat), PyTorch's update rule."""

from __future__ import annotations

import numpy as np

from ..tensor import _from_array
from ._kernels import decay_square_, lerp_
from .adam import _check_adam_options
from .optimizer import Optimizer, _check, _step_tensor


class NAdam(Optimizer):
    """NAdam, as ``torch.optim.NAdam``: Adam with Nesterov momentum, whose momentum follows the
    schedule ``μ_t = β1 (1 - ½ 0.96^(t ψ))`` (ψ momentum_decay); optional decoupled weight
    decay. Per parameter, in PyTorch's notation: ``m_t``, ``v_t`` as Adam's;
    ``m̂_t = μ_{t+1} m_t / (1 - ∏_{i≤t+1} μ_i) + (1 - μ_t) g_t / (1 - ∏_{i≤t} μ_i)``;
    ``v̂_t = v_t / (1 - β2^t)``; ``θ_t = θ_{t-1} - γ m̂_t / (√v̂_t + ε)``.

    Raises:
        ValueError: invalid lr, eps, betas, weight_decay or momentum_decay.
    """

    _n_scratch = 3

    def __init__(self, params, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach=None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        _check_adam_options(lr, betas, eps, weight_decay)
        _check(momentum_decay >= 0.0, f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, param, group) -> dict:
        return {"step": _step_tensor(), "mu_product": _from_array(np.ones((), np.float32)),
                "exp_avg": _from_array(np.zeros_like(param._data)),
                "exp_avg_sq": _from_array(np.zeros_like(param._data))}

    @staticmethod
    def _apply_single(g, param, state, group, scratch) -> None:
        _, s1, s2 = scratch
        beta1, beta2 = group["betas"]
        lr = group["lr"]
        state["step"]._data += 1
        t = float(state["step"]._data)
        psi = group["momentum_decay"]
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (t * psi)))  # μ_t ← β1 (1 - ½ 0.96^(t ψ))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * psi)))  # μ_{t+1}
        state["mu_product"]._data *= np.float32(mu)  # ∏_{i≤t} μ_i: a float32 scalar, as torch's
        mu_product = float(state["mu_product"]._data)
        mu_product_next = mu_product * mu_next  # ∏_{i≤t+1} μ_i
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        lerp_(m, g, 1 - beta1, s1)  # m_t ← β1 m_{t-1} + (1 - β1) g_t
        decay_square_(v, g, beta2, s1)  # v_t ← β2 v_{t-1} + (1 - β2) g_t²
        denom = np.divide(v, 1 - beta2**t, out=s2)  # √v̂_t + ε, with v̂_t = v_t / (1 - β2^t)
        np.sqrt(denom, out=denom)
        denom += group["eps"]
        # θ_t ← θ_{t-1} - γ m̂_t / (√v̂_t + ε), m̂_t's two terms applied one after the other
        np.multiply(g, -lr * (1.0 - mu) / (1.0 - mu_product), out=s1)  # (1 - μ_t) g_t term
        s1 /= denom
        param += s1
        np.multiply(m, (-lr * mu_next) / (1.0 - mu_product_next), out=s1)  # μ_{t+1} m_t term
        s1 /= denom
        param += s1

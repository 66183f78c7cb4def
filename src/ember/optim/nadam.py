"""NAdam (Adam with Nesterov momentum) and RAdam (rectified Adam): PyTorch's update rules."""

from __future__ import annotations

import math

import numpy as np

from ..tensor import _from_array
from .adam import _lerp
from .optimizer import Optimizer, _check, _step_tensor


def _check_adam_args(lr, betas, eps, weight_decay) -> None:
    _check(lr >= 0.0, f"Invalid learning rate: {lr}")
    _check(eps >= 0.0, f"Invalid epsilon value: {eps}")
    _check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
    _check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
    _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")


def _moments(grad, param, state, group, s0, s1):
    """Shared first steps: maximize, (decoupled) weight decay, the two moment averages."""
    beta1, beta2 = group["betas"]
    g = grad
    if group["maximize"]:
        g = np.negative(grad, out=s0)
    wd = group["weight_decay"]
    if wd != 0:
        if group["decoupled_weight_decay"]:
            param *= 1 - group["lr"] * wd
        else:
            np.multiply(param, wd, out=s1)
            g = np.add(g, s1, out=s0)
    exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
    _lerp(exp_avg, g, 1 - beta1, s1)
    exp_avg_sq *= beta2
    np.multiply(g, g, out=s1)
    s1 *= 1 - beta2
    exp_avg_sq += s1
    return g, exp_avg, exp_avg_sq


class NAdam(Optimizer):
    """NAdam, as ``torch.optim.NAdam`` (momentum decay schedule ``mu_t``; optional
    decoupled weight decay).

    Raises:
        ValueError: invalid lr, eps, betas, weight_decay or momentum_decay.
    """

    _n_scratch = 3

    def __init__(self, params, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach=None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
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
    def _apply_single(grad, param, state, group, scratch) -> None:
        s0, s1, s2 = scratch
        beta1, beta2 = group["betas"]
        lr = group["lr"]
        state["step"]._data += 1
        step = float(state["step"]._data)
        bias_correction2 = 1 - beta2 ** step
        g, exp_avg, exp_avg_sq = _moments(grad, param, state, group, s0, s1)
        decay = group["momentum_decay"]
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * decay)))
        state["mu_product"]._data *= np.float32(mu)  # a float32 scalar, as PyTorch keeps it
        mu_product = float(state["mu_product"]._data)
        mu_product_next = mu_product * mu_next
        denom = np.divide(exp_avg_sq, bias_correction2, out=s2)
        np.sqrt(denom, out=denom)
        denom += group["eps"]
        np.divide(g, denom, out=s1)
        s1 *= -lr * (1.0 - mu) / (1.0 - mu_product)
        param += s1
        np.divide(exp_avg, denom, out=s1)
        s1 *= (-lr * mu_next) / (1.0 - mu_product_next)
        param += s1


class RAdam(Optimizer):
    """RAdam, as ``torch.optim.RAdam``: Adam with its adaptive term switched on (and
    rectified) once the variance estimate is tractable (``rho_t > 5``).

    Raises:
        ValueError: invalid lr, eps, betas or weight_decay.
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach=None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, param, group) -> dict:
        return {"step": _step_tensor(), "exp_avg": _from_array(np.zeros_like(param._data)),
                "exp_avg_sq": _from_array(np.zeros_like(param._data))}

    @staticmethod
    def _apply_single(grad, param, state, group, scratch) -> None:
        s0, s1 = scratch
        beta1, beta2 = group["betas"]
        lr = group["lr"]
        state["step"]._data += 1
        step = float(state["step"]._data)
        _, exp_avg, exp_avg_sq = _moments(grad, param, state, group, s0, s1)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        update = np.divide(exp_avg, bias_correction1, out=s0)  # bias-corrected first moment
        update *= lr
        if rho_t > 5.0:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                             / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            np.sqrt(exp_avg_sq, out=s1)
            s1 += group["eps"]
            np.divide(bias_correction2 ** 0.5, s1, out=s1)  # the adaptive learning rate
            update *= s1
            update *= rect
        param -= update

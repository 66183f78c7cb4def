"""``weight_norm``: the hook-based reparametrisation ``w = g * v / ||v||`` (Salimans & Kingma).

The weight is replaced by two Parameters, ``<name>_g`` (magnitude) and ``<name>_v``
(direction); a forward pre-hook recomputes the weight from them before every call, so the
optimizer trains g and v. PyTorch deprecates this form in favour of
``parametrizations.weight_norm`` and warns; so does ember.
"""

from __future__ import annotations

import warnings

from ...tensor import Tensor
from ..module import Module
from ..parameter import Parameter

__all__ = ["weight_norm", "remove_weight_norm"]


def _norm_except_dim(v: Tensor, dim: int) -> Tensor:
    """The 2-norm over every dim but ``dim``, shaped to broadcast against v; dim -1: all."""
    if dim == -1:
        return v.norm()
    others = tuple(d for d in range(v.ndim) if d != dim)
    return v.pow(2).sum(dim=others, keepdim=True).sqrt()


class _WeightNorm:
    """The forward pre-hook: ``module.<name> = g * v / ||v||`` before each forward."""

    def __init__(self, name: str, dim: int) -> None:
        self.name = name
        self.dim = dim

    def compute_weight(self, module: Module) -> Tensor:
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return v * (g / _norm_except_dim(v, self.dim))

    def __call__(self, module: Module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module))


def _hooks_of(module: Module, kind: type, name: str):
    for key, (hook, _) in list(module._forward_pre_hooks.items()):
        if isinstance(hook, kind) and hook.name == name:
            yield key, hook


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Reparametrise ``module.<name>`` as ``g * v / ||v||``; returns the module.

    Args:
        module: the layer.
        name: the parameter to reparametrise.
        dim: the dim kept by the norm (one g per slice); None normalises the whole tensor.

    Raises:
        RuntimeError: weight_norm already applied to this parameter.
    """
    warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                  "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning, stacklevel=2)
    if any(True for _ in _hooks_of(module, _WeightNorm, name)):
        raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
    if dim is None:
        dim = -1
    hook = _WeightNorm(name, dim)
    weight = getattr(module, name)
    del module._parameters[name]
    module.register_parameter(name + "_g", Parameter(_norm_except_dim(weight, dim).detach()))
    module.register_parameter(name + "_v", Parameter(weight.detach()))
    setattr(module, name, hook.compute_weight(module))
    module.register_forward_pre_hook(hook)
    return module


def remove_weight_norm(module: Module, name: str = "weight") -> Module:
    """Fold g and v back into a single Parameter ``module.<name>``; returns the module.

    Raises:
        ValueError: weight_norm was not applied to ``name``.
    """
    for key, hook in _hooks_of(module, _WeightNorm, name):
        weight = hook.compute_weight(module).detach()
        delattr(module, name)
        del module._parameters[name + "_g"]
        del module._parameters[name + "_v"]
        module.register_parameter(name, Parameter(weight))
        del module._forward_pre_hooks[key]
        return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")

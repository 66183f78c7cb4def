"""``spectral_norm``: the hook-based reparametrisation ``w = w_orig / σ(w_orig)`` (Miyato et al.).

σ, the largest singular value of the weight seen as a matrix (the ``dim`` axis first, the rest
flattened), is estimated by power iteration: in training mode each forward runs
``n_power_iterations`` steps that refine the vectors ``<name>_u`` and ``<name>_v`` (buffers,
updated in place without gradient), and ``σ = u·(W v)``. The division by σ is differentiable.
"""

from __future__ import annotations

from ... import _grad_mode
from ...tensor import Tensor
from .. import functional as F
from ..module import Module
from ..parameter import Parameter

__all__ = ["spectral_norm", "remove_spectral_norm"]


class _SpectralNorm:
    """The forward pre-hook: ``module.<name> = <name>_orig / σ`` before each forward."""

    def __init__(self, name: str, n_power_iterations: int, dim: int, eps: float) -> None:
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.name = name
        self.n_power_iterations = n_power_iterations
        self.dim = dim
        self.eps = eps

    def as_matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            order = [self.dim] + [d for d in range(weight.ndim) if d != self.dim]
            weight = weight.permute(*order)
        return weight.reshape(weight.shape[0], -1)

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        matrix = self.as_matrix(weight)
        if do_power_iteration:
            with _grad_mode.no_grad():
                for _ in range(self.n_power_iterations):
                    v.copy_(F.normalize(matrix.t().mv(u), dim=0, eps=self.eps))
                    u.copy_(F.normalize(matrix.mv(v), dim=0, eps=self.eps))
            # the weight's gradient must see this step's u and v, not later in-place updates
            u = u.clone()
            v = v.clone()
        sigma = u.dot(matrix.mv(v))
        return weight / sigma

    def __call__(self, module: Module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module, module.training))


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:
    """Divide ``module.<name>`` by its spectral norm before every forward; returns the module.

    Args:
        module: the layer.
        name: the parameter to normalise.
        n_power_iterations: power-iteration steps per training forward.
        eps: floor of the norms in the iteration.
        dim: the output-channel dim (default 1 for transposed convolutions, else 0).

    Raises:
        RuntimeError: spectral_norm already applied to this parameter.
    """
    for hook, _ in module._forward_pre_hooks.values():
        if isinstance(hook, _SpectralNorm) and hook.name == name:
            raise RuntimeError(
                f"Cannot register two spectral_norm hooks on the same parameter {name}")
    if dim is None:
        dim = 1 if getattr(module, "transposed", False) else 0
    hook = _SpectralNorm(name, n_power_iterations, dim, eps)
    weight = module._parameters[name]
    with _grad_mode.no_grad():
        rows, cols = hook.as_matrix(weight).shape
        u = F.normalize(weight.new_empty(rows).normal_(0, 1), dim=0, eps=eps)
        v = F.normalize(weight.new_empty(cols).normal_(0, 1), dim=0, eps=eps)
    del module._parameters[name]
    module.register_parameter(name + "_orig", weight)
    setattr(module, name, weight.detach())
    module.register_buffer(name + "_u", u)
    module.register_buffer(name + "_v", v)
    module.register_forward_pre_hook(hook)
    return module


def remove_spectral_norm(module: Module, name: str = "weight") -> Module:
    """Replace the reparametrisation by a plain Parameter holding the normalised weight.

    Raises:
        ValueError: spectral_norm was not applied to ``name``.
    """
    for key, (hook, _) in list(module._forward_pre_hooks.items()):
        if isinstance(hook, _SpectralNorm) and hook.name == name:
            weight = hook.compute_weight(module, do_power_iteration=False).detach()
            del module._forward_pre_hooks[key]
            delattr(module, name)
            del module._parameters[name + "_orig"]
            del module._buffers[name + "_u"]
            del module._buffers[name + "_v"]
            module.register_parameter(name, Parameter(weight))
            return module
    raise ValueError(f"spectral_norm of '{name}' not found in {module}")

"""InstanceNorm1d/2d/3d: per-sample, per-channel normalisation over the spatial dims."""

from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from .batchnorm import _BatchNorm

__all__ = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"]


class _InstanceNorm(_BatchNorm):
    """Normalises each (sample, channel) over its spatial dims, with batch norm's parameters
    and buffers.

    Unlike ``BatchNorm`` the defaults are ``affine=False`` and ``track_running_stats=False``, so
    training and evaluation behave the same. Unbatched input (no N dim) is accepted.

    Args:
        num_features: the number of channels C.
        eps: added to the variance for stability.
        momentum: weight of the new statistics in the running estimates (when tracked); None
            leaves them unchanged.
        affine: learn a per-channel scale and shift.
        track_running_stats: keep running estimates and use them in eval mode.

    Raises:
        ValueError: input of the wrong rank (when called).
    """

    _spatial = 1

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device=None,
                 dtype=None, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype=dtype,
                         bias=bias)

    def forward(self, input: Tensor) -> Tensor:
        batched_dims = self._spatial + 2
        if input.ndim not in (batched_dims - 1, batched_dims):
            raise ValueError(f"expected {batched_dims - 1}D or {batched_dims}D input (got "
                             f"{input.ndim}D input)")
        unbatched = input.ndim == batched_dims - 1
        if unbatched:
            input = input.unsqueeze(0)
        out = F.instance_norm(input, self.running_mean, self.running_var, self.weight,
                              self.bias, self.training or not self.track_running_stats,
                              0.0 if self.momentum is None else self.momentum, self.eps)
        return out.squeeze(0) if unbatched else out


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) input (arguments as ``_InstanceNorm``)."""

    _spatial = 1


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) input (arguments as ``_InstanceNorm``)."""

    _spatial = 2


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of (N, C, D, H, W) input (arguments as ``_InstanceNorm``)."""

    _spatial = 3

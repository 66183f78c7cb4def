"""Functional instance normalisation: per sample and channel, over the spatial dims."""

from __future__ import annotations

import numpy as np

from ...ops import fused as nnops
from ...tensor import Size, Tensor
from .batchnorm import batch_norm, update_running_stats


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each (sample, channel) over its spatial dims; running estimates, when
    given, track the batch average of the per-instance statistics."""
    x = input._data
    c = x.shape[1]
    axes = tuple(range(2, x.ndim))
    shape = (1, c) + (1,) * (x.ndim - 2)
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    count = int(np.prod(x.shape[2:]))
    if count <= 1:
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input size "
            f"{Size(x.shape)!r}"
        )
    stats = nnops.batch_stats(x, axes)
    if running_mean is not None or running_var is not None:
        update_running_stats(running_mean, running_var, stats[0].mean(0), stats[1].mean(0), count,
                        momentum)
    w = None if weight is None else weight.reshape(shape)
    b = None if bias is None else bias.reshape(shape)
    return nnops.Normalize.apply(input, w, b, axes=axes, eps=eps, stats=stats)

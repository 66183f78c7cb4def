"""Functional batch normalisation, and the running-statistics update it shares with
``instance_norm`` (done in place on the buffers, outside any graph)."""

from __future__ import annotations

import numpy as np

from ...ops import fused as nnops
from ...ops._util import const
from ...tensor import Size, Tensor


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) with batch statistics (training) or running ones.

    In training the running estimates, when given, are updated in place with the
    UNBIASED batch variance: ``running = (1 - momentum) * running + momentum * batch``.

    Raises:
        ValueError: training with a single value per channel.
    """
    x = input._data
    c = x.shape[1] if x.ndim > 1 else None
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and (c is None or t._data.size != c):
            raise RuntimeError(f"{name} should contain {c} elements not {t._data.size}")
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, c) + (1,) * (x.ndim - 2)
    if training:
        count = x.size // c
        if count <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size "
                f"{Size(x.shape)!r}"
            )
        stats = nnops.batch_stats(x, axes)
        if running_mean is not None or running_var is not None:
            update_running_stats(running_mean, running_var, stats[0], stats[1], count, momentum)
        # weight and bias go in as (C,): Normalize lays them along dim 1 itself, saving two
        # reshape nodes per call
        return nnops.Normalize.apply(input, weight, bias, axes=axes, eps=eps, stats=stats,
                                     affine_shape=shape)
    if running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    # eval: a per-channel affine map of x with constant statistics, one node
    affine = [t._data for t in (weight, bias) if t is not None]
    if x.dtype.kind == "f" and all(a.dtype == x.dtype for a in affine):
        return nnops.BatchNormEval.apply(input, weight, bias, running_mean._data,
                                         running_var._data, eps, shape)
    invstd = 1.0 / np.sqrt(running_var._data.reshape(shape) + eps)
    mean = running_mean._data.reshape(shape).astype(x.dtype)
    w = None if weight is None else weight.reshape(shape)
    b = None if bias is None else bias.reshape(shape)
    scale = const(invstd.astype(x.dtype))
    out = (input - const(mean)) * scale
    if w is not None:
        out = out * w
    if b is not None:
        out = out + b
    return out


def update_running_stats(running_mean, running_var, mean, var, count, momentum) -> None:
    """In-place running-statistics update (not part of any graph)."""
    if running_mean is not None:
        rm = running_mean._data
        rm *= 1.0 - momentum
        rm += (momentum * mean.reshape(rm.shape)).astype(rm.dtype, copy=False)
        running_mean._bump_version()
    if running_var is not None:
        rv = running_var._data
        unbiased = var.reshape(rv.shape) * (count / (count - 1))
        rv *= 1.0 - momentum
        rv += (momentum * unbiased).astype(rv.dtype, copy=False)
        running_var._bump_version()

"""Functional resampling: ``interpolate`` (nearest, nearest-exact, linear, bilinear, trilinear)
and its deprecated ``upsample*`` aliases."""

from __future__ import annotations

import math

import numpy as np

from ...ops import conv as _conv
from ...ops._util import const
from ...tensor import Tensor

_INTERP_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area",
                 "nearest-exact")


def _interp_sizes(x: Tensor, nd: int, size, scale_factor, recompute_scale_factor):
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * nd
        if len(sizes) != nd:
            raise ValueError(
                f"Input and output must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {list(x.shape[2:])} and output size of "
                f"{list(sizes)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                f"and output size in (o1, o2, ...,oK) format."
            )
        return tuple(int(s) for s in sizes), (None,) * nd
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    scales = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) \
        else (scale_factor,) * nd
    sizes = tuple(int(math.floor(s * f)) for s, f in zip(x.shape[2:], scales, strict=True))
    # the user's factor is used for the coordinate mapping unless asked to recompute it
    return sizes, ((None,) * nd if recompute_scale_factor else tuple(float(f) for f in scales))


def _nearest_index(size: int, out: int, scale, exact: bool) -> np.ndarray:
    s = np.float32(1.0 / scale if scale else size / out)
    dst = np.arange(out, dtype=np.float32)
    src = np.floor((dst + np.float32(0.5)) * s) if exact else np.floor(dst * s)
    return np.minimum(src.astype(np.int64), size - 1)


def _linear_weights(size: int, out: int, scale, align_corners: bool) -> tuple:
    if align_corners:
        s = np.float32((size - 1) / (out - 1)) if out > 1 else np.float32(0)
        src = np.arange(out, dtype=np.float32) * s
    else:
        s = np.float32(1.0 / scale if scale else size / out)
        src = np.maximum((np.arange(out, dtype=np.float32) + np.float32(0.5)) * s
                         - np.float32(0.5), np.float32(0))
    i0 = src.astype(np.int64)
    i0 = np.minimum(i0, size - 1)
    i1 = np.minimum(i0 + 1, size - 1)
    lam = np.clip(src - i0.astype(np.float32), 0, 1)
    return i0, i1, lam


def _lerp_axis(x: Tensor, axis: int, i0, i1, lam) -> Tensor:
    shape = [1] * x.ndim
    shape[axis] = len(lam)
    lam = lam.astype(x._data.dtype).reshape(shape)
    a = _conv.TakeAxis.apply(x, idx=i0, axis=axis)
    b = _conv.TakeAxis.apply(x, idx=i1, axis=axis)
    return a * const(1 - lam) + b * const(lam)


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize (N, C, L) or (N, C, H, W) input: modes nearest, nearest-exact, linear, bilinear.

    Args:
        size: output spatial size; or ``scale_factor``: multiplier (exactly one of them).
        align_corners: linear modes only; map corner pixel centres onto each other.
        recompute_scale_factor: derive the coordinate scale from the sizes instead of
            ``scale_factor``.
    """
    if mode not in _INTERP_MODES:
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
            f"the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
            f"nearest-exact (got {mode})"
        )
    linear = mode in ("linear", "bilinear", "bicubic", "trilinear")
    if align_corners is not None and not linear:
        raise ValueError(
            "align_corners option can only be set with the interpolating modes: "
            "linear | bilinear | bicubic | trilinear"
        )
    nd = input.ndim - 2
    if mode == "linear" and nd != 1 or mode == "bilinear" and nd != 2 or \
            mode == "trilinear" and nd != 3 or mode in ("bicubic", "area") or antialias:
        needs = {"linear": 3, "bilinear": 4, "trilinear": 5, "bicubic": 4}.get(mode)
        if needs is not None and needs != input.ndim:
            raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {needs}D "
                                      f"input")
        raise NotImplementedError(f"interpolate mode {mode!r} (antialias={antialias}) is not "
                                  f"implemented in ember")
    sizes, scales = _interp_sizes(input, nd, size, scale_factor, recompute_scale_factor)
    out = input
    for k in range(nd):
        axis = 2 + k
        n_in, n_out = input.shape[axis], sizes[k]
        # PyTorch's CPU kernels leave a dimension whose size does not change untouched in the
        # linear modes and 2-d nearest (whatever scale_factor says), not in 1-d nearest or
        # nearest-exact
        if n_in == n_out and (linear or (mode == "nearest" and nd == 2)):
            continue
        if linear:
            out = _lerp_axis(out, axis, *_linear_weights(n_in, n_out, scales[k],
                                                         bool(align_corners)))
        else:
            idx = _nearest_index(n_in, n_out, scales[k], mode == "nearest-exact")
            out = _conv.TakeAxis.apply(out, idx=idx, axis=axis)
    return out


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """Deprecated alias of ``interpolate``."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)

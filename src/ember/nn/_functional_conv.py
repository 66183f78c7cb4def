"""Functional convolution, pooling and resampling (re-exported by ``ember.nn.functional``).

Each function validates its arguments with PyTorch's error types and messages, normalises
1-d cases to the 2-d kernels (a height-1 image), and calls the ops in ``ember.ops.conv`` /
``ember.ops.pool``.
"""

from __future__ import annotations

import math

import numpy as np

from ..ops import conv as _conv
from ..ops import pool as _pool
from ..ops._util import const
from ..tensor import Tensor, _from_array

__all__ = [
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
    "avg_pool1d", "avg_pool2d", "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d",
    "fold", "interpolate", "max_pool1d", "max_pool2d", "pixel_shuffle", "pixel_unshuffle",
    "unfold", "upsample", "upsample_bilinear", "upsample_nearest",
]

_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _ntuple(value, n: int, name: str = "argument") -> tuple:
    if isinstance(value, (tuple, list)):
        if len(value) == 1 and n > 1:
            value = tuple(value) * n
        if len(value) != n:
            raise RuntimeError(
                f"expected {name} to be a single integer value or a list of {n} values to match "
                f"the convolution dimensions, but got {name}={list(value)}"
            )
        return tuple(int(v) for v in value)
    return (int(value),) * n


def _sizes(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


# ======================================================================== convolution


def _check_conv_args(x: Tensor, weight: Tensor, bias, groups: int, transposed: bool) -> None:
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if x.dtype != weight.dtype:
        raise RuntimeError(
            f"expected scalar type {_TYPE_NAMES.get(x.dtype.name, x.dtype.name)} but found "
            f"{_TYPE_NAMES.get(weight.dtype.name, weight.dtype.name)}"
        )
    w = tuple(weight.shape)
    if not transposed and w[0] % groups != 0:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size {_sizes(w)} instead"
        )
    expected = w[0] if transposed else w[1] * groups
    if x.shape[1] != expected:
        prefix = "transposed=1" if transposed else f"groups={groups}"
        raise RuntimeError(
            f"Given {prefix}, weight of size {_sizes(w)}, expected input{_sizes(x.shape)} to "
            f"have {expected} channels, but got {x.shape[1]} channels instead"
        )
    out_channels = w[1] * groups if transposed else w[0]
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != out_channels):
        raise RuntimeError(
            f"Given weight of size {_sizes(w)}, expected bias to be 1-dimensional with "
            f"{out_channels} elements, but got bias of size {_sizes(bias.shape)} instead"
        )


def _batched(x: Tensor, nd: int, name: str) -> tuple:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(x).__name__}")
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
            f"input of size: {_sizes(x.shape)}"
        )
    if x.ndim == nd + 1:
        return x.unsqueeze(0), True
    return x, False


def _conv_nd(x, weight, bias, stride, padding, dilation, groups, nd: int, name: str) -> Tensor:
    x, unbatched = _batched(x, nd, name)
    if weight.ndim != nd + 2:
        raise RuntimeError(
            f"{name}: expected weight to be {nd + 2}-dimensional, but got weight of size "
            f"{_sizes(weight.shape)}"
        )
    stride = _ntuple(stride, nd, "stride")
    dilation = _ntuple(dilation, nd, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    _check_conv_args(x, weight, bias, groups, transposed=False)
    kernel = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            pads = [(0, 0)] * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            # odd total padding puts the extra row/column at the end, as PyTorch does
            pads = [(d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2)
                    for k, d in zip(kernel, dilation, strict=True)]
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        padding = _ntuple(padding, nd, "padding")
        if any(p < 0 for p in padding):
            raise RuntimeError("negative padding is not supported")
        pads = [(p, p) for p in padding]
    sizes = tuple(x.shape[2:])
    padded = tuple(s + a + b for s, (a, b) in zip(sizes, pads, strict=True))
    dilated = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
    if any(p < k for p, k in zip(padded, dilated, strict=True)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, dilated))}). Kernel size can't be greater than "
            f"actual input size"
        )
    if nd == 1:
        x = x.unsqueeze(2)
        weight = weight.unsqueeze(2)
        geo = _conv.ConvGeom(1, kernel[0], 1, stride[0], 0, 0, pads[0][0], pads[0][1],
                             1, dilation[0], groups)
    else:
        geo = _conv.ConvGeom(kernel[0], kernel[1], stride[0], stride[1], pads[0][0], pads[0][1],
                             pads[1][0], pads[1][1], dilation[0], dilation[1], groups)
    out = _conv.Conv2d.apply(x, weight, bias, geo=geo)
    if nd == 1:
        out = out.squeeze(2)
    return out.squeeze(0) if unbatched else out


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """1-d convolution over (N, C, L) or (C, L) input; see ``conv2d``."""
    return _conv_nd(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """2-d convolution (cross-correlation, as PyTorch) of (N, C, H, W) or (C, H, W) input.

    Args:
        input: the input images.
        weight: filters of shape (out_channels, in_channels / groups, kH, kW).
        bias: optional (out_channels,) bias.
        stride, dilation: int or pair.
        padding: int, pair, ``"valid"`` or ``"same"`` (stride 1 only).
        groups: split channels into this many independent convolutions.

    Returns:
        (N, out_channels, H_out, W_out), or (out_channels, H_out, W_out) for unbatched input.

    Raises:
        RuntimeError: wrong input rank, channel count, bias size, or a kernel larger than
            the padded input (PyTorch's messages).
    """
    return _conv_nd(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def _conv_transpose_nd(x, weight, bias, stride, padding, output_padding, groups, dilation,
                       nd: int, name: str) -> Tensor:
    x, unbatched = _batched(x, nd, name)
    if weight.ndim != nd + 2:
        raise RuntimeError(
            f"{name}: expected weight to be {nd + 2}-dimensional, but got weight of size "
            f"{_sizes(weight.shape)}"
        )
    if isinstance(padding, str):
        raise RuntimeError(f"{name}: padding must be an int or a tuple, got '{padding}'")
    stride = _ntuple(stride, nd, "stride")
    padding = _ntuple(padding, nd, "padding")
    output_padding = _ntuple(output_padding, nd, "output_padding")
    dilation = _ntuple(dilation, nd, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    _check_conv_args(x, weight, bias, groups, transposed=True)
    triples = zip(output_padding, stride, dilation, strict=True)
    if any(op >= max(s, d) or op < 0 for op, s, d in triples):
        raise RuntimeError(
            "output padding must be smaller than either stride or dilation, but got "
            f"output_padding={list(output_padding)} stride={list(stride)} "
            f"dilation={list(dilation)}"
        )
    kernel = tuple(weight.shape[2:])
    out = tuple((s - 1) * st - 2 * p + d * (k - 1) + op + 1 for s, st, p, d, k, op in
                zip(x.shape[2:], stride, padding, dilation, kernel, output_padding, strict=True))
    if any(o <= 0 for o in out):
        raise RuntimeError(
            f"Given input size per channel: ({' x '.join(map(str, x.shape[2:]))}). Calculated "
            f"output size per channel: ({' x '.join(map(str, out))}). Output size is too small"
        )
    if nd == 1:
        x = x.unsqueeze(2)
        weight = weight.unsqueeze(2)
        geo = _conv.ConvGeom(1, kernel[0], 1, stride[0], 0, 0, padding[0], padding[0],
                             1, dilation[0], groups)
        hw = (1, out[0])
    else:
        geo = _conv.ConvGeom(kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[0],
                             padding[1], padding[1], dilation[0], dilation[1], groups)
        hw = out
    y = _conv.ConvInputGrad.apply(x, weight, bias, geo=geo, hw=hw)
    if nd == 1:
        y = y.squeeze(2)
    return y.squeeze(0) if unbatched else y


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """1-d transposed convolution; weight is (in_channels, out_channels / groups, kL)."""
    return _conv_transpose_nd(input, weight, bias, stride, padding, output_padding, groups,
                              dilation, 1, "conv_transpose1d")


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """2-d transposed convolution (the gradient of conv2d with respect to its input).

    Args:
        input: (N, in_channels, H, W) or unbatched (in_channels, H, W).
        weight: (in_channels, out_channels / groups, kH, kW).
        bias: optional (out_channels,).
        stride, padding, output_padding, dilation: int or pair; groups: int.

    Returns:
        (N, out_channels, H_out, W_out) with H_out = (H - 1) * stride - 2 * padding
        + dilation * (kH - 1) + output_padding + 1.
    """
    return _conv_transpose_nd(input, weight, bias, stride, padding, output_padding, groups,
                              dilation, 2, "conv_transpose2d")


# ======================================================================== pooling


def _pool_input(x: Tensor, nd: int) -> tuple:
    if x.ndim not in (nd + 1, nd + 2) or x.numel() == 0:
        raise RuntimeError(
            f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input"
        )
    if x.ndim == nd + 1:
        x = x.unsqueeze(0)
        unbatched = True
    else:
        unbatched = False
    if nd == 1:
        x = x.unsqueeze(2)
    return x, unbatched


def _pool_output(out: Tensor, nd: int, unbatched: bool) -> Tensor:
    if nd == 1:
        out = out.squeeze(2)
    return out.squeeze(0) if unbatched else out


def _pool_geom(x: Tensor, nd: int, kernel_size, stride, padding, dilation, ceil_mode: bool):
    kernel = _ntuple(kernel_size, nd, "kernel_size")
    stride = kernel if stride is None or (isinstance(stride, (list, tuple)) and not stride) \
        else _ntuple(stride, nd, "stride")
    padding = _ntuple(padding, nd, "padding")
    dilation = _ntuple(dilation, nd, "dilation")
    if any(k <= 0 for k in kernel):
        raise RuntimeError("kernel size should be greater than zero")
    if any(s <= 0 for s in stride):
        raise RuntimeError("stride should be greater than zero")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    for k, p, d in zip(kernel, padding, dilation, strict=True):
        if p < 0 or p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={p}, "
                f"kernel_size={k} and dilation={d}"
            )
    if nd == 1:
        kernel, stride, padding, dilation = ((1,) + kernel, (1,) + stride, (0,) + padding,
                                             (1,) + dilation)
    sizes = tuple(x.shape[2:])
    outs = tuple(_pool.pool_output_size(s, k, st, p, d, ceil_mode)
                 for s, k, st, p, d in zip(sizes, kernel, stride, padding, dilation, strict=True))
    if any(o < 1 for o in outs):
        shown = sizes[1:] if nd == 1 else sizes
        shown_out = outs[1:] if nd == 1 else outs
        c = x.shape[1]
        raise RuntimeError(
            f"Given input size: ({'x'.join(map(str, (c,) + shown))}). Calculated output size: "
            f"({'x'.join(map(str, (c,) + shown_out))}). Output size is too small"
        )
    return _pool.PoolGeom(kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1],
                          dilation[0], dilation[1], outs[0], outs[1])


def _max_pool(x, kernel_size, stride, padding, dilation, ceil_mode, return_indices, nd):
    x, unbatched = _pool_input(x, nd)
    geo = _pool_geom(x, nd, kernel_size, stride, padding, dilation, ceil_mode)
    sink = {} if return_indices else None
    out = _pool.MaxPool2d.apply(x, geo=geo, sink=sink)
    out = _pool_output(out, nd, unbatched)
    if not return_indices:
        return out
    idx = _from_array(_pool.max_pool_indices(sink["code"], geo, x.shape[3]))
    return out, _pool_output(idx, nd, unbatched)


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """1-d max pooling over (N, C, L) or (C, L); see ``max_pool2d``."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1)


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """2-d max pooling over (N, C, H, W) or (C, H, W).

    Args:
        kernel_size, stride (default: kernel_size), padding (implicit -inf), dilation: int
            or pair.
        ceil_mode: round the output size up (a window must still start inside the input).
        return_indices: also return each maximum's flat index within its (H, W) plane.

    Returns:
        The pooled tensor, or (pooled, indices).
    """
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2)


def _avg_pool(x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override,
              nd):
    x, unbatched = _pool_input(x, nd)
    geo = _pool_geom(x, nd, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    scale = _pool.avg_pool_scale(x.shape[2], x.shape[3], geo, count_include_pad,
                                 divisor_override, x._data.dtype)
    out = _pool.SumPool.apply(x, geo=geo, scale=scale)
    return _pool_output(out, nd, unbatched)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """1-d average pooling over (N, C, L) or (C, L); see ``avg_pool2d``."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1)


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """2-d average pooling over (N, C, H, W) or (C, H, W).

    Args:
        count_include_pad: count the zero padding in each window's divisor.
        divisor_override: divide every window sum by this instead.
    """
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, 2)


def _adaptive_sizes(x: Tensor, output_size, nd: int) -> tuple:
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * nd
    if len(sizes) != nd:
        raise RuntimeError(f"output_size must have {nd} elements, got {list(sizes)}")
    return tuple(x.shape[-nd + i] if s is None else int(s) for i, s in enumerate(sizes))


def _adaptive_input(x: Tensor, nd: int, name: str) -> None:
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got {_sizes(x.shape)}"
        )


def _averaging_matrix(size: int, out: int, dtype) -> np.ndarray:
    m = np.zeros((out, size), dtype)
    for i, (a, b) in enumerate(_pool.adaptive_bounds(size, out)):
        m[i, a:b] = 1.0 / (b - a)
    return m


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed output size (None keeps that input dimension)."""
    _adaptive_input(input, 2, "adaptive_avg_pool2d")
    ho, wo = _adaptive_sizes(input, output_size, 2)
    h, w = input.shape[-2:]
    if (ho, wo) == (1, 1):
        return input.mean((-2, -1), keepdim=True)
    if h % ho == 0 and w % wo == 0 and (h // ho) * (w // wo) <= 16:
        return avg_pool2d(input, (h // ho, w // wo))
    dtype = input._data.dtype
    # separable: every window average is (row average) o (column average)
    out = const(_averaging_matrix(h, ho, dtype)) @ input
    return out @ const(_averaging_matrix(w, wo, dtype).T)


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """Average pooling of (N, C, L) or (C, L) to a fixed length."""
    _adaptive_input(input, 1, "adaptive_avg_pool1d")
    (lo,) = _adaptive_sizes(input, output_size, 1)
    if lo == 1:
        return input.mean(-1, keepdim=True)
    return input @ const(_averaging_matrix(input.shape[-1], lo, input._data.dtype).T)


def _adaptive_max(x: Tensor, out_hw: tuple, nd: int, return_indices: bool):
    unbatched = x.ndim == nd + 1
    if unbatched:
        x = x.unsqueeze(0)
    if nd == 1:
        x = x.unsqueeze(2)
    idx = _pool.adaptive_max_indices(x._data, out_hw)
    out = _pool_output(_pool.IndexGather2d.apply(x, idx=idx), nd, unbatched)
    if return_indices:
        return out, _pool_output(_from_array(idx), nd, unbatched)
    return out


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling to a fixed output size; optionally with the flat indices of the maxima."""
    _adaptive_input(input, 2, "adaptive_max_pool2d")
    return _adaptive_max(input, _adaptive_sizes(input, output_size, 2), 2, return_indices)


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling of (N, C, L) or (C, L) to a fixed length."""
    _adaptive_input(input, 1, "adaptive_max_pool1d")
    (lo,) = _adaptive_sizes(input, output_size, 1)
    return _adaptive_max(input, (1, lo), 1, return_indices)


# ======================================================================== resampling

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
    if nd not in (1, 2):
        raise NotImplementedError(
            f"ember's interpolate supports 3D and 4D input, got {input.ndim}D"
        )
    if mode == "linear" and nd != 1 or mode == "bilinear" and nd != 2 or \
            mode in ("bicubic", "trilinear", "area") or antialias:
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


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C*r^2, H, W) -> (*, C, H*r, W*r)."""
    r = int(upscale_factor)
    if input.ndim < 3:
        raise RuntimeError(
            f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.ndim} dimension(s)"
        )
    *lead, c, h, w = input.shape
    if c % (r * r) != 0:
        raise RuntimeError(
            f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
            f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    b = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    perm = tuple(range(b)) + (b, b + 3, b + 1, b + 4, b + 2)
    return x.permute(perm).reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H*r, W*r) -> (*, C*r^2, H, W)."""
    r = int(downscale_factor)
    if input.ndim < 3:
        raise RuntimeError(
            f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.ndim} dimension(s)"
        )
    *lead, c, h, w = input.shape
    if h % r != 0 or w % r != 0:
        raise RuntimeError(
            f"pixel_unshuffle expects height and width to be divisible by downscale_factor, "
            f"but input.size(-2)={h} and input.size(-1)={w} are not divisible by {r}"
        )
    b = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    perm = tuple(range(b)) + (b, b + 2, b + 4, b + 1, b + 3)
    return x.permute(perm).reshape(*lead, c * r * r, h // r, w // r)


# ======================================================================== unfold / fold


def _fold_geom(kernel_size, dilation, padding, stride) -> tuple:
    k = _ntuple(kernel_size, 2, "kernel_size")
    d = _ntuple(dilation, 2, "dilation")
    p = _ntuple(padding, 2, "padding")
    s = _ntuple(stride, 2, "stride")
    return _conv.ConvGeom(k[0], k[1], s[0], s[1], p[0], p[0], p[1], p[1], d[0], d[1], 1)


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Extract sliding blocks: (N, C, H, W) -> (N, C*kh*kw, L) (unbatched (C, H, W) too)."""
    if input.ndim not in (3, 4):
        raise NotImplementedError(
            f"Input Error: Only 3D or 4D input Tensors are supported (got {input.ndim}D)"
        )
    unbatched = input.ndim == 3
    x = input.unsqueeze(0) if unbatched else input
    geo = _fold_geom(kernel_size, dilation, padding, stride)
    h, w = x.shape[2:]
    ho = _conv.conv_output_size(h, geo.kh, geo.sh, 2 * geo.pt, geo.dh)
    wo = _conv.conv_output_size(w, geo.kw, geo.sw, 2 * geo.pl, geo.dw)
    if ho < 1 or wo < 1:
        raise RuntimeError(
            f"Given input with spatial size ({h}, {w}), kernel_size=({geo.kh}, {geo.kw}), "
            f"dilation=({geo.dh}, {geo.dw}), padding=({geo.pt}, {geo.pl}), calculated shape of "
            f"the array of sliding blocks as ({ho}, {wo}), but its components must be at least "
            f"one."
        )
    out = _conv.Unfold.apply(x, geo=geo)
    return out.squeeze(0) if unbatched else out


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Combine sliding blocks (N, C*kh*kw, L) into (N, C, H, W), summing overlaps."""
    if input.ndim not in (2, 3):
        raise NotImplementedError(
            f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported "
            f"(got {input.ndim}D)"
        )
    unbatched = input.ndim == 2
    x = input.unsqueeze(0) if unbatched else input
    geo = _fold_geom(kernel_size, dilation, padding, stride)
    h, w = _ntuple(output_size, 2, "output_size")
    ho = _conv.conv_output_size(h, geo.kh, geo.sh, 2 * geo.pt, geo.dh)
    wo = _conv.conv_output_size(w, geo.kw, geo.sw, 2 * geo.pl, geo.dw)
    k = geo.kh * geo.kw
    if x.shape[1] % k != 0:
        raise RuntimeError(
            f"Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={x.shape[1]} and kernel_size=({geo.kh}, "
            f"{geo.kw})"
        )
    if x.shape[2] != ho * wo:
        raise RuntimeError(
            f"Given output_size=({h}, {w}), kernel_size=({geo.kh}, {geo.kw}), dilation=("
            f"{geo.dh}, {geo.dw}), padding=({geo.pt}, {geo.pl}), stride=({geo.sh}, {geo.sw}), "
            f"expected size of input's dimension 2 to match the calculated number of sliding "
            f"blocks {ho} * {wo} = {ho * wo}, but got input.size(2)={x.shape[2]}."
        )
    out = _conv.Fold.apply(x, geo=geo, hw=(h, w))
    return out.squeeze(0) if unbatched else out


def pad_for_mode(input: Tensor, pads: tuple, mode: str) -> Tensor:
    """Non-zero padding modes (reflect, replicate, circular) for the conv modules."""
    return _conv.pad_nd(input, pads, mode)

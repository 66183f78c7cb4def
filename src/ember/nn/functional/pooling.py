"""Functional pooling: max, average and adaptive (average and max), 1-d to 3-d, and
max-unpooling, over the kernels in ``ember.ops.pool`` (2-d) and ``ember.ops.pool_nd`` (3-d)."""

from __future__ import annotations

import numpy as np

from ...ops import pool as _pool
from ...ops import pool_nd as _pool_nd
from ...ops._util import const
from ...tensor import Tensor, _from_array
from ._args import format_sizes, ntuple
from .padding import pad as _pad


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
    kernel = ntuple(kernel_size, nd, "kernel_size")
    stride = kernel if stride is None or (isinstance(stride, (list, tuple)) and not stride) \
        else ntuple(stride, nd, "stride")
    padding = ntuple(padding, nd, "padding")
    dilation = ntuple(dilation, nd, "dilation")
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
    sizes = tuple(x.shape[-nd + i] if s is None else int(s) for i, s in enumerate(sizes))
    if any(s < 0 for s in sizes):
        raise RuntimeError("adaptive pooling: elements of output_size must be greater than or "
                           f"equal to 0 but received {{{', '.join(map(str, sizes))}}}")
    return sizes


def _adaptive_input(x: Tensor, nd: int, name: str) -> None:
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got {format_sizes(x.shape)}"
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
    if ho and wo and h % ho == 0 and w % wo == 0 and (h // ho) * (w // wo) <= 16:
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


# ======================================================================== 3-d pooling, unpooling


def _pool3d_args(x: Tensor, kernel_size, stride, padding, dilation, ceil_mode: bool) -> tuple:
    kernel = ntuple(kernel_size, 3, "kernel_size")
    stride = kernel if stride is None or (isinstance(stride, (list, tuple)) and not stride) \
        else ntuple(stride, 3, "stride")
    padding = ntuple(padding, 3, "padding")
    dilation = ntuple(dilation, 3, "dilation")
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
    sizes = tuple(x.shape[2:])
    outs = tuple(_pool.pool_output_size(s, k, st, p, d, ceil_mode)
                 for s, k, st, p, d in zip(sizes, kernel, stride, padding, dilation, strict=True))
    if any(o <= 0 for o in outs):
        c = x.shape[1]
        raise RuntimeError(
            f"Given input size: ({'x'.join(map(str, (c,) + sizes))}). Calculated output size: "
            f"({'x'.join(map(str, (c,) + outs))}). Output size is too small"
        )
    return kernel, stride, padding, dilation, outs


def _batched5d(x: Tensor) -> tuple:
    if x.ndim not in (4, 5) or x.numel() == 0:
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    return (x.unsqueeze(0), True) if x.ndim == 4 else (x, False)


def max_pool3d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """3-d max pooling over (N, C, D, H, W) or (C, D, H, W); see ``max_pool2d``. Indices are
    flat within each (D, H, W) volume, as PyTorch's."""
    x, unbatched = _batched5d(input)
    kernel, stride, padding, dilation, outs = _pool3d_args(x, kernel_size, stride, padding,
                                                           dilation, ceil_mode)
    idx = _pool_nd.max_pool_indices(x._data, kernel, stride, padding, dilation, outs)
    out = _pool.IndexGather2d.apply(x, idx=idx)
    if unbatched:
        out = out.squeeze(0)
        idx = idx[0]
    return (out, _from_array(idx)) if return_indices else out


def avg_pool3d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """3-d average pooling over (N, C, D, H, W) or (C, D, H, W); see ``avg_pool2d``."""
    x, unbatched = _batched5d(input)
    kernel, stride, padding, _, outs = _pool3d_args(x, kernel_size, stride, padding, 1,
                                                    ceil_mode)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    sizes = tuple(x.shape[2:])
    # zero padding (and room for ceil mode's last window), then the sum of kernel taps
    pads = []
    for size, k, s, p, o in zip(reversed(sizes), reversed(kernel), reversed(stride),
                                reversed(padding), reversed(outs), strict=True):
        pads += [p, max(p, (o - 1) * s + k - size - p)]
    xp = _pad(x, tuple(pads))
    total = None
    for taps in np.ndindex(*kernel):
        window = tuple(slice(t, t + (o - 1) * s + 1, s)
                       for t, o, s in zip(taps, outs, stride, strict=True))
        part = xp[(slice(None), slice(None)) + window]
        total = part if total is None else total + part
    out = total * const(_avg3d_scale(sizes, kernel, stride, padding, outs, count_include_pad,
                                     divisor_override, x._data.dtype))
    return out.squeeze(0) if unbatched else out


def _avg3d_scale(sizes, kernel, stride, padding, outs, count_include_pad, divisor_override,
                 dtype) -> np.ndarray:
    """1 / divisor of every window, as PyTorch counts it (outer product over the three dims)."""
    if divisor_override is not None:
        return np.full(outs, 1.0 / divisor_override, dtype)
    counts = []
    for size, k, s, p, o in zip(sizes, kernel, stride, padding, outs, strict=True):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, size + p)
        padded = end - start
        inside = np.minimum(end, size) - np.maximum(start, 0)
        counts.append(padded if count_include_pad else inside)
    divisor = counts[0][:, None, None] * counts[1][None, :, None] * counts[2][None, None, :]
    return (1.0 / divisor).astype(dtype)


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:
    """Average pooling of (N, C, D, H, W) or (C, D, H, W) to a fixed output size."""
    _adaptive_input(input, 3, "adaptive_avg_pool3d")
    do, ho, wo = _adaptive_sizes(input, output_size, 3)
    d, h, w = input.shape[-3:]
    dtype = input._data.dtype
    # separable: average along W, then H, then D, each a matrix product
    out = input @ const(_averaging_matrix(w, wo, dtype).T)
    out = const(_averaging_matrix(h, ho, dtype)) @ out
    out = out.transpose(-3, -2)  # (..., H_out, D, W_out)
    out = const(_averaging_matrix(d, do, dtype)) @ out
    return out.transpose(-3, -2)


def adaptive_max_pool3d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling of (N, C, D, H, W) or (C, D, H, W) to a fixed output size."""
    _adaptive_input(input, 3, "adaptive_max_pool3d")
    outs = _adaptive_sizes(input, output_size, 3)
    x, unbatched = (input.unsqueeze(0), True) if input.ndim == 4 else (input, False)
    idx = _pool_nd.adaptive_max_indices_nd(x._data, outs)
    out = _pool.IndexGather2d.apply(x, idx=idx)
    if unbatched:
        out = out.squeeze(0)
        idx = idx[0]
    return (out, _from_array(idx)) if return_indices else out


def _max_unpool(x: Tensor, indices: Tensor, kernel_size, stride, padding, output_size,
                nd: int, name: str) -> Tensor:
    kernel = ntuple(kernel_size, nd, "kernel_size")
    stride = kernel if stride is None else ntuple(stride, nd, "stride")
    padding = ntuple(padding, nd, "padding")
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}: Expected {nd + 1}D or {nd + 2}D tensor, but got "
                           f"{format_sizes(x.shape)}")
    if tuple(indices.shape) != tuple(x.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({format_sizes(x.shape)}) but got indices tensor with shape: "
                           f"{format_sizes(indices.shape)}")
    sizes = tuple(x.shape[-nd:])
    default = tuple((s - 1) * st - 2 * p + k
                    for s, st, p, k in zip(sizes, stride, padding, kernel, strict=True))
    if output_size is None:
        outs = default
    else:
        outs = tuple(int(o) for o in output_size)[-nd:]
        if len(outs) != nd:
            raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} "
                             f"elements, but it has a length of '{len(output_size)}'")
        for o, dflt, st in zip(outs, default, stride, strict=True):
            if not dflt - st < o < dflt + st:
                raise ValueError(f"invalid output_size \"{list(outs)}\" (dim {outs.index(o)} "
                                 f"must be between {dflt - st} and {dflt + st})")
    unbatched = x.ndim == nd + 1
    xb = x.unsqueeze(0) if unbatched else x
    idx = indices._data.reshape(tuple(xb.shape)).astype(np.int64)
    plane = int(np.prod(outs))
    if idx.size and (idx.min() < 0 or idx.max() >= plane):
        bad = int(idx.max() if idx.max() >= plane else idx.min())
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(map(str, outs))}")
    out = _pool_nd.MaxUnpool.apply(xb, idx=idx, out_shape=tuple(xb.shape[:2]) + outs)
    return out.squeeze(0) if unbatched else out


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """Inverse of ``max_pool1d``: each value back at its index, zeros elsewhere."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1,
                       "max_unpool1d")


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """Inverse of ``max_pool2d``: each value back at its flat (H, W) index, zeros elsewhere."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2,
                       "max_unpool2d")


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """Inverse of ``max_pool3d``: each value back at its flat (D, H, W) index."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 3,
                       "max_unpool3d")


# PyTorch's explicit-indices names: the same pooling with return_indices=True


def max_pool1d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = True):
    """``max_pool1d(..., return_indices=True)``: (output, indices)."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = True):
    """``max_pool2d(..., return_indices=True)``: (output, indices)."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = True):
    """``max_pool3d(..., return_indices=True)``: (output, indices)."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size, return_indices: bool = True):
    """``adaptive_max_pool1d(..., return_indices=True)``."""
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size, return_indices: bool = True):
    """``adaptive_max_pool2d(..., return_indices=True)``."""
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool3d_with_indices(input: Tensor, output_size, return_indices: bool = True):
    """``adaptive_max_pool3d(..., return_indices=True)``."""
    return adaptive_max_pool3d(input, output_size, True)


def _lp_pool(x: Tensor, norm_type: float, kernel_size, stride, ceil_mode: bool, nd: int):
    """``(sum over the window of x^p)^(1/p)``, as PyTorch computes it (through avg_pool)."""
    kernel = ntuple(kernel_size, nd, "kernel_size")
    avg = (avg_pool1d, avg_pool2d, avg_pool3d)[nd - 1]
    if nd == 1:
        out = avg(x.pow(norm_type), kernel[0], stride, 0, ceil_mode)
    else:
        out = avg(x.pow(norm_type), kernel, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(float(np.prod(kernel))).pow(1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling over (N, C, L): ``(sum x^p)^(1/p)`` per window."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling over (N, C, H, W): ``(sum x^p)^(1/p)`` per window."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling over (N, C, D, H, W): ``(sum x^p)^(1/p)`` per window."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3)

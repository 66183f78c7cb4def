"""3-d pooling and max-unpooling: window indices computed in NumPy, values moved by index ops.

The 2-d kernels in ``ops/pool.py`` are specialised for speed; 3-d pooling is rarer, so it takes
the general route: NumPy finds each window's argmax (``sliding_window_view``, no copy until the
window axis is flattened), and ``IndexGather2d`` (differentiable, over flattened planes) picks
the values. Max-unpooling writes values back to those indices.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..autograd.function import Op
from .pool import IndexGather2d, adaptive_bounds


def _window_stack(x: np.ndarray, kernel, stride, padding, dilation, outs, fill) -> np.ndarray:
    """(N, C, *outs, K): every window's K = prod(kernel) entries, padding read as ``fill``."""
    spatial = x.ndim - 2
    extents = [d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True)]
    pads = [(0, 0), (0, 0)]
    for size, k_ext, s, p, o in zip(x.shape[2:], extents, stride, padding, outs, strict=True):
        need = (o - 1) * s + k_ext  # ceil mode may reach past the right padding
        pads.append((p, max(p, need - size - p)))
    xp = np.pad(x, pads, constant_values=fill)
    axes = tuple(range(2, 2 + spatial))
    win = sliding_window_view(xp, extents, axis=axes)
    outer = tuple(slice(0, o * s, s) for o, s in zip(outs, stride, strict=True))
    inner = tuple(slice(None, None, d) for d in dilation)
    win = win[(slice(None), slice(None)) + outer + inner]
    return win.reshape(win.shape[:2 + spatial] + (-1,))


def max_pool_indices(x: np.ndarray, kernel, stride, padding, dilation, outs) -> np.ndarray:
    """Flat index (within each input plane) of every window's maximum, as PyTorch picks it:
    padding never wins, a NaN wins its window, otherwise the first maximum."""
    valid = _window_stack(np.ones(x.shape, bool), kernel, stride, padding, dilation, outs,
                          False)
    vals = _window_stack(x, kernel, stride, padding, dilation, outs, 0)
    lowest = np.where(valid, vals, -np.inf)
    top = lowest.max(-1, keepdims=True)
    nan = valid & np.isnan(vals)
    choice = np.where(nan.any(-1), np.argmax(nan, -1),
                      np.argmax(valid & (vals == top), -1))
    # window offset -> input coordinate per spatial dim -> flat index in the plane
    offsets = np.unravel_index(choice, tuple(kernel))
    flat = np.zeros(choice.shape, np.int64)
    spatial = x.ndim - 2
    for axis in range(spatial):
        shape = [1] * choice.ndim
        shape[2 + axis] = outs[axis]
        starts = (np.arange(outs[axis]) * stride[axis] - padding[axis]).reshape(shape)
        coord = starts + offsets[axis] * dilation[axis]
        flat = flat * x.shape[2 + axis] + coord
    return flat


def adaptive_max_indices_nd(x: np.ndarray, outs: tuple) -> np.ndarray:
    """Flat index of the maximum of every adaptive window (first on ties, NaN wins)."""
    n, c = x.shape[:2]
    sizes = x.shape[2:]
    idx = np.empty((n, c) + tuple(outs), np.int64)
    bounds = [adaptive_bounds(s, o) for s, o in zip(sizes, outs, strict=True)]
    for cell in np.ndindex(*outs):
        spans = [bounds[a][i] for a, i in enumerate(cell)]
        win = x[(slice(None), slice(None)) + tuple(slice(a, b) for a, b in spans)]
        flat_win = win.reshape(n, c, -1)
        pick = np.argmax(flat_win, axis=2)
        nan = np.isnan(flat_win)
        pick = np.where(nan.any(axis=2), np.argmax(nan, axis=2), pick)
        local = np.unravel_index(pick, tuple(b - a for a, b in spans))
        flat = np.zeros((n, c), np.int64)
        for axis, (a, _) in enumerate(spans):
            flat = flat * sizes[axis] + a + local[axis]
        idx[(slice(None), slice(None)) + cell] = flat
    return idx


class MaxUnpool(Op):
    """out[n, c, idx[n, c, k]] = x[n, c, k] in a zero plane of ``size`` elements (assignment,
    as PyTorch: repeated indices hold one value, not a sum); its gradient gathers."""

    @staticmethod
    def forward(ctx, x, *, idx, out_shape):
        ctx.idx = idx
        n, c = x.shape[:2]
        out = np.zeros((n, c, int(np.prod(out_shape[2:]))), x.dtype)
        np.put_along_axis(out, idx.reshape(n, c, -1), x.reshape(n, c, -1), axis=2)
        return out.reshape(out_shape)

    @staticmethod
    def backward(ctx, g):
        return IndexGather2d.apply(g, idx=ctx.idx)

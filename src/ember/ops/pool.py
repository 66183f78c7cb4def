"""Pooling and resampling ops: max/avg pooling, adaptive pooling, index gather/scatter.

Window ops never build a (..., kh*kw) window array: they loop over kernel offsets, each a
strided view of the (padded) input covering every output at once, so the work is a few
vectorised passes over the output. Max pooling is separable: a max over each window's
columns, then over its rows (kw + kh passes instead of kh*kw). With grad it records, once,
which column and which row won (bool codes for 2-wide kernels, uint8 otherwise); backward
writes the gradient back through the same views and ``return_indices`` is derived from the
codes. Reducing columns first with strict ``>`` makes ties go to the first maximum in raster
order, as PyTorch's kernel does (ReLU outputs tie constantly). 1-d pooling is the kh = 1 case.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..autograd.function import Op
from .conv import _buffer


class PoolGeom(NamedTuple):
    kh: int
    kw: int
    sh: int
    sw: int
    ph: int
    pw: int
    dh: int
    dw: int
    ho: int
    wo: int


def pool_output_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """PyTorch's pooling_output_shape: in ceil mode the last window must start inside."""
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _extent(geo: PoolGeom, h: int, w: int) -> tuple:
    """Padded extent every window fits in (ceil mode can reach past the padding)."""
    hn = max(h + 2 * geo.ph, (geo.ho - 1) * geo.sh + geo.dh * (geo.kh - 1) + 1)
    wn = max(w + 2 * geo.pw, (geo.wo - 1) * geo.sw + geo.dw * (geo.kw - 1) + 1)
    return hn, wn


def _padded(x: np.ndarray, geo: PoolGeom, fill: float) -> np.ndarray:
    n, c, h, w = x.shape
    hn, wn = _extent(geo, h, w)
    if hn == h and wn == w:
        return x
    # the border keeps ``fill`` forever: only the interior is ever written
    buf = _buffer(f"poolpad{fill}:{h},{w},{hn},{wn},{geo.ph},{geo.pw}", n * c * hn * wn, x.dtype,
                  init=fill)
    xp = buf.reshape(n, c, hn, wn)
    xp[:, :, geo.ph:geo.ph + h, geo.pw:geo.pw + w] = x
    return xp


def _tap(xp: np.ndarray, geo: PoolGeom, i: int, j: int) -> np.ndarray:
    """The strided view of kernel tap (i, j) over all outputs: shape (N, C, Ho, Wo)."""
    r0, c0 = i * geo.dh, j * geo.dw
    return xp[:, :, r0:r0 + (geo.ho - 1) * geo.sh + 1:geo.sh,
              c0:c0 + (geo.wo - 1) * geo.sw + 1:geo.sw]


def _non_overlapping(geo: PoolGeom) -> bool:
    return geo.sh >= geo.dh * (geo.kh - 1) + 1 and geo.sw >= geo.dw * (geo.kw - 1) + 1


def _spread(g_taps, geo: PoolGeom, shape: tuple, dtype) -> np.ndarray:
    """Adjoint of reading taps: sum ``g_taps(i, j)`` into the input positions tap (i, j) reads."""
    n, c, h, w = shape
    hn, wn = _extent(geo, h, w)
    exact = _non_overlapping(geo) and hn == h and wn == w and \
        geo.ho * geo.sh == h and geo.wo * geo.sw == w and geo.kh == geo.sh and geo.kw == geo.sw
    if exact:  # every input pixel is read by exactly one tap: plain writes, no zero fill
        gx = np.empty(shape, dtype=dtype)
        for i in range(geo.kh):
            for j in range(geo.kw):
                g_taps(i, j, _tap(gx, geo, i, j), False)
        return gx
    direct = hn == h and wn == w
    gxp = np.zeros(shape, dtype) if direct else \
        _buffer(f"poolgrad{h},{w}", n * c * hn * wn, dtype, zero=True).reshape(n, c, hn, wn)
    for i in range(geo.kh):
        for j in range(geo.kw):
            g_taps(i, j, _tap(gxp, geo, i, j), True)
    if direct:
        return gxp
    return gxp[:, :, geo.ph:geo.ph + h, geo.pw:geo.pw + w].copy()


# ======================================================================== max pooling


def _rows_used(geo: PoolGeom) -> int:
    return (geo.ho - 1) * geo.sh + geo.dh * (geo.kh - 1) + 1


def _htap(xp: np.ndarray, geo: PoolGeom, j: int, all_rows: bool = False) -> np.ndarray:
    """Column tap j of every output column, over the rows windows use: (N, C, rows, Wo)."""
    c0 = j * geo.dw
    rows = xp.shape[2] if all_rows else _rows_used(geo)
    return xp[:, :, :rows, c0:c0 + (geo.wo - 1) * geo.sw + 1:geo.sw]


def _vtap(hm: np.ndarray, geo: PoolGeom, i: int) -> np.ndarray:
    """Row tap i of every output row of a column-reduced array: (N, C, Ho, Wo)."""
    r0 = i * geo.dh
    return hm[:, :, r0:r0 + (geo.ho - 1) * geo.sh + 1:geo.sh]


def _argmax_taps(taps, k: int, out: np.ndarray, track: bool):
    """out = max over taps(0..k-1); returns the first winning tap per element if ``track``.

    Ties go to the earliest tap (strict ``>``), which, reducing columns first and rows
    second, is PyTorch's raster-order "first maximum wins".
    """
    if k == 1:
        np.copyto(out, taps(0))
        return np.zeros(out.shape, np.bool_) if track else None
    if k == 2:
        a, b = taps(0), taps(1)
        code = np.greater(b, a) if track else None
        np.maximum(a, b, out=out)
        return code
    np.copyto(out, taps(0))
    code = np.zeros(out.shape, np.uint8 if k <= 256 else np.int32) if track else None
    for t in range(1, k):
        v = taps(t)
        if track:
            np.copyto(code, t, where=v > out)
        np.maximum(out, v, out=out)
    return code


def _max_values(xp: np.ndarray, geo: PoolGeom) -> np.ndarray:
    """Max pooling values only (no_grad): rows first, whose taps are contiguous runs."""
    n, c, _, wn = xp.shape
    vm = _buffer("poolv", n * c * geo.ho * wn, xp.dtype).reshape(n, c, geo.ho, wn)
    _argmax_taps(lambda i: _vtap(xp, geo, i), geo.kh, vm, False)
    out = np.empty((n, c, geo.ho, geo.wo), xp.dtype)
    _argmax_taps(lambda j: _htap(vm, geo, j, all_rows=True), geo.kw, out, False)
    return out


def _select(code: np.ndarray, k: int, t: int):
    if code.dtype == np.bool_:
        return code if t == 1 else ~code
    return code == t


class MaxPool2d(Op):
    """Max over each window, separably: columns first, then rows.

    The winning column of every (row, output column) and the winning row of every output
    are recorded once (``hcode``, ``vcode``) and reused by backward and return_indices.
    """

    @staticmethod
    def forward(ctx, x, *, geo, sink=None):
        xp = _padded(x, geo, -np.inf)
        n, c = x.shape[:2]
        track = ctx.requires_grad or sink is not None
        if not track:
            return _max_values(xp, geo)
        rows = _rows_used(geo)
        hm = _buffer("poolh", n * c * rows * geo.wo, x.dtype).reshape(n, c, rows, geo.wo)
        hcode = _argmax_taps(lambda j: _htap(xp, geo, j), geo.kw, hm, track)
        out = np.empty((n, c, geo.ho, geo.wo), x.dtype)
        vcode = _argmax_taps(lambda i: _vtap(hm, geo, i), geo.kh, out, track)
        if sink is not None:
            sink["code"] = (hcode, vcode)  # return_indices derives the indices from it
        ctx.code = (hcode, vcode)
        ctx.geo = geo
        ctx.shape = x.shape
        return out

    @staticmethod
    def backward(ctx, g):
        return MaxPoolScatter.apply(g, code=ctx.code, geo=ctx.geo, shape=ctx.shape)


def _scatter_taps(src: np.ndarray, code: np.ndarray, k: int, tap, exact: bool) -> None:
    """dst taps receive src where their tap won (``exact``: taps tile dst, write not add)."""
    if exact and k == 2 and code.dtype == np.bool_:
        np.multiply(src, code, out=tap(1))
        np.subtract(src, tap(1), out=tap(0))  # exact: src - src*1 = 0, src - src*0 = src
        return
    for t in range(k):
        dst = tap(t)
        if exact:
            np.multiply(src, _select(code, k, t), out=dst)
        else:
            dst += np.where(_select(code, k, t), src, 0)


class MaxPoolScatter(Op):
    """Each window's gradient goes to the input position that won the max."""

    @staticmethod
    def forward(ctx, g, *, code, geo, shape):
        ctx.code, ctx.geo = code, geo
        hcode, vcode = code
        n, c, h, w = shape
        hn, wn = _extent(geo, h, w)
        rows = _rows_used(geo)
        exact_v = geo.sh == geo.kh and geo.dh == 1
        exact_h = geo.sw == geo.kw and geo.dw == 1
        gh = _buffer("poolgh", n * c * rows * geo.wo, g.dtype, zero=not exact_v)
        gh = gh.reshape(n, c, rows, geo.wo)
        _scatter_taps(g, vcode, geo.kh, lambda i: _vtap(gh, geo, i), exact_v)
        covers = exact_h and rows == hn and geo.wo * geo.sw == wn
        direct = hn == h and wn == w
        if direct:
            gxp = np.empty(shape, g.dtype) if covers else np.zeros(shape, g.dtype)
        else:
            gxp = _buffer(f"poolgrad{h},{w}", n * c * hn * wn, g.dtype, zero=True)
            gxp = gxp.reshape(n, c, hn, wn)
        _scatter_taps(gh, hcode, geo.kw, lambda j: _htap(gxp, geo, j), exact_h)
        if direct:
            return gxp
        return gxp[:, :, geo.ph:geo.ph + h, geo.pw:geo.pw + w].copy()

    @staticmethod
    def backward(ctx, gg):
        return MaxPoolGather.apply(gg, code=ctx.code, geo=ctx.geo)


class MaxPoolGather(Op):
    """The value at each window's recorded winner (adjoint of ``MaxPoolScatter``)."""

    @staticmethod
    def forward(ctx, x, *, code, geo):
        ctx.code, ctx.geo, ctx.shape = code, geo, x.shape
        hcode, vcode = code
        xp = _padded(x, geo, 0.0)
        hsel = np.zeros(hcode.shape, x.dtype)
        for j in range(geo.kw):
            np.copyto(hsel, _htap(xp, geo, j), where=_select(hcode, geo.kw, j))
        out = np.zeros(vcode.shape, x.dtype)
        for i in range(geo.kh):
            np.copyto(out, _vtap(hsel, geo, i), where=_select(vcode, geo.kh, i))
        return out

    @staticmethod
    def backward(ctx, g):
        return MaxPoolScatter.apply(g, code=ctx.code, geo=ctx.geo, shape=ctx.shape)


def max_pool_indices(code: tuple, geo: PoolGeom, w: int) -> np.ndarray:
    """PyTorch's return_indices: flat position (h * W + w) of each max in its input plane."""
    hcode, vcode = code
    ki = vcode.astype(np.int64)
    kj = np.zeros(vcode.shape, np.int64)
    for i in range(geo.kh):
        np.copyto(kj, _vtap(hcode, geo, i), where=ki == i)
    rows = (np.arange(geo.ho) * geo.sh - geo.ph)[:, None] + ki * geo.dh
    cols = (np.arange(geo.wo) * geo.sw - geo.pw) + kj * geo.dw
    return rows * w + cols


# ======================================================================== average pooling


class SumPool(Op):
    """Window sums times ``scale`` (a scalar or an (Ho, Wo) array): average pooling."""

    @staticmethod
    def forward(ctx, x, *, geo, scale):
        ctx.geo, ctx.scale, ctx.shape = geo, scale, x.shape
        xp = _padded(x, geo, 0.0)
        out = _tap(xp, geo, 0, 0).copy()
        for t in range(1, geo.kh * geo.kw):
            out += _tap(xp, geo, t // geo.kw, t % geo.kw)
        out *= scale
        return out

    @staticmethod
    def backward(ctx, g):
        return SumPoolSpread.apply(g, geo=ctx.geo, scale=ctx.scale, shape=ctx.shape)


class SumPoolSpread(Op):
    """Adjoint of ``SumPool``: every window spreads its scaled gradient over its inputs."""

    @staticmethod
    def forward(ctx, g, *, geo, scale, shape):
        ctx.geo, ctx.scale = geo, scale
        gs = (g * scale).astype(g.dtype, copy=False)

        def put(i, j, dst, accumulate):
            if accumulate:
                dst += gs
            else:
                dst[...] = gs

        return _spread(put, geo, shape, g.dtype)

    @staticmethod
    def backward(ctx, gg):
        return SumPool.apply(gg, geo=ctx.geo, scale=ctx.scale)


def avg_pool_scale(h: int, w: int, geo: PoolGeom, count_include_pad: bool,
                   divisor_override, dtype):
    """1 / divisor for every output, as PyTorch's avg_pool2d computes it."""
    if divisor_override:
        return dtype.type(1.0 / divisor_override)

    def spans(size, k, s, p, n):
        start = np.arange(n) * s - p
        end = np.minimum(start + k, size + p)
        full = end - start
        clipped = np.minimum(end, size) - np.maximum(start, 0)
        return full, clipped

    fh, ch = spans(h, geo.kh, geo.sh, geo.ph, geo.ho)
    fw, cw = spans(w, geo.kw, geo.sw, geo.pw, geo.wo)
    div = np.outer(fh, fw) if count_include_pad else np.outer(ch, cw)
    if np.all(div == div.flat[0]):
        return dtype.type(1.0 / div.flat[0])
    return (1.0 / div).astype(dtype)


# ======================================================================== index gather / scatter


class IndexGather2d(Op):
    """out[n, c, k] = x[n, c, idx[n, c, k]] over flattened planes (adaptive max pooling)."""

    @staticmethod
    def forward(ctx, x, *, idx):
        n, c = x.shape[:2]
        ctx.idx, ctx.shape = idx, x.shape
        flat = x.reshape(n, c, -1)
        return np.take_along_axis(flat, idx.reshape(n, c, -1), axis=2).reshape(idx.shape)

    @staticmethod
    def backward(ctx, g):
        return IndexScatter2d.apply(g, idx=ctx.idx, shape=ctx.shape)


class IndexScatter2d(Op):
    """Adjoint of ``IndexGather2d``; repeated indices add up (one output cell at a time)."""

    @staticmethod
    def forward(ctx, g, *, idx, shape):
        ctx.idx = idx
        n, c = shape[:2]
        out = np.zeros((n * c, int(np.prod(shape[2:]))), g.dtype)
        rows = np.arange(n * c)
        idx2 = idx.reshape(n * c, -1)
        g2 = g.reshape(n * c, -1)
        for k in range(idx2.shape[1]):  # indices are unique within one cell
            out[rows, idx2[:, k]] += g2[:, k]
        return out.reshape(shape)

    @staticmethod
    def backward(ctx, gg):
        return IndexGather2d.apply(gg, idx=ctx.idx)


def adaptive_bounds(size: int, out: int) -> list:
    """PyTorch's adaptive windows: [floor(i*size/out), ceil((i+1)*size/out))."""
    return [((i * size) // out, -((-(i + 1) * size) // out)) for i in range(out)]


def adaptive_max_indices(x: np.ndarray, out_hw: tuple) -> np.ndarray:
    """Flat index (h * W + w) of the max of every adaptive window (the first one on ties)."""
    n, c, h, w = x.shape
    ho, wo = out_hw
    idx = np.empty((n, c, ho, wo), np.int64)
    for i, (h0, h1) in enumerate(adaptive_bounds(h, ho)):
        for j, (w0, w1) in enumerate(adaptive_bounds(w, wo)):
            win = x[:, :, h0:h1, w0:w1].reshape(n, c, -1)
            a = np.argmax(win, axis=2)
            if np.isnan(win).any():  # PyTorch propagates NaN: it wins the window
                nan_at = np.isnan(win)
                a = np.where(nan_at.any(axis=2), np.argmax(nan_at, axis=2), a)
            idx[:, :, i, j] = (h0 + a // (w1 - w0)) * w + (w0 + a % (w1 - w0))
    return idx

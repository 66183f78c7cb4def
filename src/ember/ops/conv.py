"""Convolution ops: conv (1-d and 2-d through one 2-d kernel), its two adjoints, padding.

Every convolution is lowered to one large BLAS matrix multiplication:

* forward ``Y = W @ cols`` with ``cols`` the im2col matrix of shape (C*kh*kw, N*Ho*Wv);
* input gradient (= transposed convolution) ``gcols = W^T @ G`` then col2im, which loops
  over the kh*kw kernel offsets with strided slice-adds (never ``np.add.at``);
* weight gradient ``G @ cols^T``.

Layout tricks. The zero-padded input is stored split into its sh*sw stride phases (rows
a, a + sh, ...; columns b, b + sw, ...), so every kernel tap reads one phase with unit
strides. "Virtual width": the output is computed on a phase's full row width Wv = Wq instead
of Wo, so each tap's im2col rows are long contiguous runs (a memcpy instead of a 6-d strided
gather) and col2im's slice-adds are contiguous too. The Wq - Wo extra columns per row are
garbage in the forward (dropped when the output is written) and zeros in the backward.
Scratch arrays (phased input, cols, gemm outputs) live in a small per-thread workspace and
are reused across calls, so a training step does not page-fault fresh multi-megabyte buffers.

The three ops ``Conv2d``, ``ConvInputGrad`` (transposed convolution) and ``ConvWeightGrad``
are each other's derivatives, so backward is itself made of ember ops and ``create_graph``
(double backward) works.
"""

from __future__ import annotations

import threading
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .._core import _from_array
from .._grad_mode import state as _grad_state
from ..autograd.function import Op

# ======================================================================== geometry


class ConvGeom(NamedTuple):
    """Hyper-parameters of a 2-d convolution (1-d convolutions use kh = 1)."""

    kh: int
    kw: int
    sh: int
    sw: int
    pt: int  # padding top, bottom, left, right (asymmetric for padding="same")
    pb: int
    pl: int
    pr: int
    dh: int
    dw: int
    groups: int


class _Plan(NamedTuple):
    """Sizes derived from a geometry and an input's spatial size."""

    hp: int
    wp: int
    ho: int
    wo: int
    hq: int  # size of one stride phase of the padded input (hp / sh rounded up)
    wq: int
    wv: int  # "virtual" output width the gemm works on (wq with the flat trick, else wo)
    slack: int  # elements past the phase buffer that the flat views may touch


def conv_output_size(size: int, k: int, s: int, p_total: int, d: int) -> int:
    return (size + p_total - d * (k - 1) - 1) // s + 1


def _plan(geo: ConvGeom, h: int, w: int, out_hw=None) -> _Plan:
    """``out_hw`` overrides the output size: a transposed convolution with output_padding
    >= stride (allowed when dilation > stride) reads fewer windows than fit."""
    hp = h + geo.pt + geo.pb
    wp = w + geo.pl + geo.pr
    if out_hw is None:
        ho = (hp - geo.dh * (geo.kh - 1) - 1) // geo.sh + 1
        wo = (wp - geo.dw * (geo.kw - 1) - 1) // geo.sw + 1
    else:
        ho, wo = out_hw
    hq = -(-hp // geo.sh)
    wq = -(-wp // geo.sw)
    # the flat trick pays when few columns are wasted and rows are short
    flat = ho > 1 and (wq - wo) * 4 <= wo
    wv = wq if flat else wo
    slack = (geo.kw - 1) * geo.dw + wq + 1 if flat else 0
    return _Plan(hp, wp, ho, wo, hq, wq, wv, slack)


# ======================================================================== workspace

_local = threading.local()
_MAX_BUFFERS = 32
_MAX_TOTAL_BYTES = 1 << 29  # per thread; least recently used buffers go first


def _buffer(tag: str, size: int, dtype, zero: bool = False, init: float = 0.0) -> np.ndarray:
    """A reusable 1-d scratch array; the caller must not keep it past the op call.

    Fresh arrays of several megabytes cost page faults on every call (glibc hands big
    blocks back to the OS when they are freed); reusing them avoids that. A buffer of a
    given ``tag`` is only ever written by one routine, so invariants such as "the padding
    border stays zero" hold across calls.
    """
    cache = getattr(_local, "cache", None)
    if cache is None:
        cache = _local.cache = {}
    key = (tag, size, np.dtype(dtype).str)
    arr = cache.pop(key, None)
    if arr is None:
        arr = np.full(size, init, dtype=dtype) if init else np.zeros(size, dtype=dtype)
        if arr.nbytes > _MAX_TOTAL_BYTES // 4:
            return arr
        total = arr.nbytes + sum(a.nbytes for a in cache.values())
        while cache and (len(cache) >= _MAX_BUFFERS or total > _MAX_TOTAL_BYTES):
            total -= cache.pop(next(iter(cache))).nbytes
    elif zero:
        arr.fill(0)
    cache[key] = arr  # most recently used last
    return arr


def _matrix(tag: str, rows: int, cols: int, dtype) -> np.ndarray:
    """A (rows, cols) scratch matrix whose row stride avoids multiples of 1 KiB.

    A leading dimension that is a multiple of the page size makes OpenBLAS's packing
    loads alias in the cache (a 144 x 14336 float32 operand ran 30% slower than 144 x
    14352); a few spare elements per row remove that, and BLAS takes the stride as lda.
    """
    ld = _leading_dim(cols, dtype)
    buf = _buffer(tag, rows * ld, dtype)
    return buf.reshape(rows, ld)[:, :cols]


def _leading_dim(cols: int, dtype) -> int:
    it = np.dtype(dtype).itemsize
    return cols + 64 // it if (cols * it) % 1024 == 0 else cols


class _Lease:
    """A scratch matrix lent to one graph node (im2col kept for the weight gradient).

    It goes back to a small free list when the node is garbage collected, so the next
    training step's forward finds it there instead of page-faulting a fresh one; a node
    still alive (graph retained, two forwards before a backward) keeps its own.
    """

    _free: dict = {}
    _MAX_FREE = 4

    def __init__(self, rows: int, cols: int, dtype) -> None:
        ld = _leading_dim(cols, dtype)
        key = (rows * ld, np.dtype(dtype).str)
        free = _Lease._free.get(key)
        self._key = key
        self._buf = free.pop() if free else np.empty(key[0], dtype)
        self.matrix = self._buf.reshape(rows, ld)[:, :cols]

    def __del__(self) -> None:
        try:
            free = _Lease._free.setdefault(self._key, [])
            if len(free) < _Lease._MAX_FREE:
                free.append(self._buf)
        except Exception:  # noqa: BLE001 - interpreter shutdown: nothing to recycle into
            pass


def _split(mat: np.ndarray, lead: tuple, trail: tuple) -> np.ndarray:
    """View a 2-d (possibly row-padded) matrix with its rows split into ``lead`` dims and
    its columns into ``trail`` dims (never a copy, unlike a reshape could be)."""
    rs, it = mat.strides[0], mat.itemsize
    lead_strides = tuple(rs * int(np.prod(lead[i + 1:])) for i in range(len(lead)))
    trail_strides = tuple(it * int(np.prod(trail[i + 1:])) for i in range(len(trail)))
    return as_strided(mat, lead + trail, lead_strides + trail_strides)


def _grouped(mat: np.ndarray, groups: int) -> np.ndarray:
    """(groups * r, L) matrix as (groups, r, L), a view."""
    r = mat.shape[0] // groups
    rs = mat.strides[0]
    return as_strided(mat, (groups, r, mat.shape[1]), (r * rs, rs, mat.strides[1]))


# ======================================================================== NumPy kernels


def _phase_span(size: int, pad: int, stride: int, phase: int) -> tuple:
    """Rows of one stride phase that hold input data: (first phase row, first input row, count).

    Phase ``phase`` holds padded rows phase, phase + stride, ...; padded row r is input
    row r - pad.
    """
    q0 = 0 if phase >= pad else -(-(pad - phase) // stride)
    r0 = phase + q0 * stride - pad
    count = max(0, -(-(size - r0) // stride))
    return q0, r0, count


def _phase_views(buf: np.ndarray, shape: tuple, geo: ConvGeom, pl: _Plan):
    """Yield (phase grid view, input view) pairs covering every input pixel exactly once."""
    n, c, h, w = shape
    grid = buf[:geo.sh * geo.sw * n * c * pl.hq * pl.wq].reshape(
        geo.sh, geo.sw, n, c, pl.hq, pl.wq)
    for a in range(geo.sh):
        q0, r0, nr = _phase_span(h, geo.pt, geo.sh, a)
        for b in range(geo.sw):
            p0, c0, nc = _phase_span(w, geo.pl, geo.sw, b)
            if nr and nc:
                yield (grid[a, b, :, :, q0:q0 + nr, p0:p0 + nc],
                       (slice(None), slice(None), slice(r0, r0 + (nr - 1) * geo.sh + 1, geo.sh),
                        slice(c0, c0 + (nc - 1) * geo.sw + 1, geo.sw)))


def _phased_input(x: np.ndarray, geo: ConvGeom, pl: _Plan) -> np.ndarray:
    """The zero-padded input split into its sh*sw stride phases, (sh, sw, N, C, Hq, Wq) flat.

    Each kernel tap then reads one phase with unit strides, so im2col copies contiguous runs
    whatever the stride. With stride 1 this is just the zero-padded input.
    """
    n, c, h, w = x.shape
    if pl.slack == 0 and (pl.hp, pl.wp, geo.sh, geo.sw) == (h, w, 1, 1) and \
            x.flags.c_contiguous:
        return x.reshape(-1)  # stride 1, no padding: the input as it lies
    size = geo.sh * geo.sw * n * c * pl.hq * pl.wq
    # the tag pins the layout, so positions never written (the padding) stay zero
    tag = f"xphase{(h, w, geo.pt, geo.pb, geo.pl, geo.pr, geo.sh, geo.sw)}"
    buf = _buffer(tag, size + pl.slack, x.dtype)
    for dst, src in _phase_views(buf, x.shape, geo, pl):
        dst[...] = x[src]
    return buf


def _tap_source(buf: np.ndarray, shape: tuple, geo: ConvGeom, pl: _Plan, i: int, j: int,
                writeable: bool = False) -> np.ndarray:
    """View (C, N, Ho, Wv) of the phase buffer that kernel tap (i, j) reads for every output."""
    n, c = shape[:2]
    a, qi = (i * geo.dh) % geo.sh, (i * geo.dh) // geo.sh
    b, qj = (j * geo.dw) % geo.sw, (j * geo.dw) // geo.sw
    plane = pl.hq * pl.wq
    base = (a * geo.sw + b) * n * c * plane + qi * pl.wq + qj
    it = buf.itemsize
    return as_strided(buf[base:], shape=(c, n, pl.ho, pl.wv),
                      strides=(plane * it, c * plane * it, pl.wq * it, it), writeable=writeable)


def _im2col(x: np.ndarray, geo: ConvGeom, pl: _Plan, out=None) -> np.ndarray:
    """cols (C*kh*kw, N*Ho*Wv): row (c, i, j) holds the input pixels kernel tap (i, j) sees."""
    n, c = x.shape[:2]
    buf = _phased_input(x, geo, pl)
    cols = _matrix("cols", c * geo.kh * geo.kw, n * pl.ho * pl.wv, x.dtype) if out is None \
        else out
    dst = _split(cols, (c, geo.kh, geo.kw), (n, pl.ho, pl.wv))
    if geo.sh == geo.sw == 1:  # one phase: every tap in a single 6-d copy
        it = x.itemsize
        plane = pl.hq * pl.wq
        view = as_strided(buf, shape=dst.shape, writeable=False,
                          strides=(plane * it, geo.dh * pl.wq * it, geo.dw * it,
                                   c * plane * it, pl.wq * it, it))
        np.copyto(dst, view)
        return cols
    for i in range(geo.kh):
        for j in range(geo.kw):
            np.copyto(dst[:, i, j], _tap_source(buf, x.shape, geo, pl, i, j))
    return cols


def _grad_rows(g: np.ndarray, pl: _Plan) -> np.ndarray:
    """g (N, O, Ho, Wo) as (O, N*Ho*Wv), the virtual columns zero."""
    n, o = g.shape[:2]
    # the tag pins the geometry, so the columns past Wo written as zeros stay zeros
    rows = _matrix(f"grows{(o, n, pl.ho, pl.wv, pl.wo)}", o, n * pl.ho * pl.wv, g.dtype)
    _split(rows, (o,), (n, pl.ho, pl.wv))[..., :pl.wo] = g.transpose(1, 0, 2, 3)
    return rows


def _pointwise(geo: ConvGeom, hw: tuple, out_hw) -> bool:
    """1x1, stride 1, unpadded, ungrouped: a batched matmul on the input as it lies."""
    return (geo.kh == geo.kw == geo.sh == geo.sw == geo.groups == 1
            and not (geo.pt or geo.pb or geo.pl or geo.pr)
            and (out_hw is None or tuple(out_hw) == tuple(hw)))


MAX_COLS_BYTES = 1 << 28  # larger im2col matrices are built one batch chunk at a time


def _batch_chunks(x_shape: tuple, geo: ConvGeom, pl: _Plan, itemsize: int):
    """Batch slices whose im2col stays under MAX_COLS_BYTES, or None if one pass fits."""
    n, c = x_shape[:2]
    per_sample = c * geo.kh * geo.kw * pl.ho * pl.wv * itemsize
    if n <= 1 or n * per_sample <= MAX_COLS_BYTES:
        return None
    step = max(1, MAX_COLS_BYTES // per_sample)
    return [slice(a, min(n, a + step)) for a in range(0, n, step)]


def conv_forward(x: np.ndarray, w: np.ndarray, bias, geo: ConvGeom, out_hw=None,
                 keep_cols: _Lease | None = None) -> np.ndarray:
    """y (N, O, Ho, Wo) = conv(x (N, C, H, W), w (O, C/groups, kh, kw)) + bias.

    ``keep_cols``: build im2col in this leased matrix (see ``cols_lease``) so the weight
    gradient can reuse it.
    """
    n, c, h, wd = x.shape
    o = w.shape[0]
    g = geo.groups
    if _pointwise(geo, (h, wd), out_hw):
        y = np.matmul(w.reshape(o, c), x.reshape(n, c, h * wd))  # already (N, O, H*W)
        if bias is not None:
            y += bias.reshape(o, 1)
        return y.reshape(n, o, h, wd)
    pl = _plan(geo, h, wd, out_hw)
    chunks = _batch_chunks(x.shape, geo, pl, x.itemsize)
    if chunks is not None:
        return np.concatenate([conv_forward(x[s], w, bias, geo, out_hw) for s in chunks])
    cols = _im2col(x, geo, pl, None if keep_cols is None else keep_cols.matrix)
    w2 = w.reshape(o, -1)
    res = _matrix("convout", o, cols.shape[1], x.dtype)
    if g == 1:
        np.matmul(w2, cols, out=res)
    else:
        np.matmul(_grouped(w2, g), _grouped(cols, g), out=_grouped(res, g))
    src = _split(res, (o,), (n, pl.ho, pl.wv))[..., :pl.wo].transpose(1, 0, 2, 3)
    y = np.empty((n, o, pl.ho, pl.wo), dtype=x.dtype)
    if bias is not None:
        np.add(src, bias.reshape(o, 1, 1), out=y)  # bias fused into the layout copy
    else:
        np.copyto(y, src)
    return y


def cols_lease(x_shape: tuple, w_shape: tuple, geo: ConvGeom, dtype, out_hw=None):
    n, c, h, w = x_shape
    if _pointwise(geo, (h, w), out_hw):
        return None
    pl = _plan(geo, h, w, out_hw)
    if _batch_chunks(x_shape, geo, pl, np.dtype(dtype).itemsize) is not None:
        return None
    return _Lease(c * geo.kh * geo.kw, n * pl.ho * pl.wv, dtype)


def conv_input_grad(g: np.ndarray, w: np.ndarray, geo: ConvGeom, hw: tuple,
                    rows=None) -> np.ndarray:
    """Adjoint of ``conv_forward`` in x: the transposed convolution of g (N, O, Ho, Wo)."""
    h, wd = hw
    n, o = g.shape[:2]
    c = w.shape[1] * geo.groups
    if _pointwise(geo, hw, g.shape[2:]):
        return np.matmul(w.reshape(o, c).T, g.reshape(n, o, h * wd)).reshape(n, c, h, wd)
    pl = _plan(geo, h, wd, g.shape[2:])
    chunks = _batch_chunks((n, c), geo, pl, g.itemsize)
    if chunks is not None:
        return np.concatenate([conv_input_grad(g[s], w, geo, hw) for s in chunks])
    rows = _grad_rows(g, pl) if rows is None else rows
    k = c * geo.kh * geo.kw
    gcols = _matrix("gcols", k, rows.shape[1], g.dtype)
    w2 = w.reshape(o, -1)
    if geo.groups == 1:
        np.matmul(w2.T, rows, out=gcols)
    else:
        gw = _grouped(w2, geo.groups).transpose(0, 2, 1)
        np.matmul(gw, _grouped(rows, geo.groups), out=_grouped(gcols, geo.groups))
    # col2im into the phase layout, where every tap's slice-add has unit strides
    size = geo.sh * geo.sw * n * c * pl.hq * pl.wq
    gbuf = _buffer("gxphase", size + pl.slack + 1, g.dtype, zero=True)
    src = _split(gcols, (c, geo.kh, geo.kw), (n, pl.ho, pl.wv))
    for i in range(geo.kh):
        for j in range(geo.kw):
            dst = _tap_source(gbuf, (n, c), geo, pl, i, j, writeable=True)
            np.add(dst, src[:, i, j], out=dst)
    gx = np.empty((n, c, h, wd), dtype=g.dtype)
    for grad, pos in _phase_views(gbuf, gx.shape, geo, pl):
        gx[pos] = grad
    return gx


def conv_weight_grad(x: np.ndarray, g: np.ndarray, geo: ConvGeom, wshape: tuple,
                     cols=None, rows=None) -> np.ndarray:
    """Adjoint of ``conv_forward`` in w: sum over the batch of g (x) im2col(x)^T."""
    n, c, h, wd = x.shape
    if _pointwise(geo, (h, wd), g.shape[2:]):
        gn = np.matmul(g.reshape(n, g.shape[1], h * wd), x.reshape(n, c, h * wd).transpose(0, 2, 1))
        return gn.sum(axis=0).reshape(wshape)
    pl = _plan(geo, x.shape[2], x.shape[3], g.shape[2:])
    chunks = _batch_chunks(x.shape, geo, pl, x.itemsize)
    if chunks is not None:
        return sum(conv_weight_grad(x[s], g[s], geo, wshape) for s in chunks)
    cols = _im2col(x, geo, pl) if cols is None else cols
    rows = _grad_rows(g, pl) if rows is None else rows
    if geo.groups == 1:
        gw = _long_inner_product(cols, rows).T
    else:
        gw = np.matmul(_grouped(rows, geo.groups), _grouped(cols, geo.groups).transpose(0, 2, 1))
    return gw.reshape(wshape)


def _long_inner_product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b.T for short, very wide operands (the weight gradient's shape).

    OpenBLAS handles a tiny result with a huge inner dimension badly (9 x 16 from an inner
    size of 53760 ran 3x slower in one call than in 8 chunks of 6720), so a small result is
    accumulated over column chunks; otherwise ``a @ b.T``, ~2x faster than ``b @ a.T``.
    """
    inner = a.shape[1]
    if a.shape[0] * b.shape[0] > 4096 or inner < 16384:
        return a @ b.T
    # measured: chunks up to ~1e6 multiply-adds stay fast, 8192 columns of 9 x 16 do not
    step = max(1024, 1_000_000 // (a.shape[0] * b.shape[0]))
    out = a[:, :step] @ b[:, :step].T
    for start in range(step, inner, step):
        out += a[:, start:start + step] @ b[:, start:start + step].T
    return out


# ======================================================================== ops


class Conv2d(Op):
    """y = conv2d(x, w) + b; 1-d convolutions are the kh = 1 case."""

    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, x, w, b=None, *, geo, out_hw=None):
        ctx.geo = geo
        ctx.hw = x.shape[2:]
        ctx.out_hw = out_hw
        ctx.cols = cols_lease(x.shape, w.shape, geo, x.dtype, out_hw) if ctx.requires_grad \
            else None
        return conv_forward(x, w, b, geo, out_hw, ctx.cols)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = gw = gb = None
        if not _grad_state.enabled:
            # first-order backward: plain arrays, sharing g's layout copy and the forward's
            # im2col between the two gradients
            rows = None
            pl = _plan(ctx.geo, ctx.hw[0], ctx.hw[1], g.shape[2:])
            if not _pointwise(ctx.geo, ctx.hw, g.shape[2:]) and \
                    _batch_chunks(x.shape, ctx.geo, pl, g._data.itemsize) is None:
                rows = _grad_rows(g._data, pl)
            if need[1]:
                cols = None if ctx.cols is None else ctx.cols.matrix
                gw = _from_array(conv_weight_grad(x._data, g._data, ctx.geo, w.shape, cols, rows))
            if need[0]:
                gx = _from_array(conv_input_grad(g._data, w._data, ctx.geo, ctx.hw, rows))
            ctx.cols = None  # hand the buffer back (unless the graph is retained elsewhere)
            if len(need) > 2 and need[2]:
                gb = g.sum((0, 2, 3))
            return gx, gw, gb
        if need[0]:
            gx = ConvInputGrad.apply(g, w, geo=ctx.geo, hw=ctx.hw)
        if need[1]:
            gw = ConvWeightGrad.apply(x, g, geo=ctx.geo, wshape=w.shape)
        if len(need) > 2 and need[2]:
            gb = g.sum((0, 2, 3))
        return gx, gw, gb


class ConvInputGrad(Op):
    """Transposed convolution: the adjoint of ``Conv2d`` in its input, plus an optional bias.

    ``hw`` is the spatial size of the convolution's input (this op's output).
    """

    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, g, w, b=None, *, geo, hw):
        ctx.geo = geo
        out = conv_input_grad(g, w, geo, hw)
        if b is not None:
            out += b.reshape(-1, 1, 1)
        return out

    @staticmethod
    def backward(ctx, gg):
        g, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        d_g = d_w = d_b = None
        if need[0]:
            d_g = Conv2d.apply(gg, w, geo=ctx.geo, out_hw=g.shape[2:])
        if need[1]:
            d_w = ConvWeightGrad.apply(gg, g, geo=ctx.geo, wshape=w.shape)
        if len(need) > 2 and need[2]:
            d_b = gg.sum((0, 2, 3))
        return d_g, d_w, d_b


class ConvWeightGrad(Op):
    """The adjoint of ``Conv2d`` in its weight (bilinear in x and g)."""

    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, x, g, *, geo, wshape):
        ctx.geo = geo
        return conv_weight_grad(x, g, geo, wshape)

    @staticmethod
    def backward(ctx, ggw):
        x, g = ctx.saved_tensors
        need = ctx.needs_input_grad
        d_x = d_g = None
        if need[0]:
            d_x = ConvInputGrad.apply(g, ggw, geo=ctx.geo, hw=x.shape[2:])
        if need[1]:
            d_g = Conv2d.apply(x, ggw, geo=ctx.geo, out_hw=g.shape[2:])
        return d_x, d_g


# ======================================================================== unfold / fold


def _windows(xp: np.ndarray, geo: ConvGeom, ho: int, wo: int) -> np.ndarray:
    """Read-only view (N, C, kh, kw, Ho, Wo) of every kernel tap of a padded input."""
    s_n, s_c, s_h, s_w = xp.strides
    return as_strided(
        xp,
        shape=xp.shape[:2] + (geo.kh, geo.kw, ho, wo),
        strides=(s_n, s_c, geo.dh * s_h, geo.dw * s_w, geo.sh * s_h, geo.sw * s_w),
        writeable=False,
    )


class Unfold(Op):
    """im2col as PyTorch's F.unfold lays it out: (N, C*kh*kw, L)."""

    @staticmethod
    def forward(ctx, x, *, geo):
        n, c, h, w = x.shape
        ctx.geo, ctx.hw = geo, (h, w)
        xp = np.pad(x, ((0, 0), (0, 0), (geo.pt, geo.pb), (geo.pl, geo.pr)))
        pl = _plan(geo, h, w)
        win = _windows(np.ascontiguousarray(xp), geo, pl.ho, pl.wo)
        return win.reshape(n, c * geo.kh * geo.kw, pl.ho * pl.wo)

    @staticmethod
    def backward(ctx, g):
        return Fold.apply(g, geo=ctx.geo, hw=ctx.hw)


class Fold(Op):
    """col2im (F.fold): sums every column of (N, C*kh*kw, L) back into its window."""

    @staticmethod
    def forward(ctx, cols, *, geo, hw):
        ctx.geo = geo
        h, w = hw
        pl = _plan(geo, h, w)
        n = cols.shape[0]
        c = cols.shape[1] // (geo.kh * geo.kw)
        src = cols.reshape(n, c, geo.kh, geo.kw, pl.ho, pl.wo)
        xp = np.zeros((n, c, pl.hp, pl.wp), cols.dtype)
        for i in range(geo.kh):
            for j in range(geo.kw):
                r0, c0 = i * geo.dh, j * geo.dw
                xp[:, :, r0:r0 + (pl.ho - 1) * geo.sh + 1:geo.sh,
                   c0:c0 + (pl.wo - 1) * geo.sw + 1:geo.sw] += src[:, :, i, j]
        return np.ascontiguousarray(xp[:, :, geo.pt:geo.pt + h, geo.pl:geo.pl + w])

    @staticmethod
    def backward(ctx, g):
        return Unfold.apply(g, geo=ctx.geo)


# ======================================================================== padding


def pad_indices(size: int, before: int, after: int, mode: str) -> np.ndarray:
    """Source index of every padded position along one axis, for the non-constant modes."""
    idx = np.arange(-before, size + after)
    if mode == "reflect":
        period = 2 * (size - 1)
        idx = np.abs(idx) % period if period > 0 else np.zeros_like(idx)
        idx = np.where(idx >= size, period - idx, idx)
    elif mode == "replicate":
        idx = np.clip(idx, 0, size - 1)
    elif mode == "circular":
        idx = idx % size
    else:
        raise ValueError(f"unknown padding mode {mode!r}")
    return idx


class TakeAxis(Op):
    """x.take(idx, axis): index-based resampling (reflect/replicate/circular padding, nearest)."""

    @staticmethod
    def forward(ctx, x, *, idx, axis):
        ctx.idx = idx
        ctx.axis = axis
        ctx.size = x.shape[axis]
        return np.take(x, idx, axis=axis)

    @staticmethod
    def backward(ctx, g):
        return TakeAxisAdjoint.apply(g, idx=ctx.idx, axis=ctx.axis, size=ctx.size)


class TakeAxisAdjoint(Op):
    """Adjoint of ``TakeAxis``: sums g's slices into the positions they were taken from."""

    @staticmethod
    def forward(ctx, g, *, idx, axis, size):
        ctx.idx = idx
        ctx.axis = axis
        shape = list(g.shape)
        shape[axis] = size
        out = np.zeros(shape, dtype=g.dtype)
        np.add.at(np.moveaxis(out, axis, 0), idx, np.moveaxis(g, axis, 0))
        return out

    @staticmethod
    def backward(ctx, gg):
        return TakeAxis.apply(gg, idx=ctx.idx, axis=ctx.axis)


def pad_nd(x, pads: tuple, mode: str):
    """Pad the trailing dims of an ember Tensor; pads = (left, right, top, bottom, ...)."""
    out = x
    for k in range(len(pads) // 2):
        axis = x.ndim - 1 - k
        before, after = pads[2 * k], pads[2 * k + 1]
        if before == 0 and after == 0:
            continue
        size = out.shape[axis]
        if mode == "reflect" and (before >= size or after >= size):
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({before}, {after}) at dimension {axis} of input "
                f"{list(x.shape)}"
            )
        idx = pad_indices(size, before, after, mode)
        out = TakeAxis.apply(out, idx=idx, axis=axis)
    return out

"""Fused neural-network ops: linear, softmax/log-softmax, cross-entropy, normalisation,
dropout, embedding, GELU, padding, sequence unbinding.

These are the primitives on the hot path of a training step, so each forward is a few
NumPy calls on the input's dtype (float32 stays float32). Backwards are written with ember
ops so they stay differentiable (``create_graph``); where a backward needs a quantity that
depends on an input (softmax probabilities, normalised activations), it takes the cheap
constant saved by forward when grad mode is off (first-order backward) and recomputes it
differentiably when grad mode is on (``create_graph=True``).
"""

from __future__ import annotations

import math

import numpy as np

from .. import _dtype
from .._core import Tensor, _from_array, _wrap_dim
from .._grad_mode import state as _grad_state
from .._warnings import warn_user
from ..autograd.function import Function, Op
from ._util import const, round_to
from .arithmetic import mul_constant
from .linalg import matmul
from .selection import Where
from .shape import stack
from .transcendental import Erf, Sigmoid, _np_erf, erf_float32


def _creating_graph() -> bool:
    """True inside a backward run with ``create_graph=True`` (the engine enables grad mode)."""
    return _grad_state.enabled


# ======================================================================== linear


def _rows(a: np.ndarray) -> np.ndarray:
    """``a`` as a matrix of its last-dim rows (a view when the layout allows, else a copy):
    BLAS runs one GEMM on it instead of NumPy's loop of small matmuls over leading dims."""
    return a if a.ndim == 2 else a.reshape(-1, a.shape[-1])


class Linear(Op):
    """``x @ W.T + b`` in one node (b may be None)."""

    save_inputs = (0, 1)
    saved_for = ((1,), (0,))  # dx reads W, dW reads x

    @staticmethod
    def forward(ctx, x, w, b):
        if x.ndim > 2:  # one 2-D GEMM over all leading dims, not one per leading index
            out = _rows(x) @ w.T
            out = out.reshape(x.shape[:-1] + (w.shape[0],))
        else:
            out = x @ w.T
        if b is not None:
            out += b  # bfloat16: added in float32 and rounded once, below
        return round_to(out, x.dtype)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = gw = gb = None
        if not _creating_graph() and x.ndim >= 2:  # the hot path: three BLAS/NumPy calls
            ga = _rows(g._data)
            if need[0]:
                gx = const(round_to((ga @ w._data).reshape(x.shape), ga.dtype))
            if need[1]:
                gw = const(round_to(ga.T @ _rows(x._data), ga.dtype))
            if need[2]:
                gb = const(ga.sum(0))
            return gx, gw, gb
        if need[0]:
            gx = g.matmul(w)
        if need[1] or need[2]:
            g2 = g.reshape(-1, g.shape[-1]) if g.ndim != 2 else g
            if need[1]:
                x2 = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x
                gw = g2.mT.matmul(x2) if x.ndim > 1 else g.unsqueeze(-1) * x
            if need[2]:
                gb = g2.sum(0)
        return gx, gw, gb


class Bilinear(Op):
    """``y_k = x1^T A_k x2 + b_k`` over the last dims of x1, x2."""

    save_inputs = (0, 1, 2)

    @staticmethod
    def forward(ctx, x1, x2, w, b):
        out = np.einsum("...i,kij,...j->...k", x1, w, x2, optimize=True)
        if b is not None:
            out += b
        return out.astype(x1.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x1, x2, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        lead = g.shape[:-1]
        k, i, j = w.shape
        g2 = g.reshape(-1, k)
        a = x1.reshape(-1, i)
        c = x2.reshape(-1, j)
        g1 = g2_ = gw = gb = None
        if need[0]:  # sum_k g_k (A_k x2)
            t = matmul(c, w.permute(2, 0, 1).reshape(j, k * i)).reshape(-1, k, i)
            g1 = (g2.unsqueeze(-1) * t).sum(1).reshape(*lead, i)
        if need[1]:  # sum_k g_k (x1^T A_k)
            t = matmul(a, w.permute(1, 0, 2).reshape(i, k * j)).reshape(-1, k, j)
            g2_ = (g2.unsqueeze(-1) * t).sum(1).reshape(*lead, j)
        if need[2]:  # sum_n g_nk x1_ni x2_nj
            outer = (a.unsqueeze(2) * c.unsqueeze(1)).reshape(-1, i * j)
            gw = matmul(g2.mT, outer).reshape(k, i, j)
        if need[3]:
            gb = g2.sum(0)
        return g1, g2_, gw, gb


# ======================================================================== softmax family


def _sum_axis(a: np.ndarray, axis: int) -> np.ndarray:
    """``a.sum(axis, keepdims=True)``; einsum for the last axis of a matrix (rows of logits),
    about three times faster than ``np.sum`` there. einsum accumulates each row in a few
    running sums rather than pairwise, so only rows up to 2048 long take it (longer rows
    keep NumPy's pairwise accuracy)."""
    if a.ndim == 2 and axis == 1 and a.shape[1] <= 2048:
        return np.einsum("ij->i", a)[:, None]
    return a.sum(axis=axis, keepdims=True)


def _accumulating(x: np.ndarray) -> np.ndarray:
    """float16/bfloat16 computed in float32, as PyTorch's CPU kernels accumulate them."""
    return x.astype(np.float32) if x.dtype.itemsize < 4 and x.dtype.kind in "fV" else x


def _shift(x: np.ndarray, axis: int) -> np.ndarray:
    """The row maxima that softmax subtracts, defined for empty rows (``initial``), so empty
    inputs give empty outputs. Not made finite: as PyTorch's kernels, a row holding +inf, or
    only -inf, gives NaN (inf - inf)."""
    return np.max(x, axis=axis, keepdims=True, initial=-np.inf)


def _logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    m = _shift(x, axis)
    s = x - m
    np.exp(s, out=s)
    return np.log(_sum_axis(s, axis)) + m

def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    # subtract the log-sum from the shifted logits, never add the shift back: near -1e4 in
    # float32, ``log(s) + max`` would round to the logits' ulp (~1e-3)
    shifted = x - _shift(x, axis)
    return shifted - np.log(_sum_axis(np.exp(shifted), axis))


class LogSoftmax(Op):
    """``x - logsumexp(x, axis)``; backward ``g - softmax * sum(g)`` in ember ops (twice
    differentiable).
    """

    save_output = True

    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        return _log_softmax(_accumulating(x), axis).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g - out.exp() * g.sum(ctx.axis, keepdim=True)


class Softmax(Op):
    """``exp(x - max) / sum`` along ``axis``; rows that are all -inf keep a finite shift."""

    save_output = True

    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        wide = _accumulating(x)
        e = wide - _shift(wide, axis)
        np.exp(e, out=e)
        e /= _sum_axis(e, axis)
        return e.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return out * (g - (g * out).sum(ctx.axis, keepdim=True))


class CrossEntropy(Op):
    """Fused log-softmax + negative log-likelihood over ``axis`` (class-index targets).

    Per sample ``i`` (every position but the class axis)::

        loss_i = row_w_i * logp[i, target_i] + smooth_w_i * sum_c class_w_c * logp[i, c]

    ``row_w`` folds in the class weight of the target, ignored entries (0), label smoothing
    and the ``mean`` denominator; ``smooth_w`` (None without label smoothing) the smoothing
    share. ``reduce`` sums the per-sample losses. With A the implied dense coefficients,
    d loss/dx = A - softmax(x) * sum_c A, which backward forms in one pass over x.
    """

    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x, target, row_w, smooth_w, class_w, axis, reduce, valid=None):
        dtype = x.dtype
        x = _accumulating(x)
        shifted = x - _shift(x, axis)
        e = np.exp(shifted)
        s = _sum_axis(e, axis)
        lse = np.log(s)  # of the shifted logits: the shift cancels, and precision stays
        t = np.expand_dims(target, axis)
        rows = row_w * np.squeeze(np.take_along_axis(shifted, t, axis) - lse, axis)
        if smooth_w is not None:
            wsum = x.shape[axis] if class_w is None else class_w.sum()
            xs = shifted.sum(axis=axis) if class_w is None else \
                (shifted * class_w).sum(axis=axis)
            rows = rows + smooth_w * (xs - np.squeeze(lse, axis) * wsum)
            coef_sum = row_w + smooth_w * wsum
        else:
            coef_sum = row_w
        if valid is not None:  # ignored samples are selected away: a NaN there is not 0 * NaN
            rows = np.where(valid, rows, 0)
        if ctx.requires_grad:
            ctx.e, ctx.s, ctx.t = e, s, t
            ctx.row_w, ctx.smooth_w, ctx.class_w = row_w, smooth_w, class_w
            ctx.coef_sum = coef_sum
            ctx.axis, ctx.reduce = axis, reduce
        out = rows.sum() if reduce else rows
        ctx.dtype = dtype
        return np.asarray(out, dtype=dtype)

    @staticmethod
    def _dense_coef(ctx, like: np.ndarray) -> np.ndarray:
        axis = ctx.axis
        coef = np.zeros(like.shape, ctx.dtype)
        np.put_along_axis(coef, ctx.t, np.expand_dims(ctx.row_w, axis), axis=axis)
        if ctx.smooth_w is not None:
            cw = 1.0 if ctx.class_w is None else ctx.class_w
            coef += np.expand_dims(ctx.smooth_w, axis) * cw
        return coef

    @staticmethod
    def backward(ctx, g):
        axis = ctx.axis
        if _creating_graph():
            (x,) = ctx.saved_tensors
            prob = Softmax.apply(x, axis=axis)
            coef = const(CrossEntropy._dense_coef(ctx, ctx.e))
            dx = coef - prob * const(np.expand_dims(ctx.coef_sum, axis))
            return (g if ctx.reduce else g.unsqueeze(axis)) * dx
        ga = g._data
        scale = ga if ctx.reduce else np.expand_dims(ga, axis)  # scalar or per sample
        rows = np.expand_dims(ctx.row_w, axis) * scale
        # -softmax * sum(A), scaled by g, in one pass over x's size
        dx = ctx.e * (np.expand_dims(ctx.coef_sum, axis) * scale / -ctx.s)
        picked = np.take_along_axis(dx, ctx.t, axis) + rows
        np.put_along_axis(dx, ctx.t, picked, axis=axis)
        if ctx.smooth_w is not None:
            cw = 1.0 if ctx.class_w is None else ctx.class_w
            with np.errstate(invalid="ignore"):  # nan weights of a 0 total weight, as PyTorch
                dx += (np.expand_dims(ctx.smooth_w, axis) * scale) * cw
        return const(dx.astype(ctx.dtype, copy=False))


# ======================================================================== normalisation


def _channel_view(a: np.ndarray, axes: tuple):
    """An (N, C, L) view when ``axes`` are all dims but 1 (batch norm's layout), else None.

    Reducing that view with einsum is several times faster than NumPy's multi-axis
    reductions over the strided (0, 2, 3) axes.
    """
    if a.ndim >= 3 and axes == (0,) + tuple(range(2, a.ndim)):
        return a.reshape(a.shape[0], a.shape[1], -1)
    return None


def _sum_over(a: np.ndarray, axes: tuple) -> np.ndarray:
    """``a.sum(axes, keepdims=True)``, fast for batch norm's layout."""
    v = _channel_view(a, axes)
    if v is not None:
        return np.einsum("ncl->c", v).reshape((1, -1) + (1,) * (a.ndim - 2))
    return a.sum(axis=axes, keepdims=True)


def _dot_over(a: np.ndarray, b: np.ndarray, axes: tuple) -> np.ndarray:
    """``(a * b).sum(axes, keepdims=True)`` without materialising ``a * b`` where possible."""
    va = _channel_view(a, axes)
    if va is not None:
        out = np.einsum("ncl,ncl->c", va, _channel_view(b, axes))
        return out.reshape((1, -1) + (1,) * (a.ndim - 2))
    if a.ndim == 2 and axes == (0,) and a.shape == b.shape:  # (N, C): batch norm 1d
        return np.einsum("nc,nc->c", a, b)[None]
    if axes == tuple(range(a.ndim - len(axes), a.ndim)):  # trailing dims (layer norm)
        keep = a.shape[: a.ndim - len(axes)]
        rows = int(np.prod(keep))
        out = np.einsum("ml,ml->m", a.reshape(rows, -1), b.reshape(rows, -1))
        return out.reshape(keep + (1,) * len(axes))
    return np.sum(a * b, axis=axes, keepdims=True)


def _channel_block(a, like: np.ndarray):
    """A per-channel ``a`` (shape (1, C, 1, ...)) broadcast to one sample of ``like``,
    contiguous; other operands unchanged.

    NumPy's elementwise loops run about 1.5x faster against this small (C, H, W) block
    than against a stride-0 per-channel broadcast; the values are the same.
    """
    if (isinstance(a, np.ndarray) and like.ndim >= 3 and a.ndim == like.ndim
            and like.shape[0] >= 4 and a.shape[0] == 1 and a.shape[1] == like.shape[1]
            and all(s == 1 for s in a.shape[2:])):
        block = np.empty((1,) + like.shape[1:], a.dtype)
        block[...] = a
        return block
    return a


def batch_stats(x: np.ndarray, axes: tuple):
    """(mean, biased variance, x - mean) over ``axes``, keepdims-shaped; float16 input gives
    float32 statistics (PyTorch's CPU kernels accumulate half precision in float)."""
    x = _accumulating(x)
    count = int(np.prod([x.shape[a] for a in axes]))
    mean = _sum_over(x, axes) / count
    xc = x - _channel_block(mean.astype(x.dtype, copy=False), x)
    var = _dot_over(xc, xc, axes) / count
    return mean.astype(x.dtype, copy=False), var.astype(x.dtype, copy=False), xc


class BatchNormEval(Op):
    """Batch norm with running statistics (evaluation): a per-channel affine map of ``x``.

    PyTorch's CPU kernel form: two passes, ``x * alpha + beta`` with
    ``alpha = weight / sqrt(var + eps)`` and ``beta = bias - mean * alpha``; the statistics are
    constants (the module updates them in training only). ``weight``/``bias`` may be None.
    """

    def name(self) -> str:
        return "NativeBatchNormBackward0"

    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, x, weight, bias, mean, var, eps, shape):
        invstd = (1.0 / np.sqrt(var.reshape(shape) + eps)).astype(x.dtype, copy=False)
        mean = mean.reshape(shape).astype(x.dtype, copy=False)
        alpha = invstd if weight is None else invstd * weight.reshape(shape)
        beta = -mean * alpha
        if bias is not None:
            beta = beta + bias.reshape(shape)
        if ctx.requires_grad:
            ctx.alpha, ctx.mean, ctx.invstd = alpha, mean, invstd
            ctx.axes = (0,) + tuple(range(2, x.ndim))
            ctx.shape = shape
        out = x * _channel_block(alpha, x)
        out += _channel_block(beta.astype(x.dtype, copy=False), x)
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        if w is not None and _creating_graph():  # alpha depends on the weight: keep that edge
            alpha = const(ctx.invstd) * w.reshape(ctx.shape)
        else:
            alpha = const(ctx.alpha)
        gx = g * alpha if need[0] else None
        gw = ((g * (x - const(ctx.mean))) * const(ctx.invstd)).sum(ctx.axes) if need[1] else None
        gb = g.sum(ctx.axes) if need[2] else None
        return gx, gw, gb, None, None, None, None


class Normalize(Op):
    """Standardise over ``axes`` then apply an optional affine ``w * xhat + b``.

    ``w``/``b`` arrive already shaped to broadcast against x, and the gradients are reduced
    back to that shape here; or, with ``affine_shape`` (batch norm's (1, C, 1, ...)), in any
    shape of that size, laid out as ``affine_shape`` inside the op. ``stats`` may be given
    (``batch_stats(x, axes)``, computed by batch_norm so the module can update its running
    estimates from the same numbers).
    """

    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, x, w, b, axes, eps, stats=None, affine_shape=None):
        if affine_shape is not None:
            w = None if w is None else w.reshape(affine_shape)
            b = None if b is None else b.reshape(affine_shape)
        ctx.dtype = x.dtype
        _, var, xc = stats if stats is not None else batch_stats(x, axes)
        ctx.param_dtypes = tuple(None if a is None else a.dtype for a in (w, b))
        if xc.dtype != x.dtype:  # float16: normalise in float32, round the output once
            w = None if w is None else w.astype(xc.dtype)
            b = None if b is None else b.astype(xc.dtype)
        invstd = (1.0 / np.sqrt(var + eps)).astype(xc.dtype, copy=False)
        scale = invstd if w is None else invstd * w  # normalise and scale in one pass
        scale = _channel_block(scale, xc)
        b = _channel_block(b, xc)
        if ctx.requires_grad:
            # backward reads xc (xhat = xc * invstd, folded into its per-channel factors)
            ctx.axes = axes
            ctx.eps = eps
            ctx.invstd = invstd
            ctx.xc = xc
            ctx.affine_shape = affine_shape
            out = xc * scale  # the output must not alias what backward reads
        else:
            out = xc  # our own temporary, not needed after forward: work in place
            out *= scale
        if b is not None:
            out += b
        return out.astype(ctx.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        axes = ctx.axes
        affine_shape = ctx.affine_shape
        if not _creating_graph():
            wa = None if w is None else w._data
            if wa is not None and affine_shape is not None:
                wa = wa.reshape(affine_shape)
            wide = ctx.xc.dtype
            if wide != ctx.dtype:  # float16: the saved statistics are float32
                wa = None if wa is None else wa.astype(wide)
                grads = Normalize._backward_arrays(ctx, g._data.astype(wide), wa)
                return tuple(None if t is None else const(t._data.astype(dt))
                             for t, dt in zip(grads, (ctx.dtype, *ctx.param_dtypes)))
            return Normalize._backward_arrays(ctx, g._data, wa)
        if w is not None and affine_shape is not None:
            w = w.reshape(affine_shape)
        if need[0]:
            mean = x.mean(axes, keepdim=True)
            xc = x - mean
            invstd = ((xc * xc).mean(axes, keepdim=True) + ctx.eps).rsqrt()
            xhat = xc * invstd
        else:
            xhat = const(ctx.xc * ctx.invstd)
            invstd = const(ctx.invstd)
        gx = gw = gb = None
        if need[0]:
            gxhat = g if w is None else g * w
            gx = invstd * (gxhat - gxhat.mean(axes, keepdim=True)
                           - xhat * (gxhat * xhat).mean(axes, keepdim=True))
        if need[1]:
            gw = _reduce_to(g * xhat, affine_shape or ctx._shapes[1])
        if need[2]:
            gb = _reduce_to(g, affine_shape or ctx._shapes[2])
        if affine_shape is not None:  # back to the parameters' own shape
            gw = None if gw is None else gw.reshape(ctx._shapes[1])
            gb = None if gb is None else gb.reshape(ctx._shapes[2])
        return gx, gw, gb

    @staticmethod
    def _backward_arrays(ctx, g, w):
        """First-order backward in plain NumPy (the training hot path).

        dx = invstd * (gxhat - mean(gxhat) - xhat * mean(gxhat * xhat)), gxhat = g * w.
        """
        need = ctx.needs_input_grad
        axes = ctx.axes
        xc, invstd = ctx.xc, ctx.invstd
        count = xc.size // invstd.size
        per_channel = w is None or all(w.shape[a] == 1 for a in axes if a < w.ndim)
        per_channel = per_channel and (w is None or w.ndim == xc.ndim)
        gx = gw = gb = None
        if per_channel:
            # w is constant along the reduced axes (batch norm, group norm): factor it out,
            # and invstd too (xhat = xc * invstd), so each pass reads the saved xc directly
            sum_g = _sum_over(g, axes)
            sum_gx = _dot_over(g, xc, axes) * invstd  # sum(g * xhat)
            if need[0]:
                k = invstd if w is None else invstd * w
                dx = g * _channel_block(k, g)
                dx -= xc * _channel_block(k * invstd * (sum_gx / count), xc)
                dx -= _channel_block(k * (sum_g / count), dx)
                gx = const(dx)
            if need[1]:
                gw = const(Normalize._param_grad(ctx, sum_gx, 1))
            if need[2]:
                gb = const(Normalize._param_grad(ctx, sum_g, 2))
            return gx, gw, gb
        xhat = xc * invstd
        gxhat = g * w
        if need[0]:
            dx = gxhat - gxhat.mean(axis=axes, keepdims=True)
            dx -= xhat * _dot_over(gxhat, xhat, axes) / count
            dx *= ctx.invstd
            gx = const(dx)
        if need[1]:
            gw = const(Normalize._param_grad(ctx, g * xhat, 1))
        if need[2]:
            gb = const(Normalize._param_grad(ctx, g, 2))
        return gx, gw, gb

    @staticmethod
    def _param_grad(ctx, a: np.ndarray, i: int) -> np.ndarray:
        """``a`` summed down to input ``i``'s layout, in that input's shape."""
        shape = ctx._shapes[i]
        return _np_reduce_to(a, ctx.affine_shape or shape).reshape(shape)


class LayerNorm(Op):
    """Layer norm over the last ``d`` elements of each row: ``x`` is viewed as (rows, d),
    ``w``/``b`` (either may be None) as (d,).

    The last-axis fast path of ``Normalize``: row statistics by matrix-vector products and
    row dot products, the normalised rows kept (in the buffer forward works in) with the
    per-row ``1/std`` for a first-order backward of a few NumPy passes.
    """

    save_inputs = (0, 1)

    def name(self) -> str:
        return "NativeLayerNormBackward0"

    @staticmethod
    def forward(ctx, x, w, b, d, eps):
        shape = x.shape
        rows = x.reshape(-1, d)
        ones = np.ones(d, x.dtype)
        mean = rows @ ones
        mean *= 1.0 / d
        xhat = rows - mean[:, None]
        var = np.einsum("ij,ij->i", xhat, xhat)
        var *= 1.0 / d
        var += eps
        rstd = np.sqrt(var, out=var)
        np.reciprocal(rstd, out=rstd)
        xhat *= rstd[:, None]
        ctx.d, ctx.eps = d, eps
        if ctx.requires_grad:
            ctx.xhat, ctx.rstd = xhat, rstd
            out = xhat * w.reshape(d) if w is not None else xhat.copy()
        else:
            out = xhat  # not needed after forward: scale in place
            if w is not None:
                out *= w.reshape(d)
        if b is not None:
            out += b.reshape(d)
        return out.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        d = ctx.d
        if _creating_graph():
            rows = x.reshape(-1, d)
            xc = rows - rows.mean(1, keepdim=True)
            xhat = xc * ((xc * xc).mean(1, keepdim=True) + ctx.eps).rsqrt()
            g2 = g.reshape(-1, d)
            gx = gw = gb = None
            if need[0]:
                gxhat = g2 if w is None else g2 * w.reshape(d)
                rstd = ((xc * xc).mean(1, keepdim=True) + ctx.eps).rsqrt()
                gx = (rstd * (gxhat - gxhat.mean(1, keepdim=True)
                              - xhat * (gxhat * xhat).mean(1, keepdim=True))).reshape(x.shape)
            if need[1]:
                gw = (g2 * xhat).sum(0).reshape(w.shape)
            if need[2]:
                gb = g2.sum(0).reshape(ctx._shapes[2])
            return gx, gw, gb
        ga = g._data.reshape(-1, d)
        xhat, rstd = ctx.xhat, ctx.rstd
        gx = gw = gb = None
        if need[1]:
            gw = const(np.einsum("ij,ij->j", ga, xhat).reshape(w.shape))
        if need[2]:
            gb = const(ga.sum(0).reshape(ctx._shapes[2]))
        if need[0]:
            gxhat = ga * w._data.reshape(d) if w is not None else ga.copy()
            mean_g = gxhat @ np.ones(d, gxhat.dtype)
            mean_g *= 1.0 / d
            mean_gx = np.einsum("ij,ij->i", gxhat, xhat)
            mean_gx *= 1.0 / d
            gxhat -= mean_g[:, None]
            gxhat -= xhat * mean_gx[:, None]
            gxhat *= rstd[:, None]
            gx = const(gxhat.reshape(x.shape))
        return gx, gw, gb


def _np_reduce_to(a: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``a`` down to ``shape`` (leading dims and the dims where shape has size 1)."""
    lead = a.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and a.shape[i + lead] != 1)
    return a.sum(axis=axes).reshape(shape) if axes else a


def _reduce_to(t: Tensor, shape: tuple) -> Tensor:
    """Sum ``t`` over the axes where ``shape`` (same rank) has size 1."""
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and t.shape[i] != 1)
    return t.sum(axes, keepdim=True) if axes else t


# ======================================================================== dropout


class MaskMul(Op):
    """``x * mask`` with a constant mask (dropout's scaled keep-mask)."""

    @staticmethod
    def forward(ctx, x, mask):
        if ctx.requires_grad:
            ctx.mask = mask
        return x * mask

    @staticmethod
    def backward(ctx, g):
        return mul_constant(g, ctx.mask), None


# ======================================================================== embedding


class Embedding(Op):
    """Rows of ``weight`` picked by integer ``idx``; padding_idx rows get no gradient."""

    @staticmethod
    def forward(ctx, weight, idx, padding_idx):
        if ctx.requires_grad:
            ctx.idx = idx
            ctx.padding_idx = padding_idx
            ctx.rows = weight.shape[0]
        return weight[idx]

    @staticmethod
    def backward(ctx, g):
        idx = ctx.idx
        if ctx.padding_idx is not None:
            idx = np.where(idx == ctx.padding_idx, -1, idx)  # -1: dropped by EmbeddingGrad
        return EmbeddingGrad.apply(g, idx, rows=ctx.rows), None


class EmbeddingGrad(Op):
    """Scatter-add rows of g into a (rows, dim) zero matrix (index -1 is skipped)."""

    @staticmethod
    def forward(ctx, g, idx, rows):
        ctx.idx = idx
        flat = idx.reshape(-1)
        g2 = g.reshape(flat.size, -1)
        keep = flat >= 0
        if not keep.all():
            flat, g2 = flat[keep], g2[keep]
        out = np.zeros((rows, g2.shape[1]), dtype=g.dtype)
        if flat.size:
            _segment_sum_into(out, flat, g2)
        return out

    @staticmethod
    def backward(ctx, gg):
        idx = ctx.idx
        picked = Embedding.apply(gg, np.maximum(idx, 0), padding_idx=None)
        return picked * const((idx >= 0)[..., None].astype(gg._data.dtype)), None


def _segment_sum_into(out: np.ndarray, idx: np.ndarray, rows: np.ndarray) -> None:
    """``out[idx[k]] += rows[k]`` for every k (``out`` zeros), by sorting idx into runs of
    equal indices. Mostly distinct indices (a large vocabulary): the first row of each run is
    assigned and the few repeats added with ``np.add.at``; many repeats: each run summed by
    one ``np.add.reduceat``. Either is 2-3x faster than ``np.add.at`` over all rows."""
    order = np.argsort(idx, kind="stable")
    sorted_idx = idx[order]
    sorted_rows = rows[order]
    first = np.empty(idx.size, bool)
    first[0] = True
    np.not_equal(sorted_idx[1:], sorted_idx[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    if 4 * (idx.size - starts.size) <= idx.size:
        out[sorted_idx[starts]] = sorted_rows[starts]
        repeats = np.flatnonzero(~first)
        if repeats.size:
            np.add.at(out, sorted_idx[repeats], sorted_rows[repeats])
    else:
        out[sorted_idx[starts]] = np.add.reduceat(sorted_rows, starts, axis=0)


# ======================================================================== attention


_CAUSAL_CACHE: dict = {}


def _above_diagonal(tgt: int, src: int) -> np.ndarray:
    """The (tgt, src) boolean mask of positions a causal query may NOT attend (cached)."""
    mask = _CAUSAL_CACHE.get((tgt, src))
    if mask is None:
        if len(_CAUSAL_CACHE) > 64:
            _CAUSAL_CACHE.clear()
        mask = _CAUSAL_CACHE[(tgt, src)] = np.triu(np.ones((tgt, src), bool), 1)
    return mask


class Attention(Op):
    """``softmax(q k^T * scale + mask) v`` in one node (scaled_dot_product_attention).

    One batched GEMM per product; the softmax runs in place in the scores buffer; a causal
    mask or a boolean mask (True = may attend) is written into the scores with ``copyto``
    rather than added as a -inf tensor; a float mask is added (and gets a gradient).
    Backward keeps the attention weights P: dv = P^T g, dS = P * (g v^T - rowsum(.)), then
    dq = dS k * scale, dk = dS^T q * scale, again one batched GEMM each.
    """

    save_inputs = (0, 1, 2, 3)

    @staticmethod
    def forward(ctx, q, k, v, mask, scale, causal):
        s = np.matmul(q, np.swapaxes(k, -1, -2))
        s *= scale
        if causal:
            np.copyto(s, -np.inf, where=_above_diagonal(s.shape[-2], s.shape[-1]))
        if mask is not None:
            if mask.dtype == np.bool_:
                np.copyto(s, -np.inf, where=~mask)
            elif s.shape == np.broadcast_shapes(s.shape, mask.shape):
                s += mask
            else:  # the mask has batch dims the scores lack: the result grows
                s = s + mask
        m = np.max(s, axis=-1, keepdims=True)
        m[np.isneginf(m)] = 0  # a row masked entirely: exp gives zeros, not nan
        s -= m
        np.exp(s, out=s)
        total = s.sum(axis=-1, keepdims=True)
        total[total == 0] = np.inf  # ... and attends to nothing: zero weights (as PyTorch)
        s /= total
        if ctx.requires_grad:
            ctx.p, ctx.scale, ctx.causal = s, scale, causal
        return np.matmul(s, v)

    @staticmethod
    def backward(ctx, g):
        q, k, v, mask = ctx.saved_tensors
        need = ctx.needs_input_grad
        scale = ctx.scale
        if _creating_graph():  # recompute P differentiably
            sc = q.matmul(k.transpose(-2, -1)) * scale
            if ctx.causal:
                sc = sc.masked_fill(const(_above_diagonal(sc.shape[-2], sc.shape[-1])),
                                    float("-inf"))
            if mask is not None:
                if mask._data.dtype == np.bool_:
                    sc = sc.masked_fill(const(~mask._data), float("-inf"))
                else:
                    sc = sc + mask
            p = Softmax.apply(sc, axis=sc.ndim - 1)
            dp = g.matmul(v.transpose(-2, -1))
            ds = p * (dp - (dp * p).sum(-1, keepdim=True))
            return (ds.matmul(k) * scale if need[0] else None,
                    ds.transpose(-2, -1).matmul(q) * scale if need[1] else None,
                    p.transpose(-2, -1).matmul(g) if need[2] else None,
                    ds if need[3] else None)
        p, ga = ctx.p, g._data
        dv = np.matmul(np.swapaxes(p, -1, -2), ga) if need[2] else None
        ds = np.matmul(ga, np.swapaxes(v._data, -1, -2))
        rows = np.einsum("...ij,...ij->...i", ds, p)[..., None]
        ds -= rows
        ds *= p
        gmask = const(ds.copy()) if need[3] else None
        ds *= scale
        dq = const(np.matmul(ds, k._data)) if need[0] else None
        dk = const(np.matmul(np.swapaxes(ds, -1, -2), q._data)) if need[1] else None
        return dq, dk, None if dv is None else const(dv), gmask


# ======================================================================== GELU


_SQRT_2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_TANH_C = math.sqrt(2.0 / math.pi)


class BinaryCrossEntropy(Op):
    """``-(t log x + (1 - t) log(1 - x))`` elementwise, each log clamped at -100.

    Backward is PyTorch's ``(x - t) / max(x (1 - x), 1e-12)`` rather than the derivative of
    the clamped logs: at a saturated x of exactly 0 or 1 it stays finite, so a Sigmoid before
    it passes a gradient of 0 instead of nan.
    """

    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, x, t):
        with np.errstate(divide="ignore"):  # log(0) = -inf, then clamped to -100
            log_x = np.maximum(np.log(x), -100)
            log_1mx = np.maximum(np.log(1 - x), -100)
        return (-(t * log_x + (1 - t) * log_1mx)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = g * (x - t) / (x * (1 - x)).clamp(min=1e-12) if need[0] else None
        gt = g * ((1 - x).log().clamp(min=-100) - x.log().clamp(min=-100)) if need[1] else None
        return gx, gt


class Softplus(Op):
    """``log(1 + exp(beta x)) / beta``, ``x`` where ``beta x > threshold``; the gradient
    ``sigmoid(beta x)`` is PyTorch's (0.5 at 0, where a composition of abs and relu gives 0)."""

    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x, beta, threshold):
        ctx.beta, ctx.threshold = beta, threshold
        bx = x * x.dtype.type(beta)
        smooth = np.logaddexp(x.dtype.type(0), bx) / x.dtype.type(beta)
        return np.where(bx > threshold, x, smooth).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        bx = x * ctx.beta
        linear = const(bx._data > ctx.threshold)
        return Where.apply(linear, g, g * Sigmoid.apply(bx))


class Gelu(Op):
    """GELU, exact (``x * Phi(x)``, Phi the normal CDF) or ``approximate="tanh"``.

    Forward keeps Phi(x) (or the tanh) for backward, so the first-order backward is
    ``g * (Phi + x * pdf)`` in a few NumPy passes instead of a second erf; with
    ``create_graph`` it recomputes differentiably.
    """

    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x, approximate):
        ctx.approximate = approximate
        if approximate == "tanh":
            inner = x * x
            inner *= 0.044715
            inner += 1.0
            inner *= x
            inner *= _TANH_C
            t = np.tanh(inner, out=inner)
            if ctx.requires_grad:
                ctx.t = t.copy()
            t += 1.0
            t *= x
            t *= 0.5
            return t.astype(x.dtype, copy=False)
        cdf = _normal_cdf(x)
        if ctx.requires_grad:
            ctx.cdf = cdf
        return (x * cdf).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            if _creating_graph():
                t = (_TANH_C * (x + 0.044715 * x * x * x)).tanh()
            else:
                t = const(ctx.t)
            dinner = _TANH_C * (1.0 + 3 * 0.044715 * x * x)
            return g * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * dinner)
        if _creating_graph():
            cdf = 0.5 * (1.0 + Erf.apply(x / _SQRT_2))
            pdf = _INV_SQRT_2PI * (-0.5 * x * x).exp()
            return g * (cdf + x * pdf)
        xa = x._data
        d = xa * xa
        d *= -0.5
        np.exp(d, out=d)
        d *= xa
        d *= _INV_SQRT_2PI
        d += ctx.cdf
        d *= g._data
        return const(d.astype(xa.dtype, copy=False))


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    """Phi(x) = (1 + erf(x / sqrt 2)) / 2, elementwise in x's dtype (the fast vectorised
    erf below float64, SciPy's exact one for float64)."""
    z = x * (1.0 / _SQRT_2)
    erf = _np_erf if x.dtype == np.float64 else erf_float32
    out = erf(z).astype(x.dtype, copy=False)
    out += 1.0
    out *= 0.5
    return out


# ======================================================================== padding


class Gather(Op):
    """``x.reshape(-1)[idx]``: any fixed re-indexing (reflect/replicate/circular padding)."""

    @staticmethod
    def forward(ctx, x, idx):
        ctx.idx = idx
        ctx.size = x.size
        return x.reshape(-1)[idx]

    @staticmethod
    def backward(ctx, g):
        return ScatterAddFlat.apply(g, ctx.idx, size=ctx.size, shape=ctx._shapes[0]), None


class ScatterAddFlat(Op):
    """Sum ``g`` into ``size`` bins by the flat indices ``idx`` (the adjoint of ``Gather``)."""

    @staticmethod
    def forward(ctx, g, idx, size, shape):
        ctx.idx = idx
        flat = np.bincount(idx.reshape(-1), weights=g.reshape(-1), minlength=size)
        return flat.astype(g.dtype, copy=False).reshape(shape)

    @staticmethod
    def backward(ctx, gg):
        return Gather.apply(gg, ctx.idx), None


class ConstantPad(Op):
    """Pad with a constant; negative amounts crop. ``pads`` is [(before, after), ...]."""

    @staticmethod
    def forward(ctx, x, pads, value):
        crop = tuple(slice(max(-b, 0), n - max(-a, 0))
                     for (b, a), n in zip(pads, x.shape, strict=True))
        grow = [(max(b, 0), max(a, 0)) for b, a in pads]
        ctx.pads = pads
        return np.pad(x[crop], grow, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, g):
        return ConstantPad.apply(g, pads=[(-b, -a) for b, a in ctx.pads], value=0)


# ======================================================================== sequences


class Unbind(Function):
    """Split ``x`` along ``dim`` into views, as ONE graph node whose backward stacks the
    gradients (slicing step by step would cost a full-size gradient per slice)."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return tuple(_from_array(a) for a in np.moveaxis(x._data, dim, 0))

    @staticmethod
    def backward(ctx, *grads):
        like = next(g for g in grads if g is not None)
        grads = [g.to(like.dtype) if g.dtype != like.dtype else g for g in grads]
        return stack(grads, ctx.dim), None


# ======================================================================== softmax (public)


def _softmax_args(input, dim, dtype):
    if dim is None:
        warn_user(
            "Implicit dimension choice for softmax has been deprecated. Change the call to "
            "include dim=X as an argument."
        )
        dim = 0 if input.ndim in (0, 1, 3) else 1
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind != "f" and input._data.size:
        raise NotImplementedError(
            f'"softmax" not implemented for \'{_dtype.scalar_type_name(input.dtype)}\'')
    axis = _wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        return input.reshape(1), axis, True
    return input, axis, False


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """``exp(input)`` normalised to sum to 1 along ``dim`` (``Tensor.softmax``, ``F.softmax``).

    Args:
        input: a float tensor (a 0-d tensor gives 1).
        dim: the dim to normalise over. None is deprecated: it warns and picks PyTorch's legacy
            dim (0 for 0-, 1- and 3-d inputs, else 1).
        _stacklevel: ignored; kept for PyTorch's signature.
        dtype: cast ``input`` to this dtype first.

    Raises:
        NotImplementedError: a non-empty integer input without a float ``dtype``.
    """
    input, axis, scalar = _softmax_args(input, dim, dtype)
    if input._data.dtype.kind != "f":
        return input.clone()  # empty: PyTorch returns it, in its dtype
    out = Softmax.apply(input, axis=axis)
    return out.reshape(()) if scalar else out


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None
                ) -> Tensor:
    """``log(softmax(input, dim))``, computed stably in one step; ``softmax``'s arguments.

    Raises:
        NotImplementedError: a non-empty integer input without a float ``dtype``.
    """
    input, axis, scalar = _softmax_args(input, dim, dtype)
    if input._data.dtype.kind != "f":
        return input.clone()  # empty: PyTorch returns it, in its dtype
    out = LogSoftmax.apply(input, axis=axis)
    return out.reshape(()) if scalar else out

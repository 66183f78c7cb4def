"""Reductions: sum, mean, prod, var/std, max/min/amax/amin, logsumexp, norm, cumsum.

Reductions send their gradient back with ``BroadcastTo`` (``autograd/broadcast.py``, beside the
``SumTo`` the engine uses to undo broadcasting).
"""

from __future__ import annotations

import builtins
from collections import namedtuple

import numpy as np

from .. import _dtype
from .._core import Tensor, _from_array, _wrap_dim
from .._grad_mode import state as _grad_state
from ..autograd.broadcast import BroadcastTo
from ..autograd.function import Op
from ._util import const
from .selection import maximum, minimum, where
from .transcendental import Sqrt

# ======================================================================== primitives


class Sum(Op):
    """Sum over ``axis`` (None for all); the gradient is broadcast back."""

    def name(self) -> str:
        return "SumBackward0" if self.axis is None else "SumBackward1"

    @staticmethod
    def forward(ctx, a, axis, keepdim):
        if ctx.requires_grad:
            ctx.in_shape = a.shape
            ctx.axis = axis
            ctx.keepdim = keepdim
        if a.dtype == _dtype.BFLOAT16_NP:  # accumulate in float32, as PyTorch's CPU kernels
            return np.add.reduce(a.astype(np.float32), axis=axis, keepdims=keepdim).astype(a.dtype)
        return np.add.reduce(a, axis=axis, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        return BroadcastTo.apply(g, shape=ctx.in_shape, via=_kept_shape(ctx))


def _kept_shape(ctx) -> tuple:
    """The reduction's output shape with the reduced axes kept as size 1."""
    if ctx.axis is None:
        return (1,) * len(ctx.in_shape)
    shape = list(ctx.in_shape)
    for ax in ctx.axis:
        shape[ax] = 1
    return tuple(shape)


def _restore_dims(g: Tensor, ctx) -> Tensor:
    """Reinsert the reduced axes as size-1 dims so ``g`` broadcasts against the input."""
    if ctx.keepdim or ctx.axis is None and g.ndim == 0:
        return g if ctx.keepdim else g.reshape((1,) * len(ctx.in_shape))
    shape = list(ctx.in_shape)
    axes = range(len(shape)) if ctx.axis is None else ctx.axis
    for ax in axes:
        shape[ax] = 1
    return g.reshape(tuple(shape))


class Amax(Op):
    """amax/amin and full max()/min(): ties share the gradient evenly (as PyTorch)."""

    save_inputs = (0,)
    save_output = True

    @staticmethod
    def forward(ctx, a, axis, keepdim, fn):
        ctx.in_shape = a.shape
        ctx.axis = axis
        ctx.keepdim = keepdim
        return fn(a, axis=axis, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        hit = (a._data == _restore_dims(out, ctx)._data).astype(g._data.dtype)
        count = hit.sum(axis=ctx.axis, keepdims=True)
        return _restore_dims(g, ctx) * const(hit / count)


class TakeAlongDim(Op):
    """Values at given indices along one axis (max/min with dim, gather)."""

    def name(self) -> str:
        return "GatherBackward0"

    @staticmethod
    def forward(ctx, a, idx, axis):
        ctx.in_shape = a.shape
        ctx.idx = idx
        ctx.axis = axis
        return np.take_along_axis(a, idx, axis=axis)

    @staticmethod
    def backward(ctx, g):
        return ScatterAlongDim.apply(g, ctx.idx, ctx.axis, ctx.in_shape)


class ScatterAlongDim(Op):
    """Adjoint of TakeAlongDim: adds values into zeros at the indices (duplicates add up)."""

    @staticmethod
    def forward(ctx, src, idx, axis, shape):
        ctx.idx = idx
        ctx.axis = axis
        out = np.zeros(shape, dtype=src.dtype)
        _scatter_add(out, idx, src, axis)
        return out

    @staticmethod
    def backward(ctx, g):
        return TakeAlongDim.apply(g, ctx.idx, ctx.axis), None, None, None


def _scatter_add(out: np.ndarray, idx: np.ndarray, src: np.ndarray, axis: int) -> None:
    """out[..., idx[i], ...] += src[i] along ``axis`` with repeated indices accumulating."""
    full = list(np.indices(idx.shape, sparse=True))
    full[axis] = idx
    np.add.at(out, tuple(full), src[tuple(slice(0, s) for s in idx.shape)])


class Cumsum(Op):
    """Running sums along ``axis``; the gradient is a reversed running sum."""

    @staticmethod
    def forward(ctx, a, axis):
        ctx.axis = axis
        if a.dtype.kind == "f" and a.dtype.itemsize < 4:  # float16 accumulates in float32
            with np.errstate(over="ignore"):  # beyond float16: inf, as PyTorch
                return np.cumsum(a, axis=axis, dtype=np.float32).astype(a.dtype)
        return np.cumsum(a, axis=axis)

    @staticmethod
    def backward(ctx, g):
        return g.flip(ctx.axis).cumsum(ctx.axis).flip(ctx.axis)


class Cumprod(Op):
    """Running products along ``axis``."""

    save_inputs = (0,)
    save_output = True

    @staticmethod
    def forward(ctx, a, axis):
        ctx.axis = axis
        return np.cumprod(a, axis=axis)

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        axis = ctx.axis
        if not (a._data == 0).any():  # d out_j / d x_i = out_j / x_i for j >= i
            return (g * out).flip(axis).cumsum(axis).flip(axis) / a
        # with zeros: sum over j >= i of g_j * prod_{k <= j, k != i} x_k (O(n^2), first order)
        x = np.moveaxis(a._data, axis, -1)
        gg = np.moveaxis(g._data, axis, -1)
        res = np.zeros_like(x)
        for i in range(x.shape[-1]):
            y = x.copy()
            y[..., i] = 1
            res[..., i] = (gg[..., i:] * np.cumprod(y, -1)[..., i:]).sum(-1)
        return const(np.moveaxis(res, -1, axis))


class Prod(Op):
    """Product over ``axis`` (None for all)."""

    save_inputs = (0,)
    save_output = True

    @staticmethod
    def forward(ctx, a, axis, keepdim):
        ctx.in_shape = a.shape
        ctx.axis = None if axis is None else (axis,)
        ctx.keepdim = keepdim
        return np.prod(a, axis=axis, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        g = _restore_dims(g, ctx)
        if not (a._data == 0).any():
            return g * _restore_dims(out, ctx) / a
        # with zeros, the product of the *other* elements: exclusive cumprods from both sides
        axis = ctx.axis[0] if ctx.axis else None
        x = a._data.reshape(-1) if axis is None else a._data
        ax = 0 if axis is None else axis
        left = np.cumprod(np.concatenate([np.ones_like(np.take(x, [0], ax)), x], ax), ax)
        left = np.take(left, range(x.shape[ax]), ax)
        rev = np.flip(x, ax)
        right = np.cumprod(np.concatenate([np.ones_like(np.take(rev, [0], ax)), rev], ax), ax)
        right = np.flip(np.take(right, range(x.shape[ax]), ax), ax)
        others = (left * right).reshape(a._data.shape)
        return g * const(others)


# ======================================================================== public functions

class _ValuesIndices(namedtuple("_ValuesIndices", ["values", "indices"])):
    """A (values, indices) pair that prints like ``torch.return_types.max``."""

    __slots__ = ()
    _op = ""

    def __repr__(self) -> str:
        return (f"ember.return_types.{self._op}(\nvalues={self.values!r},\n"
                f"indices={self.indices!r})")


class max_return(_ValuesIndices):  # noqa: N801 - mirrors torch.return_types.max
    __slots__ = ()
    _op = "max"


class min_return(_ValuesIndices):  # noqa: N801 - mirrors torch.return_types.min
    __slots__ = ()
    _op = "min"


def _axes(dim, ndim: int):
    if dim is None:
        return None
    if ndim == 0:  # a 0-d tensor accepts dim 0 / -1 and reduces to itself
        for d in dim if isinstance(dim, (tuple, list)) else (dim,):
            _wrap_dim(d, 0)
        return None
    if isinstance(dim, (tuple, list)):
        if len(dim) == 0:
            return None
        axes = tuple(sorted(_wrap_dim(d, ndim) for d in dim))
        if len(set(axes)) != len(axes):
            raise RuntimeError(f"dim {tuple(dim)} appears multiple times in the list of dims")
        return axes
    return (_wrap_dim(dim, ndim),)


def sum(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A001
    """The sum of the elements of ``input`` over ``dim``.

    Bool and integer inputs accumulate in int64 (as PyTorch) unless ``dtype`` is given.

    Args:
        input: the tensor.
        dim: an int or a tuple of ints; None (or an empty tuple) reduces over all dims.
        keepdim: keep the reduced dims with size 1.
        dtype: cast ``input`` to this dtype first.

    Raises:
        RuntimeError: a dim listed twice.
    """
    if dim is None and dtype is None and input._data.dtype.kind == "f":
        # the loss-reduction fast path; with nothing to record it is one NumPy call
        if input._requires_grad and _grad_state.enabled:
            return Sum.apply(input, axis=None, keepdim=keepdim)
        return _from_array(np.asarray(np.add.reduce(input._data, axis=None, keepdims=keepdim)))
    if dtype is not None:
        input = input.to(dtype)
    elif input._data.dtype.kind in "bu" or input._data.dtype.kind == "i" and \
            input._data.dtype != np.int64:
        input = input.to(np.int64)  # integer sums accumulate in int64 (as PyTorch)
    return Sum.apply(input, axis=_axes(dim, input._data.ndim), keepdim=keepdim)


def mean(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The mean of the elements of ``input`` over ``dim``; an empty reduction gives nan.

    Args:
        input: the tensor.
        dim: an int or a tuple of ints; None (or an empty tuple) reduces over all dims.
        keepdim: keep the reduced dims with size 1.
        dtype: cast ``input`` to this dtype first.

    Raises:
        RuntimeError: a non-float input (pass a float ``dtype``), or a dim listed twice.
    """
    if dtype is not None:
        input = input.to(dtype)
    if not _dtype.is_float_np(input._data.dtype):
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {_dtype.scalar_type_name(input.dtype)}"
        )
    return Mean.apply(input, axis=_axes(dim, input._data.ndim), keepdim=keepdim)


class Mean(Op):
    """One node for sum / count (an empty reduction gives nan, as PyTorch)."""

    def name(self) -> str:
        return "MeanBackward0" if self.axis is None else "MeanBackward1"

    @staticmethod
    def forward(ctx, a, axis, keepdim):
        ctx.in_shape = a.shape
        ctx.axis = axis
        ctx.keepdim = keepdim
        n = a.size if axis is None else int(np.prod([a.shape[i] for i in axis]))
        ctx.n = n
        if n == 0:
            return np.full(np.sum(a, axis=axis, keepdims=keepdim).shape, np.nan, dtype=a.dtype)
        if a.dtype == np.float16 or a.dtype == _dtype.BFLOAT16_NP:  # accumulate in float32
            return np.mean(a, axis=axis, keepdims=keepdim, dtype=np.float32).astype(a.dtype)
        return (np.add.reduce(a, axis=axis, keepdims=keepdim) / n).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return BroadcastTo.apply(g / builtins.max(ctx.n, 1), shape=ctx.in_shape,
                                 via=_kept_shape(ctx))


def var(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None) -> Tensor:
    """The variance over ``dim``, by default with Bessel's correction (divide by n - 1).

    ``var(x, 0)`` and ``var(x, (0, 1))`` are read as ``dim``, as in PyTorch. When n <= correction
    the result is inf or nan.

    Args:
        input: a float tensor.
        dim: an int or a tuple of ints; None reduces over all dims.
        unbiased: True for correction 1, False for 0 (the older spelling of ``correction``).
        keepdim: keep the reduced dims with size 1.
        correction: subtract this from n in the denominator; takes precedence over ``unbiased``.

    Raises:
        RuntimeError: a non-float input.
    """
    if isinstance(unbiased, bool) or unbiased is None:
        pass
    else:  # var(x, dim) positional forms: var(x, 0) or var(x, (0, 1))
        dim, unbiased = unbiased, None
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    if not _dtype.is_float_np(input._data.dtype):
        raise RuntimeError("std and var only support floating point and complex dtypes")
    axes = _axes(dim, input._data.ndim)
    shape = input._data.shape
    n = input._data.size if axes is None else int(np.prod([shape[a] for a in axes]))
    # builtins: this module's max/min are the tensor reductions
    centered = input - Sum.apply(input, axis=axes, keepdim=True) / builtins.max(n, 1)
    denom = builtins.max(n - correction, 0)
    with np.errstate(divide="ignore", invalid="ignore"):  # n <= correction gives inf/nan
        return Sum.apply(centered * centered, axis=axes, keepdim=keepdim) / denom


class _StdSqrt(Sqrt):
    """sqrt of a variance; its gradient is taken as 0 where the deviation is 0 (as PyTorch)."""

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        zero = out._data == 0
        safe = out + const(zero.astype(out._data.dtype))
        return g * const(~zero) / (safe * 2)


def std(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None) -> Tensor:
    """The standard deviation, ``sqrt(var(...))``, with the same arguments as ``var``.

    Its gradient is 0 where the deviation is 0 (as PyTorch) rather than nan.
    """
    return _StdSqrt.apply(var(input, dim, unbiased, keepdim, correction=correction))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var(...), mean(...))`` over the same dims, as a tuple."""
    return var(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std(...), mean(...))`` over the same dims, as a tuple."""
    return std(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


def _check_nonempty(input, axes, name: str) -> None:
    """PyTorch's errors for max-like reductions over no elements (there is no identity)."""
    if input._data.size:
        return
    if axes is None:
        raise RuntimeError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
            "Specify the reduction dim with the 'dim' argument."
        )
    for ax in axes:
        if input._data.shape[ax] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {ax} to have non-zero size.")


def _extreme(input, dim, keepdim, arg_fn, red_fn, name):
    result = max_return if name == "max" else min_return
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{name}() with dim takes one int, got {dim!r}")
    _check_nonempty(input, _axes(dim, input._data.ndim), name)
    if dim is None:
        return Amax.apply(input, axis=None, keepdim=False, fn=red_fn)
    axis = _wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        return result(input.clone(), _from_array(np.zeros((), np.int64)))
    idx = np.expand_dims(arg_fn(input._data, axis=axis), axis)
    values = TakeAlongDim.apply(input, idx, axis)
    if not keepdim:
        values = values.squeeze(axis)
        idx = np.squeeze(idx, axis)
    return result(values, _from_array(idx.astype(np.int64)))


def max(input, dim=None, keepdim: bool = False):  # noqa: A001
    """The largest element; with ``dim``, a ``(values, indices)`` pair along it.

    ``max(input, other_tensor)`` is ``maximum``. Without ``dim`` the gradient is shared equally by
    tied maxima; with ``dim`` it goes to the returned index. NaN counts as the largest value.

    Args:
        input: the tensor.
        dim: a single int (a tuple raises TypeError), or None for the whole tensor.
        keepdim: keep the reduced dim with size 1.

    Returns:
        A 0-d tensor without ``dim``; otherwise ``max_return(values, indices)`` (int64 indices).

    Raises:
        RuntimeError: an empty input without ``dim``.
        IndexError: reducing over a dim of size 0.
    """
    if isinstance(dim, Tensor):
        return maximum(input, dim)
    return _extreme(input, dim, keepdim, np.argmax, np.max, "max")


def min(input, dim=None, keepdim: bool = False):  # noqa: A001
    """The smallest element; with ``dim``, a ``(values, indices)`` pair along it.

    ``min(input, other_tensor)`` is ``minimum``. Otherwise the mirror image of ``max``.

    Raises:
        TypeError: ``dim`` is a tuple.
        RuntimeError: an empty input without ``dim``.
        IndexError: reducing over a dim of size 0.
    """
    if isinstance(dim, Tensor):
        return minimum(input, dim)
    return _extreme(input, dim, keepdim, np.argmin, np.min, "min")


def amax(input, dim=(), keepdim: bool = False) -> Tensor:
    """The largest values over ``dim`` (an int or tuple; all dims by default), without indices.

    Raises:
        RuntimeError: an empty input reduced over all dims.
        IndexError: reducing over a dim of size 0.
    """
    axes = _axes(dim, input._data.ndim)
    _check_nonempty(input, axes, "amax")
    return Amax.apply(input, axis=axes, keepdim=keepdim, fn=np.max)


def amin(input, dim=(), keepdim: bool = False) -> Tensor:
    """The smallest values over ``dim`` (an int or tuple; all dims by default), without indices.

    Raises:
        RuntimeError: an empty input reduced over all dims.
        IndexError: reducing over a dim of size 0.
    """
    axes = _axes(dim, input._data.ndim)
    _check_nonempty(input, axes, "amin")
    return Amax.apply(input, axis=axes, keepdim=keepdim, fn=np.min)


def argmax(input, dim=None, keepdim: bool = False) -> Tensor:
    """The int64 index of the first maximum, in the flattened tensor when ``dim`` is None.

    Raises:
        TypeError: ``dim`` is not an int.
    """
    return _arg(input, dim, keepdim, np.argmax, "argmax")


def argmin(input, dim=None, keepdim: bool = False) -> Tensor:
    """The int64 index of the first minimum, in the flattened tensor when ``dim`` is None.

    Raises:
        TypeError: ``dim`` is not an int.
    """
    return _arg(input, dim, keepdim, np.argmin, "argmin")


def _arg(input, dim, keepdim, fn, name) -> Tensor:
    a = input._data
    if a.dtype == np.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is not None and not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
    _check_nonempty(input, _axes(dim, a.ndim), name)
    if dim is None:
        out = np.asarray(fn(a))
        if keepdim:
            out = out.reshape((1,) * a.ndim)
    else:
        out = fn(a, axis=_wrap_dim(dim, a.ndim), keepdims=keepdim)
    return _from_array(np.asarray(out, dtype=np.int64))


def logsumexp(input, dim, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(input)))`` over ``dim``, shifted by the maximum so it does not overflow.

    Slices that are all -inf give -inf (not nan). Integer and bool inputs are computed in the
    default float dtype (as PyTorch).
    """
    if input._data.dtype.kind != "f":
        input = input.to(np.float32)
    axes = _axes(dim, input._data.ndim)
    m = np.max(input._data, axis=axes, keepdims=True) if input._data.size else \
        np.zeros((1,) * input._data.ndim, input._data.dtype)
    m = np.where(np.isfinite(m), m, 0)  # all -inf rows: keep log(0) = -inf, not nan
    shifted = (input - const(m)).exp()
    out = Sum.apply(shifted, axis=axes, keepdim=True).log() + const(m)
    return out if keepdim else out.reshape(_reduced_shape(input._data.shape, axes))


def _reduced_shape(shape, axes):
    if axes is None:
        return ()
    return tuple(s for i, s in enumerate(shape) if i not in axes)


class Norm2(Op):
    """Euclidean norm; its gradient x / ||x|| is taken as 0 at x == 0 (as PyTorch)."""

    save_inputs = (0,)
    save_output = True

    @staticmethod
    def forward(ctx, a, axis, keepdim):
        ctx.in_shape = a.shape
        ctx.axis = axis
        ctx.keepdim = keepdim
        # float16 squares accumulate in float32 (as PyTorch's CPU kernel): ||(300, 400)|| = 500
        wide = a.astype(np.float32) if a.dtype.kind == "f" and a.dtype.itemsize < 4 else a
        with np.errstate(over="ignore"):  # beyond float16: inf, as PyTorch
            return np.sqrt(np.sum(wide * wide, axis=axis, keepdims=keepdim)).astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        out = _restore_dims(out, ctx)
        safe = out + const((out._data == 0).astype(out._data.dtype))
        return _restore_dims(g, ctx) * a / safe


class NormP(Op):
    """The p-norm ``sum(|a|^p)^(1/p)`` for p other than 0, 1, 2 and +-inf, in one node.

    Backward is PyTorch's: ``a |a|^(p-2) g / norm^(p-1)``, taken as 0 where the norm is 0
    (and, for p < 1, where ``a`` is 0), so the gradient at the origin is 0, not nan.
    float16 accumulates in float32.
    """

    save_inputs = (0,)
    save_output = True

    @staticmethod
    def forward(ctx, a, p, axis, keepdim):
        ctx.p, ctx.axis, ctx.keepdim, ctx.in_shape = p, axis, keepdim, a.shape
        wide = a.astype(np.float32) if a.dtype.kind == "f" and a.dtype.itemsize < 4 else a
        with np.errstate(over="ignore", divide="ignore"):  # inf beyond the dtype or 0 ** -p
            powered = np.sum(np.abs(wide) ** p, axis=axis, keepdims=keepdim)
            return (powered ** (1.0 / p)).astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        p = ctx.p
        out, g = _restore_dims(out, ctx), _restore_dims(g, ctx)
        zero = const(np.zeros((), a._data.dtype))
        one = const(np.ones((), a._data.dtype))
        dead = const(out._data == 0)
        if p < 1:  # |a|^(p-1) is inf at a == 0: select 0 there
            scaled = a.sign() * where(const(a._data == 0), zero,
                                      where(const(a._data == 0), one, a.abs()) ** (p - 1))
        else:
            scaled = a * a.abs() ** (p - 2) if p >= 2 else a.sign() * a.abs() ** (p - 1)
        return where(dead, zero, scaled * g / where(dead, one, out) ** (p - 1))


def norm(input, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """The vector p-norm of ``input`` over ``dim`` (all elements by default).

    Args:
        input: the tensor.
        p: ``"fro"``, None or 2 (Euclidean), 1, 0 (count of nonzeros), ``inf``, ``-inf`` or any
            other number.
        dim: an int or tuple of ints, or None for all elements.
        keepdim: keep the reduced dims with size 1.
        dtype: cast ``input`` to this dtype first.

    Raises:
        NotImplementedError: ``p="nuc"``.
    """
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind != "f":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_dtype.scalar_type_name(input.dtype)}")
    axes = _axes(dim, input._data.ndim)
    if p is None or p == "fro" or p == 2:
        return Norm2.apply(input, axis=axes, keepdim=keepdim)
    if p == "nuc":
        raise NotImplementedError("nuclear norm is not supported by ember")
    absx = input.abs()
    if p == float("inf"):
        return amax(absx, dim if dim is not None else (), keepdim)
    if p == float("-inf"):
        return amin(absx, dim if dim is not None else (), keepdim)
    if p == 0:
        return Sum.apply((input != 0).to(input.dtype), axis=axes, keepdim=keepdim)
    if p == 1:
        return Sum.apply(absx, axis=axes, keepdim=keepdim)
    return NormP.apply(input, p=float(p), axis=axes, keepdim=keepdim)


def prod(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The product of the elements over one ``dim`` (all elements if None).

    Bool and integer inputs accumulate in int64 (as PyTorch) unless ``dtype`` is given.
    """
    if dtype is not None:
        input = input.to(dtype)
    elif input._data.dtype.kind in "biu" and input._data.dtype != np.int64:
        input = input.to(np.int64)  # integer products accumulate in int64 (as PyTorch)
    axis = None if dim is None else _wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        axis = None
    return Prod.apply(input, axis=axis, keepdim=keepdim)


def _running(op: type[Op], input, dim, dtype) -> Tensor:
    """cumsum/cumprod along ``dim``: integers and bools accumulate in int64 (as PyTorch), and a
    0-D input is its own running total."""
    if dtype is not None:
        input = input.to(dtype)
    elif input._data.dtype.kind in "biu":
        input = input.to(np.int64)
    axis = _wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        return input.clone()
    return op.apply(input, axis=axis)


def cumsum(input, dim, *, dtype=None) -> Tensor:
    """Running sums along ``dim``."""
    return _running(Cumsum, input, dim, dtype)


def cumprod(input, dim, *, dtype=None) -> Tensor:
    """Running products along ``dim`` (noise schedules: ``alphas_cumprod``)."""
    return _running(Cumprod, input, dim, dtype)


class cummax_return(_ValuesIndices):  # noqa: N801 - mirrors torch.return_types.cummax
    __slots__ = ()
    _op = "cummax"


class cummin_return(_ValuesIndices):  # noqa: N801 - mirrors torch.return_types.cummin
    __slots__ = ()
    _op = "cummin"


class CumExtreme(Op):
    """Running maximum/minimum along ``axis``; the gradient goes to the element each running
    value was taken from (``indices``, computed by the public function)."""

    @staticmethod
    def forward(ctx, a, idx, axis, node):
        ctx.idx, ctx.axis, ctx.shape, ctx.node = idx, axis, a.shape, node
        return np.take_along_axis(a, idx, axis)

    @staticmethod
    def backward(ctx, g):
        return ScatterAlongDim.apply(g, ctx.idx, ctx.axis, ctx.shape), None, None, None

    def name(self) -> str:
        return self.node


def _running_extreme_indices(a: np.ndarray, axis: int, better) -> np.ndarray:
    """Index of the running extreme along ``axis``: a later equal value or a NaN takes over
    (PyTorch's rule), and a NaN stays."""
    x = np.moveaxis(a, axis, -1)
    idx = np.zeros(x.shape, dtype=np.int64)
    if x.shape[-1] == 0:
        return np.moveaxis(idx, -1, axis)
    best = x[..., 0].copy()
    cur = np.zeros(x.shape[:-1], dtype=np.int64)
    for i in range(1, x.shape[-1]):
        v = x[..., i]
        take = (better(v, best) | (v == best) | np.isnan(v)) & ~np.isnan(best) \
            if x.dtype.kind == "f" else better(v, best) | (v == best)
        best = np.where(take, v, best)
        cur = np.where(take, i, cur)
        idx[..., i] = cur
    return np.moveaxis(idx, -1, axis)


def _cum_extreme(input, dim, better, result, node):
    axis = _wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        return result(input.clone(), _from_array(np.zeros((), np.int64)))
    idx = _running_extreme_indices(input._data, axis, better)
    return result(CumExtreme.apply(input, idx, axis, node), _from_array(idx))


def cummax(input, dim: int):
    """Running maximum along ``dim`` and the index it came from (``(values, indices)``)."""
    return _cum_extreme(input, dim, np.greater, cummax_return, "CummaxBackward0")


def cummin(input, dim: int):
    """Running minimum along ``dim`` and the index it came from (``(values, indices)``)."""
    return _cum_extreme(input, dim, np.less, cummin_return, "CumminBackward0")


class LogCumSumExp(Op):
    """``log(cumsum(exp(a)))`` along ``axis`` without overflow (``logaddexp.accumulate``)."""

    save_inputs = (0,)
    save_output = True

    @staticmethod
    def forward(ctx, a, axis):
        ctx.axis = axis
        return np.logaddexp.accumulate(a, axis=axis)

    @staticmethod
    def backward(ctx, g):
        # d out_j / d a_i = exp(a_i - out_j) for j >= i
        a, out = ctx.saved_tensors
        axis = ctx.axis
        if _grad_state.enabled:  # create_graph: a form linear in g, shifted by a's maximum
            m = const(np.max(a._data, axis=axis, keepdims=True))
            tail = (g * (m - out).exp()).flip(axis).cumsum(axis).flip(axis)
            return (a - m).exp() * tail
        # first order: the sum over j in log space, positive and negative parts of g apart, so
        # that nothing overflows whatever the spread of the values
        with np.errstate(divide="ignore"):
            pos = (where(g > 0, g, 0.0).log() - out).flip(axis).logcumsumexp(axis).flip(axis)
            neg = (where(g < 0, -g, 0.0).log() - out).flip(axis).logcumsumexp(axis).flip(axis)
        return (a + pos).exp() - (a + neg).exp()


def logcumsumexp(input, dim: int) -> Tensor:
    """``log(cumsum(exp(input)))`` along ``dim``, computed stably (running log-partition)."""
    axis = _wrap_dim(dim, input._data.ndim)
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f'"logcumsumexp_out_cpu" not implemented for '
                                  f"'{_dtype.scalar_type_name(input.dtype)}'")
    if input._data.ndim == 0:
        return input.clone()
    return LogCumSumExp.apply(input, axis=axis)


def all(input, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """True where all elements over ``dim`` are nonzero (bool; uint8 for uint8 input, as
    PyTorch)."""
    return _logical_reduce(np.all, input, dim, keepdim)


def any(input, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """True where any element over ``dim`` is nonzero (bool; uint8 for uint8 input, as
    PyTorch)."""
    return _logical_reduce(np.any, input, dim, keepdim)


def _logical_reduce(fn, input, dim, keepdim: bool) -> Tensor:
    a = input._data
    out = np.asarray(fn(a, axis=_axes(dim, a.ndim), keepdims=keepdim))
    return _from_array(out.astype(np.uint8) if a.dtype == np.uint8 else out)


# ======================================================================== sorting


class sort_return(_ValuesIndices):  # noqa: N801 - mirrors torch.return_types.sort
    __slots__ = ()
    _op = "sort"


class topk_return(_ValuesIndices):  # noqa: N801 - mirrors torch.return_types.topk
    __slots__ = ()
    _op = "topk"


def _along(input, idx: np.ndarray, axis: int) -> Tensor:
    """Values at ``idx`` along ``axis``, differentiable (gradients scatter back)."""
    if input._data.ndim == 0:
        return input.clone()
    return TakeAlongDim.apply(input, idx, axis)


def sort(input, dim: int = -1, descending: bool = False, stable: bool = False):
    """Sorted values and their indices along ``dim`` (ties keep their order: stable)."""
    a = input._data
    axis = _wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return sort_return(input.clone(), _from_array(np.zeros((), np.int64)))
    idx = _stable_order(a, axis, descending)
    return sort_return(_along(input, idx, axis), _from_array(idx.astype(np.int64)))


def _stable_order(a: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Stable sorting indices; descending puts NaN first, as PyTorch (ascending: last)."""
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    if a.dtype.kind != "f":
        # ~a reverses the order of any integer or bool without overflow (unlike -a)
        return np.argsort(~a, axis=axis, kind="stable")
    idx = np.argsort(-a, axis=axis, kind="stable")
    # NaNs sort last on -a: a second stable pass moves them to the front
    not_nan = ~np.isnan(np.take_along_axis(a, idx, axis=axis))
    return np.take_along_axis(idx, np.argsort(not_nan, axis=axis, kind="stable"), axis=axis)


class median_return(_ValuesIndices):  # noqa: N801 - mirrors torch.return_types.median
    __slots__ = ()
    _op = "median"


def median(input, dim=None, keepdim: bool = False):
    """The lower median (PyTorch's: the ``(n - 1) // 2``-th smallest), of all entries or,
    with ``dim``, along it with its index; NaN wherever the data holds one (as PyTorch).
    Gradients go to the selected entries.

    Raises:
        IndexError: ``dim`` out of range.
    """
    if dim is None:
        flat = input.reshape(-1)
        n = flat._data.size
        if n == 0:
            return _from_array(np.full((), np.nan, input._data.dtype))
        nan = np.isnan(flat._data) if flat._data.dtype.kind == "f" else None
        if nan is not None and nan.any():  # NaN propagates, as PyTorch's median
            return _along(flat, np.argmax(nan, keepdims=True), 0).reshape(())
        order = np.argsort(flat._data, kind="stable")
        return _along(flat, order[[(n - 1) // 2]], 0).reshape(())
    a = input._data
    axis = _wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return median_return(input.clone(), _from_array(np.zeros((), np.int64)))
    k = (a.shape[axis] - 1) // 2
    idx = np.take(np.argsort(a, axis=axis, kind="stable"), [k], axis=axis)
    if a.dtype.kind == "f":
        # a slice holding NaN has median NaN, at the first NaN's index (as PyTorch)
        nan = np.isnan(a)
        has_nan = nan.any(axis=axis, keepdims=True)
        if has_nan.any():
            idx = np.where(has_nan, np.argmax(nan, axis=axis, keepdims=True), idx)
    values, indices = _along(input, idx, axis), idx.astype(np.int64)
    if not keepdim:
        values, indices = values.squeeze(axis), np.squeeze(indices, axis)
    return median_return(values, _from_array(indices))


def argsort(input, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The int64 indices that sort ``input`` along ``dim`` (see ``sort``)."""
    return sort(input, dim, descending, stable).indices


def topk(input, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
    """The ``k`` largest (or smallest) entries along ``dim`` and their indices."""
    a = input._data
    if a.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    axis = _wrap_dim(dim, a.ndim)
    n = a.shape[axis] if a.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"selected index k out of range (k={k}, dimension size {n})")
    order = sort(input.detach(), dim, descending=largest).indices._data
    idx = np.take(order, np.arange(k), axis=axis) if a.ndim else order
    return topk_return(_along(input, idx, axis), _from_array(idx))


def count_nonzero(input, dim=None) -> Tensor:
    """The int64 number of nonzero elements over ``dim`` (an int, a tuple or None)."""
    axes = _axes(dim, input._data.ndim)
    return _from_array(np.asarray(np.count_nonzero(input._data, axis=axes), dtype=np.int64))


def bincount(input, weights=None, minlength: int = 0) -> Tensor:
    """Occurrences of each value of a 1-D non-negative integer tensor (class counts).

    Returns int64 counts, or the summed ``weights`` (in their dtype) when given.
    """
    a = input._data
    if a.dtype.kind not in "iu":
        raise NotImplementedError(
            f'"bincount_cpu" not implemented for \'{_dtype.scalar_type_name(input.dtype)}\'')
    if a.ndim != 1 or (a.size and a.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return _from_array(np.bincount(a, minlength=minlength).astype(np.int64))
    w = weights._data
    return _from_array(np.bincount(a, weights=w, minlength=minlength).astype(
        w.dtype if w.dtype.kind == "f" else np.float64))


def unique(input, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim=None):
    """The distinct values (sorted), optionally with inverse indices and counts."""
    a = input._data
    axis = None if dim is None else _wrap_dim(dim, a.ndim)
    values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True, axis=axis)
    out = [_from_array(values)]
    if return_inverse:
        shape = a.shape if axis is None else (a.shape[axis],)
        out.append(_from_array(inverse.reshape(shape).astype(np.int64)))
    if return_counts:
        out.append(_from_array(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def nansum(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``sum`` treating NaNs as zero (their gradient is zero)."""
    if input._data.dtype.kind != "f":
        return sum(input, dim, keepdim, dtype=dtype)  # integers have no NaN (and sum to int64)
    clean = where(_from_array(np.isnan(input._data)), 0.0, input)
    return sum(clean, dim, keepdim, dtype=dtype)


def nanmean(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``mean`` over the non-NaN entries.

    Raises:
        RuntimeError: an integer or bool input (as PyTorch).
    """
    if input._data.dtype.kind != "f":
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {_dtype.scalar_type_name(input.dtype)}")
    count = (~np.isnan(input._data)).sum(axis=_axes(dim, input._data.ndim), keepdims=keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / const(count.astype(input._data.dtype))


def msort(input) -> Tensor:
    """``input`` sorted along dim 0 (the values of ``sort(input, dim=0)``)."""
    return sort(input, 0).values

"""Binds the op functions onto Tensor as methods and operators (``t.exp()``, ``a + b``).

Each op is written once, as a function in ``ember.ops``; this module is the table that
makes it a method too, so ``ember.exp(t)`` and ``t.exp()`` cannot drift apart.
"""

from __future__ import annotations

import numpy as np

from . import _dtype
from ._grad_mode import state as _grad_state
from .ops import elementwise as ew
from .ops import indexing, linalg, reduce, shape
from .ops._util import as_operand
from .tensor import Tensor, _from_array, inplace

_METHODS = {
    # elementwise
    "add": ew.add, "sub": ew.sub, "subtract": ew.sub, "mul": ew.mul, "multiply": ew.mul,
    "div": ew.div, "divide": ew.div, "true_divide": ew.div, "pow": ew.pow, "neg": ew.neg,
    "negative": ew.neg, "exp": ew.exp, "log": ew.log, "log1p": ew.log1p, "expm1": ew.expm1,
    "sqrt": ew.sqrt, "rsqrt": ew.rsqrt, "abs": ew.abs, "absolute": ew.abs, "sign": ew.sign,
    "sin": ew.sin, "cos": ew.cos, "tan": ew.tan, "tanh": ew.tanh, "sigmoid": ew.sigmoid,
    "relu": ew.relu, "clamp": ew.clamp, "clip": ew.clamp, "maximum": ew.maximum,
    "minimum": ew.minimum, "floor": ew.floor, "ceil": ew.ceil, "round": ew.round,
    "trunc": ew.trunc, "frac": ew.frac, "reciprocal": ew.reciprocal, "square": ew.square,
    "lerp": ew.lerp,
    # reductions
    "sum": reduce.sum, "mean": reduce.mean, "prod": reduce.prod, "var": reduce.var,
    "std": reduce.std, "max": reduce.max, "min": reduce.min, "amax": reduce.amax,
    "amin": reduce.amin, "argmax": reduce.argmax, "argmin": reduce.argmin,
    "logsumexp": reduce.logsumexp, "norm": reduce.norm, "all": reduce.all, "any": reduce.any,
    "cumsum": reduce.cumsum,
    # linear algebra
    "matmul": linalg.matmul, "mm": linalg.mm, "bmm": linalg.bmm, "mv": linalg.mv,
    "dot": linalg.dot, "outer": linalg.outer, "inner": linalg.inner,
    # shape
    "reshape": shape.reshape, "view": shape.view, "view_as": shape.view_as,
    "reshape_as": shape.reshape_as, "flatten": shape.flatten, "unflatten": shape.unflatten,
    "squeeze": shape.squeeze, "unsqueeze": shape.unsqueeze, "permute": shape.permute,
    "transpose": shape.transpose, "swapaxes": shape.transpose, "swapdims": shape.transpose,
    "t": shape.t, "expand": shape.expand, "expand_as": shape.expand_as,
    "broadcast_to": shape.broadcast_to, "sum_to_size": shape.sum_to_size,
    "repeat": shape.repeat, "split": shape.split, "chunk": shape.chunk, "unbind": shape.unbind,
    "flip": shape.flip, "fliplr": shape.fliplr, "flipud": shape.flipud, "narrow": shape.narrow,
    "tril": shape.tril, "triu": shape.triu, "movedim": shape.movedim,
    # indexing
    "gather": indexing.gather, "scatter": indexing.scatter, "scatter_add": indexing.scatter_add,
    "index_select": indexing.index_select, "masked_fill": indexing.masked_fill,
    "nonzero": indexing.nonzero, "take_along_dim": indexing.take_along_dim,
    "masked_select": indexing.masked_select,
    # beyond the core set
    "asin": ew.asin, "acos": ew.acos, "atan": ew.atan, "arcsin": ew.asin, "arccos": ew.acos,
    "arctan": ew.atan, "atan2": ew.atan2, "arctan2": ew.atan2, "sinh": ew.sinh,
    "cosh": ew.cosh, "log2": ew.log2, "log10": ew.log10, "exp2": ew.exp2,
    "clamp_min": ew.clamp_min, "clamp_max": ew.clamp_max, "fmod": ew.fmod,
    "floor_divide": ew.floor_divide, "nan_to_num": ew.nan_to_num, "sort": reduce.sort,
    "median": reduce.median, "cumprod": reduce.cumprod, "nansum": reduce.nansum,
    "nanmean": reduce.nanmean, "tile": shape.tile, "unfold": shape.unfold,
    "logaddexp": ew.logaddexp,
    "argsort": reduce.argsort, "topk": reduce.topk, "count_nonzero": reduce.count_nonzero,
    "unique": reduce.unique, "roll": shape.roll, "repeat_interleave": shape.repeat_interleave,
    "diff": shape.diff,
    "diagonal": shape.diagonal, "diag": shape.diag, "trace": shape.trace,
}

for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)

Tensor.T = property(lambda self: shape.permute(self, tuple(range(self.ndim))[::-1]))
Tensor.mT = property(shape.mT)


def _where(self, condition, other):
    return ew.where(condition, self, other)


Tensor.where = _where


# ---------------------------------------------------------------------- operators
def _reflect(fn):
    def reflected(self, other):
        return fn(other, self)  # the op promotes (a number first does not decide the dtype)

    return reflected


def _fast_binary(op, general, ufunc):
    """Operator fast path for two tensors of one dtype (the common case): no promotion, and
    when nothing is recorded (no_grad, or no input requires grad) the op's forward is just
    ``ufunc``, so call it directly; otherwise ``op.apply`` builds the graph node."""

    def operator(self, other):
        if type(other) is Tensor and type(self) is Tensor and self._data.dtype is other._data.dtype:
            try:
                if _grad_state.enabled and (self._requires_grad or other._requires_grad):
                    return op.apply(self, other)
                out = ufunc(self._data, other._data)
            except ValueError:
                raise ew._broadcast_error(self, other) from None
            result = _new(Tensor)
            result._data = out if type(out) is np.ndarray else np.asarray(out)
            result._requires_grad = False
            result._grad_fn = None
            return result
        return general(self, other)

    operator.__name__ = general.__name__
    return operator


_new = object.__new__
Tensor.__add__ = _fast_binary(ew.Add, ew.add, np.add)
Tensor.__radd__ = ew.add
Tensor.__sub__ = _fast_binary(ew.Sub, ew.sub, np.subtract)
Tensor.__rsub__ = _reflect(ew.sub)
Tensor.__mul__ = _fast_binary(ew.Mul, ew.mul, np.multiply)
Tensor.__rmul__ = ew.mul
Tensor.__truediv__ = ew.div
Tensor.__rtruediv__ = _reflect(ew.div)
Tensor.__pow__ = ew.pow
Tensor.__rpow__ = lambda self, other: ew.pow(other, self)
Tensor.__neg__ = ew.neg
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = ew.abs
Tensor.__matmul__ = linalg.matmul
Tensor.__rmatmul__ = lambda self, other: linalg.matmul(as_operand(other), self)
Tensor.__getitem__ = indexing.getitem
Tensor.__setitem__ = indexing.setitem


def _floordiv(self, other):
    return ew.floor_divide(self, other)


def _rfloordiv(self, other):
    return ew.floor_divide(other, self)


def _mod(self, other):
    from .ops._util import promote

    a, b = promote(self, other)
    b = b._data if isinstance(b, Tensor) else b
    out = np.asarray(np.mod(a._data, b))
    return _from_array(out.astype(a._data.dtype, copy=False) if a._data.dtype.kind == "f" else
                       out)


def _rmod(self, other):
    from .ops._util import promote, tensor_operand

    a, b = promote(other, self)
    return _mod(tensor_operand(a, b), b)


Tensor.__floordiv__ = _floordiv
Tensor.__rfloordiv__ = _rfloordiv
Tensor.__mod__ = _mod
Tensor.__rmod__ = _rmod
Tensor.remainder = _mod


def _compare(ufunc):
    def compare(self, other):
        if other is None:  # t == None is False (and t != None True), as PyTorch
            return ufunc is np.not_equal
        b = other._data if isinstance(other, Tensor) else other
        try:
            return _from_array(np.asarray(ufunc(self._data, b)))
        except ValueError:
            raise ew._broadcast_error(self, other) from None

    return compare


for _dunder, _method, _ufunc in [
    ("__eq__", "eq", np.equal), ("__ne__", "ne", np.not_equal), ("__lt__", "lt", np.less),
    ("__le__", "le", np.less_equal), ("__gt__", "gt", np.greater),
    ("__ge__", "ge", np.greater_equal),
]:
    setattr(Tensor, _dunder, _compare(_ufunc))
    setattr(Tensor, _method, _compare(_ufunc))
Tensor.__hash__ = object.__hash__
Tensor.greater = Tensor.gt
Tensor.less = Tensor.lt
Tensor.greater_equal = Tensor.ge
Tensor.less_equal = Tensor.le
Tensor.not_equal = Tensor.ne


def _logical(ufunc, name):
    def op(self, other):
        b = other._data if isinstance(other, Tensor) else other
        if self._data.dtype.kind == "f" or np.asarray(b).dtype.kind == "f":
            raise RuntimeError(f'"{name}" not implemented for \'Float\'')
        return _from_array(np.asarray(ufunc(self._data, b)))

    return op


Tensor.__and__ = Tensor.__rand__ = Tensor.bitwise_and = _logical(np.bitwise_and, "bitwise_and")
Tensor.__or__ = Tensor.__ror__ = Tensor.bitwise_or = _logical(np.bitwise_or, "bitwise_or")
Tensor.__xor__ = Tensor.__rxor__ = Tensor.bitwise_xor = _logical(np.bitwise_xor, "bitwise_xor")


def _invert(self):
    if self._data.dtype.kind == "f":
        raise RuntimeError("\"bitwise_not\" not implemented for 'Float'")
    return _from_array(np.asarray(np.invert(self._data)))


Tensor.__invert__ = Tensor.bitwise_not = _invert
Tensor.logical_not = lambda self: _from_array(np.logical_not(self._data))
Tensor.logical_and = lambda self, o: _from_array(np.logical_and(self._data, _arr(o)))
Tensor.logical_or = lambda self, o: _from_array(np.logical_or(self._data, _arr(o)))
Tensor.logical_xor = lambda self, o: _from_array(np.logical_xor(self._data, _arr(o)))
Tensor.isnan = lambda self: _from_array(np.isnan(self._data))
Tensor.isinf = lambda self: _from_array(np.isinf(self._data))
Tensor.isfinite = lambda self: _from_array(np.isfinite(self._data))
Tensor.allclose = lambda self, other, rtol=1e-05, atol=1e-08, equal_nan=False: bool(
    np.allclose(self._data, _arr(other), rtol=rtol, atol=atol, equal_nan=equal_nan))
Tensor.isclose = lambda self, other, rtol=1e-05, atol=1e-08, equal_nan=False: _from_array(
    np.isclose(self._data, _arr(other), rtol=rtol, atol=atol, equal_nan=equal_nan))
Tensor.equal = lambda self, other: bool(
    self._data.shape == _arr(other).shape and np.array_equal(self._data, _arr(other)))


def _arr(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


# ---------------------------------------------------------------------- in-place ops
def _fast_inplace(ufunc, out_of_place):
    """In-place arithmetic: a NumPy ufunc with out= when nothing records (optimizer steps)."""

    def method(self, other, *, alpha=None):
        if alpha is not None:
            other = other * alpha
        if not _grad_state.enabled or not (
            self._requires_grad or (isinstance(other, Tensor) and other._requires_grad)
        ):
            b = other._data if isinstance(other, Tensor) else other
            if not self._data.flags.writeable:
                raise RuntimeError(
                    "unsupported operation: more than one element of the written-to tensor "
                    "refers to a single memory location. Please clone() the tensor before "
                    "performing the operation."
                )
            if self._data.dtype.kind != "f" and (np.asarray(b).dtype.kind == "f" or
                                                 ufunc is np.true_divide):
                raise RuntimeError(
                    f"result type Float can't be cast to the desired output type "
                    f"{_dtype.scalar_type_name(self.dtype)}"
                )
            try:
                ufunc(self._data, b, out=self._data, casting="unsafe")
            except ValueError:
                raise RuntimeError(
                    f"output with shape {list(self._data.shape)} doesn't match the broadcast "
                    f"shape {list(np.broadcast_shapes(self._data.shape, np.shape(b)))}"
                ) from None
            self._bump_version()
            return self
        return inplace(self, lambda src: _castable(self, out_of_place(src, other)), (other,))

    return method


_KIND_RANK = {"b": 0, "u": 1, "i": 1, "f": 2}


def _castable(self: Tensor, new: Tensor) -> Tensor:
    """PyTorch refuses in-place results of a higher category (float into an int tensor)."""
    if _KIND_RANK[new._data.dtype.kind] > _KIND_RANK[self._data.dtype.kind]:
        raise RuntimeError(
            f"result type {_dtype.scalar_type_name(new.dtype)} can't be cast to the desired "
            f"output type {_dtype.scalar_type_name(self.dtype)}"
        )
    return new


Tensor.add_ = _fast_inplace(np.add, ew.add)
Tensor.sub_ = _fast_inplace(np.subtract, ew.sub)
Tensor.mul_ = _fast_inplace(np.multiply, ew.mul)
Tensor.div_ = _fast_inplace(np.true_divide, ew.div)
Tensor.__iadd__ = Tensor.add_
Tensor.__isub__ = Tensor.sub_
Tensor.__imul__ = Tensor.mul_
Tensor.__itruediv__ = Tensor.div_


def _pow_(self, exponent):
    return inplace(self, lambda src: _castable(self, ew.pow(src, exponent)), (exponent,))


def _zero_(self):
    return inplace(self, lambda src: src * 0)


def _fill_(self, value):
    v = value.item() if isinstance(value, Tensor) else value
    return inplace(self, lambda src: src * 0 + v)


def _copy_(self, src, non_blocking=False):
    if not isinstance(src, Tensor):
        src = as_operand(src)
    src_cast = src if src._data.dtype == self._data.dtype else src.to(self.dtype)
    return inplace(self, lambda old: old * 0 + src_cast, (src,))


def _clamp_(self, min=None, max=None):  # noqa: A002
    return inplace(self, lambda src: _castable(self, ew.clamp(src, min, max)), (min, max))


def _masked_fill_(self, mask, value):
    return inplace(self, lambda src: indexing.masked_fill(src, mask, value), (value,))


def _requires_tensor_op(fn):
    def method(self, *args, **kwargs):
        return inplace(self, lambda src: _castable(self, fn(src, *args, **kwargs)), args)

    return method


Tensor.erf = ew.erf
Tensor.bincount = reduce.bincount
Tensor.index_add = indexing.index_add
Tensor.index_add_ = _requires_tensor_op(indexing.index_add)


def _fill_diagonal_(self, fill_value, wrap=False):
    """Write ``fill_value`` on the main diagonal (all dims equal beyond 2-D), in place."""
    if self._data.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if self._data.ndim > 2 and len(set(self._data.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    mask = np.zeros(self._data.shape, dtype=bool)
    np.fill_diagonal(mask, True, wrap=wrap)
    return inplace(self, lambda src: ew.where(_from_array(mask), fill_value, src))


Tensor.fill_diagonal_ = _fill_diagonal_
Tensor.erfc = ew.erfc
Tensor.logit = ew.logit
Tensor.addcmul = ew.addcmul
Tensor.addcdiv = ew.addcdiv
Tensor.addmm = linalg.addmm
Tensor.baddbmm = linalg.baddbmm
Tensor.addmv = linalg.addmv
Tensor.pow_ = _pow_
Tensor.zero_ = _zero_
Tensor.fill_ = _fill_
Tensor.copy_ = _copy_
Tensor.clamp_ = Tensor.clip_ = _clamp_
Tensor.masked_fill_ = _masked_fill_
for _name in ["exp", "log", "sqrt", "abs", "neg", "sigmoid", "tanh", "relu", "floor", "ceil",
              "round", "sign", "reciprocal", "square", "sin", "cos", "lerp", "scatter",
              "scatter_add", "tril", "triu"]:
    setattr(Tensor, _name + "_", _requires_tensor_op(_METHODS[_name]))
for _name in ["erf", "addcmul", "addcdiv", "addmm", "baddbmm", "logit"]:
    setattr(Tensor, _name + "_", _requires_tensor_op(getattr(Tensor, _name)))


def _uniform_(self, a=0.0, b=1.0, *, generator=None):
    from ._random import rng

    with_no_grad_write(self, rng(generator).uniform(a, b, self._data.shape))
    return self


def _normal_(self, mean=0.0, std=1.0, *, generator=None):
    from ._random import rng

    with_no_grad_write(self, rng(generator).normal(mean, std, self._data.shape))
    return self


def _bernoulli_(self, p=0.5, *, generator=None):
    from ._random import rng

    with_no_grad_write(self, rng(generator).random(self._data.shape) < p)
    return self


def with_no_grad_write(t: Tensor, values) -> None:
    """Random fills are initialisers: allowed on leaves only under no_grad, like PyTorch."""
    if _grad_state.enabled and t._requires_grad and t._grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    t._data[...] = values
    t._bump_version()


Tensor.uniform_ = _uniform_
Tensor.normal_ = _normal_
Tensor.bernoulli_ = _bernoulli_


def _multinomial(self, num_samples, replacement=False, *, generator=None):
    from ._creation import multinomial

    return multinomial(self, num_samples, replacement, generator=generator)


Tensor.multinomial = _multinomial


def _softmax(self, dim, dtype=None):
    from .nn import functional as F

    return F.softmax(self, dim, dtype=dtype)


def _log_softmax(self, dim, dtype=None):
    from .nn import functional as F

    return F.log_softmax(self, dim, dtype=dtype)


Tensor.softmax = _softmax
Tensor.log_softmax = _log_softmax

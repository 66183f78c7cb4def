"""The op registry: one table from PyTorch's public names to the op functions, with their forms.

Every op is written once, as a function in ``ember.ops`` taking the tensor first. This table says
which forms PyTorch gives it, and the floors above generate them from here, so the forms cannot
drift apart (``x % y``, ``x.remainder(y)`` and ``ember.remainder(x, y)`` are one function):

- ``f``: the top-level function ``ember.<name>`` (installed by ``ember/__init__.py``);
- ``m``: the method ``Tensor.<name>`` (the function itself, installed by ``ember/tensor.py``);
- ``i``: the in-place method ``Tensor.<name>_``: the function's result written back into the
  tensor, its history rewritten when autograd records (``ember.ops.indexing.inplace``);
- ``I``: the in-place form at the top level too (``ember.relu_``).

``OPERATORS`` maps Python's operator methods to table names; a reflected operator
(``2 - x``) calls the function with the operands swapped. ``FAST_INPLACE`` names the NumPy ufunc
that an in-place arithmetic method applies directly into the tensor's storage when nothing
records (an optimizer's update, a running sum).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .._core import Tensor
from . import arithmetic as arith
from . import comparison as cmp
from . import (
    conversion,
    fill,
    fused,
    indexing,
    linalg,
    linalg_factorization,
    logical,
    random,
    reduce,
    rounding,
    shape,
)
from . import selection as select
from . import transcendental as trans


class Entry(NamedTuple):
    """An op's function and the forms it takes (letters of ``fmiI``, see the module doc)."""

    fn: Callable
    forms: str
    method: Callable | None = None  # a method whose argument order differs from the function's


def _where_method(input, condition, other):
    """``x.where(condition, y)``: PyTorch's method takes the condition second."""
    return select.where(condition, input, other)


OPS: dict[str, Entry] = {
    # ------------------------------------------------------------------ arithmetic
    "add": Entry(arith.add, "fmi"),
    "sub": Entry(arith.sub, "fmi"),
    "subtract": Entry(arith.sub, "fmi"),
    "mul": Entry(arith.mul, "fmi"),
    "multiply": Entry(arith.mul, "fmi"),
    "div": Entry(arith.div, "fmi"),
    "divide": Entry(arith.div, "fmi"),
    "true_divide": Entry(arith.div, "fmi"),
    "floor_divide": Entry(arith.floor_divide, "fmi"),
    "remainder": Entry(arith.remainder, "fmi"),
    "fmod": Entry(arith.fmod, "fmi"),
    "pow": Entry(trans.pow, "fmi"),
    "neg": Entry(arith.neg, "fmiI"),
    "negative": Entry(arith.neg, "fmiI"),
    "positive": Entry(arith.positive, "fm"),
    "reciprocal": Entry(arith.reciprocal, "fmiI"),
    "square": Entry(arith.square, "fmiI"),
    "lerp": Entry(arith.lerp, "fmi"),
    "addcmul": Entry(arith.addcmul, "fmi"),
    "addcdiv": Entry(arith.addcdiv, "fmi"),
    "abs": Entry(rounding.abs, "fmiI"),
    "absolute": Entry(rounding.abs, "fmi"),
    "sign": Entry(rounding.sign, "fmi"),
    "floor": Entry(rounding.floor, "fmiI"),
    "ceil": Entry(rounding.ceil, "fmiI"),
    "round": Entry(rounding.round, "fmiI"),
    "trunc": Entry(rounding.trunc, "fmiI"),
    "frac": Entry(rounding.frac, "fmiI"),
    "clamp": Entry(select.clamp, "fmiI"),
    "clip": Entry(select.clamp, "fmiI"),
    "clamp_min": Entry(select.clamp_min, "fmiI"),
    "clamp_max": Entry(select.clamp_max, "fmiI"),
    "maximum": Entry(select.maximum, "fm"),
    "minimum": Entry(select.minimum, "fm"),
    "where": Entry(select.where, "fm", method=_where_method),
    "nan_to_num": Entry(select.nan_to_num, "fmiI"),
    "clone": Entry(conversion.clone, "fm"),
    # ------------------------------------------------------------------ transcendental
    "exp": Entry(trans.exp, "fmiI"),
    "exp2": Entry(trans.exp2, "fmiI"),
    "expm1": Entry(trans.expm1, "fmiI"),
    "log": Entry(trans.log, "fmiI"),
    "log1p": Entry(trans.log1p, "fmiI"),
    "log2": Entry(trans.log2, "fmiI"),
    "log10": Entry(trans.log10, "fmiI"),
    "logaddexp": Entry(trans.logaddexp, "fm"),
    "sqrt": Entry(trans.sqrt, "fmiI"),
    "rsqrt": Entry(trans.rsqrt, "fmiI"),
    "sin": Entry(trans.sin, "fmiI"),
    "cos": Entry(trans.cos, "fmiI"),
    "tan": Entry(trans.tan, "fmiI"),
    "asin": Entry(trans.asin, "fmiI"),
    "acos": Entry(trans.acos, "fmiI"),
    "atan": Entry(trans.atan, "fmiI"),
    "arcsin": Entry(trans.asin, "fmiI"),
    "arccos": Entry(trans.acos, "fmiI"),
    "arctan": Entry(trans.atan, "fmiI"),
    "atan2": Entry(trans.atan2, "fmi"),
    "arctan2": Entry(trans.atan2, "fmi"),
    "sinh": Entry(trans.sinh, "fmiI"),
    "cosh": Entry(trans.cosh, "fmiI"),
    "tanh": Entry(trans.tanh, "fmiI"),
    "sigmoid": Entry(trans.sigmoid, "fmiI"),
    "relu": Entry(select.relu, "fmiI"),
    "asinh": Entry(trans.asinh, "fmiI"),
    "acosh": Entry(trans.acosh, "fmiI"),
    "atanh": Entry(trans.atanh, "fmiI"),
    "arcsinh": Entry(trans.asinh, "fmiI"),
    "arccosh": Entry(trans.acosh, "fmiI"),
    "arctanh": Entry(trans.atanh, "fmiI"),
    "copysign": Entry(trans.copysign, "fmi"),
    "erf": Entry(trans.erf, "fmiI"),
    "erfc": Entry(trans.erfc, "fmiI"),
    "logit": Entry(trans.logit, "fmiI"),
    "softmax": Entry(fused.softmax, "fm"),
    "log_softmax": Entry(fused.log_softmax, "fm"),
    # ------------------------------------------------------------------ comparison
    "eq": Entry(cmp.eq, "fmi"),
    "ne": Entry(cmp.ne, "fmi"),
    "lt": Entry(cmp.lt, "fmi"),
    "le": Entry(cmp.le, "fmi"),
    "gt": Entry(cmp.gt, "fmi"),
    "ge": Entry(cmp.ge, "fmi"),
    "not_equal": Entry(cmp.ne, "fmi"),
    "less": Entry(cmp.lt, "fmi"),
    "less_equal": Entry(cmp.le, "fmi"),
    "greater": Entry(cmp.gt, "fmi"),
    "greater_equal": Entry(cmp.ge, "fmi"),
    "isnan": Entry(cmp.isnan, "fm"),
    "isinf": Entry(cmp.isinf, "fm"),
    "isfinite": Entry(cmp.isfinite, "fm"),
    "isclose": Entry(cmp.isclose, "fm"),
    "allclose": Entry(cmp.allclose, "fm"),
    "equal": Entry(cmp.equal, "fm"),
    # ------------------------------------------------------------------ logical and bitwise
    "logical_not": Entry(logical.logical_not, "fmi"),
    "logical_and": Entry(logical.logical_and, "fmi"),
    "logical_or": Entry(logical.logical_or, "fmi"),
    "logical_xor": Entry(logical.logical_xor, "fmi"),
    "bitwise_not": Entry(logical.bitwise_not, "fmi"),
    "__invert__": Entry(logical.invert, ""),  # the ~ operator only (a TypeError for floats)
    "bitwise_and": Entry(logical.bitwise_and, "fmi"),
    "bitwise_or": Entry(logical.bitwise_or, "fmi"),
    "bitwise_xor": Entry(logical.bitwise_xor, "fmi"),
    "bitwise_left_shift": Entry(logical.bitwise_left_shift, "fmi"),
    "bitwise_right_shift": Entry(logical.bitwise_right_shift, "fmi"),
    # ------------------------------------------------------------------ reductions
    "sum": Entry(reduce.sum, "fm"),
    "nansum": Entry(reduce.nansum, "fm"),
    "mean": Entry(reduce.mean, "fm"),
    "nanmean": Entry(reduce.nanmean, "fm"),
    "prod": Entry(reduce.prod, "fm"),
    "var": Entry(reduce.var, "fm"),
    "std": Entry(reduce.std, "fm"),
    "var_mean": Entry(reduce.var_mean, "f"),
    "std_mean": Entry(reduce.std_mean, "f"),
    "max": Entry(reduce.max, "fm"),
    "min": Entry(reduce.min, "fm"),
    "amax": Entry(reduce.amax, "fm"),
    "amin": Entry(reduce.amin, "fm"),
    "argmax": Entry(reduce.argmax, "fm"),
    "argmin": Entry(reduce.argmin, "fm"),
    "logsumexp": Entry(reduce.logsumexp, "fm"),
    "norm": Entry(reduce.norm, "fm"),
    "all": Entry(reduce.all, "fm"),
    "any": Entry(reduce.any, "fm"),
    "cumsum": Entry(reduce.cumsum, "fmi"),
    "cumprod": Entry(reduce.cumprod, "fmi"),
    "cummax": Entry(reduce.cummax, "fm"),
    "cummin": Entry(reduce.cummin, "fm"),
    "logcumsumexp": Entry(reduce.logcumsumexp, "fm"),
    "sort": Entry(reduce.sort, "fm"),
    "argsort": Entry(reduce.argsort, "fm"),
    "topk": Entry(reduce.topk, "fm"),
    "median": Entry(reduce.median, "fm"),
    "count_nonzero": Entry(reduce.count_nonzero, "fm"),
    "unique": Entry(reduce.unique, "fm"),
    "bincount": Entry(reduce.bincount, "fm"),
    # ------------------------------------------------------------------ linear algebra
    "matmul": Entry(linalg.matmul, "fm"),
    "mm": Entry(linalg.mm, "fm"),
    "bmm": Entry(linalg.bmm, "fm"),
    "mv": Entry(linalg.mv, "fm"),
    "dot": Entry(linalg.dot, "fm"),
    "inner": Entry(linalg.inner, "fm"),
    "outer": Entry(linalg.outer, "fm"),
    "ger": Entry(linalg.ger, "fm"),
    "addmm": Entry(linalg.addmm, "fmi"),
    "addmv": Entry(linalg.addmv, "fmiI"),
    "baddbmm": Entry(linalg.baddbmm, "fmi"),
    "einsum": Entry(linalg.einsum, "f"),
    "cdist": Entry(linalg.cdist, "f"),
    "det": Entry(linalg.det, "fm"),
    "logdet": Entry(linalg.logdet, "fm"),
    "slogdet": Entry(linalg.slogdet, "fm"),
    "inverse": Entry(linalg.inv, "fm"),
    # ------------------------------------------------------------------ linalg (older names)
    "addr": Entry(linalg.addr, "fmi"),
    "addbmm": Entry(linalg.addbmm, "fmi"),
    "chain_matmul": Entry(linalg.chain_matmul, "f"),
    "dist": Entry(linalg.dist, "fm"),
    "cross": Entry(linalg.cross, "fm"),
    "frobenius_norm": Entry(linalg.frobenius_norm, "f"),
    "cholesky": Entry(linalg_factorization.cholesky_legacy, "fm"),
    "cholesky_solve": Entry(linalg_factorization.cholesky_solve, "fm"),
    "cholesky_inverse": Entry(linalg_factorization.cholesky_inverse, "fm"),
    "triangular_solve": Entry(linalg_factorization.triangular_solve, "fm"),
    "lu": Entry(linalg_factorization.lu_legacy, "fm"),
    "lu_solve": Entry(linalg_factorization.lu_solve_legacy, "fm"),
    "lu_unpack": Entry(linalg_factorization.lu_unpack, "f"),
    "geqrf": Entry(linalg_factorization.geqrf, "fm"),
    "orgqr": Entry(linalg_factorization.orgqr, "fm"),
    "ormqr": Entry(linalg_factorization.ormqr, "fm"),
    "lstsq": Entry(linalg.lstsq, "fm"),
    "symeig": Entry(linalg.symeig, "fm"),
    "eig": Entry(linalg.eig, "fm"),
    "matrix_rank": Entry(linalg.matrix_rank, "f"),
    "solve": Entry(linalg.solve_removed, "fm"),
    # ------------------------------------------------------------------ shape
    "reshape": Entry(shape.reshape, "fm"),
    "view": Entry(shape.view, "m"),
    "view_as": Entry(shape.view_as, "m"),
    "reshape_as": Entry(shape.reshape_as, "m"),
    "flatten": Entry(shape.flatten, "fm"),
    "unflatten": Entry(shape.unflatten, "fm"),
    "squeeze": Entry(shape.squeeze, "fm"),
    "unsqueeze": Entry(shape.unsqueeze, "fm"),
    "permute": Entry(shape.permute, "fm"),
    "transpose": Entry(shape.transpose, "fm"),
    "swapaxes": Entry(shape.transpose, "fm"),
    "swapdims": Entry(shape.transpose, "fm"),
    "t": Entry(shape.t, "fm"),
    "movedim": Entry(shape.movedim, "fm"),
    "expand": Entry(shape.expand, "m"),
    "expand_as": Entry(shape.expand_as, "m"),
    "broadcast_to": Entry(shape.broadcast_to, "fm"),
    "broadcast_tensors": Entry(shape.broadcast_tensors, "f"),
    "sum_to_size": Entry(shape.sum_to_size, "m"),
    "repeat": Entry(shape.repeat, "m"),
    "repeat_interleave": Entry(shape.repeat_interleave, "fm"),
    "tile": Entry(shape.tile, "fm"),
    "unfold": Entry(shape.unfold, "m"),
    "cat": Entry(shape.cat, "f"),
    "concat": Entry(shape.cat, "f"),
    "concatenate": Entry(shape.cat, "f"),
    "stack": Entry(shape.stack, "f"),
    "hstack": Entry(shape.hstack, "f"),
    "vstack": Entry(shape.vstack, "f"),
    "meshgrid": Entry(shape.meshgrid, "f"),
    "split": Entry(shape.split, "fm"),
    "chunk": Entry(shape.chunk, "fm"),
    "unbind": Entry(shape.unbind, "fm"),
    "narrow": Entry(shape.narrow, "fm"),
    "flip": Entry(shape.flip, "fm"),
    "fliplr": Entry(shape.fliplr, "fm"),
    "flipud": Entry(shape.flipud, "fm"),
    "roll": Entry(shape.roll, "fm"),
    "diff": Entry(shape.diff, "fm"),
    "tril": Entry(shape.tril, "fmi"),
    "triu": Entry(shape.triu, "fmi"),
    "diagonal": Entry(shape.diagonal, "fm"),
    "trace": Entry(shape.trace, "fm"),
    # ------------------------------------------------------------------ indexing
    "diag": Entry(indexing.diag, "fm"),
    "gather": Entry(indexing.gather, "fm"),
    "take_along_dim": Entry(indexing.take_along_dim, "fm"),
    "index_select": Entry(indexing.index_select, "fm"),
    "masked_select": Entry(indexing.masked_select, "fm"),
    "nonzero": Entry(indexing.nonzero, "fm"),
    "masked_fill": Entry(indexing.masked_fill, "fmi"),
    "scatter": Entry(indexing.scatter, "fmi"),
    "scatter_add": Entry(indexing.scatter_add, "fmi"),
    "scatter_reduce": Entry(indexing.scatter_reduce, "fmi"),
    "index_add": Entry(indexing.index_add, "fmi"),
    # ------------------------------------------------------------------ NumPy-style breadth
    "deg2rad": Entry(trans.deg2rad, "fmiI"),
    "rad2deg": Entry(trans.rad2deg, "fmiI"),
    "hypot": Entry(trans.hypot, "fmi"),
    "logaddexp2": Entry(trans.logaddexp2, "fm"),
    "xlogy": Entry(trans.xlogy, "fmiI"),
    "float_power": Entry(trans.float_power, "fmi"),
    "sinc": Entry(trans.sinc, "fmiI"),
    "fmax": Entry(select.fmax, "fm"),
    "fmin": Entry(select.fmin, "fm"),
    "heaviside": Entry(select.heaviside, "fmi"),
    "gcd": Entry(arith.gcd, "fmiI"),
    "lcm": Entry(arith.lcm, "fmiI"),
    "signbit": Entry(cmp.signbit, "fm"),
    "isneginf": Entry(cmp.isneginf, "fm"),
    "isposinf": Entry(cmp.isposinf, "fm"),
    "isreal": Entry(cmp.isreal, "fm"),
    "is_nonzero": Entry(cmp.is_nonzero, "fm"),
    "is_same_size": Entry(cmp.is_same_size, "fm"),
    "is_signed": Entry(cmp.is_signed, "fm"),
    "sgn": Entry(rounding.sign, "fmi"),
    "fix": Entry(rounding.trunc, "fmiI"),
    "ravel": Entry(shape.ravel, "fm"),
    "moveaxis": Entry(shape.moveaxis, "fm"),
    "tensor_split": Entry(shape.tensor_split, "fm"),
    "hsplit": Entry(shape.hsplit, "fm"),
    "vsplit": Entry(shape.vsplit, "fm"),
    "dsplit": Entry(shape.dsplit, "fm"),
    "atleast_1d": Entry(shape.atleast_1d, "f"),
    "atleast_2d": Entry(shape.atleast_2d, "f"),
    "atleast_3d": Entry(shape.atleast_3d, "f"),
    "column_stack": Entry(shape.column_stack, "f"),
    "dstack": Entry(shape.dstack, "f"),
    "row_stack": Entry(shape.row_stack, "f"),
    "rot90": Entry(shape.rot90, "fm"),
    "select": Entry(shape.select, "fm"),
    "vdot": Entry(linalg.vdot, "fm"),
    "kron": Entry(linalg.kron, "fm"),
    "tensordot": Entry(linalg.tensordot, "f"),
    "trapezoid": Entry(linalg.trapezoid, "f"),
    "trapz": Entry(linalg.trapezoid, "f"),
    "cumulative_trapezoid": Entry(linalg.cumulative_trapezoid, "f"),
    "diagflat": Entry(indexing.diagflat, "fm"),
    "take": Entry(indexing.take, "fm"),
    "msort": Entry(reduce.msort, "fm"),
    "argwhere": Entry(indexing.argwhere, "fm"),
    "isin": Entry(indexing.isin, "f"),
    "searchsorted": Entry(indexing.searchsorted, "f"),
    "bucketize": Entry(indexing.bucketize, "f"),
    "cartesian_prod": Entry(shape.cartesian_prod, "f"),
    "broadcast_shapes": Entry(shape.broadcast_shapes, "f"),
    # ------------------------------------------------------------------ in-place fills, sampling
    "zero_": Entry(fill.zero_, "fm"),
    "fill_": Entry(fill.fill_, "fm"),
    "copy_": Entry(fill.copy_, "m"),
    "fill_diagonal_": Entry(fill.fill_diagonal_, "m"),
    "uniform_": Entry(random.uniform_, "m"),
    "normal_": Entry(random.normal_, "m"),
    "bernoulli_": Entry(random.bernoulli_, "m"),
    "bernoulli": Entry(random.bernoulli, "fm"),
    "multinomial": Entry(random.multinomial, "fm"),
    # ------------------------------------------------------------------ Tensor's own methods
    "detach": Entry(Tensor.detach, "f"),
    "detach_": Entry(Tensor.detach_, "f"),
    "numel": Entry(Tensor.numel, "f"),
    "is_floating_point": Entry(Tensor.is_floating_point, "f"),
}

# operator method -> (table name, how the operands are passed): "" as (self, other), "r" swapped
# with an array-like first made a tensor (a number stays a number: the op promotes it), "s"
# swapped as they are
OPERATORS: dict[str, tuple[str, str]] = {
    "__add__": ("add", ""), "__radd__": ("add", ""),
    "__sub__": ("sub", ""), "__rsub__": ("sub", "r"),
    "__mul__": ("mul", ""), "__rmul__": ("mul", ""),
    "__truediv__": ("div", ""), "__rtruediv__": ("div", "r"),
    "__floordiv__": ("floor_divide", ""), "__rfloordiv__": ("floor_divide", "r"),
    "__mod__": ("remainder", ""), "__rmod__": ("remainder", "r"),
    "__pow__": ("pow", ""), "__rpow__": ("pow", "s"),
    "__matmul__": ("matmul", ""), "__rmatmul__": ("matmul", "r"),
    "__and__": ("bitwise_and", ""), "__rand__": ("bitwise_and", ""),
    "__or__": ("bitwise_or", ""), "__ror__": ("bitwise_or", ""),
    "__xor__": ("bitwise_xor", ""), "__rxor__": ("bitwise_xor", ""),
    "__eq__": ("eq", ""), "__ne__": ("ne", ""), "__lt__": ("lt", ""),
    "__le__": ("le", ""), "__gt__": ("gt", ""), "__ge__": ("ge", ""),
    "__neg__": ("neg", ""), "__pos__": ("positive", ""), "__abs__": ("abs", ""),
    "__invert__": ("__invert__", ""),
    "__lshift__": ("bitwise_left_shift", ""), "__rlshift__": ("bitwise_left_shift", "r"),
    "__rshift__": ("bitwise_right_shift", ""), "__rrshift__": ("bitwise_right_shift", "r"),
}

# in-place operator -> the in-place method it is
INPLACE_OPERATORS: dict[str, str] = {
    "__iadd__": "add_", "__isub__": "sub_", "__imul__": "mul_", "__itruediv__": "div_",
    "__ifloordiv__": "floor_divide_", "__imod__": "remainder_", "__ipow__": "pow_",
    "__ilshift__": "bitwise_left_shift_", "__irshift__": "bitwise_right_shift_",
    "__iand__": "bitwise_and_", "__ior__": "bitwise_or_", "__ixor__": "bitwise_xor_",
}

FAST_INPLACE: dict[str, np.ufunc] = {
    "add": np.add, "sub": np.subtract, "subtract": np.subtract, "mul": np.multiply,
    "multiply": np.multiply, "div": np.true_divide, "divide": np.true_divide,
    "true_divide": np.true_divide,
}

def _numpy_aliases(fn: Callable) -> Callable:
    """``fn`` also accepting ``axis=``/``keepdims=`` for ``dim=``/``keepdim=``: PyTorch's argument
    parser takes NumPy's names on every op that has a ``dim`` (``x.sum(axis=1, keepdims=True)``)."""

    @functools.wraps(fn)
    def op(*args, **kwargs):
        if "axis" in kwargs:
            if "dim" in kwargs:
                raise TypeError(f"{fn.__name__}() got both 'dim' and its alias 'axis'")
            kwargs["dim"] = kwargs.pop("axis")
        if "keepdims" in kwargs:
            if "keepdim" in kwargs:
                raise TypeError(f"{fn.__name__}() got both 'keepdim' and its alias 'keepdims'")
            kwargs["keepdim"] = kwargs.pop("keepdims")
        return fn(*args, **kwargs)

    return op


def _takes_dim(fn: Callable) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return "dim" in params or "keepdim" in params


OPS = {name: e._replace(fn=_numpy_aliases(e.fn),
                        method=e.method and _numpy_aliases(e.method)) if _takes_dim(e.fn) else e
       for name, e in OPS.items()}

FUNCTIONS: dict[str, Callable] = {name: e.fn for name, e in OPS.items() if "f" in e.forms}

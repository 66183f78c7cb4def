"""Helpers shared by the op families: operand promotion and constant wrapping."""

from __future__ import annotations

import numpy as np

from .._core import Tensor, _from_array
from .._dtype import BFLOAT16_NP, is_float_np
from .._grad_mode import state as _grad_state


def promote(a, b):
    """Apply PyTorch's type promotion where NumPy's differs (int with float, 0-d operands)."""
    if type(b) is float or type(b) is int or type(b) is bool:
        if type(b) is float and a._data.dtype.kind in "iub":
            a = a.to(np.float32)
        return a, b
    if not isinstance(b, Tensor):
        b = as_operand(b, a)
    da, db = a._data.dtype, b._data.dtype
    if da is db or da == db:
        return a, b
    fa, fb = is_float_np(da), is_float_np(db)
    if fa and not fb:
        return a, b.to(da)
    if fb and not fa:
        return a.to(db), b
    # bool is a category below the integers: any integer operand decides, even a 0-d one
    if da.kind == "b":
        return a.to(db), b
    if db.kind == "b":
        return a, b.to(da)
    # same category: a 0-d tensor does not decide the dtype (as a Python scalar would not)
    if a._data.ndim == 0 and b._data.ndim > 0:
        return a.to(db), b
    if b._data.ndim == 0 and a._data.ndim > 0:
        return a, b.to(da)
    return a, b


def broadcast_error(a, b) -> RuntimeError:
    """PyTorch's message for operands whose shapes do not broadcast."""
    sa = np.shape(a._data if isinstance(a, Tensor) else a)
    sb = np.shape(b._data if isinstance(b, Tensor) else b)
    n = max(len(sa), len(sb))
    pa, pb = (1,) * (n - len(sa)) + sa, (1,) * (n - len(sb)) + sb
    for d in range(n - 1, -1, -1):
        if pa[d] != pb[d] and pa[d] != 1 and pb[d] != 1:
            return RuntimeError(
                f"The size of tensor a ({pa[d]}) must match the size of tensor b ({pb[d]}) at "
                f"non-singleton dimension {d}"
            )
    return RuntimeError(f"shapes {tuple(sa)} and {tuple(sb)} cannot be broadcast together")


def as_operand(x, like: Tensor | None = None) -> Tensor:
    """Turn an array-like operand into a Tensor (scalars stay Python numbers elsewhere)."""
    if isinstance(x, Tensor):
        return x
    arr = np.asarray(x)
    if arr.dtype == np.float64 and not isinstance(x, np.ndarray):
        arr = arr.astype(np.float32)
    return _from_array(arr)


def round_to(out: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """A product computed in float32 from bfloat16 operands, rounded back to bfloat16.

    NumPy's matmul of two bfloat16 arrays returns float32 (accumulated in float32, which is
    what PyTorch's CPU kernels do); PyTorch returns the operands' dtype.
    """
    if dtype == BFLOAT16_NP and out.dtype != dtype:
        return out.astype(dtype)
    return out


def floating(t) -> Tensor:
    """``t`` as a float tensor: integer and bool inputs become float32 (PyTorch's default)."""
    if not isinstance(t, Tensor):
        t = as_operand(t)
    if not is_float_np(t._data.dtype):
        return t.to(np.float32)
    return t


def const(arr) -> Tensor:
    """A Tensor for a constant used inside a backward formula (masks, counts)."""
    return _from_array(np.asarray(arr))


def write_out(result: Tensor, out) -> Tensor:
    """PyTorch's ``out=``: copy ``result`` into ``out`` (resized if its shape differs).

    Raises:
        TypeError: ``out`` is not a Tensor.
        RuntimeError: autograd would have to record (out= is not differentiable), or the
            result's dtype cannot be cast to ``out``'s (e.g. float into long).
    """
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"out must be a Tensor, not {type(out).__name__}")
    if _grad_state.enabled and (result._requires_grad or out._requires_grad):
        raise RuntimeError(
            "functions with out=... arguments don't support automatic differentiation, but one "
            "of the arguments requires grad."
        )
    data = result._data
    if not np.can_cast(data.dtype, out._data.dtype, casting="same_kind"):
        raise RuntimeError(
            f"result type {result.dtype.name} can't be cast to the desired output type "
            f"{out.dtype.name}"
        )
    if out._data.shape != data.shape:
        out._data = np.array(data, dtype=out._data.dtype)  # resized, as PyTorch resizes out
    else:
        out._data[...] = data
    out._bump_version()
    return out

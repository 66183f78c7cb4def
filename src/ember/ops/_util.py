"""Helpers shared by the op families: operand promotion and constant wrapping."""

from __future__ import annotations

import numpy as np

from .. import _dtype
from .._core import Tensor, _from_array
from .._dtype import BFLOAT16_NP
from .._grad_mode import state as _grad_state
from .._promotion import result_type, scalar_as


def promote(*operands, floating: bool = False) -> tuple:
    """The operands of an op in PyTorch's result dtype (``ember._promotion.result_type``).

    The one place ops cast their operands: tensors are cast differentiably (``.to``), NumPy
    arrays become tensors, numbers stay Python numbers of the result's kind, which NumPy 2 treats
    as weak (they take the array's dtype, so an int32 tensor plus 3 stays int32). Integers out of
    the result dtype's range wrap as PyTorch's casts do.

    Args:
        operands: tensors, NumPy arrays, Python numbers or NumPy scalars.
        floating: the op computes in floating point (true division, ``exp``...): an integral
            result dtype becomes the default float dtype.

    Raises:
        TypeError: an operand is not a tensor or a number (``t + None``).
    """
    operands = [as_operand(x) if isinstance(x, (np.ndarray, list, tuple)) else x
                for x in operands]
    dt = result_type(*operands)
    if floating and dt.kind in "biu":
        dt = _dtype.DEFAULT_FLOAT
    return tuple(in_dtype(x, dt) for x in operands)


def in_dtype(x, dt: np.dtype):
    """``x`` as an operand of dtype ``dt``: a tensor cast, a number of ``dt``'s kind."""
    if isinstance(x, Tensor):
        return x if x._data.dtype == dt else x.to(dt)
    kind = dt.kind
    if kind in "fV":  # "V": bfloat16 (ml_dtypes), a floating dtype NumPy files as void
        return float(x)
    if kind == "b":
        return bool(x)
    v = int(x)
    info = np.iinfo(dt)
    return v if info.min <= v <= info.max else scalar_as(v, dt)


def require_tensors(fn: str, **args) -> None:
    """PyTorch's TypeError for a number (or anything else) passed where only a tensor is
    accepted, e.g. ``maximum(t, 2)``; ``args`` maps argument names to values, in order."""
    for position, (name, value) in enumerate(args.items(), start=1):
        if not isinstance(value, Tensor):
            kind = type(value)
            shown = kind.__name__ if kind.__module__ == "builtins" else \
                f"{kind.__module__}.{kind.__name__}"
            raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be Tensor, "
                            f"not {shown}")


def tensor_operand(x, like) -> Tensor:
    """A number, promoted with the tensor ``like``, as a constant 0-d tensor of ``like``'s
    dtype, for ops whose first operand must be a tensor (``2 - t``); tensors pass through."""
    if isinstance(x, Tensor):
        return x
    return _from_array(scalar_as(x, like._data.dtype))


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
    """``t`` in the dtype a floating op computes in: integer and bool inputs become the default
    float (float32), through ``promote`` like every other cast."""
    if not isinstance(t, Tensor):
        t = as_operand(t)
    return promote(t, floating=True)[0]


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

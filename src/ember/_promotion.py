"""PyTorch's type promotion, in one place: every op asks ``result_type`` and casts nothing else.

PyTorch ranks dtypes in categories, bool < integer < floating, and lets an operand decide the
result's dtype by how "typed" it is, at three levels:

1. tensors with at least one dimension;
2. zero-dimensional tensors;
3. Python numbers and NumPy scalars (torch 2.13 treats ``np.float64(1.5)`` exactly as ``1.5``,
   and ``np.bool_`` as a float), which stand for the default dtype of their category
   (float32, int64, bool).

Within a level dtypes promote as usual (uint8 with int8 is int16, int with float is the
float). Across levels a lower level only counts when it is of a higher category: a float32
tensor stays float32 against a float64 0-d tensor or a Python float, an int32 tensor stays int32
against 2**40, but a bool tensor against ``-3`` is int64 and an int tensor against a 0-d
float64 tensor is float64. NumPy's own rules differ on most of these points (int32 with float32
is float64 there, and a NumPy float64 scalar is strong), so ember never lets NumPy decide.

This module is on the ground floor: it imports only NumPy and ember's dtype table.
"""

from __future__ import annotations

import numpy as np

from . import _dtype

_BOOL = np.dtype(np.bool_)
_INT64 = np.dtype(np.int64)
_FLOAT32 = np.dtype(np.float32)


def category(dt: np.dtype) -> int:
    """0 for bool, 1 for integers, 2 for floating dtypes (PyTorch's promotion categories)."""
    kind = dt.kind
    if kind == "b":
        return 0
    if kind in "iu":
        return 1
    return 2  # "f", and bfloat16 (a NumPy "V" dtype from ml_dtypes)


def promote_types(a, b) -> np.dtype:
    """``torch.promote_types`` on NumPy dtypes: the smallest dtype both can be cast to.

    Unlike ``np.promote_types``, an integer with a float is that float (int64 with float16 is
    float16) and float16 with bfloat16 is float32.
    """
    a, b = np.dtype(a), np.dtype(b)
    if a == b:
        return a
    ca, cb = category(a), category(b)
    if ca != cb:
        return a if ca > cb else b
    if ca == 2:
        if a.itemsize == b.itemsize:
            return _FLOAT32  # float16 with bfloat16
        return a if a.itemsize > b.itemsize else b
    return np.promote_types(a, b)  # integers: NumPy's lattice is PyTorch's (uint8+int8=int16)


def _join(current, dt):
    return dt if current is None else promote_types(current, dt)


def _combine(higher, lower):
    """A higher level's dtype, lifted by a lower level's only across categories."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if category(higher) == 2:
        return higher
    if higher.kind == "b" or category(lower) > category(higher):
        return promote_types(higher, lower)
    return higher


def scalar_dtype(x) -> np.dtype | None:
    """The dtype a Python number or NumPy scalar stands for, or None if ``x`` is neither."""
    if isinstance(x, bool):
        return _BOOL
    if isinstance(x, (int, np.integer)):
        return _INT64
    if isinstance(x, (float, np.floating, np.bool_)):  # np.bool_: as torch 2.13 reads it
        return _dtype.DEFAULT_FLOAT
    return None


def result_type(*operands) -> np.dtype:
    """The dtype PyTorch computes ``op(*operands)`` in.

    Args:
        operands: tensors (anything with an ``ndarray`` in ``_data``), NumPy arrays (as tensors
            of their dtype), Python numbers and NumPy scalars.

    Returns:
        The promoted NumPy dtype.

    Raises:
        TypeError: an operand is none of these (``None``, a string, a list...).
    """
    dim = zero = wrapped = None
    for x in operands:
        data = getattr(x, "_data", x)
        if isinstance(data, np.ndarray) or data is not x and isinstance(data, np.generic):
            if data.ndim:
                dim = _join(dim, data.dtype)
            else:
                zero = _join(zero, data.dtype)
            continue
        dt = scalar_dtype(x)
        if dt is None:
            raise TypeError(f"expected a Tensor or a number as operand, got {type(x).__name__}")
        wrapped = _join(wrapped, dt)
    if dim is None and zero is None and wrapped is None:
        raise TypeError("result_type needs at least one operand")
    return _combine(dim, _combine(zero, wrapped))


def scalar_as(x, dt: np.dtype) -> np.ndarray:
    """A Python number or NumPy scalar as a 0-d array of ``dt`` (integers wrap as PyTorch's
    casts do, e.g. 300 into uint8 is 44, where NumPy 2 would raise)."""
    arr = np.asarray(x)
    if arr.dtype == dt:
        return arr
    return arr.astype(dt)

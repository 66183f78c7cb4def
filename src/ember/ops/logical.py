"""Logical and bitwise ops: ``logical_and``..., ``&``, ``|``, ``^``, ``~``. Never differentiable.

Logical ops treat any nonzero as True and return bool tensors; bitwise ops keep the integer (or
bool) dtype and, as PyTorch, refuse float operands.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype
from .._core import Tensor, _from_array
from ._util import promote, require_tensors, tensor_operand


def _data(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def logical_not(input) -> Tensor:
    """Bool tensor, True where ``input`` is zero."""
    return _from_array(np.logical_not(input._data))


def logical_and(input, other) -> Tensor:
    """Bool tensor, True where both operands are nonzero.

    Raises:
        TypeError: an operand that is not a tensor (as PyTorch).
    """
    require_tensors("logical_and", input=input, other=other)
    return _from_array(np.logical_and(input._data, other._data))


def logical_or(input, other) -> Tensor:
    """Bool tensor, True where either operand is nonzero.

    Raises:
        TypeError: an operand that is not a tensor (as PyTorch).
    """
    require_tensors("logical_or", input=input, other=other)
    return _from_array(np.logical_or(input._data, other._data))


def logical_xor(input, other) -> Tensor:
    """Bool tensor, True where exactly one operand is nonzero.

    Raises:
        TypeError: an operand that is not a tensor (as PyTorch).
    """
    require_tensors("logical_xor", input=input, other=other)
    return _from_array(np.logical_xor(input._data, other._data))


def _bitwise(ufunc, name: str, input, other) -> Tensor:
    """``ufunc`` in the promoted dtype; PyTorch has no float kernels for bitwise ops."""
    a, b = promote(input, other)
    a = tensor_operand(a, b)
    if a._data.dtype.kind == "f":
        raise NotImplementedError(f'"{name}_cpu" not implemented for '
                                  f"'{_dtype.scalar_type_name(a.dtype)}'")
    # a number stays a Python number (weak in NumPy 2): uint8 & False stays uint8
    return _from_array(np.asarray(ufunc(a._data, b._data if isinstance(b, Tensor) else b)))


def bitwise_and(input, other) -> Tensor:
    """Elementwise ``&`` of integer or bool tensors."""
    return _bitwise(np.bitwise_and, "bitwise_and", input, other)


def bitwise_or(input, other) -> Tensor:
    """Elementwise ``|`` of integer or bool tensors."""
    return _bitwise(np.bitwise_or, "bitwise_or", input, other)


def bitwise_xor(input, other) -> Tensor:
    """Elementwise ``^`` of integer or bool tensors."""
    return _bitwise(np.bitwise_xor, "bitwise_xor", input, other)


def bitwise_not(input) -> Tensor:
    """Elementwise bit inversion for integers, logical not for bools.

    Raises:
        NotImplementedError: a float tensor (PyTorch has no float kernel).
    """
    if input._data.dtype.kind == "f":
        raise NotImplementedError("\"bitwise_not_cpu\" not implemented for "
                                  f"'{_dtype.scalar_type_name(input.dtype)}'")
    return _from_array(np.asarray(np.invert(input._data)))


def _shift(name: str, input, other, left: bool) -> Tensor:
    if not isinstance(input, Tensor):
        input = _from_array(np.asarray(input))
    b = other._data if isinstance(other, Tensor) else np.asarray(other)
    a = input._data
    both_bool = a.dtype.kind == "b" and b.dtype.kind == "b"
    if both_bool or a.dtype.kind == "f" or b.dtype.kind == "f":  # no kernel (as PyTorch)
        label = "Bool" if both_bool else "Float"
        raise NotImplementedError(f'"{name}" not implemented for \'{label}\'')
    if b.ndim == 0 and not isinstance(other, Tensor):
        b = b.astype(a.dtype if a.dtype.kind != "b" else np.int64)
    dt = np.result_type(a, b) if isinstance(other, Tensor) and b.ndim else a.dtype
    a, b = a.astype(dt, copy=False), b.astype(dt, copy=False)
    bits = dt.itemsize * 8
    # a shift by a negative count or by the width or more is defined (as PyTorch): 0 for left
    # shifts, the sign bit everywhere for right shifts
    out_of_range = (b < 0) | (b >= bits)
    count = np.where(out_of_range, bits - 1 if not left else 0, b).astype(dt)
    if left:
        out = np.where(out_of_range, np.zeros((), dt), np.left_shift(a, count))
    else:
        out = np.right_shift(a, count)
    return _from_array(np.asarray(out, dtype=dt))


def bitwise_left_shift(input, other) -> Tensor:
    """Elementwise ``input << other`` (two's complement wrap-around, as PyTorch)."""
    return _shift("lshift_cpu", input, other, True)


def bitwise_right_shift(input, other) -> Tensor:
    """Elementwise ``input >> other`` (arithmetic: the sign is kept for signed types)."""
    return _shift("rshift_cpu", input, other, False)
def invert(input) -> Tensor:
    """The ``~`` operator: ``bitwise_not``, but a float tensor is a TypeError there (Python's
    operator protocol), as in PyTorch."""
    if input._data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return bitwise_not(input)

"""Logical and bitwise ops: ``logical_and``..., ``&``, ``|``, ``^``, ``~``. Never differentiable.

Logical ops treat any nonzero as True and return bool tensors; bitwise ops keep the integer (or
bool) dtype and, as PyTorch, refuse float operands.
"""

from __future__ import annotations

import numpy as np

from .._core import Tensor, _from_array


def _data(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def logical_not(input) -> Tensor:
    """Bool tensor, True where ``input`` is zero."""
    return _from_array(np.logical_not(input._data))


def logical_and(input, other) -> Tensor:
    """Bool tensor, True where both operands are nonzero."""
    return _from_array(np.logical_and(input._data, _data(other)))


def logical_or(input, other) -> Tensor:
    """Bool tensor, True where either operand is nonzero."""
    return _from_array(np.logical_or(input._data, _data(other)))


def logical_xor(input, other) -> Tensor:
    """Bool tensor, True where exactly one operand is nonzero."""
    return _from_array(np.logical_xor(input._data, _data(other)))


def _bitwise(ufunc, name: str, input, other) -> Tensor:
    b = other._data if isinstance(other, Tensor) else other
    if input._data.dtype.kind == "f" or np.asarray(b).dtype.kind == "f":
        raise RuntimeError(f'"{name}" not implemented for \'Float\'')
    return _from_array(np.asarray(ufunc(input._data, b)))


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
    """Elementwise ``~``: bit inversion for integers, logical not for bools."""
    if input._data.dtype.kind == "f":
        raise RuntimeError("\"bitwise_not\" not implemented for 'Float'")
    return _from_array(np.asarray(np.invert(input._data)))

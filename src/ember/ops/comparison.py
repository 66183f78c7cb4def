"""Comparisons and predicates: ``==``, ``<``..., ``isclose``, ``isnan``. Never differentiable.

Each returns a bool tensor (``allclose``/``equal`` a Python bool) computed by one NumPy call;
nothing records, since a comparison has no gradient.
"""

from __future__ import annotations

import numpy as np

from .._core import Tensor, _from_array
from ._util import broadcast_error, promote, require_tensors


def _data(x):
    return x._data if isinstance(x, Tensor) else x


def _compare(ufunc, input, other, name: str) -> Tensor | bool:
    """``ufunc`` on the operands promoted as PyTorch compares them: in the result dtype of a
    binary op, so ``uint8_tensor < -8`` compares with -8 wrapped to 248, as PyTorch does."""
    if other is None:  # t == None is False (and t != None True), as PyTorch
        return ufunc is np.not_equal
    require_tensors(name, input=input)
    a, b = promote(input, other)
    try:
        return _from_array(np.asarray(ufunc(a._data, _data(b))))
    except ValueError:
        raise broadcast_error(input, other) from None


def eq(input, other) -> Tensor:
    """Elementwise ``input == other`` as a bool tensor (broadcast, dtypes promoted)."""
    return _compare(np.equal, input, other, "eq")


def ne(input, other) -> Tensor:
    """Elementwise ``input != other`` as a bool tensor."""
    return _compare(np.not_equal, input, other, "ne")


def lt(input, other) -> Tensor:
    """Elementwise ``input < other`` as a bool tensor."""
    return _compare(np.less, input, other, "lt")


def le(input, other) -> Tensor:
    """Elementwise ``input <= other`` as a bool tensor."""
    return _compare(np.less_equal, input, other, "le")


def gt(input, other) -> Tensor:
    """Elementwise ``input > other`` as a bool tensor."""
    return _compare(np.greater, input, other, "gt")


def ge(input, other) -> Tensor:
    """Elementwise ``input >= other`` as a bool tensor."""
    return _compare(np.greater_equal, input, other, "ge")


def isnan(input) -> Tensor:
    """Bool tensor, True where ``input`` is nan."""
    return _from_array(np.isnan(input._data))


def isinf(input) -> Tensor:
    """Bool tensor, True where ``input`` is +inf or -inf."""
    return _from_array(np.isinf(input._data))


def isfinite(input) -> Tensor:
    """Bool tensor, True where ``input`` is neither inf nor nan."""
    return _from_array(np.isfinite(input._data))


def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """Elementwise ``|input - other| <= atol + rtol * |other|`` (nan equal if ``equal_nan``)."""
    return _from_array(np.isclose(input._data, np.asarray(_data(other)), rtol=rtol, atol=atol,
                                  equal_nan=equal_nan))


def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """True if every ``|input - other| <= atol + rtol * |other|`` (broadcast).

    NaNs compare unequal unless ``equal_nan`` is True.
    """
    return bool(np.allclose(input._data, np.asarray(_data(other)), rtol=rtol, atol=atol,
                            equal_nan=equal_nan))


def equal(input, other) -> bool:
    """True if both tensors have the same shape and the same values."""
    b = np.asarray(_data(other))
    return bool(input._data.shape == b.shape and np.array_equal(input._data, b))


def signbit(input) -> Tensor:
    """True where the sign bit is set (negative numbers and ``-0.0``)."""
    return _from_array(np.asarray(np.signbit(input._data)))


def isneginf(input) -> Tensor:
    """True where ``input`` is ``-inf``."""
    return _from_array(np.asarray(np.isneginf(input._data)))


def isposinf(input) -> Tensor:
    """True where ``input`` is ``+inf``."""
    return _from_array(np.asarray(np.isposinf(input._data)))


def isreal(input) -> Tensor:
    """True everywhere: ember's tensors are real."""
    return _from_array(np.ones(input._data.shape, dtype=bool))


def is_nonzero(input) -> bool:
    """The truth of a one-element tensor.

    Raises:
        RuntimeError: a tensor with no element or more than one (ambiguous, as PyTorch).
    """
    if input._data.size == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if input._data.size > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(()))


def is_same_size(input, other) -> bool:
    """Whether the two tensors have the same shape."""
    return input._data.shape == other._data.shape


def is_signed(input) -> bool:
    """Whether the dtype is signed (every dtype but bool and uint8)."""
    return input._data.dtype.kind not in "bu"

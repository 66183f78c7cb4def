"""Argument normalisation shared by the functional families, and the dtype names PyTorch's
error messages use."""

from __future__ import annotations

import numpy as np

from ...tensor import Tensor

TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
              "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def ntuple(value, n: int, name: str = "argument") -> tuple:
    """``value`` as an n-tuple of ints (an int or a 1-element sequence is repeated)."""
    if isinstance(value, (tuple, list)):
        if len(value) == 1 and n > 1:
            value = tuple(value) * n
        if len(value) != n:
            raise RuntimeError(
                f"expected {name} to be a single integer value or a list of {n} values to match "
                f"the convolution dimensions, but got {name}={list(value)}"
            )
        return tuple(int(v) for v in value)
    return (int(value),) * n


def format_sizes(shape) -> str:
    """A shape as PyTorch prints it in messages: ``[2, 3]``."""
    return "[" + ", ".join(str(s) for s in shape) + "]"


def dtype_name(t) -> str:
    """The dtype name of a tensor or array-like, for error messages."""
    return t.dtype.name if isinstance(t, Tensor) else str(np.asarray(t).dtype)

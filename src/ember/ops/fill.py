"""In-place fills: ``zero_``, ``fill_``, ``copy_``, ``fill_diagonal_``.

Each is a selection (``where``), never ``x * 0 + v``: multiplying by zero would keep the NaN and
Inf of the old values. Under autograd the old values get a zero gradient and a tensor ``value``
(or ``copy_``'s source) receives the gradient of the elements it filled.
"""

from __future__ import annotations

import numpy as np

from .._core import Tensor, _from_array
from ._util import as_operand
from .indexing import inplace
from .selection import where

_EVERYWHERE = np.ones((), dtype=bool)


def zero_(input: Tensor) -> Tensor:
    """Fill ``input`` with zeros in place and return it."""
    return inplace(input, lambda src: where(_from_array(_EVERYWHERE), 0, src), uniform=True)


def fill_(input: Tensor, value) -> Tensor:
    """Fill ``input`` with ``value`` (a scalar or a 0-d tensor) in place and return it."""
    if isinstance(value, Tensor) and value._data.ndim != 0:
        raise RuntimeError(
            "fill_ only supports 0-dimension value tensor but got tensor with "
            f"{value._data.ndim} dimensions."
        )
    v = value.to(input.dtype) if isinstance(value, Tensor) else value
    return inplace(input, lambda src: where(_from_array(_EVERYWHERE), v, src), (value,),
                   uniform=True)


def copy_(input: Tensor, src, non_blocking: bool = False) -> Tensor:
    """Copy ``src`` (broadcast, cast to ``input``'s dtype) into ``input`` and return it."""
    if not isinstance(src, Tensor):
        src = as_operand(src)
    cast = src if src._data.dtype == input._data.dtype else src.to(input.dtype)
    return inplace(input, lambda old: where(_from_array(_EVERYWHERE), cast, old), (src,))


def fill_diagonal_(input: Tensor, fill_value, wrap: bool = False) -> Tensor:
    """Write ``fill_value`` on the main diagonal (all dims equal beyond 2-D), in place."""
    if input._data.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if input._data.ndim > 2 and len(set(input._data.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    mask = np.zeros(input._data.shape, dtype=bool)
    np.fill_diagonal(mask, True, wrap=wrap)
    return inplace(input, lambda src: where(_from_array(mask), fill_value, src))

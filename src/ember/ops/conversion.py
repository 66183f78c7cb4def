"""Copies and casts: ``clone`` and ``to(dtype)`` (``Cast``).

Gradients pass back through a cast in the source dtype; integer results carry none.
"""

from __future__ import annotations

import numpy as np

from .._core import Tensor
from .._dtype import is_float_np
from ..autograd.function import Op


class Cast(Op):
    """``a.astype(dtype)``; only float results carry a gradient, cast back to the source dtype."""

    def name(self) -> str:
        return "ToCopyBackward0"  # PyTorch's name for the node of .to(dtype)

    @classmethod
    def apply(cls, a, dtype):
        if not is_float_np(np.dtype(dtype)):
            return _CastOut.apply(a, dtype=dtype)  # integer/bool results carry no gradient
        return super().apply(a, dtype=dtype)

    @staticmethod
    def forward(ctx, a, dtype):
        ctx.src = a.dtype
        return _astype(a, dtype)

    @staticmethod
    def backward(ctx, g):
        return g.to(ctx.src) if is_float_np(ctx.src) else None


class _CastOut(Op):
    differentiable = False

    @staticmethod
    def forward(ctx, a, dtype):
        return _astype(a, dtype)


def _astype(a: np.ndarray, dtype) -> np.ndarray:
    """A cast that keeps a dense layout, but makes an expanded (stride-0) array contiguous, as
    PyTorch's ``.to`` does (NumPy's "K" order would invent strides no view can follow)."""
    return a.astype(dtype, order="C" if 0 in a.strides else "K")


class Clone(Op):
    """A copy of ``a``; the gradient passes through."""

    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, g):
        return g


def clone(input, *, memory_format=None) -> Tensor:
    """A copy with its own data; gradients flow back to ``input``."""
    return Clone.apply(input)

"""Functional distances: ``cosine_similarity`` and ``pairwise_distance``."""

from __future__ import annotations

import numpy as np

from ...ops._util import const
from ...tensor import Tensor


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``x1 . x2 / (max(||x1||, eps) * max(||x2||, eps))`` along ``dim``, after broadcasting
    the inputs against each other (as PyTorch: norms see the broadcast shape)."""
    shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    if tuple(x1.shape) != shape:
        x1 = x1.broadcast_to(shape)
    if tuple(x2.shape) != shape:
        x2 = x2.broadcast_to(shape)
    return ((x1 / _floored_norm(x1, dim, eps)) * (x2 / _floored_norm(x2, dim, eps))).sum(dim)


def _floored_norm(x: Tensor, dim: int, eps: float) -> Tensor:
    """``max(||x||, eps)`` whose gradient is the norm's (0 at a zero vector), as PyTorch,
    which clamps the norm in place without recording it: a zero vector gets a finite gradient.
    """
    norm = x.norm(2, dim, keepdim=True)
    lift = np.maximum(norm._data, eps) - norm._data
    return norm + const(lift.astype(norm._data.dtype, copy=False))


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` over the last dim."""
    diff = x1 - x2 + eps
    return diff.norm(p, -1, keepdim=keepdim)

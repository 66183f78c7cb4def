"""Functional distances: ``cosine_similarity`` and ``pairwise_distance``."""

from __future__ import annotations

import numpy as np

from ...ops import elementwise as ew
from ...tensor import Tensor


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``x1 . x2 / (max(||x1||, eps) * max(||x2||, eps))`` along ``dim``, after broadcasting
    the inputs against each other (as PyTorch: norms see the broadcast shape)."""
    shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    if tuple(x1.shape) != shape:
        x1 = x1.broadcast_to(shape)
    if tuple(x2.shape) != shape:
        x2 = x2.broadcast_to(shape)
    n1 = ew.clamp((x1 * x1).sum(dim, keepdim=True).sqrt(), min=eps)
    n2 = ew.clamp((x2 * x2).sum(dim, keepdim=True).sqrt(), min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` over the last dim."""
    diff = x1 - x2 + eps
    return diff.norm(p, -1, keepdim=keepdim)

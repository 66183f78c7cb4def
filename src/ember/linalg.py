"""``ember.linalg``: norms and products under PyTorch's linalg names."""

from __future__ import annotations

from .ops.linalg import einsum, matmul  # noqa: F401
from .ops.reduce import norm as _norm


def norm(input, ord=None, dim=None, keepdim: bool = False, *, dtype=None):  # noqa: A002
    """Vector 2-norm by default (over all elements when ``dim`` is None), as torch.linalg.norm."""
    if ord is None:
        return _norm(input, 2, dim, keepdim, dtype)
    return _norm(input, ord, dim, keepdim, dtype)


def vector_norm(input, ord=2, dim=None, keepdim: bool = False, *, dtype=None):  # noqa: A002
    return _norm(input, ord, dim, keepdim, dtype)

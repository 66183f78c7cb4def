"""``ember.special``: the scipy-style names PyTorch keeps under ``torch.special``."""

from __future__ import annotations

from .ops.reduce import logsumexp
from .ops.transcendental import erf, erfc, exp2, expm1, log1p, logit
from .ops.transcendental import sigmoid as expit


def softmax(input, dim: int, *, dtype=None):
    """``ember.softmax(input, dim, dtype=dtype)``, under its ``torch.special`` name."""
    return input.softmax(dim, dtype=dtype)


def log_softmax(input, dim: int, *, dtype=None):
    """``ember.log_softmax(input, dim, dtype=dtype)``, under its ``torch.special`` name."""
    return input.log_softmax(dim, dtype=dtype)


__all__ = ["erf", "erfc", "exp2", "expit", "expm1", "log1p", "log_softmax", "logit",
           "logsumexp", "softmax"]

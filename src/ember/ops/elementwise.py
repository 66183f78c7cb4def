"""The elementwise family under one name (``ew``), for the callers written against it.

The ops live by kind: ``arithmetic``, ``selection``, ``rounding``, ``transcendental``,
``conversion``. New code imports from those modules; this namespace keeps ``nn.functional`` and
``nn.modules.rnn`` (reorganised on another branch) working until they do too.
"""

from __future__ import annotations

from .rounding import abs  # noqa: A004
from .selection import clamp, minimum, relu, where
from .transcendental import exp, expm1, log, log1p, ones_like_const, rsqrt, sigmoid, tanh

__all__ = ["abs", "clamp", "exp", "expm1", "log", "log1p", "minimum", "ones_like_const", "relu",
           "rsqrt", "sigmoid", "tanh", "where"]

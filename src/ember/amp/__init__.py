"""``ember.amp``: automatic mixed precision on the CPU, as PyTorch's.

``autocast("cpu", dtype=ember.bfloat16)`` runs matmul/linear/convolutions in bfloat16 and the
losses in float32 (``autocast_mode``); ``GradScaler("cpu")`` scales the loss, unscales the
gradients and skips steps whose gradients overflowed (``grad_scaler``).
"""

from __future__ import annotations

from .autocast_mode import autocast, is_autocast_enabled
from .grad_scaler import GradScaler

__all__ = ["GradScaler", "autocast", "is_autocast_enabled"]

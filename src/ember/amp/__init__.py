"""``ember.amp``: mixed-precision scaffolding that scripts keep when run on a CPU.

ember computes in the tensors' own dtypes (float32 by default) and has no reduced-precision
kernels, so ``autocast`` regions run unchanged and ``GradScaler`` is the identity (as a
disabled PyTorch scaler is): ``scaler.scale(loss).backward(); scaler.step(opt);
scaler.update()`` trains exactly like ``loss.backward(); opt.step()``.
"""

from __future__ import annotations

import functools

from .grad_scaler import GradScaler

__all__ = ["GradScaler", "autocast"]


class autocast:  # noqa: N801 - PyTorch's name
    """Context manager/decorator accepted for compatibility; ops keep their dtypes."""

    def __init__(self, device_type: str = "cuda", dtype=None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        self.device_type = device_type
        self.fast_dtype = dtype
        self._enabled = enabled

    def __enter__(self):
        return None

    def __exit__(self, *exc) -> bool:
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)

        return wrapper

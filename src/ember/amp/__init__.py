"""``ember.amp``: mixed-precision scaffolding that scripts keep when run on a CPU.

ember computes in the tensors' own dtypes (float32 by default) and has no reduced-precision
kernels, so ``autocast`` regions run unchanged and ``GradScaler`` is the identity (as a
disabled PyTorch scaler is): ``scaler.scale(loss).backward(); scaler.step(opt);
scaler.update()`` trains exactly like ``loss.backward(); opt.step()``.
"""

from __future__ import annotations

import functools
import warnings


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


class GradScaler:
    """Loss scaling for float16 training; always disabled in ember (nothing underflows).

    Args:
        device: "cuda" (PyTorch's default) or "cpu".
        init_scale, growth_factor, backoff_factor, growth_interval: accepted, unused.
        enabled: requesting a CUDA scaler warns and disables it, as PyTorch does without CUDA.
    """

    def __init__(self, device: str = "cuda", init_scale: float = 2.0 ** 16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        if enabled and device == "cuda":
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  "
                          "Disabling.", stacklevel=2)
        self._enabled = False

    def is_enabled(self) -> bool:
        """Always False: ember's scaler never scales."""
        return self._enabled

    def scale(self, outputs):
        """The loss (or losses) unchanged: the scale is 1."""
        return outputs

    def unscale_(self, optimizer) -> None:
        """No-op: the gradients are already unscaled (e.g. before ``clip_grad_norm_``)."""

    def step(self, optimizer, *args, **kwargs):
        """``optimizer.step(*args, **kwargs)``: with no scaling, no step is ever skipped."""
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale=None) -> None:
        """No-op: the scale stays 1."""

    def get_scale(self) -> float:
        """Always 1.0."""
        return 1.0

    def state_dict(self) -> dict:
        """An empty dict, as PyTorch's disabled scaler returns."""
        return {}

    def load_state_dict(self, state_dict: dict) -> None:
        """Accepts a (possibly CUDA-made) scaler state; there is nothing to restore."""

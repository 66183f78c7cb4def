"""``autocast``: PyTorch's CPU automatic mixed precision.

Inside the context, the ops on PyTorch's CPU lower-precision list run on inputs rounded to
``dtype`` (bfloat16 by default) and return ``dtype``; the float32 list (losses) computes in
float32; everything else keeps its inputs' dtypes (``ember.ops.autocast_lists``). Nesting
and ``enabled=False`` restore the enclosing state on exit; usable as a decorator.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np

from .. import _dtype
from .._autocast_mode import state


class autocast:  # noqa: N801 - PyTorch's name
    """``autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``.

    Args:
        device_type: ``"cpu"``; ``"cuda"`` warns and disables itself (no CUDA here), as
            PyTorch does on a machine without CUDA.
        dtype: ``ember.bfloat16`` (CPU default) or ``ember.float16``.
        enabled: False runs the region without autocast (also inside an enabled one).
        cache_enabled: accepted (PyTorch caches casted weights; results are the same).

    Raises:
        RuntimeError: an unknown device type.
    """

    def __init__(self, device_type: str, dtype=None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device = device_type
        self._enabled = enabled
        if device_type == "cuda":
            if enabled:
                warnings.warn("User provided device_type of 'cuda', but CUDA is not available. "
                              "Disabling", stacklevel=2)
            self._enabled = False
            dtype = dtype or _dtype.float16
        elif device_type != "cpu":
            raise RuntimeError(f"User specified an unsupported autocast device_type "
                               f"'{device_type}'")
        self.fast_dtype = dtype or _dtype.bfloat16
        if self._enabled and self.fast_dtype not in (_dtype.bfloat16, _dtype.float16):
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling "
                          "autocast.\nCPU Autocast only supports dtype of torch.bfloat16, "
                          "torch.float16 currently.", stacklevel=2)
            self._enabled = False

    def __enter__(self):
        self._prev = (state.enabled, state.dtype)
        if self.device == "cpu":
            state.enabled = self._enabled
            state.dtype = np.dtype(self.fast_dtype.np) if self._enabled else state.dtype
        return self

    def __exit__(self, *exc) -> bool:
        state.enabled, state.dtype = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with autocast(self.device, self.fast_dtype, self._enabled):
                return fn(*args, **kwargs)

        return wrapper


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether autocast is on for ``device_type`` (None means CUDA, as PyTorch: never here)."""
    return device_type == "cpu" and state.enabled

"""``ember.backends.cudnn``: cuDNN's flags, stored; there is no cuDNN on ember's CPU path."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

__all__ = ["is_available", "version", "is_acceptable", "flags", "enabled", "benchmark",
           "benchmark_limit", "deterministic", "allow_tf32"]

enabled = True
benchmark = False
benchmark_limit = 10
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    """Always False: ember has no cuDNN."""
    return False


def version() -> None:
    """None, as PyTorch answers when cuDNN is not available."""
    return None


def is_acceptable(tensor) -> bool:
    """False: cuDNN would never run on ember's (CPU) tensors."""
    return False


@contextlib.contextmanager
def flags(enabled: bool = False, benchmark: bool = False, benchmark_limit: int = 10,
          deterministic: bool = False, allow_tf32: bool = True) -> Iterator[None]:
    """Set the flags inside the ``with`` block and restore them after it, as PyTorch."""
    module = sys.modules[__name__]
    names = ("enabled", "benchmark", "benchmark_limit", "deterministic", "allow_tf32")
    saved = {name: getattr(module, name) for name in names}
    new = dict(zip(names, (enabled, benchmark, benchmark_limit, deterministic, allow_tf32),
                   strict=True))
    for name, value in new.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(module, name, value)

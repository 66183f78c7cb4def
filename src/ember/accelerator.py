"""``ember.accelerator``: PyTorch's device-agnostic accelerator API, answering "none".

Scripts write ``device = torch.accelerator.current_accelerator() if
torch.accelerator.is_available() else "cpu"``; ember runs on the CPU only, so the queries report
no accelerator and the calls that need one raise PyTorch's RuntimeError.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index",
           "current_device_idx", "set_device_index", "set_device_idx", "current_stream",
           "set_stream", "synchronize", "device_index", "empty_cache", "memory_allocated",
           "max_memory_allocated", "memory_reserved", "max_memory_reserved", "memory_stats",
           "reset_peak_memory_stats", "reset_accumulated_memory_stats"]

_NONE = "Cannot access accelerator device when none is available."


def is_available() -> bool:
    """Always False: ember has no accelerator."""
    return False


def current_accelerator(check_available: bool = False):
    """None: there is no accelerator (PyTorch returns None on a CPU-only build too)."""
    return None


def device_count() -> int:
    """Always 0."""
    return 0


def current_device_index() -> int:
    """Raises RuntimeError: there is no accelerator device."""
    raise RuntimeError(_NONE)


def set_device_index(device) -> None:
    """Raises RuntimeError: there is no accelerator device."""
    raise RuntimeError(_NONE)


def current_stream(device=None):
    """Raises RuntimeError: there is no accelerator stream."""
    raise RuntimeError(_NONE)


def set_stream(stream) -> None:
    """Raises RuntimeError: there is no accelerator stream."""
    raise RuntimeError(_NONE)


def synchronize(device=None) -> None:
    """Raises RuntimeError: there is no accelerator to wait for."""
    raise RuntimeError(_NONE)


def empty_cache() -> None:
    """Raises RuntimeError: there is no accelerator memory."""
    raise RuntimeError(_NONE)


def memory_allocated(device_index=None) -> int:
    """Raises RuntimeError: there is no accelerator memory."""
    raise RuntimeError(_NONE)


def max_memory_allocated(device_index=None) -> int:
    """Raises RuntimeError: there is no accelerator memory."""
    raise RuntimeError(_NONE)


def memory_reserved(device_index=None) -> int:
    """Raises RuntimeError: there is no accelerator memory."""
    raise RuntimeError(_NONE)


def max_memory_reserved(device_index=None) -> int:
    """Raises RuntimeError: there is no accelerator memory."""
    raise RuntimeError(_NONE)


def memory_stats(device_index=None) -> dict:
    """Raises RuntimeError: there is no accelerator memory."""
    raise RuntimeError(_NONE)


def reset_peak_memory_stats(device_index=None) -> None:
    """Raises RuntimeError: there is no accelerator memory."""
    raise RuntimeError(_NONE)


def reset_accumulated_memory_stats(device_index=None) -> None:
    """Raises RuntimeError: there is no accelerator memory."""
    raise RuntimeError(_NONE)


current_device_idx = current_device_index
set_device_idx = set_device_index


@contextlib.contextmanager
def device_index(device) -> Iterator[None]:
    """``with device_index(None)`` does nothing; any real index needs an accelerator."""
    if device is not None:
        raise RuntimeError(_NONE)
    yield

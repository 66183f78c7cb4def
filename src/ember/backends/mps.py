"""``ember.backends.mps``: Apple's Metal backend, never available to ember."""

from __future__ import annotations

__all__ = ["is_available", "is_built"]


def is_available() -> bool:
    """Always False: ember runs on the CPU only."""
    return False


def is_built() -> bool:
    """Always False: ember is not built with MPS."""
    return False

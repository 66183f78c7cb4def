"""``ember.cuda``: there is no GPU, so ``torch.cuda`` idioms take the CPU path unchanged.

``device = "cuda" if torch.cuda.is_available() else "cpu"`` picks the CPU; the seeding and
cache calls scripts make unconditionally are no-ops, as on a CPU-only PyTorch build.
"""

from __future__ import annotations


def is_available() -> bool:
    """Always False: ember runs on the CPU only."""
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed: int) -> None:
    """No-op (no CUDA generator); ``ember.manual_seed`` seeds the CPU generator."""


def manual_seed_all(seed: int) -> None:
    """No-op (no CUDA generator)."""


def empty_cache() -> None:
    """No-op (no CUDA caching allocator)."""

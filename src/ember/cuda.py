"""``ember.cuda``: there is no GPU, so ``torch.cuda`` idioms take the CPU path unchanged.

``device = "cuda" if torch.cuda.is_available() else "cpu"`` picks the CPU; the seeding and
cache calls scripts make unconditionally are no-ops, as on a CPU-only PyTorch build.
"""

from __future__ import annotations

from types import SimpleNamespace

from .amp import GradScaler as _GradScaler
from .amp import autocast as _autocast


class _CudaGradScaler(_GradScaler):
    """``torch.cuda.amp.GradScaler(...)``: the device is CUDA."""

    def __init__(self, init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000,
                 enabled: bool = True) -> None:
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval,
                         enabled)


class _CudaAutocast(_autocast):
    """``torch.cuda.amp.autocast(enabled=..., dtype=...)``."""

    def __init__(self, enabled: bool = True, dtype=None, cache_enabled: bool = True) -> None:
        super().__init__("cuda", dtype, enabled, cache_enabled)


amp = SimpleNamespace(GradScaler=_CudaGradScaler, autocast=_CudaAutocast)


def is_available() -> bool:
    """Always False: ember runs on the CPU only."""
    return False


def device_count() -> int:
    """Always 0: ember has no CUDA devices."""
    return 0


def is_initialized() -> bool:
    """Always False: there is no CUDA state to initialise."""
    return False


def manual_seed(seed: int) -> None:
    """No-op (no CUDA generator); ``ember.manual_seed`` seeds the CPU generator."""


def manual_seed_all(seed: int) -> None:
    """No-op (no CUDA generator)."""


def empty_cache() -> None:
    """No-op (no CUDA caching allocator)."""

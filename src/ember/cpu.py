"""``ember.cpu``: PyTorch's ``torch.cpu`` namespace (the device ember always runs on)."""

from __future__ import annotations

from types import SimpleNamespace

from . import _dtype
from .amp import autocast as _autocast


class _CpuAutocast(_autocast):
    """``torch.cpu.amp.autocast(enabled=True, dtype=torch.bfloat16, cache_enabled=True)``."""

    def __init__(self, enabled: bool = True, dtype=_dtype.bfloat16,
                 cache_enabled: bool = True) -> None:
        super().__init__("cpu", dtype, enabled, cache_enabled)


amp = SimpleNamespace(autocast=_CpuAutocast)


def is_available() -> bool:
    """Always True."""
    return True

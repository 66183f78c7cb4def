"""``ember.backends``: the flags scripts set for reproducibility (``cudnn.deterministic``...).

ember's CPU kernels are deterministic, so the flags are accepted and have no effect.
"""

from __future__ import annotations

from types import SimpleNamespace


def _false() -> bool:
    return False


cudnn = SimpleNamespace(enabled=True, deterministic=False, benchmark=False,
                        is_available=_false)
mps = SimpleNamespace(is_available=_false, is_built=_false)

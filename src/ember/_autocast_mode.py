"""Autocast state (ground floor: imports nothing of ember). Set by ``ember.amp.autocast``."""

from __future__ import annotations


class _State:
    enabled = False
    dtype = None  # the NumPy dtype lower-precision ops run in (bfloat16 or float16)


state = _State()

"""``nn(lib)``: the ``nn`` namespace of torch or ember (kept as a seam for the layer tests)."""

from __future__ import annotations

import ember.nn  # noqa: F401 - makes ember.nn an attribute of ember


def nn(lib):
    return lib.nn

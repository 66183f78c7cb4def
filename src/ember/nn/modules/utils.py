"""PyTorch's path ``torch.nn.modules.utils``: the ``_pair``-style argument normalisers.

Third-party layers import ``_single``/``_pair``/``_triple`` from here to turn ``3`` into
``(3, 3)`` the way PyTorch's own layers do.
"""

from __future__ import annotations

import collections.abc
from itertools import repeat

__all__ = ["_single", "_pair", "_triple", "_quadruple", "_ntuple", "_reverse_repeat_tuple"]


def _ntuple(n: int, name: str = "parse"):
    """A function that repeats a scalar ``n`` times and passes an iterable through as a tuple."""

    def parse(x):
        if isinstance(x, collections.abc.Iterable):
            return tuple(x)
        return tuple(repeat(x, n))

    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_quadruple = _ntuple(4, "_quadruple")


def _reverse_repeat_tuple(t, n: int) -> tuple:
    """``(a, b)`` -> ``(b, b, a, a)`` for ``n=2``: the layout ``F.pad`` wants."""
    return tuple(x for x in reversed(t) for _ in range(n))

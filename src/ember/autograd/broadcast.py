"""Broadcasting undone in one place: ``SumTo`` and its inverse ``BroadcastTo``.

The engine sums every gradient whose shape differs from its input's back to that shape with
``SumTo``, so no op has to undo the broadcasting its forward did. The two ops are each other's
backward, which keeps the undoing differentiable (``create_graph``). Reductions reuse
``BroadcastTo`` to send their gradient back over the reduced axes.
"""

from __future__ import annotations

import numpy as np

from .function import Op


class SumTo(Op):
    """Sum ``a`` down to a shape it was broadcast from."""

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        return sum_to_shape(a, shape)

    @staticmethod
    def backward(ctx, g):
        return BroadcastTo.apply(g, shape=ctx.in_shape)


class BroadcastTo(Op):
    """Broadcast to ``shape``; ``via`` first reshapes (a reduction's output with keepdim dims)."""

    @staticmethod
    def forward(ctx, a, shape, via=None):
        ctx.in_shape = a.shape
        ctx.via = via
        if via is not None:
            a = a.reshape(via)
        if a.size == 1 or np.prod(shape) <= _MATERIALIZE_LIMIT:
            # small: a real array is cheaper than np.broadcast_to's Python-level setup
            out = np.empty(shape, dtype=a.dtype)
            out[...] = a
            return out
        return np.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, g):
        if ctx.via is None:
            return SumTo.apply(g, shape=ctx.in_shape)
        return SumTo.apply(g, shape=ctx.via).reshape(ctx.in_shape)


_MATERIALIZE_LIMIT = 1 << 16


def sum_to_shape(a: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``a`` over the axes that broadcasting added or stretched to reach ``shape``."""
    if a.shape == shape:
        return a
    lead = a.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and a.shape[i + lead] != 1
    )
    out = a.sum(axis=axes, keepdims=True) if axes else a
    return out.reshape(shape)

"""Attention as ONNX nodes, shared by MultiheadAttention and scaled_dot_product_attention."""

from __future__ import annotations

import numpy as np

from ._emit import EventView


def causal_bias(e: EventView, q: str, k: str, dtype) -> str:
    """-inf above the diagonal of a (L, S) grid, L and S read from q and k at run time."""
    length = e.node("Squeeze", [e.em.dim(q, -2), e.ints([0])])
    source = e.node("Squeeze", [e.em.dim(k, -2), e.ints([0])])
    zero, one = e.const(np.asarray(0, np.int64)), e.const(np.asarray(1, np.int64))
    rows = e.node("Unsqueeze", [e.node("Range", [zero, length, one]), e.ints([1])])
    cols = e.node("Unsqueeze", [e.node("Range", [zero, source, one]), e.ints([0])])
    future = e.node("Greater", [cols, rows])
    return e.node("Where", [future, e.const(np.asarray(-np.inf, dtype)),
                            e.const(np.asarray(0, dtype))])


def mask_bias(e: EventView, mask: str, mask_dtype, hide_where_true: bool, dtype) -> str:
    """An additive mask: a boolean mask becomes 0 / -inf, a float mask is used as is."""
    if np.dtype(mask_dtype) != np.bool_:
        return e.cast(mask, mask_dtype, dtype)
    inf, zero = e.const(np.asarray(-np.inf, dtype)), e.const(np.asarray(0, dtype))
    return e.node("Where", [mask, inf, zero] if hide_where_true else [mask, zero, inf])


def attend(e: EventView, q: str, k: str, v: str, rank: int, scale: float, biases: list,
           dtype) -> tuple:
    """``softmax(q k^T * scale + sum(biases)) v`` over (..., L, E) inputs: (output, weights)."""
    kt = e.node("Transpose", [k], perm=list(range(rank - 2)) + [rank - 1, rank - 2])
    scores = e.node("MatMul", [e.node("Mul", [q, e.const(np.asarray(scale, dtype))]), kt])
    for bias in biases:
        scores = e.node("Add", [scores, bias])
    weights = e.node("Softmax", [scores], axis=-1)
    return e.node("MatMul", [weights, v]), weights

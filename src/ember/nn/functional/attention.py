"""Functional attention: ``scaled_dot_product_attention``."""

from __future__ import annotations

import numpy as np

from ...ops._util import const
from ...tensor import Tensor
from .activation import softmax
from .dropout import dropout


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(q k^T * scale + mask) v``; a boolean mask marks the positions that MAY be
    attended (True), as PyTorch's SDPA; ``dropout_p`` applies whenever it is positive."""
    if enable_gqa:
        raise NotImplementedError("scaled_dot_product_attention: enable_gqa is not supported")
    tgt, src = query.shape[-2], key.shape[-2]
    scale = 1.0 / np.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query * float(scale)).matmul(key.transpose(-2, -1))
    dtype = query._data.dtype
    if is_causal:
        scores = scores + const(np.triu(np.full((tgt, src), -np.inf, dtype), 1))
    if attn_mask is not None:
        m = attn_mask._data
        if m.dtype == np.bool_:
            scores = scores + const(np.where(m, 0.0, -np.inf).astype(dtype))
        else:
            scores = scores + attn_mask
    weights = softmax(scores, -1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    return weights.matmul(value)

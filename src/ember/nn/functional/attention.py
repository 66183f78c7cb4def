"""Functional attention: ``scaled_dot_product_attention`` and ``multi_head_attention_forward``
(``nn.MultiheadAttention``'s computation)."""

from __future__ import annotations

import math
import warnings

import numpy as np

from ...ops import fused as nnops
from ...ops._util import const
from ...ops.selection import where
from ...ops.shape import cat
from ...tensor import Tensor
from .activation import softmax
from .dropout import dropout
from .linear import linear


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(q k^T * scale + mask) v``; a boolean mask marks the positions that MAY be
    attended (True), as PyTorch's SDPA; ``dropout_p`` applies whenever it is positive.

    With ``enable_gqa`` (grouped-query attention) key and value may have fewer heads (dim -3)
    than query; each key/value head then serves ``q_heads // kv_heads`` consecutive query heads.
    """
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        q_heads, kv_heads = query.shape[-3], key.shape[-3]
        if q_heads % kv_heads or value.shape[-3] != kv_heads:
            raise RuntimeError("Number of heads in key and value must divide the number of "
                               "heads in query")
        key = key.repeat_interleave(q_heads // kv_heads, -3)
        value = value.repeat_interleave(q_heads // kv_heads, -3)
    tgt, src = query.shape[-2], key.shape[-2]
    scale = 1.0 / np.sqrt(query.shape[-1]) if scale is None else scale
    dtype = query._data.dtype
    if (dropout_p == 0.0 and dtype.kind == "f" and key._data.dtype == dtype
            and value._data.dtype == dtype
            and (attn_mask is None or attn_mask._data.dtype in (np.bool_, dtype))):
        return nnops.Attention.apply(query, key, value, attn_mask, scale=float(scale),
                                     causal=bool(is_causal))
    scores = (query * float(scale)).matmul(key.transpose(-2, -1))
    if is_causal:
        scores = scores + const(np.triu(np.full((tgt, src), -np.inf, dtype), 1))
    if attn_mask is not None:
        m = attn_mask._data
        if m.dtype == np.bool_:
            scores = scores + const(np.where(m, 0.0, -np.inf).astype(dtype))
        else:
            scores = scores + attn_mask
    weights = _safe_softmax(scores)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    return weights.matmul(value)


def _safe_softmax(scores: Tensor) -> Tensor:
    """Softmax over the last dim, with 0 for rows masked entirely (all -inf), as PyTorch's SDPA.

    Such rows are selected out before the softmax too, so neither the output nor any gradient
    sees the nan that a softmax of only -inf gives.
    """
    dead = np.all(scores._data == -np.inf, axis=-1, keepdims=True)
    if not dead.any():
        return softmax(scores, -1)
    zero = const(np.zeros((), scores._data.dtype))
    live = softmax(where(const(dead), zero, scores), -1)
    return where(const(dead), zero, live)


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
        bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
        out_proj_bias: Tensor | None, training: bool = True,
        key_padding_mask: Tensor | None = None, need_weights: bool = True,
        attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False,
        q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
        v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
        static_v: Tensor | None = None, average_attn_weights: bool = True,
        is_causal: bool = False) -> tuple:
    """Multi-head attention (``nn.MultiheadAttention``'s computation) over sequence-first input.

    Args:
        query: ``(L, N, E)`` or unbatched ``(L, E)``.
        key, value: ``(S, N, E_k)``, ``(S, N, E_v)`` (or unbatched ``(S, E_k)``, ``(S, E_v)``).
        embed_dim_to_check: ``E``, checked against ``query``.
        num_heads: heads of size ``E // num_heads`` each.
        in_proj_weight, in_proj_bias: the packed ``(3E, E)`` projection and its ``(3E,)`` bias
            (the bias also serves the separate projections).
        bias_k, bias_v: ``(1, 1, E)`` key and value appended to every sequence, or None.
        add_zero_attn: append a zero key and value (after ``bias_k``/``bias_v``).
        dropout_p: dropout on the attention weights, applied when ``training``.
        out_proj_weight, out_proj_bias: the output projection.
        key_padding_mask: ``(N, S)``; True (or a float added to the scores) hides a key.
        need_weights: also return the attention weights.
        attn_mask: ``(L, S)`` or ``(N * num_heads, L, S)``; True hides, floats are added.
        use_separate_proj_weight: project with ``q/k/v_proj_weight`` instead of the packed one.
        static_k, static_v: ``(N * num_heads, S, E / num_heads)`` keys and values used as they
            are, instead of projecting ``key`` and ``value``.
        average_attn_weights: average the returned weights over the heads.
        is_causal: a hint that ``attn_mask`` is the causal mask (which must be given).

    Returns:
        ``(output, weights)``: output ``(L, N, E)`` (``(L, E)`` unbatched) and the weights
        ``(N, L, S)`` (``(N, num_heads, L, S)`` unaveraged), or None without ``need_weights``.

    Raises:
        AssertionError: inconsistent ranks, embedding sizes, projection weights or static
            keys (PyTorch's assertions).
        RuntimeError: a mask of the wrong shape; ``is_causal`` without ``attn_mask``.
    """
    batched = _check_attention_ranks(query, key, value, key_padding_mask, attn_mask, num_heads)
    if key_padding_mask is not None and attn_mask is not None and \
            key_padding_mask.dtype != attn_mask.dtype:
        warnings.warn("Support for mismatched key_padding_mask and attn_mask is deprecated. Use "
                      "same type for both instead.", UserWarning, stacklevel=2)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    h, hd = num_heads, embed_dim // num_heads
    if h * hd != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    q, k, v = _in_projections(query, key, value, in_proj_weight, in_proj_bias,
                              use_separate_proj_weight, q_proj_weight, k_proj_weight,
                              v_proj_weight)
    dtype = q._data.dtype
    bias = _mask_bias(attn_mask, key_padding_mask, bsz, h, tgt_len, src_len, dtype)
    extra_keys = 0
    if bias_k is not None or bias_v is not None:
        if bias_k is None or bias_v is None:
            raise AssertionError(f"{'bias_k' if bias_v is None else 'bias_v'} is set but "
                                 f"{'bias_v' if bias_v is None else 'bias_k'} is None")
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static "
                                 f"{'key' if static_k is not None else 'value'}.")
        k = cat([k, bias_k.expand(1, bsz, embed_dim)])
        v = cat([v, bias_v.expand(1, bsz, embed_dim)])
        extra_keys += 1
    # (S, N, E) -> (N, H, S, hd)
    q = q.reshape(tgt_len, bsz, h, hd).permute(1, 2, 0, 3)
    k = _heads(k, static_k, "static_k", bsz, h, hd)
    v = _heads(v, static_v, "static_v", bsz, h, hd)
    if add_zero_attn:
        zeros = const(np.zeros((bsz, h, 1, hd), dtype))
        k, v = cat([k, zeros], 2), cat([v, zeros], 2)
        extra_keys += 1
    if bias is not None and extra_keys:  # the appended keys are visible to every query
        bias = np.concatenate([bias, np.zeros(bias.shape[:-1] + (extra_keys,), dtype)], -1)
    scores = (q * (1.0 / math.sqrt(hd))).matmul(k.transpose(-2, -1))
    if bias is not None:
        scores = scores + const(bias)
    weights = softmax(scores, -1)
    if dropout_p > 0.0 and training:
        weights = dropout(weights, dropout_p)
    out = weights.matmul(v)  # (N, H, L, hd)
    out = out.permute(2, 0, 1, 3).reshape(tgt_len, bsz, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias)
    if not batched:
        out = out.squeeze(1)
    if not need_weights:
        return out, None
    w = weights.mean(1) if average_attn_weights else weights
    return out, (w if batched else w.squeeze(0))


def _check_attention_ranks(query, key, value, key_padding_mask, attn_mask, num_heads) -> bool:
    """PyTorch's rank checks; True for batched (3-D) input."""
    if query.ndim not in (2, 3):
        raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received "
                             f"{query.ndim}-D query tensor")
    batched = query.ndim == 3
    kind = "batched (3-D)" if batched else "unbatched (2-D)"
    if key.ndim != query.ndim or value.ndim != query.ndim:
        raise AssertionError(f"For {kind} `query`, expected `key` and `value` to be "
                             f"{query.ndim}-D but found {key.ndim}-D and {value.ndim}-D tensors "
                             f"respectively")
    if key_padding_mask is not None and key_padding_mask.ndim != query.ndim - 1:
        raise AssertionError(f"For {kind} `query`, expected `key_padding_mask` to be `None` or "
                             f"{query.ndim - 1}-D but found {key_padding_mask.ndim}-D tensor "
                             f"instead")
    if attn_mask is not None:
        if attn_mask.ndim not in (2, 3):
            raise AssertionError(f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or "
                                 f"3-D but found {attn_mask.ndim}-D tensor instead")
        expected = (num_heads, query.shape[0], key.shape[0])
        if not batched and attn_mask.ndim == 3 and tuple(attn_mask.shape) != expected:
            raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                 f"{attn_mask.shape}")
    return batched


def _in_projections(query, key, value, in_proj_weight, in_proj_bias, separate: bool,
                    q_proj_weight, k_proj_weight, v_proj_weight) -> tuple:
    """The projected query, key and value, each (length, N, E)."""
    e = query.shape[-1]
    b = in_proj_bias
    bq, bk, bv = (None, None, None) if b is None else (b[:e], b[e:2 * e], b[2 * e:])
    if separate:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                                 f"value's {value.shape[:2]}")
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight "
                                     f"is None")
        wq, wk, wv = q_proj_weight, k_proj_weight, v_proj_weight
    else:
        if key.shape != value.shape:
            raise AssertionError(f"key shape {key.shape} does not match value shape "
                                 f"{value.shape}")
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        w = in_proj_weight
        if query is key and key is value:  # self-attention: one matmul for q, k and v
            return linear(query, w, b).chunk(3, -1)
        wq, wk, wv = w[:e], w[e:2 * e], w[2 * e:]
    return linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)


def _heads(x: Tensor, static: Tensor | None, name: str, bsz: int, h: int, hd: int) -> Tensor:
    """(S, N, E) -> (N, H, S, hd), or ``static`` (N * H, S, hd) in that layout."""
    if static is None:
        return x.reshape(x.shape[0], bsz, h, hd).permute(1, 2, 0, 3)
    if static.shape[0] != bsz * h:
        raise AssertionError(f"expecting {name}.size(0) of {bsz * h}, but got {static.shape[0]}")
    if static.shape[2] != hd:
        raise AssertionError(f"expecting {name}.size(2) of {hd}, but got {static.shape[2]}")
    return static.reshape(bsz, h, static.shape[1], hd)


def _mask_bias(attn_mask, key_padding_mask, bsz, heads, tgt_len, src_len, dtype):
    """One additive float mask, (N, H, L, S) or broadcastable to it, with -inf where attention
    is not allowed; or None."""
    bias = None
    if attn_mask is not None:
        m = _mask_values(attn_mask, "attn_mask")
        if m.ndim == 2:
            if m.shape != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {m.shape}, but should be "
                                   f"{(tgt_len, src_len)}.")
        elif m.ndim == 3:
            if m.shape != (bsz * heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {m.shape}, but should be "
                                   f"{(bsz * heads, tgt_len, src_len)}.")
            m = m.reshape(bsz, heads, tgt_len, src_len)
        else:
            raise RuntimeError(f"attn_mask's dimension {m.ndim} is not supported")
        bias = np.where(m, -np.inf, 0.0).astype(dtype) if m.dtype == np.bool_ else \
            m.astype(dtype)
    if key_padding_mask is not None:
        kp = _mask_values(key_padding_mask, "key_padding_mask")
        if kp.shape != (bsz, src_len):
            raise RuntimeError(f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                               f"{kp.shape}")
        kp = np.where(kp, -np.inf, 0.0).astype(dtype) if kp.dtype == np.bool_ else \
            kp.astype(dtype)
        kp = kp.reshape(bsz, 1, 1, src_len)
        bias = kp if bias is None else bias + kp
    return bias


def _mask_values(mask: Tensor, name: str) -> np.ndarray:
    m = mask._data
    if m.dtype != np.bool_ and m.dtype.kind != "f":
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return m

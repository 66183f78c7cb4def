"""MultiheadAttention and ``F.scaled_dot_product_attention``: parity with PyTorch (same
weights), masks, unbatched input, gradcheck."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn as enn
from helpers import assert_close, check_op, gradcheck64, torch

from ._parity import copy_torch_weights, module_parity

RNG = np.random.default_rng(0)


def _arr(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("kwargs", [{}, {"batch_first": True}, {"bias": False},
                                    {"kdim": 3, "vdim": 5}])
def test_multihead_attention_matches_pytorch(kwargs):
    def make(nn):
        return nn.MultiheadAttention(8, 2, **kwargs)

    shapes = [(4, 3, 8), (6, 3, kwargs.get("kdim", 8)), (6, 3, kwargs.get("vdim", 8))]
    if kwargs.get("batch_first"):
        shapes = [(3, 4, 8), (3, 6, 8), (3, 6, 8)]
    module_parity(make, arrays=[_arr(*s) for s in shapes], train=False,
                  call=lambda m, q, k, v: m(q, k, v)[0])
    module_parity(make, arrays=[_arr(*s) for s in shapes], train=False,
                  call=lambda m, q, k, v: m(q, k, v)[1])
    assert list(make(enn).state_dict()) == list(make(torch.nn).state_dict())
    assert repr(make(enn)) == repr(make(torch.nn))


def test_self_attention_with_masks_matches_pytorch():
    t, e = torch.nn.MultiheadAttention(8, 4), enn.MultiheadAttention(8, 4)
    copy_torch_weights(t, e)
    x = _arr(5, 2, 8)
    causal = np.triu(np.ones((5, 5), bool), 1)
    pad = np.array([[False] * 5, [False, False, False, True, True]])
    float_mask = _arr(5, 5)
    for mask, kpm in ((causal, None), (None, pad), (causal, pad), (float_mask, None)):
        kw_t = {"attn_mask": None if mask is None else torch.tensor(mask),
                "key_padding_mask": None if kpm is None else torch.tensor(kpm)}
        kw_e = {"attn_mask": None if mask is None else ember.tensor(mask),
                "key_padding_mask": None if kpm is None else ember.tensor(kpm)}
        xt, xe = torch.tensor(x), ember.tensor(x)
        ot, wt = t(xt, xt, xt, average_attn_weights=False, **kw_t)
        oe, we = e(xe, xe, xe, average_attn_weights=False, **kw_e)
        assert_close(oe, ot, atol=1e-5)
        assert_close(we, wt, atol=1e-6)


def test_unbatched_attention_and_need_weights_false():
    t, e = torch.nn.MultiheadAttention(6, 2), enn.MultiheadAttention(6, 2)
    copy_torch_weights(t, e)
    x = _arr(4, 6)
    ot, _ = t(torch.tensor(x), torch.tensor(x), torch.tensor(x))
    oe, we = e(ember.tensor(x), ember.tensor(x), ember.tensor(x), need_weights=False)
    assert we is None
    assert_close(oe, ot)


def test_attention_gradcheck():
    m = enn.MultiheadAttention(4, 2).double()
    gradcheck64(lambda q, k: m(q, k, k)[0], [(2, 1, 4), (3, 1, 4)], second_order=False)


@pytest.mark.parametrize("causal", [False, True])
def test_scaled_dot_product_attention_matches_pytorch(causal):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in [(2, 3, 4, 8), (2, 3, 5, 8),
                                                                    (2, 3, 5, 6)]]
    if causal:
        arrays[1], arrays[2] = arrays[1][:, :, :4], arrays[2][:, :, :4]
    check_op(None, lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(
        q, k, v, is_causal=causal), arrays=arrays)
    mask = rng.random((4, 5)) < 0.7
    mask[:, 0] = True
    fmask = rng.standard_normal((4, 5)).astype(np.float32)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in [(2, 4, 8), (2, 5, 8), (2, 5, 6)]]
    for m in (mask, fmask):
        check_op(None, lambda lib, q, k, v, m=m: lib.nn.functional.scaled_dot_product_attention(
            q, k, v, attn_mask=lib.tensor(m), scale=0.3), arrays=arrays)

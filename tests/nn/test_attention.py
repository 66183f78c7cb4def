"""MultiheadAttention and ``F.scaled_dot_product_attention``: parity with PyTorch (same
weights), masks, unbatched input, gradcheck."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn as enn
from helpers import assert_close, check_op, gradcheck64, torch

from ._parity import copy_torch_weights, module_parity, raises_like_torch

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


@pytest.mark.parametrize("kwargs", [{"add_bias_kv": True}, {"add_zero_attn": True},
                                    {"add_bias_kv": True, "add_zero_attn": True, "kdim": 3},
                                    {"add_bias_kv": True, "batch_first": True}])
def test_multihead_attention_bias_kv_and_zero_attn_match_pytorch(kwargs):
    def make(nn):
        return nn.MultiheadAttention(8, 2, **kwargs)

    shapes = [(4, 3, 8), (6, 3, kwargs.get("kdim", 8)), (6, 3, 8)]
    if kwargs.get("batch_first"):
        shapes = [(3, 4, 8), (3, 6, 8), (3, 6, 8)]
    pad = np.zeros((3, 6), bool)
    pad[1, 4:] = True
    for call in (lambda m, q, k, v: m(q, k, v)[0],
                 lambda m, q, k, v: m(q, k, v, average_attn_weights=False)[1],
                 lambda m, q, k, v: m(q, k, v, key_padding_mask=_like(q, pad))[0]):
        module_parity(make, arrays=[_arr(*s) for s in shapes], train=False, call=call)
    assert list(make(enn).state_dict()) == list(make(torch.nn).state_dict())


def _like(t, array):
    """``array`` as a tensor of the library ``t`` belongs to."""
    return torch.tensor(array) if isinstance(t, torch.Tensor) else ember.tensor(array)


def _mha_args(lib, separate: bool, bias_kv: bool):
    """Arguments of F.multi_head_attention_forward (E=6, 3 heads), the same in both libraries."""
    rng = np.random.default_rng(3)

    def arr(*shape):
        return lib.tensor(rng.standard_normal(shape).astype(np.float64), requires_grad=True)

    packed = arr(18, 6)
    weights = {"q_proj_weight": arr(6, 6), "k_proj_weight": arr(6, 4),
               "v_proj_weight": arr(6, 5)} if separate else {}
    return dict(embed_dim_to_check=6, num_heads=3, in_proj_weight=None if separate else packed,
                in_proj_bias=arr(18), bias_k=arr(1, 1, 6) if bias_kv else None,
                bias_v=arr(1, 1, 6) if bias_kv else None, out_proj_weight=arr(6, 6),
                out_proj_bias=arr(6), use_separate_proj_weight=separate, **weights)


@pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask")
@pytest.mark.parametrize("separate,bias_kv,zero_attn,need_weights", [
    (False, False, False, True), (True, False, False, True), (False, True, True, True),
    (True, True, False, False), (False, False, True, False)])
def test_functional_multi_head_attention_matches_pytorch(separate, bias_kv, zero_attn,
                                                         need_weights):
    rng = np.random.default_rng(4)
    q, k, v = (rng.standard_normal(s) for s in [(4, 2, 6), (5, 2, 4 if separate else 6),
                                                (5, 2, 5 if separate else 6)])
    mask = rng.standard_normal((4, 5))
    pad = np.array([[False] * 5, [False, False, True, False, True]])
    results = []
    for lib in (torch, ember):
        args = _mha_args(lib, separate, bias_kv)
        out, w = lib.nn.functional.multi_head_attention_forward(
            lib.tensor(q), lib.tensor(k), lib.tensor(v), add_zero_attn=zero_attn,
            dropout_p=0.0, attn_mask=lib.tensor(mask), key_padding_mask=lib.tensor(pad),
            need_weights=need_weights, average_attn_weights=False, **args)
        out.sum().backward()
        grads = {n: a.grad for n, a in args.items() if hasattr(a, "grad") and a is not None}
        results.append((out, w, grads))
    (ot, wt, gt), (oe, we, ge) = results
    assert_close(oe, ot, atol=1e-10)
    assert (we is None) == (wt is None)
    if wt is not None:
        assert_close(we, wt, atol=1e-10)
    assert set(ge) == set(gt)
    for name in gt:
        assert_close(ge[name], gt[name], atol=1e-9, msg=name)


def test_functional_multi_head_attention_static_kv_and_unbatched_match_pytorch():
    rng = np.random.default_rng(5)
    q = rng.standard_normal((4, 6))
    static_k, static_v = rng.standard_normal((3, 7, 2)), rng.standard_normal((3, 7, 2))
    outs = []
    for lib in (torch, ember):
        args = _mha_args(lib, separate=False, bias_kv=False)
        out, w = lib.nn.functional.multi_head_attention_forward(
            lib.tensor(q), lib.tensor(q), lib.tensor(q), add_zero_attn=True, dropout_p=0.0,
            static_k=lib.tensor(static_k), static_v=lib.tensor(static_v), **args)
        outs.append((out, w))
    assert_close(outs[1][0], outs[0][0], atol=1e-10)
    assert_close(outs[1][1], outs[0][1], atol=1e-10)


MHA_BAD_CALLS = {
    "is_causal_without_mask": lambda lib: lib.nn.functional.multi_head_attention_forward(
        lib.zeros(2, 1, 4), lib.zeros(2, 1, 4), lib.zeros(2, 1, 4), 4, 2, lib.zeros(12, 4),
        None, None, None, False, 0.0, lib.zeros(4, 4), None, is_causal=True),
    "embed_dim_mismatch": lambda lib: lib.nn.functional.multi_head_attention_forward(
        lib.zeros(2, 1, 4), lib.zeros(2, 1, 4), lib.zeros(2, 1, 4), 6, 2, lib.zeros(12, 4),
        None, None, None, False, 0.0, lib.zeros(4, 4), None),
    "query_rank": lambda lib: lib.nn.functional.multi_head_attention_forward(
        lib.zeros(4), lib.zeros(4), lib.zeros(4), 4, 2, lib.zeros(12, 4),
        None, None, None, False, 0.0, lib.zeros(4, 4), None),
    "integer_mask": lambda lib: lib.nn.MultiheadAttention(4, 2)(
        lib.zeros(2, 1, 4), lib.zeros(2, 1, 4), lib.zeros(2, 1, 4),
        attn_mask=lib.zeros(2, 2, dtype=lib.int64)),
}


@pytest.mark.parametrize("name", list(MHA_BAD_CALLS))
def test_multi_head_attention_error_types_match_pytorch(name):
    raises_like_torch(MHA_BAD_CALLS[name])


def test_mismatched_mask_types_warn_like_pytorch():
    for lib in (torch, ember):
        with pytest.warns(UserWarning, match="mismatched key_padding_mask and attn_mask"):
            lib.nn.MultiheadAttention(4, 2)(
                lib.zeros(2, 1, 4), lib.zeros(2, 1, 4), lib.zeros(2, 1, 4),
                attn_mask=lib.zeros(2, 2), key_padding_mask=lib.zeros(1, 2, dtype=lib.bool))


@pytest.mark.parametrize("kv_heads", [1, 2, 6])
def test_sdpa_grouped_query_attention_matches_torch(kv_heads):
    check_op([(2, 6, 5, 4), (2, kv_heads, 7, 4), (2, kv_heads, 7, 3)],
             lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(
                 q, k, v, enable_gqa=True), atol=1e-5)
    check_op([(2, 6, 5, 4), (2, kv_heads, 5, 4), (2, kv_heads, 5, 3)],
             lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(
                 q, k, v, is_causal=True, enable_gqa=True), atol=1e-5)


def test_sdpa_grouped_query_attention_head_error_matches_torch():
    for lib in (torch, ember):
        q, k = lib.zeros(1, 6, 3, 4), lib.zeros(1, 4, 3, 4)
        with pytest.raises(RuntimeError, match="Number of heads in key and value must divide"):
            lib.nn.functional.scaled_dot_product_attention(q, k, k, enable_gqa=True)
@pytest.mark.parametrize("boolean", [True, False])
def test_sdpa_fully_masked_row_gives_zeros_and_finite_gradients_as_pytorch(boolean):
    q, k, v = (_arr(2, 3, 4).astype(np.float64) for _ in range(3))
    allowed = np.array([[True, True, False, False], [False] * 4, [True] * 4])[:, :3]
    mask = np.concatenate([allowed, allowed], 0)[:3]
    bias = np.where(mask, 0.0, -np.inf)

    def sdpa(lib, q, k, v):
        m = lib.tensor(mask) if boolean else lib.tensor(bias)
        return lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m)

    out, _ = check_op(None, sdpa, arrays=[q, k, v])
    assert np.isfinite(out.detach().numpy()).all()


def test_sdpa_with_a_fully_masked_row_gradchecks():
    mask = ember.tensor([[True, False, True], [False, False, False], [True, True, True]])
    gradcheck64(lambda q: ember.nn.functional.scaled_dot_product_attention(q, q, q,
                                                                          attn_mask=mask),
                [(1, 3, 4)], second_order=False)

"""Fused ops (ember/ops/fused.py): BatchNorm's evaluation path is one node, as PyTorch's."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as F
from helpers import check_op, gradcheck64


def test_batchnorm_eval_is_one_node_matching_torch_values_and_gradients():
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in [(4, 3, 2, 2), (3,), (3,), (3,)]]
    var = np.abs(rng.standard_normal(3)) + 0.5
    results = []
    for lib, fn in ((ember, F.batch_norm), (torch, torch.nn.functional.batch_norm)):
        x, w, b, mean = (lib.tensor(a, requires_grad=i < 3) for i, a in enumerate(arrays))
        y = fn(x, mean, lib.tensor(var), w, b, training=False)
        (y * lib.arange(48.0, dtype=lib.float64).reshape(4, 3, 2, 2)).sum().backward()
        results.append((y.grad_fn.name(), y.detach().numpy(), x.grad.numpy(),
                        w.grad.numpy(), b.grad.numpy()))
    (e_name, *e_vals), (t_name, *t_vals) = results
    assert e_name == t_name == "NativeBatchNormBackward0"
    for e, t in zip(e_vals, t_vals):
        np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12)


def test_log_softmax_and_cross_entropy_of_large_logits_are_precise_as_pytorch():
    x = np.array([[-1e4, -1e4 + 1, -1e4 + 2], [1e4, 1e4 - 0.5, 1e4 + 3]], dtype=np.float32)
    e_x, t_x = ember.tensor(x), torch.tensor(x)
    np.testing.assert_allclose(ember.log_softmax(e_x, 1).numpy(),
                               torch.log_softmax(t_x, 1).numpy(), rtol=0, atol=1e-6)
    for kw in ({}, {"label_smoothing": 0.1}):
        e = F.cross_entropy(e_x, ember.tensor([0, 2]), **kw).item()
        t = torch.nn.functional.cross_entropy(t_x, torch.tensor([0, 2]), **kw).item()
        assert abs(e - t) < 1e-6


def test_softmax_family_accumulates_float16_in_float32_as_pytorch():
    rng = np.random.default_rng(0)
    x = (rng.uniform(-300, 300, (4, 64)) / 30).astype(np.float16)
    for name in ("softmax", "log_softmax"):
        e = getattr(ember, name)(ember.tensor(x), 1)
        t = getattr(torch, name)(torch.tensor(x), 1)
        assert e.dtype == ember.float16
        np.testing.assert_allclose(e.float().numpy(), t.float().numpy(), rtol=1e-3, atol=1e-2)
    e = F.cross_entropy(ember.tensor(x), ember.tensor([1, 2, 3, 4]))
    t = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor([1, 2, 3, 4]))
    assert e.dtype == ember.float16
    np.testing.assert_allclose(e.float().item(), t.float().item(), rtol=1e-3)


NORMS = {
    "layer_norm": lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (8,), w, b),
    "batch_norm": lambda lib, x, w, b: lib.nn.functional.batch_norm(
        x, None, None, w[:6], b[:6], training=True),
    "group_norm": lambda lib, x, w, b: lib.nn.functional.group_norm(x, 3, w[:6], b[:6]),
    "instance_norm": lambda lib, x, w, b: lib.nn.functional.instance_norm(
        x, weight=w[:6], bias=b[:6]),
}


@pytest.mark.parametrize("name", list(NORMS))
def test_float16_normalisation_accumulates_in_float32_as_pytorch(name):
    # values near 300: float16 squares overflow (var ~ 3e4 * count), float32 sums do not
    rng = np.random.default_rng(0)
    x16 = rng.uniform(-300, 300, (4, 6, 8)).astype(np.float16)
    seed = np.arange(4 * 6 * 8, dtype=np.float32).reshape(4, 6, 8) % 7
    results = []
    for lib in (ember, torch):
        x = lib.tensor(x16, requires_grad=True)
        w = lib.tensor(np.linspace(0.5, 2, 8).astype(np.float16), requires_grad=True)
        b = lib.tensor(np.linspace(-1, 1, 8).astype(np.float16), requires_grad=True)
        y = NORMS[name](lib, x, w, b)
        (y.float() * lib.tensor(seed)).sum().backward()
        assert y.dtype == lib.float16 and x.grad.dtype == lib.float16
        results.append([t.detach().float().numpy() for t in (y, x.grad, w.grad, b.grad)])
    for got, want in zip(*results):
        assert np.isfinite(got).all()
        np.testing.assert_allclose(got, want, rtol=2e-3, atol=2e-3 * np.abs(want).max())
# ---------------------------------------------------------------- issue 12: fused fast paths



@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (2, 2, 3, 4)])
def test_linear_any_rank_matches_torch(shape):
    check_op([shape, (6, 4), (6,)], lambda lib, x, w, b: lib.nn.functional.linear(x, w, b))
    gradcheck64(lambda x, w, b: F.linear(x, w, b), [shape, (6, 4), (6,)])


def test_linear_on_non_contiguous_3d_input():
    check_op([(3, 2, 4)], lambda lib, x: lib.nn.functional.linear(
        x.transpose(0, 1), lib.ones(5, 4, dtype=x.dtype)))


@pytest.mark.parametrize("shapes", [[(2, 3, 4), (4, 5)], [(2, 2, 3, 4), (4, 5)],
                                    [(3, 4), (2, 4, 5)]])
def test_matmul_batched_by_matrix_matches_torch(shapes):
    check_op(shapes, lambda lib, a, b: a @ b)
    gradcheck64(lambda a, b: a @ b, shapes)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_values_and_gradients_match_torch_over_a_wide_range(approximate):
    x = np.linspace(-12, 12, 2001).astype(np.float32)
    # float32: PyTorch's own 1 + erf cancels in the negative tail (~1e-7 * |x| absolute)
    check_op(None, lambda lib, x: lib.nn.functional.gelu(x, approximate=approximate),
             arrays=[x], atol=2e-6, rtol=1e-5)
    check_op(None, lambda lib, x: lib.nn.functional.gelu(x, approximate=approximate),
             arrays=[x.astype(np.float64)], atol=1e-12, rtol=1e-10)
    gradcheck64(lambda x: F.gelu(x, approximate=approximate), [(3, 4)], low=-4, high=4)


def test_erf_float32_is_within_a_few_ulp_of_torch():
    from ember.ops.transcendental import erf_float32

    x = np.linspace(-8, 8, 40001).astype(np.float32)
    out = erf_float32(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, torch.erf(torch.tensor(x)).numpy(), atol=5e-7, rtol=0)
    small = np.array([1e-30, 1e-8, -1e-4], np.float32)  # relative accuracy near 0
    np.testing.assert_allclose(erf_float32(small), torch.erf(torch.tensor(small)).numpy(),
                               rtol=1e-6)
    assert erf_float32(np.array([-30.0, 30.0], np.float32)).tolist() == [-1.0, 1.0]


def test_sigmoid_is_exact_at_saturation_and_keeps_the_lower_tail():
    x = np.array([-1000, -100, -88, -30, -20, -5, 0, 5, 20, 30, 100, 1000], np.float32)
    for dtype in (np.float32, np.float64):
        a = x.astype(dtype)
        out = ember.sigmoid(ember.tensor(a)).numpy()
        ref = torch.sigmoid(torch.tensor(a)).numpy()
        np.testing.assert_allclose(out, ref, rtol=1e-6, atol=0)
        assert out.dtype == dtype
    assert ember.sigmoid(ember.tensor([float("nan"), float("inf"), -float("inf")])).tolist()[1:] \
        == [1.0, 0.0]
    gradcheck64(ember.sigmoid, [(3, 4)], low=-6, high=6)


@pytest.mark.parametrize("shape", [(4, 6), (2, 3, 6), (2, 3, 2, 3)])
def test_layer_norm_fast_path_matches_torch(shape):
    ns = shape[-1:] if len(shape) < 4 else shape[-2:]
    check_op([shape, ns, ns], lambda lib, x, w, b: lib.nn.functional.layer_norm(
        x, ns, w, b, eps=1e-5))
    check_op([shape], lambda lib, x: lib.nn.functional.layer_norm(x, ns))
    gradcheck64(lambda x, w, b: F.layer_norm(x, ns, w, b), [shape, ns, ns])


def test_layer_norm_node_is_named_as_torch():
    x = ember.randn(2, 3, requires_grad=True)
    assert F.layer_norm(x, (3,)).grad_fn.name() == "NativeLayerNormBackward0"


@pytest.mark.parametrize("rows,count", [(1000, 50), (5, 50), (50, 1)])
def test_embedding_backward_sums_repeated_indices_as_torch(rows, count):
    rng = np.random.default_rng(0)
    idx = rng.integers(0, rows, (count, 3))
    w = rng.standard_normal((rows, 4))
    for padding_idx in (None, int(idx[0, 0])):
        check_op(None, lambda lib, w, p=padding_idx: lib.nn.functional.embedding(
            lib.tensor(idx), w, padding_idx=p), arrays=[w], atol=1e-12)


def _sdpa(lib, q, k, v, **kw):
    return lib.nn.functional.scaled_dot_product_attention(q, k, v, **kw)


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("shapes", [[(2, 3, 5, 4), (2, 3, 5, 4), (2, 3, 5, 6)],
                                    [(2, 4, 4), (2, 7, 4), (2, 7, 3)]])
def test_sdpa_one_op_matches_torch(causal, shapes):
    check_op(shapes, lambda lib, q, k, v: _sdpa(lib, q, k, v, is_causal=causal))
    gradcheck64(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=causal),
                shapes)


def test_sdpa_masks_match_torch_and_float_mask_gets_its_gradient():
    rng = np.random.default_rng(0)
    keep = rng.random((4, 6)) > 0.3
    keep[:, 0] = True
    shapes = [(2, 4, 3), (2, 6, 3), (2, 6, 5)]
    check_op(shapes, lambda lib, q, k, v: _sdpa(lib, q, k, v, attn_mask=lib.tensor(keep)))
    check_op(shapes + [(4, 6)], lambda lib, q, k, v, m: _sdpa(lib, q, k, v, attn_mask=m))
    check_op(shapes, lambda lib, q, k, v: _sdpa(lib, q, k, v, scale=0.3))
    gradcheck64(lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
                shapes + [(4, 6)])


def test_sdpa_fully_masked_row_gives_zeros_as_torch():
    keep = np.ones((3, 3), bool)
    keep[1] = False
    outs = [_sdpa(lib, *(lib.ones(1, 3, 2) for _ in range(3)), attn_mask=lib.tensor(keep))
            for lib in (ember, torch)]
    np.testing.assert_allclose(outs[0].numpy(), outs[1].numpy())
    assert not np.isnan(outs[0].numpy()).any()

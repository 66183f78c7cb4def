"""Function-level mappings (ember.onnx._functions): attention, activations, creation,
comparisons and index reductions, exported and run in ONNX Runtime."""

from __future__ import annotations

import pytest
from _onnx_check import export_and_compare
from test_ops import Lambda, _check

import ember
import ember.nn.functional as F
from ember import nn


def test_sdpa_causal_at_other_lengths():
    _check(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
           (2, 3, 5, 4), (2, 3, 5, 4), (2, 3, 5, 4), dynamic={0: "b", 2: "t"},
           others=[((1, 3, 9, 4),) * 3])


def test_sdpa_with_boolean_and_float_masks_and_scale():
    keep = ember.rand(5, 6) > 0.3
    keep[:, 0] = True
    bias = ember.randn(5, 6)
    _check(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=keep) +
           F.scaled_dot_product_attention(q, k, v, attn_mask=bias, scale=0.3),
           (2, 5, 4), (2, 6, 4), (2, 6, 3), dynamic={0: "b"}, others=[((3, 5, 4), (3, 6, 4),
                                                                        (3, 6, 3))])


def test_sdpa_with_dropout_is_refused():
    with pytest.raises(ember.onnx.UnsupportedOperatorError, match="dropout"):
        _check(lambda q: F.scaled_dot_product_attention(q, q, q, dropout_p=0.1), (2, 3, 4))


ACTIVATIONS = [
    nn.LeakyReLU(0.2), nn.ELU(0.7), nn.CELU(1.3), nn.SELU(), nn.Hardtanh(-0.4, 0.6),
    nn.ReLU6(), nn.Softplus(beta=2.0, threshold=1.5), nn.Mish(), nn.Hardsigmoid(),
    nn.Hardswish(), nn.Softsign(), nn.LogSigmoid(), nn.Hardshrink(0.3), nn.Softshrink(0.3),
    nn.Threshold(0.1, -2.0), nn.PReLU(3), nn.GLU(-1), nn.Tanhshrink(), nn.LogSoftmax(1),
]


@pytest.mark.parametrize("layer", ACTIVATIONS, ids=lambda m: repr(m))
def test_activations(layer):
    x = ember.randn(2, 3, 6) * 3
    export_and_compare(Lambda(layer), x, ["x"], {"x": {0: "b"}},
                       others=[ember.randn(4, 3, 6) * 3])


def test_functional_leaky_relu_in_place():
    lin = nn.Linear(4, 4)
    _check(lambda x: F.leaky_relu(lin(x), 0.1, inplace=True) * 2, (3, 4), dynamic={0: "b"},
           others=[((5, 4),)])


def test_comparisons_where_and_masked_fill():
    _check(lambda x, y: ember.where(x > y, x, y * 2) + x.masked_fill(x <= 0.1, -1.0) +
           (x != y).float() + ((x >= 0) & ~(y < 0)).float() + (x == x).float(),
           (2, 3), (2, 3), dynamic={0: "b"}, others=[((5, 3), (5, 3))])


def test_argmax_max_min_with_indices():
    def fn(x):
        values, idx = x.max(1)
        low = ember.min(x, dim=2, keepdim=True)
        return values, idx, low.values, low.indices, x.argmax(), x.argmin(-1, keepdim=True)

    _check(fn, (2, 3, 4), dynamic={0: "b"}, others=[((4, 3, 4),)])


def test_logsumexp():
    _check(lambda x: ember.logsumexp(x, 1) + x.logsumexp((0, 1)), (3, 4))


def test_arange_zeros_ones_full_follow_dynamic_axes():
    def fn(x):
        b, t = x.shape
        pos = ember.arange(t)
        steps = ember.arange(1, t + 1, 2, dtype=ember.float32)
        base = ember.zeros(b, t) + ember.ones((b, 1)) + ember.full((1, t), 0.5)
        return base + x * pos.float(), steps

    _check(fn, (2, 5), dynamic={0: "b", 1: "t"}, others=[((3, 7),), ((1, 2),)])


def test_functional_batch_norm_eval():
    mean, var = ember.randn(3), ember.rand(3) + 0.5
    w, b = ember.randn(3), ember.randn(3)
    _check(lambda x: F.batch_norm(x, mean, var, w, b, False, 0.1, 1e-3), (2, 3, 4),
           dynamic={0: "b"}, others=[((5, 3, 4),)])


def test_in_place_update_of_a_constant_tensor():
    def fn(x):
        table = ember.tensor([1.0, 2.0, 3.0])
        before = x * table
        table.mul_(x[0])  # the constant now holds a traced value
        return before + table

    _check(fn, (2, 3), dynamic={0: "b"}, others=[((4, 3),)])


def test_in_place_updates_of_created_tensors():
    def fn(x):
        b, t = x.shape
        acc = ember.zeros(b, t)
        acc += x
        acc *= 2
        acc[:, 0] = x[:, 1]
        acc[:, 2:4] = 0.5
        acc[-1] = x[0]
        acc[..., 1::2] = x[:, :2]
        return acc

    _check(fn, (2, 5), dynamic={0: "b"}, others=[((4, 5),)])

"""Pooling layers and functionals (max, average, adaptive): repr, state, parity with PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import assert_close, make_inputs, torch

from ._conv_ns import nn
from ._parity import stateless_layer_parity

LAYERS = [
    (lambda m: m.MaxPool2d(2), (2, 3, 8, 8)),
    (lambda m: m.MaxPool2d(3, stride=2, padding=1, dilation=1, ceil_mode=True), (2, 3, 9, 7)),
    (lambda m: m.MaxPool2d((2, 3), stride=(1, 2)), (2, 3, 7, 9)),
    (lambda m: m.MaxPool1d(3, stride=2, padding=1), (2, 3, 10)),
    (lambda m: m.AvgPool2d(2), (2, 3, 8, 8)),
    (lambda m: m.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
     (2, 3, 9, 7)),
    (lambda m: m.AvgPool2d(2, divisor_override=3), (2, 3, 8, 8)),
    (lambda m: m.AvgPool1d(3, stride=2), (2, 3, 10)),
    (lambda m: m.AdaptiveAvgPool2d((3, 4)), (2, 3, 7, 9)),
    (lambda m: m.AdaptiveAvgPool2d(1), (2, 3, 7, 9)),
    (lambda m: m.AdaptiveAvgPool2d((None, 2)), (2, 3, 7, 9)),
    (lambda m: m.AdaptiveAvgPool1d(4), (2, 3, 10)),
    (lambda m: m.AdaptiveMaxPool2d((2, 3)), (2, 3, 7, 9)),
]


@pytest.mark.parametrize("make,shape", LAYERS)
def test_layer_matches_torch(make, shape):
    stateless_layer_parity(make, shape)


@pytest.mark.parametrize("make,shape", [
    (lambda m: m.MaxPool2d(3, stride=2, padding=1, return_indices=True), (2, 3, 9, 7)),
    (lambda m: m.MaxPool1d(2, return_indices=True), (2, 3, 9)),
    (lambda m: m.AdaptiveMaxPool2d((2, 3), return_indices=True), (2, 3, 7, 9)),
])
def test_return_indices_layers_match_torch(make, shape):
    tm, em = make(nn(torch)), make(nn(ember))
    assert repr(em) == repr(tm)
    xa = make_inputs([shape])[0]
    (vt, it), (ve, ie) = tm(torch.tensor(xa)), em(ember.tensor(xa))
    assert_close(ve, vt)
    np.testing.assert_array_equal(ie.numpy(), it.numpy())


def test_pooling_keeps_attributes_like_torch():
    for make in (lambda m: m.MaxPool2d(3), lambda m: m.AvgPool1d(2), lambda m: m.AvgPool2d(2, 1)):
        tm, em = make(nn(torch)), make(nn(ember))
        assert em.kernel_size == tm.kernel_size and em.stride == tm.stride
        assert em.padding == tm.padding


def test_max_pool_eval_under_no_grad_records_nothing():
    x = ember.randn(2, 3, 8, 8, requires_grad=True)
    with ember.no_grad():
        y = nn(ember).MaxPool2d(2)(x)
    assert y.grad_fn is None and not y.requires_grad


@pytest.mark.parametrize("size", [0, (0, 2), (2, 0), (None, 0)], ids=str)
def test_adaptive_pooling_to_size_zero_gives_empty_output_as_pytorch(size):
    x = np.ones((2, 3, 4, 5), np.float32)
    for name in ("AdaptiveAvgPool2d", "AdaptiveMaxPool2d"):
        e = getattr(ember.nn, name)(size)(ember.tensor(x))
        t = getattr(torch.nn, name)(size)(torch.tensor(x))
        assert tuple(e.shape) == tuple(t.shape)
    assert tuple(ember.nn.AdaptiveAvgPool1d(0)(ember.ones(2, 3, 4)).shape) == (2, 3, 0)


def test_adaptive_avg_pool_rejects_negative_sizes_as_pytorch():
    from error_parity import raises_like_torch

    raises_like_torch(lambda lib: lib.nn.AdaptiveAvgPool2d(-1)(lib.ones(1, 2, 3, 3)), "-1")

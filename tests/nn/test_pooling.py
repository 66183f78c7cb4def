"""Pooling, upsampling, pixel-shuffle and fold layers: repr, state, parity with PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import assert_close, make_inputs, torch

from ._conv_ns import nn

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
    (lambda m: m.Upsample(scale_factor=2), (2, 3, 4, 5)),
    (lambda m: m.Upsample(size=(6, 7), mode="bilinear"), (2, 3, 4, 5)),
    (lambda m: m.Upsample(scale_factor=(2, 1.5), mode="bilinear", align_corners=True),
     (2, 3, 4, 5)),
    (lambda m: m.PixelShuffle(2), (2, 8, 3, 3)),
    (lambda m: m.PixelUnshuffle(2), (2, 2, 4, 6)),
    (lambda m: m.Unfold(kernel_size=(2, 3), padding=1, stride=2), (2, 3, 6, 7)),
    (lambda m: m.Fold(output_size=(4, 5), kernel_size=2), (2, 12, 12)),
]


@pytest.mark.parametrize("make,shape", LAYERS)
def test_layer_matches_torch(make, shape):
    tm, em = make(nn(torch)), make(nn(ember))
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict()) == []
    xa = make_inputs([shape])[0]
    xt = torch.tensor(xa, requires_grad=True)
    xe = ember.tensor(xa, requires_grad=True)
    ot, oe = tm(xt), em(xe)
    assert_close(oe, ot)
    seed = np.random.default_rng(1).standard_normal(tuple(ot.shape)).astype(np.float32)
    ot.backward(torch.tensor(seed))
    oe.backward(ember.tensor(seed))
    assert_close(xe.grad, xt.grad, atol=1e-4)


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

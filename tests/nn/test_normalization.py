"""LayerNorm and GroupNorm: parity with PyTorch and gradcheck."""

from __future__ import annotations

import pytest

import ember
import ember.nn as enn
import ember.nn.functional as F
from helpers import gradcheck64, torch

from ._parity import module_parity


@pytest.mark.parametrize("make,shape", [
    (lambda nn: nn.LayerNorm(5), (3, 5)),
    (lambda nn: nn.LayerNorm((4, 5)), (2, 3, 4, 5)),
    (lambda nn: nn.LayerNorm(5, elementwise_affine=False), (3, 5)),
    (lambda nn: nn.LayerNorm(5, bias=False, eps=1e-3), (2, 3, 5)),
    (lambda nn: nn.GroupNorm(2, 4), (3, 4, 5)),
    (lambda nn: nn.GroupNorm(1, 4), (3, 4, 2, 2)),
    (lambda nn: nn.GroupNorm(4, 4, affine=False), (3, 4, 6)),
])
def test_norm_layers_match_pytorch(make, shape):
    module_parity(make, [shape])
    assert repr(make(enn)) == repr(make(torch.nn))
    assert list(make(enn).state_dict()) == list(make(torch.nn).state_dict())


def test_layer_norm_gradcheck():
    gradcheck64(lambda x, w, b: F.layer_norm(x, (4,), w, b), [(3, 4), (4,), (4,)])
    gradcheck64(lambda x: F.layer_norm(x, (2, 3)), [(2, 2, 3)])


def test_group_norm_gradcheck():
    gradcheck64(lambda x, w, b: F.group_norm(x, 2, w, b), [(2, 4, 3), (4,), (4,)])


def test_layer_norm_shape_error():
    with pytest.raises(RuntimeError, match="normalized_shape"):
        F.layer_norm(ember.randn(3, 4), (5,))


def test_group_norm_divisibility_error():
    with pytest.raises(ValueError):
        enn.GroupNorm(3, 4)
    with pytest.raises(RuntimeError, match="divisible by num_groups"):
        F.group_norm(ember.randn(2, 4, 3), 3)


@pytest.mark.parametrize("make,shape", [
    (lambda nn: nn.RMSNorm(5), (3, 5)),
    (lambda nn: nn.RMSNorm((2, 5), eps=1e-5), (4, 2, 5)),
    (lambda nn: nn.RMSNorm(5, elementwise_affine=False), (3, 5)),
])
def test_rms_norm_matches_pytorch(make, shape):
    module_parity(make, [shape])
    assert repr(make(enn)) == repr(make(torch.nn))
    assert list(make(enn).state_dict()) == list(make(torch.nn).state_dict())
    gradcheck64(lambda x, w: F.rms_norm(x, (4,), w), [(3, 4), (4,)])


def test_batchnorm3d_matches_pytorch():
    for train in (True, False):
        module_parity(lambda nn: nn.BatchNorm3d(3), [(2, 3, 2, 3, 2)], train=train)
    assert repr(enn.BatchNorm3d(3)) == repr(torch.nn.BatchNorm3d(3))


@pytest.mark.parametrize("make,shape", [
    (lambda nn: nn.InstanceNorm1d(3), (2, 3, 5)),
    (lambda nn: nn.InstanceNorm1d(3), (3, 5)),
    (lambda nn: nn.InstanceNorm2d(3, affine=True), (2, 3, 4, 4)),
    (lambda nn: nn.InstanceNorm2d(3, affine=True, track_running_stats=True), (2, 3, 4, 4)),
    (lambda nn: nn.InstanceNorm3d(2, track_running_stats=True), (2, 2, 3, 2, 2)),
])
@pytest.mark.parametrize("train", [True, False])
def test_instance_norm_matches_pytorch(make, shape, train):
    module_parity(make, [shape], train=train)
    assert repr(make(enn)) == repr(make(torch.nn))
    assert list(make(enn).state_dict()) == list(make(torch.nn).state_dict())


def test_instance_norm_gradcheck():
    w = ember.tensor([1.5, 0.5], dtype=ember.float64)
    gradcheck64(lambda x: F.instance_norm(x, weight=w), [(2, 2, 3)])

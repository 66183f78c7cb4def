"""InstanceNorm1d/2d/3d and ``F.instance_norm``: parity with PyTorch and gradcheck."""

from __future__ import annotations

import pytest

import ember
import ember.nn as enn
import ember.nn.functional as F
from helpers import gradcheck64, torch

from ._parity import module_parity


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

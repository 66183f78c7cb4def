"""nn.utils.skip_init: a module of the requested shape, PyTorch's error without ``device``."""

from __future__ import annotations

import pytest

import ember
from helpers import torch


def test_skip_init_builds_the_module():
    layer = ember.nn.utils.skip_init(ember.nn.Linear, 4, 3, bias=False)
    assert isinstance(layer, ember.nn.Linear)
    assert tuple(layer.weight.shape) == tuple(torch.nn.utils.skip_init(
        torch.nn.Linear, 4, 3, bias=False).weight.shape)
    assert layer.bias is None


def test_skip_init_requires_a_device_argument():
    class NoDevice(ember.nn.Module):
        def __init__(self):
            super().__init__()

    with pytest.raises(RuntimeError, match="Module must support a 'device' arg"):
        ember.nn.utils.skip_init(NoDevice)


def test_clip_grad_norm_deprecated_name_warns_and_clips():
    p = ember.nn.Parameter(ember.ones(3))
    p.grad = ember.full((3,), 4.0)
    with pytest.warns(FutureWarning, match="clip_grad_norm_"):
        total = ember.nn.utils.clip_grad_norm(p, 1.0)
    assert abs(float(total) - 48 ** 0.5) < 1e-5
    assert abs(float(p.grad.norm()) - 1.0) < 1e-5

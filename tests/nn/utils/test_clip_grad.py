"""ember.nn.utils.clip_grad: gradient-norm and gradient-value clipping, against PyTorch."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
import ember.nn as enn
from ember.nn.utils import (
    clip_grad_norm_,
    clip_grad_value_,
)
from helpers import assert_close, torch

from .._parity import copy_torch_weights


def grads_pair(scale=1.0):
    t, e = torch.nn.Linear(4, 3), enn.Linear(4, 3)
    copy_torch_weights(t, e)
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32) * scale
    (t(torch.tensor(x)) ** 2).sum().backward()
    (e(ember.tensor(x)) ** 2).sum().backward()
    return t, e


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_pytorch(norm_type, max_norm):
    t, e = grads_pair()
    nt = torch.nn.utils.clip_grad_norm_(t.parameters(), max_norm, norm_type)
    ne = clip_grad_norm_(e.parameters(), max_norm, norm_type)
    assert isinstance(ne, ember.Tensor) and ne.dtype == ember.float32
    assert_close(ne, nt, rtol=1e-5)
    for pe, pt in zip(e.parameters(), t.parameters(), strict=True):
        assert_close(pe.grad, pt.grad, rtol=1e-5)


def test_clip_grad_norm_single_tensor_and_no_grads():
    p = enn.Parameter(ember.ones(4))
    assert clip_grad_norm_(p, 1.0).item() == 0.0
    p.grad = ember.full((4,), 2.0)
    assert clip_grad_norm_(p, 1.0).item() == pytest.approx(4.0)
    assert np.linalg.norm(p.grad.numpy()) == pytest.approx(1.0, rel=1e-5)


def test_clip_grad_norm_error_if_nonfinite():
    p = enn.Parameter(ember.ones(2))
    p.grad = ember.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    assert math.isinf(clip_grad_norm_([p], 1.0).item())


def test_clip_grad_value_matches_pytorch():
    t, e = grads_pair(scale=3.0)
    torch.nn.utils.clip_grad_value_(t.parameters(), 0.7)
    clip_grad_value_(e.parameters(), 0.7)
    for pe, pt in zip(e.parameters(), t.parameters(), strict=True):
        assert_close(pe.grad, pt.grad)
        assert np.abs(pe.grad.numpy()).max() <= 0.7


"""ember.nn.utils: gradient clipping and parameter/vector conversion."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
import ember.nn as enn
from ember.nn.utils import (
    clip_grad_norm_,
    clip_grad_value_,
    parameters_to_vector,
    vector_to_parameters,
)
from helpers import assert_close, torch

from ._parity import copy_torch_weights


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


def test_parameters_to_vector_and_back():
    m = enn.Sequential(enn.Linear(3, 2), enn.Linear(2, 1))
    vec = parameters_to_vector(m.parameters())
    assert vec.shape == (11,)
    assert_close(vec[:6], m[0].weight.reshape(-1))
    vector_to_parameters(ember.arange(11, dtype=ember.float32), m.parameters())
    assert m[0].weight.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert m[1].bias.tolist() == [10.0]
    assert isinstance(m[0].weight, enn.Parameter)
    with pytest.raises(TypeError, match="expected torch.Tensor"):
        vector_to_parameters([1.0], m.parameters())


def test_parameters_to_vector_is_differentiable():
    m = enn.Linear(2, 2)
    (parameters_to_vector(m.parameters()) ** 2).sum().backward()
    assert_close(m.weight.grad, 2 * m.weight.detach())


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence_matches_pytorch(batch_first, side):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((n, 3)).astype(np.float32) for n in (4, 2, 5)]
    te = [ember.tensor(a, requires_grad=True) for a in arrays]
    tt = [torch.tensor(a, requires_grad=True) for a in arrays]
    oe = enn.utils.rnn.pad_sequence(te, batch_first=batch_first, padding_value=-1.0,
                                    padding_side=side)
    ot = torch.nn.utils.rnn.pad_sequence(tt, batch_first=batch_first, padding_value=-1.0,
                                         padding_side=side)
    assert_close(oe, ot)
    seed = rng.standard_normal(tuple(ot.shape)).astype(np.float32)
    oe.backward(ember.tensor(seed))
    ot.backward(torch.tensor(seed))
    for a, b in zip(te, tt, strict=True):
        assert_close(a.grad, b.grad)

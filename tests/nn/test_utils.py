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


def test_pack_and_pad_round_trip_matches_torch():
    x = np.arange(24, dtype=np.float32).reshape(3, 4, 2)
    for enforce_sorted, lengths in ((True, [4, 2, 1]), (False, [2, 4, 1])):
        got = ember.nn.utils.rnn.pack_padded_sequence(ember.tensor(x), lengths, batch_first=True,
                                                      enforce_sorted=enforce_sorted)
        want = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x), lengths,
                                                       batch_first=True,
                                                       enforce_sorted=enforce_sorted)
        for g, w in zip(got, want, strict=True):
            assert (g is None) == (w is None)
            if w is not None:
                assert_close(g, w)
        for batch_first, total in ((True, None), (False, 6)):
            pg = ember.nn.utils.rnn.pad_packed_sequence(got, batch_first, 9.0, total)
            pw = torch.nn.utils.rnn.pad_packed_sequence(want, batch_first, 9.0, total)
            assert_close(pg[0], pw[0])
            assert pg[1].tolist() == pw[1].tolist()
    seqs = [np.ones((n, 2), np.float32) * n for n in (3, 1, 2)]
    got = ember.nn.utils.rnn.pack_sequence([ember.tensor(s) for s in seqs], enforce_sorted=False)
    want = torch.nn.utils.rnn.pack_sequence([torch.tensor(s) for s in seqs],
                                            enforce_sorted=False)
    assert_close(got.data, want.data)
    back = ember.nn.utils.rnn.unpack_sequence(got)
    assert [tuple(t.shape) for t in back] == [(3, 2), (1, 2), (2, 2)]


@pytest.mark.parametrize("call", [
    lambda L: L.nn.utils.rnn.pack_padded_sequence(L.zeros(3, 2), [1, 3, 2]),
    lambda L: L.nn.utils.rnn.pack_padded_sequence(L.zeros(3, 3), [1, 3, 2]),
    lambda L: L.nn.utils.rnn.pack_padded_sequence(L.zeros(3, 2), [2, 0],
                                                  enforce_sorted=False),
    lambda L: L.nn.utils.rnn.pad_packed_sequence(
        L.nn.utils.rnn.pack_padded_sequence(L.zeros(3, 2), [3, 1]), total_length=2),
])
def test_packing_errors_match_torch(call):
    with pytest.raises((RuntimeError, ValueError)) as want:
        call(torch)
    with pytest.raises(want.type) as got:
        call(ember)
    assert str(got.value) == str(want.value)

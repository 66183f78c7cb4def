"""Embedding: lookup, padding_idx, max_norm, initialisation, gradients."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn as enn
import ember.nn.functional as F
from helpers import assert_close, torch

from ._parity import module_parity

IDX = np.array([[0, 2, 4], [4, 3, 0]], np.int64)


@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 0}, {"padding_idx": -1}])
def test_embedding_matches_pytorch(kwargs):
    module_parity(lambda nn: nn.Embedding(5, 3, **kwargs), arrays=[IDX])
    assert repr(enn.Embedding(5, 3, **kwargs)) == repr(torch.nn.Embedding(5, 3, **kwargs))


def test_embedding_init_normal_with_zero_padding_row():
    m = enn.Embedding(1000, 16, padding_idx=3)
    w = m.weight.detach().numpy()
    assert not w[3].any()
    assert abs(w.std() - 1.0) < 0.03 and abs(w.mean()) < 0.03


def test_embedding_padding_row_gets_no_gradient():
    m = enn.Embedding(5, 3, padding_idx=2)
    m(ember.tensor([2, 2, 1])).sum().backward()
    g = m.weight.grad.numpy()
    assert not g[2].any() and (g[1] == 1).all()


def test_embedding_repeated_indices_accumulate():
    w = ember.randn(4, 2, requires_grad=True)
    F.embedding(ember.tensor([1, 1, 1, 3]), w).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy()[:, 0], [0, 3, 0, 1])


def test_embedding_out_of_range_is_index_error():
    with pytest.raises(IndexError, match="index out of range in self"):
        enn.Embedding(3, 2)(ember.tensor([3]))


def test_embedding_max_norm_renormalises_like_pytorch():
    t, e = torch.nn.Embedding(5, 3, max_norm=1.0), enn.Embedding(5, 3, max_norm=1.0)
    e.load_state_dict({"weight": t.weight.detach().numpy() * 3})
    with torch.no_grad():
        t.weight.mul_(3)
    idx = np.array([1, 3], np.int64)
    assert_close(e(ember.tensor(idx)), t(torch.tensor(idx)))
    assert_close(e.weight, t.weight)


def test_embedding_from_pretrained_and_double_backward():
    w = ember.tensor(np.arange(6, dtype=np.float32).reshape(3, 2))
    m = enn.Embedding.from_pretrained(w)
    assert not m.weight.requires_grad
    assert m(ember.tensor([2])).tolist() == [[4.0, 5.0]]
    wt = ember.randn(3, 2, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda x: F.embedding(ember.tensor([0, 2, 2]), x), [wt])

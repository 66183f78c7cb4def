"""Embedding, EmbeddingBag and ``F.one_hot``: lookup, padding_idx, max_norm, initialisation,
gradients, errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn as enn
import ember.nn.functional as F
from helpers import assert_close, torch

from ._parity import module_parity, raises_like_torch

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


_TEXT = np.array([1, 2, 4, 5, 4, 3, 2, 9, 0, 0])
_OFFSETS = np.array([0, 4, 4, 7])  # bag 1 is empty


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("kw", [{}, {"padding_idx": 0}])
def test_embedding_bag_with_offsets_matches_torch(mode, kw):
    w = np.random.default_rng(0).normal(size=(10, 4)).astype(np.float32)
    res = []
    for lib in (torch, ember):
        weight = lib.tensor(w, requires_grad=True)
        out = lib.nn.functional.embedding_bag(lib.tensor(_TEXT), weight, lib.tensor(_OFFSETS),
                                              mode=mode, **kw)
        (out * lib.arange(16.0).reshape(4, 4)).sum().backward()
        res.append((out, weight.grad))
    assert_close(res[1][0], res[0][0])
    assert_close(res[1][1], res[0][1])


def test_embedding_bag_include_last_offset_matches_torch():
    # the last offset is len(input), as collate functions build it (torch mishandles a
    # shorter one: the tail's gradient is uninitialised and the mean divides by its length)
    w = np.random.default_rng(0).normal(size=(10, 4)).astype(np.float32)
    offsets = np.append(_OFFSETS, len(_TEXT))
    args = [(lib.tensor(_TEXT), lib.tensor(w), lib.tensor(offsets)) for lib in (torch, ember)]
    want = torch.nn.functional.embedding_bag(*args[0], include_last_offset=True)
    assert_close(ember.nn.functional.embedding_bag(*args[1], include_last_offset=True), want)


def test_embedding_bag_module_2d_input_and_per_sample_weights():
    bag_t = torch.nn.EmbeddingBag(10, 3, mode="sum")
    bag_e = ember.nn.EmbeddingBag(10, 3, mode="sum")
    bag_e.load_state_dict({"weight": ember.tensor(bag_t.weight.detach().numpy())})
    assert str(bag_e) == str(bag_t) and list(bag_e.state_dict()) == list(bag_t.state_dict())
    idx = np.array([[1, 2, 3], [4, 5, 6]])
    psw = np.random.default_rng(1).uniform(size=6).astype(np.float32)
    want = bag_t(torch.tensor(idx).view(-1), torch.tensor([0, 3]), torch.tensor(psw))
    got = bag_e(ember.tensor(idx).view(-1), ember.tensor([0, 3]), ember.tensor(psw))
    assert_close(got, want)
    assert_close(ember.nn.EmbeddingBag.from_pretrained(bag_e.weight.detach())(ember.tensor(idx)),
                 torch.nn.EmbeddingBag.from_pretrained(bag_t.weight.detach())(torch.tensor(idx)))


def test_embedding_bag_argument_errors_match_torch():
    for lib in (torch, ember):
        w = lib.ones(10, 2)
        with pytest.raises(ValueError, match="offsets has to be None"):
            lib.nn.functional.embedding_bag(lib.tensor([[1, 2]]), w, lib.tensor([0]))
        with pytest.raises(ValueError, match="offsets has to be a 1D Tensor"):
            lib.nn.functional.embedding_bag(lib.tensor([1, 2]), w)
        with pytest.raises(NotImplementedError, match="per_sample_weights"):
            lib.nn.functional.embedding_bag(lib.tensor([1, 2]), w, lib.tensor([0]),
                                            per_sample_weights=lib.ones(2))


def test_one_hot_matches_pytorch():
    idx = np.array([[0, 3], [2, 1]], np.int64)
    for n in (-1, 5):
        e = F.one_hot(ember.tensor(idx), n)
        t = torch.nn.functional.one_hot(torch.tensor(idx), n)
        np.testing.assert_array_equal(e.numpy(), t.numpy())
        assert e.dtype == ember.int64
    with pytest.raises(RuntimeError):
        F.one_hot(ember.tensor([3]), 2)
    with pytest.raises(RuntimeError):
        F.one_hot(ember.tensor([-1]), 2)


BAD_CALLS = {
    "embedding_range": lambda lib: lib.nn.functional.embedding(lib.tensor([5]), lib.ones(3, 2)),
    "one_hot_range": lambda lib: lib.nn.functional.one_hot(lib.tensor([3]), 2),
}

@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name", list(BAD_CALLS))
def test_error_types_match_pytorch(name):
    raises_like_torch(BAD_CALLS[name])

"""ember.distributions against torch.distributions: densities, gradients, shapes, errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import assert_close, torch

D = {"torch": torch.distributions, "ember": ember.distributions}


def _pair(arr, grad=True):
    return (torch.tensor(arr, requires_grad=grad), ember.tensor(arr, requires_grad=grad))


def _both(fn, *arrays):
    """fn(dist_module, lib, *tensors) on both libraries; values and input gradients compared."""
    tt = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    te = [ember.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    ot, oe = fn(torch.distributions, torch, *tt), fn(ember.distributions, ember, *te)
    assert_close(oe, ot)
    assert oe.dtype.name == str(ot.dtype).split(".")[-1]
    ot.sum().backward()
    oe.sum().backward()
    for a, b in zip(te, tt, strict=True):
        if b.grad is not None:
            assert_close(a.grad, b.grad)


rng = np.random.default_rng(0)
LOGITS = rng.normal(size=(4, 5)).astype(np.float32)
PROBS = rng.uniform(0.05, 1.0, size=(4, 5)).astype(np.float32)
ACTIONS = rng.integers(0, 5, size=(4,))


def test_categorical_log_prob_and_entropy_from_logits():
    _both(lambda d, L, lg, a: d.Categorical(logits=lg).log_prob(a), LOGITS, ACTIONS)
    _both(lambda d, L, lg: d.Categorical(logits=lg).entropy(), LOGITS)


def test_categorical_from_unnormalised_probs():
    _both(lambda d, L, p, a: d.Categorical(probs=p).log_prob(a), PROBS, ACTIONS)
    _both(lambda d, L, p: d.Categorical(p).entropy(), PROBS)
    _both(lambda d, L, p: d.Categorical(probs=p).logits, PROBS)


def test_categorical_log_prob_broadcasts_sample_shape():
    actions = rng.integers(0, 5, size=(3, 4))
    _both(lambda d, L, lg, a: d.Categorical(logits=lg).log_prob(a), LOGITS, actions)


def test_categorical_sample_shapes_dtype_and_frequencies():
    for lib in (torch, ember):
        c = D[lib.__name__].Categorical(probs=lib.tensor([[0.1, 0.9], [0.5, 0.5]]))
        assert tuple(c.sample().shape) == (2,) and tuple(c.sample((3, 2)).shape) == (3, 2, 2)
        assert str(c.sample().dtype).endswith("int64")
        assert tuple(c.batch_shape) == (2,) and tuple(c.event_shape) == ()
    draws = ember.distributions.Categorical(ember.tensor([0.1, 0.2, 0.7])).sample((20000,))
    np.testing.assert_allclose(np.bincount(draws.numpy()) / 20000, [0.1, 0.2, 0.7], atol=0.02)


def test_normal_log_prob_entropy_and_rsample_gradient():
    loc, scale = rng.normal(size=(3,)).astype(np.float32), rng.uniform(0.5, 2, 3).astype(np.float32)
    x = rng.normal(size=(2, 3)).astype(np.float32)
    _both(lambda d, L, m, s, v: d.Normal(m, s).log_prob(v), loc, scale, x)
    _both(lambda d, L, m, s: d.Normal(m, s).entropy(), loc, scale)
    _both(lambda d, L, m: d.Normal(m, 2.0).log_prob(L.tensor(0.5)), loc)
    m = ember.zeros(3, requires_grad=True)
    s = ember.ones(3, requires_grad=True)
    sample = ember.distributions.Normal(m, s).rsample((5,))
    assert sample.shape == (5, 3) and sample.requires_grad
    sample.sum().backward()
    assert m.grad.tolist() == [5.0, 5.0, 5.0]
    assert not ember.distributions.Normal(m, s).sample().requires_grad


def test_bernoulli_log_prob_entropy():
    p = rng.uniform(0.1, 0.9, size=(4,)).astype(np.float32)
    v = np.array([0.0, 1.0, 1.0, 0.0], dtype=np.float32)
    _both(lambda d, L, p, v: d.Bernoulli(probs=p).log_prob(v), p, v)
    _both(lambda d, L, lg: d.Bernoulli(logits=lg).entropy(), LOGITS)
    s = ember.distributions.Bernoulli(ember.tensor([0.0, 1.0])).sample((2,))
    assert s.tolist() == [[0.0, 1.0], [0.0, 1.0]] and s.dtype == ember.float32


def test_kl_divergence_closed_forms():
    a, b = rng.normal(size=(3,)).astype(np.float32), rng.uniform(0.5, 2, 3).astype(np.float32)
    _both(lambda d, L, m, s: d.kl_divergence(d.Normal(m, s), d.Normal(L.zeros(3), 1.0)), a, b)
    _both(lambda d, L, lg: d.kl_divergence(d.Categorical(logits=lg),
                                           d.Categorical(logits=L.zeros(4, 5))), LOGITS)
    _both(lambda d, L, lg: d.kl_divergence(d.Bernoulli(logits=lg),
                                           d.Bernoulli(probs=L.full((4, 5), 0.3))), LOGITS)


@pytest.mark.parametrize("make", [
    lambda d, L: d.Normal(L.zeros(2), L.tensor([1.0, -1.0])),
    lambda d, L: d.Categorical(probs=L.tensor([1.0, -1.0])),
    lambda d, L: d.Categorical(L.tensor([1.0, 1.0]), logits=L.zeros(2)),
    lambda d, L: d.Categorical(probs=L.tensor([0.5, 0.5])).log_prob(L.tensor(3)),
    lambda d, L: d.Bernoulli(probs=L.tensor([1.5])),
])
def test_invalid_parameters_raise_value_error_as_torch(make):
    with pytest.raises(ValueError) as want:
        make(torch.distributions, torch)
    with pytest.raises(ValueError) as got:
        make(ember.distributions, ember)
    assert str(got.value).split("(")[0] == str(want.value).split("(")[0]

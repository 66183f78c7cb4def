"""Categorical against torch.distributions.Categorical: log_prob, entropy, samples, errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import torch

from ._parity import ACTIONS, LOGITS, PROBS, both, raise_alike, rng


def test_categorical_log_prob_and_entropy_from_logits():
    both(lambda d, L, lg, a: d.Categorical(logits=lg).log_prob(a), LOGITS, ACTIONS)
    both(lambda d, L, lg: d.Categorical(logits=lg).entropy(), LOGITS)


def test_categorical_from_unnormalised_probs():
    both(lambda d, L, p, a: d.Categorical(probs=p).log_prob(a), PROBS, ACTIONS)
    both(lambda d, L, p: d.Categorical(p).entropy(), PROBS)
    both(lambda d, L, p: d.Categorical(probs=p).logits, PROBS)


def test_categorical_log_prob_broadcasts_sample_shape():
    actions = rng.integers(0, 5, size=(3, 4))
    both(lambda d, L, lg, a: d.Categorical(logits=lg).log_prob(a), LOGITS, actions)


def test_categorical_sample_shapes_dtype_and_frequencies():
    for lib in (torch, ember):
        c = lib.distributions.Categorical(probs=lib.tensor([[0.1, 0.9], [0.5, 0.5]]))
        assert tuple(c.sample().shape) == (2,) and tuple(c.sample((3, 2)).shape) == (3, 2, 2)
        assert str(c.sample().dtype).endswith("int64")
        assert tuple(c.batch_shape) == (2,) and tuple(c.event_shape) == ()
    draws = ember.distributions.Categorical(ember.tensor([0.1, 0.2, 0.7])).sample((20000,))
    np.testing.assert_allclose(np.bincount(draws.numpy()) / 20000, [0.1, 0.2, 0.7], atol=0.02)


@pytest.mark.parametrize("make", [
    lambda d, L: d.Categorical(probs=L.tensor([1.0, -1.0])),
    lambda d, L: d.Categorical(L.tensor([1.0, 1.0]), logits=L.zeros(2)),
    lambda d, L: d.Categorical(probs=L.tensor([0.5, 0.5])).log_prob(L.tensor(3)),
])
def test_invalid_categorical_raises_value_error_as_torch(make):
    raise_alike(make)

"""Bernoulli against torch.distributions.Bernoulli: log_prob, entropy, samples, errors."""

from __future__ import annotations

import numpy as np

import ember

from ._parity import LOGITS, both, raise_alike, rng


def test_bernoulli_log_prob_entropy():
    p = rng.uniform(0.1, 0.9, size=(4,)).astype(np.float32)
    v = np.array([0.0, 1.0, 1.0, 0.0], dtype=np.float32)
    both(lambda d, L, p, v: d.Bernoulli(probs=p).log_prob(v), p, v)
    both(lambda d, L, lg: d.Bernoulli(logits=lg).entropy(), LOGITS)
    s = ember.distributions.Bernoulli(ember.tensor([0.0, 1.0])).sample((2,))
    assert s.tolist() == [[0.0, 1.0], [0.0, 1.0]] and s.dtype == ember.float32


def test_invalid_bernoulli_probs_raise_value_error_as_torch():
    raise_alike(lambda d, L: d.Bernoulli(probs=L.tensor([1.5])))

"""Random sampling ops (ember/ops/random.py): argument checks as PyTorch."""

from __future__ import annotations

import pytest

import ember
from error_parity import raises_like_torch


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_bernoulli_rejects_probabilities_outside_0_1_as_pytorch(p):
    raises_like_torch(lambda lib: lib.bernoulli(lib.tensor([0.5, p])), "p_in")
    raises_like_torch(lambda lib: lib.bernoulli(lib.ones(2), p), str(p))
    raises_like_torch(lambda lib: lib.ones(2).bernoulli_(p), str(p))


def test_bernoulli_accepts_the_closed_interval():
    assert ember.bernoulli(ember.tensor([0.0, 1.0])).tolist() == [0.0, 1.0]
    assert ember.ones(3).bernoulli_(1.0).tolist() == [1.0, 1.0, 1.0]

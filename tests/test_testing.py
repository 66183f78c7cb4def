"""ember.testing.assert_close and ember.compile (the identity) as scripts use them."""

from __future__ import annotations

import pytest

import ember
from helpers import torch


@pytest.mark.parametrize("make", [
    lambda L: (L.tensor([1.0]), L.tensor([1.1])),
    lambda L: (L.tensor([1.0]), L.tensor([1.0], dtype=L.float64)),
    lambda L: (L.ones(2), L.ones(3)),
    lambda L: (L.tensor([1, 2]), L.tensor([1, 3])),
])
def test_assert_close_fails_where_torch_fails(make):
    with pytest.raises(AssertionError) as want:
        torch.testing.assert_close(*make(torch))
    with pytest.raises(AssertionError) as got:
        ember.testing.assert_close(*make(ember))
    assert str(got.value).split(":")[0] == str(want.value).split(":")[0]


def test_assert_close_passes_within_default_tolerances_and_on_containers():
    ember.testing.assert_close(ember.tensor([1.0, 2.0]), ember.tensor([1.000001, 2.0]))
    ember.testing.assert_close({"a": [ember.ones(2)]}, {"a": [ember.ones(2)]})
    ember.testing.assert_close(ember.tensor([1.0]), ember.tensor([1.05]), rtol=0.1, atol=0.0)


def test_compile_returns_the_model_unchanged():
    model = ember.nn.Linear(2, 2)
    assert ember.compile(model) is model
    assert ember.compile(mode="reduce-overhead")(model) is model
    fn = ember.compile(lambda x: x * 2)
    assert fn(ember.ones(1)).tolist() == [2.0]

"""``out=`` (ops/_util.write_out): the result lands in the given tensor, as PyTorch does."""

from __future__ import annotations

import pytest

import ember


@pytest.mark.parametrize("fn", [ember.add, ember.sub, ember.mul, ember.div])
def test_binary_ops_write_into_out(fn):
    a, b = ember.tensor([1.0, 2.0, 3.0]), ember.tensor([2.0, 4.0, 8.0])
    out = ember.zeros(3)
    result = fn(a, b, out=out)
    assert result is out
    assert out.tolist() == fn(a, b).tolist()


def test_out_of_another_shape_is_resized():
    out = ember.zeros(2)
    ember.mul(ember.ones(3), 2.0, out=out)
    assert out.tolist() == [2.0, 2.0, 2.0]


def test_creation_writes_into_out():
    out = ember.empty(5)
    assert ember.zeros(2, 2, out=out) is out and out.shape == (2, 2)
    assert ember.ones(3, out=out).tolist() == [1.0, 1.0, 1.0]


def test_out_refuses_a_lossy_dtype():
    with pytest.raises(RuntimeError, match="can't be cast"):
        ember.div(ember.ones(3), 2.0, out=ember.zeros(3, dtype=ember.long))


def test_out_is_not_differentiable():
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="automatic differentiation"):
        ember.mul(x, 2.0, out=ember.zeros(3))

"""Adagrad: trajectories match torch.optim.Adagrad (lr_decay, initial accumulator, decay)."""

from __future__ import annotations

import pytest

import ember

from ._net import (
    assert_invalid_option_raises_like_torch,
    assert_same_maximizing,
    assert_same_training,
)

torch = pytest.importorskip("torch")

CASES = [
    dict(lr=0.05),
    dict(lr=0.05, lr_decay=0.01),
    dict(lr=0.05, initial_accumulator_value=0.1),
    dict(lr=0.05, weight_decay=0.05, lr_decay=0.001, eps=1e-6),
]


@pytest.mark.parametrize("kwargs", CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_adagrad_trajectory_matches_torch(kwargs):
    assert_same_training(lambda lib, ps: lib.optim.Adagrad(ps, **kwargs), steps=40)


def test_adagrad_creates_state_at_construction_like_torch():
    p = ember.zeros(3, requires_grad=True)
    opt = ember.optim.Adagrad([p], initial_accumulator_value=0.5)
    assert set(opt.state[p]) == {"step", "sum"}
    assert opt.state[p]["sum"].tolist() == [0.5, 0.5, 0.5]
    assert float(opt.state[p]["step"]) == 0.0


@pytest.mark.parametrize("kwargs,message", [
    (dict(lr_decay=-1), "Invalid lr_decay value"),
    (dict(initial_accumulator_value=-1), "Invalid initial_accumulator_value"),
    (dict(eps=-1), "Invalid epsilon value"),
])
def test_adagrad_invalid_options_raise_like_torch(kwargs, message):
    assert_invalid_option_raises_like_torch("Adagrad", kwargs, message)


def test_adagrad_maximize_with_weight_decay_matches_torch():
    assert_same_maximizing(lambda lib, ps: lib.optim.Adagrad(ps, lr=0.05, lr_decay=0.01,
                                                             weight_decay=0.1, maximize=True))

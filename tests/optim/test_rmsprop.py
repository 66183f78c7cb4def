"""RMSprop: trajectories match torch.optim.RMSprop (momentum, centered, alpha, weight decay)."""

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
    dict(lr=0.01),
    dict(lr=0.01, alpha=0.9),
    dict(lr=0.005, momentum=0.9),
    dict(lr=0.005, centered=True),
    dict(lr=0.005, centered=True, momentum=0.5, weight_decay=0.01),
    dict(lr=0.01, alpha=0.3, eps=1e-4, centered=True),  # 1 - alpha >= 0.5: other lerp branch
    dict(lr=0.01, maximize=False, weight_decay=0.1),
]


@pytest.mark.parametrize("kwargs", CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_rmsprop_trajectory_matches_torch(kwargs):
    assert_same_training(lambda lib, ps: lib.optim.RMSprop(ps, **kwargs), steps=40)


def test_rmsprop_invalid_alpha_raises_like_torch():
    assert_invalid_option_raises_like_torch("RMSprop", dict(alpha=-0.1),
                                            "Invalid alpha value: -0.1")


def test_rmsprop_state_keys_follow_options():
    p = ember.zeros(2, requires_grad=True)
    opt = ember.optim.RMSprop([p], momentum=0.9, centered=True)
    p.grad = ember.ones(2)
    opt.step()
    assert set(opt.state[p]) == {"step", "square_avg", "momentum_buffer", "grad_avg"}


@pytest.mark.parametrize("kwargs", [dict(), dict(centered=True, momentum=0.5)],
                         ids=["plain", "centered,momentum"])
def test_rmsprop_maximize_with_weight_decay_matches_torch(kwargs):
    assert_same_maximizing(lambda lib, ps: lib.optim.RMSprop(ps, lr=0.005, weight_decay=0.1,
                                                             maximize=True, **kwargs))

"""ASGD: trajectories (including the averaging phase), errors and state match torch.optim.ASGD."""

from __future__ import annotations

import pytest

from ._net import (
    assert_invalid_option_raises_like_torch,
    assert_same_maximizing,
    assert_same_state_dict_layout,
    assert_same_training,
)

torch = pytest.importorskip("torch")

CASES = [dict(), dict(lr=0.05, lambd=1e-3, alpha=0.5, t0=10, weight_decay=0.01)]


@pytest.mark.parametrize("kwargs", CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_asgd_trajectory_matches_torch(kwargs):
    assert_same_training(lambda lib, ps: lib.optim.ASGD(ps, **kwargs), steps=40)


def test_asgd_maximize_with_weight_decay_matches_torch():
    assert_same_maximizing(lambda lib, ps: lib.optim.ASGD(ps, lr=0.01, weight_decay=0.1,
                                                          maximize=True))


@pytest.mark.parametrize("kwargs,message", [
    (dict(lr=-1), "Invalid learning rate: -1"),
    (dict(weight_decay=-0.5), "Invalid weight_decay value: -0.5"),
])
def test_asgd_invalid_options_raise_like_torch(kwargs, message):
    assert_invalid_option_raises_like_torch("ASGD", kwargs, message)


def test_asgd_state_dict_layout_matches_torch():
    assert_same_state_dict_layout("ASGD")

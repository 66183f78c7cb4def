"""Rprop: trajectories, errors and state layout match torch.optim.Rprop."""

from __future__ import annotations

import pytest

from ._net import (
    assert_invalid_option_raises_like_torch,
    assert_same_state_dict_layout,
    assert_same_training,
)

torch = pytest.importorskip("torch")

CASES = [dict(), dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2))]


@pytest.mark.parametrize("kwargs", CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_rprop_trajectory_matches_torch(kwargs):
    assert_same_training(lambda lib, ps: lib.optim.Rprop(ps, **kwargs), steps=40)


def test_rprop_maximize_matches_torch():
    assert_same_training(lambda lib, ps: lib.optim.Rprop(ps, lr=0.01, maximize=True), steps=20)


@pytest.mark.parametrize("kwargs,message", [
    (dict(lr=-1), "Invalid learning rate: -1"),
    (dict(etas=(1.5, 1.2)), "Invalid eta values: 1.5, 1.2"),
])
def test_rprop_invalid_options_raise_like_torch(kwargs, message):
    assert_invalid_option_raises_like_torch("Rprop", kwargs, message)


def test_rprop_state_dict_layout_matches_torch():
    assert_same_state_dict_layout("Rprop")

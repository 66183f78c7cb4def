"""RAdam: trajectories, errors and state layout match torch.optim.RAdam."""

from __future__ import annotations

import pytest

from ._net import (
    assert_invalid_option_raises_like_torch,
    assert_same_maximizing,
    assert_same_state_dict_layout,
    assert_same_training,
)

torch = pytest.importorskip("torch")

CASES = [
    dict(),
    dict(lr=0.01, weight_decay=0.01),
    dict(lr=0.01, betas=(0.9, 0.9), weight_decay=0.1, decoupled_weight_decay=True),
]


@pytest.mark.parametrize("kwargs", CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_radam_trajectory_matches_torch(kwargs):
    assert_same_training(lambda lib, ps: lib.optim.RAdam(ps, **kwargs), steps=40)


@pytest.mark.parametrize("decoupled", [False, True])
def test_radam_maximize_with_weight_decay_matches_torch(decoupled):
    assert_same_maximizing(lambda lib, ps: lib.optim.RAdam(
        ps, lr=0.01, weight_decay=0.1, decoupled_weight_decay=decoupled, maximize=True))


@pytest.mark.parametrize("kwargs,message", [
    (dict(betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    (dict(lr=-1), "Invalid learning rate: -1"),
])
def test_radam_invalid_options_raise_like_torch(kwargs, message):
    assert_invalid_option_raises_like_torch("RAdam", kwargs, message)


def test_radam_state_dict_layout_matches_torch():
    assert_same_state_dict_layout("RAdam")

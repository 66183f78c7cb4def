"""Adamax, NAdam, RAdam: trajectories, errors and state layout match torch.optim."""

from __future__ import annotations

import pytest

import ember

from ._net import assert_same_training

torch = pytest.importorskip("torch")

CASES = [
    ("Adamax", dict()), ("Adamax", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.01)),
    ("NAdam", dict()), ("NAdam", dict(lr=0.01, momentum_decay=0.01, weight_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict()), ("RAdam", dict(lr=0.01, weight_decay=0.01)),
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.9), weight_decay=0.1, decoupled_weight_decay=True)),
]


@pytest.mark.parametrize("name,kwargs", CASES, ids=lambda c: str(c))
def test_trajectory_matches_torch(name, kwargs):
    assert_same_training(lambda lib, ps: getattr(lib.optim, name)(ps, **kwargs), steps=40)


def test_adamax_maximize_matches_torch():
    assert_same_training(lambda lib, ps: lib.optim.Adamax(ps, lr=0.01, maximize=True), steps=20)


@pytest.mark.parametrize("name", ["Adamax", "NAdam", "RAdam"])
def test_errors_and_state_dict_layout_match_torch(name):
    layouts = []
    for lib in (torch, ember):
        cls = getattr(lib.optim, name)
        with pytest.raises(ValueError, match="Invalid beta parameter at index 0: 1.0"):
            cls([lib.zeros(2, requires_grad=True)], betas=(1.0, 0.9))
        with pytest.raises(ValueError, match="Invalid learning rate: -1"):
            cls([lib.zeros(2, requires_grad=True)], lr=-1)
        p = lib.zeros(2, requires_grad=True)
        opt = cls([p])
        p.grad = lib.ones(2)
        opt.step()
        sd = opt.state_dict()
        layouts.append((sorted(sd["state"][0]), sorted(sd["param_groups"][0])))
    assert layouts[0] == layouts[1]

"""Adadelta: trajectories match torch.optim.Adadelta (rho, eps, weight decay, maximize)."""

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
    dict(),
    dict(lr=0.5, rho=0.5),
    dict(lr=1.0, eps=1e-4, weight_decay=0.01),
    dict(lr=0.1, maximize=True),
]


@pytest.mark.parametrize("kwargs", CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_adadelta_trajectory_matches_torch(kwargs):
    assert_same_training(lambda lib, ps: lib.optim.Adadelta(ps, **kwargs), steps=40)


@pytest.mark.parametrize("kwargs,message", [(dict(rho=1.5), "Invalid rho value: 1.5"),
                                            (dict(lr=-1), "Invalid learning rate: -1"),
                                            (dict(eps=-1), "Invalid epsilon value: -1")])
def test_adadelta_invalid_arguments_raise_like_torch(kwargs, message):
    assert_invalid_option_raises_like_torch("Adadelta", kwargs, message)


def test_adadelta_state_dict_keys_match_torch():
    keys = []
    for lib in (torch, ember):
        p = lib.zeros(2, requires_grad=True)
        opt = lib.optim.Adadelta([p])
        p.grad = lib.ones(2)
        opt.step()
        sd = opt.state_dict()
        keys.append((sorted(sd["state"][0]), sorted(sd["param_groups"][0])))
    assert keys[0] == keys[1]


def test_adadelta_maximize_with_weight_decay_matches_torch():
    assert_same_maximizing(lambda lib, ps: lib.optim.Adadelta(ps, lr=1.0, weight_decay=0.1,
                                                              maximize=True))

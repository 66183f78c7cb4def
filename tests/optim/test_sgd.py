"""SGD: training trajectories match torch.optim.SGD for every option combination."""

from __future__ import annotations

import pytest

from ._net import (
    assert_invalid_option_raises_like_torch,
    assert_same_maximizing,
    assert_same_training,
)

torch = pytest.importorskip("torch")

CASES = [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3),
    dict(lr=0.05, momentum=0.9, nesterov=True),
    dict(lr=0.05, momentum=0.5, weight_decay=0.1),
    dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    dict(lr=0.1, weight_decay=0.05),
]


@pytest.mark.parametrize("kwargs", CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_sgd_trajectory_matches_torch(kwargs):
    assert_same_training(lambda lib, ps: lib.optim.SGD(ps, **kwargs), steps=40)


def test_sgd_maximize_matches_torch():
    assert_same_maximizing(lambda lib, ps: lib.optim.SGD(ps, lr=0.05, momentum=0.9, maximize=True))


def test_sgd_param_groups_with_their_own_options():
    def make(lib, ps):
        return lib.optim.SGD([{"params": ps[:2]}, {"params": ps[2:], "lr": 0.01, "momentum": 0.5}],
                             lr=0.1, momentum=0.9)

    assert_same_training(make)


@pytest.mark.parametrize("kwargs,message", [
    (dict(lr=-1), "Invalid learning rate: -1"),
    (dict(momentum=-0.5), "Invalid momentum value: -0.5"),
    (dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    (dict(nesterov=True), "Nesterov momentum requires a momentum"),
    (dict(momentum=0.9, dampening=0.1, nesterov=True), "zero dampening"),
])
def test_sgd_invalid_options_raise_like_torch(kwargs, message):
    assert_invalid_option_raises_like_torch("SGD", kwargs, message)


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_maximize_with_weight_decay_matches_torch(nesterov):
    # the gradient is negated before the decay term is added (PyTorch's code, not its docs' box)
    assert_same_maximizing(lambda lib, ps: lib.optim.SGD(ps, lr=0.05, momentum=0.9,
                                                         nesterov=nesterov, weight_decay=0.1,
                                                         maximize=True))

"""Adam: training trajectories match torch.optim.Adam (AMSGrad, weight decay, maximize)."""

from __future__ import annotations

import numpy as np
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
    dict(lr=0.01, amsgrad=True),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6),
    dict(lr=0.01, betas=(0.3, 0.9)),  # beta1 < 0.5: the other branch of lerp
    dict(lr=0.01, amsgrad=True, weight_decay=0.01),
    dict(lr=0.01, decoupled_weight_decay=True, weight_decay=0.1),
]


@pytest.mark.parametrize("kwargs", CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_adam_trajectory_matches_torch(kwargs):
    assert_same_training(lambda lib, ps: lib.optim.Adam(ps, **kwargs), steps=40)


def test_adam_maximize_matches_torch():
    assert_same_maximizing(lambda lib, ps: lib.optim.Adam(ps, lr=0.01, maximize=True,
                                                          amsgrad=True))


def test_adam_float64_parameters_keep_float64_state():
    p = ember.tensor(np.ones(3), dtype=ember.float64, requires_grad=True)
    opt = ember.optim.Adam([p], lr=0.1)
    p.grad = ember.tensor(np.ones(3), dtype=ember.float64)
    opt.step()
    assert opt.state[p]["exp_avg"].dtype == ember.float64
    assert opt.state[p]["step"].dtype == ember.float32
    np.testing.assert_allclose(p.detach().numpy(), np.full(3, 0.9), rtol=1e-7)


@pytest.mark.parametrize("kwargs,message", [
    (dict(lr=-0.1), "Invalid learning rate"),
    (dict(eps=-1), "Invalid epsilon"),
    (dict(betas=(1.0, 0.9)), "Invalid beta parameter at index 0"),
    (dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1"),
    (dict(weight_decay=-1), "Invalid weight_decay value"),
])
def test_adam_invalid_options_raise_like_torch(kwargs, message):
    assert_invalid_option_raises_like_torch("Adam", kwargs, message)


@pytest.mark.parametrize("decoupled", [False, True])
def test_adam_maximize_with_weight_decay_matches_torch(decoupled):
    assert_same_maximizing(lambda lib, ps: lib.optim.Adam(
        ps, lr=0.01, weight_decay=0.1, decoupled_weight_decay=decoupled, maximize=True))

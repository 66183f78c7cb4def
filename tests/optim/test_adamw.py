"""AdamW: decoupled weight decay, trajectories match torch.optim.AdamW."""

from __future__ import annotations

import pytest

import ember

from ._net import assert_same_maximizing, assert_same_training

torch = pytest.importorskip("torch")

CASES = [dict(lr=0.01), dict(lr=0.01, weight_decay=0.2), dict(lr=0.01, amsgrad=True),
         dict(lr=0.02, betas=(0.85, 0.98), weight_decay=0.05, amsgrad=True)]


@pytest.mark.parametrize("kwargs", CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_adamw_trajectory_matches_torch(kwargs):
    assert_same_training(lambda lib, ps: lib.optim.AdamW(ps, **kwargs), steps=40)


def test_adamw_defaults_match_torch():
    e = ember.optim.AdamW([ember.zeros(2, requires_grad=True)]).defaults
    t = torch.optim.AdamW([torch.zeros(2, requires_grad=True)]).defaults
    assert e == t
    assert e["weight_decay"] == 0.01 and e["decoupled_weight_decay"] is True


def test_adamw_is_an_adam():
    assert issubclass(ember.optim.AdamW, ember.optim.Adam)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adamw_maximize_with_weight_decay_matches_torch(amsgrad):
    assert_same_maximizing(lambda lib, ps: lib.optim.AdamW(ps, lr=0.01, weight_decay=0.1,
                                                           amsgrad=amsgrad, maximize=True))

"""Run one expression on torch.distributions and ember.distributions, compare values and grads."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import assert_close, torch


def both(fn, *arrays):
    """fn(dist_module, lib, *tensors) on both libraries; values and input gradients compared."""
    tt = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    te = [ember.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    ot, oe = fn(torch.distributions, torch, *tt), fn(ember.distributions, ember, *te)
    assert_close(oe, ot)
    assert oe.dtype.name == str(ot.dtype).split(".")[-1]
    ot.sum().backward()
    oe.sum().backward()
    for a, b in zip(te, tt, strict=True):
        if b.grad is not None:
            assert_close(a.grad, b.grad)


def raise_alike(make) -> None:
    """``make(dist_module, lib)`` raises ValueError on both libraries, with the same message."""
    with pytest.raises(ValueError) as want:
        make(torch.distributions, torch)
    with pytest.raises(ValueError) as got:
        make(ember.distributions, ember)
    assert str(got.value).split("(")[0] == str(want.value).split("(")[0]


rng = np.random.default_rng(0)
LOGITS = rng.normal(size=(4, 5)).astype(np.float32)
PROBS = rng.uniform(0.05, 1.0, size=(4, 5)).astype(np.float32)
ACTIONS = rng.integers(0, 5, size=(4,))

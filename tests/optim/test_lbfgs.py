"""LBFGS: PyTorch's iterates, closure-evaluation counts and stopping rules."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import assert_close, torch


def _fit(lib, line_search_fn, history_size=100, steps=3, dtype="float64", max_iter=20):
    dt = getattr(lib, dtype)
    net = lib.nn.Sequential(lib.nn.Linear(1, 8), lib.nn.Tanh(), lib.nn.Linear(8, 1)).to(dt)
    with lib.no_grad():
        for p in net.parameters():
            p.copy_(lib.tensor(np.linspace(-1, 1, p.numel()).reshape(p.shape)))
    x = lib.linspace(-1, 1, 30, dtype=dt).view(-1, 1)
    y = lib.sin(3 * x)
    opt = lib.optim.LBFGS(net.parameters(), max_iter=max_iter, history_size=history_size,
                          line_search_fn=line_search_fn)

    def closure():
        opt.zero_grad()
        loss = ((net(x) - y) ** 2).mean()
        loss.backward()
        return loss

    losses = [opt.step(closure).item() for _ in range(steps)]
    state = opt.state[net[0].weight]
    return losses, state["func_evals"], state["n_iter"], net[2].weight.detach()


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
@pytest.mark.parametrize("history_size", [100, 3])
def test_lbfgs_trajectory_matches_torch_in_float64(line_search_fn, history_size):
    # float64 so that 60 iterations do not amplify rounding differences
    got = _fit(ember, line_search_fn, history_size)
    want = _fit(torch, line_search_fn, history_size)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-7)
    assert got[1:3] == want[1:3]  # the same closure evaluations and iterations
    assert_close(got[3], want[3], rtol=1e-4, atol=1e-6)  # an ill-conditioned fit


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_float32_short_run_matches_torch(line_search_fn):
    got = _fit(ember, line_search_fn, steps=1, dtype="float32", max_iter=5)
    want = _fit(torch, line_search_fn, steps=1, dtype="float32", max_iter=5)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5)
    assert_close(got[3], want[3], rtol=1e-3, atol=1e-4)


def test_lbfgs_argument_errors_match_torch():
    for lib in (torch, ember):
        a, b = lib.zeros(2, requires_grad=True), lib.zeros(2, requires_grad=True)
        with pytest.raises(ValueError, match="doesn't support per-parameter options"):
            lib.optim.LBFGS([{"params": [a]}, {"params": [b]}])
        with pytest.raises(ValueError, match="Invalid learning rate"):
            lib.optim.LBFGS([a], lr=-1)
        opt = lib.optim.LBFGS([a], line_search_fn="armijo")

        def closure(opt=opt, a=a):
            opt.zero_grad()
            loss = ((a - 1) ** 2).sum()
            loss.backward()
            return loss

        with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
            opt.step(closure)


def test_lbfgs_closure_zero_grad_is_not_a_loop_mistake_in_strict_mode():
    # each closure evaluation's gradients are used by L-BFGS, so the next zero_grad() is fine
    before = ember.get_loop_checks()
    ember.set_loop_checks("strict")
    try:
        losses, *_ = _fit(ember, "strong_wolfe", steps=2)
    finally:
        ember.set_loop_checks(before)
    assert losses[1] < losses[0]

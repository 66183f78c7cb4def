"""GradScaler: the same scales, skipped steps and parameters as torch.amp.GradScaler("cpu")."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import torch

# per step: a multiplier for the loss; inf/nan make the gradients non-finite
_SCHEDULE = [1.0, 1.0, float("inf"), 1.0, 1.0, 1.0, float("nan"), 1.0, 1.0, 1.0, 1.0, 1e38]


def _run(lib, explicit_unscale: bool):
    w0 = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    w = lib.tensor(w0.copy(), requires_grad=True)
    opt = lib.optim.SGD([w], lr=0.1)
    scaler = lib.amp.GradScaler("cpu", init_scale=2.0 ** 10, growth_interval=3)
    x = lib.tensor(np.arange(3, dtype=np.float32))
    scales, results = [], []
    for mult in _SCHEDULE:
        opt.zero_grad()
        loss = (w @ x).sum() * mult
        scaler.scale(loss).backward()
        if explicit_unscale:
            scaler.unscale_(opt)
        results.append(scaler.step(opt))
        scaler.update()
        scales.append(scaler.get_scale())
    return scales, w.detach().numpy().copy(), scaler.state_dict(), w.grad.numpy().copy()


@pytest.mark.parametrize("explicit_unscale", [False, True])
def test_scale_sequence_and_skipped_steps_match_torch(explicit_unscale):
    s_e, w_e, sd_e, g_e = _run(ember, explicit_unscale)
    s_t, w_t, sd_t, g_t = _run(torch, explicit_unscale)
    assert s_e == s_t
    np.testing.assert_array_equal(w_e, w_t)
    np.testing.assert_array_equal(g_e, g_t)
    assert sd_e == sd_t
    assert s_e[2] == 512.0 and s_e[5] == 1024.0  # both backoff and growth happened


def test_scaled_loss_value_and_dtype():
    for lib in (ember, torch):
        scaler = lib.amp.GradScaler("cpu", init_scale=8.0)
        out = scaler.scale([lib.tensor(1.5), (lib.tensor([2.0]),)])
        assert out[0].item() == 12.0 and out[1][0].tolist() == [16.0]
        assert out[0].dtype == lib.float32


def test_step_skipped_returns_none_and_keeps_params():
    w = ember.ones(2, requires_grad=True)
    opt = ember.optim.SGD([w], lr=1.0)
    scaler = ember.amp.GradScaler("cpu")
    scaler.scale((w * float("inf")).sum()).backward()
    assert scaler.step(opt) is None
    assert w.tolist() == [1.0, 1.0]
    scaler.update()
    assert scaler.get_scale() == 2.0 ** 15


def test_misuse_errors_as_torch():
    for lib in (ember, torch):
        w = lib.ones(2, requires_grad=True)
        opt = lib.optim.SGD([w], lr=1.0)
        scaler = lib.amp.GradScaler("cpu")
        with pytest.raises(AssertionError, match="_scale is None"):
            scaler.unscale_(opt)
        scaler.scale(w.sum()).backward()
        scaler.unscale_(opt)
        with pytest.raises(RuntimeError, match="already been called"):
            scaler.unscale_(opt)
        scaler.step(opt)
        with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
            scaler.step(opt)
        with pytest.raises(RuntimeError, match="after step"):
            scaler.unscale_(opt)
        scaler.update()
        with pytest.raises(RuntimeError, match="Closure"):
            scaler.step(opt, closure=lambda: None)


def test_state_dict_round_trip_and_new_scale():
    a = ember.amp.GradScaler("cpu", init_scale=4.0, growth_interval=7)
    w = ember.ones(1, requires_grad=True)
    opt = ember.optim.SGD([w], lr=0.1)
    a.scale(w.sum()).backward()
    a.step(opt)
    a.update(new_scale=ember.tensor(32.0))
    b = ember.amp.GradScaler("cpu")
    b.load_state_dict(a.state_dict())
    assert b.state_dict() == a.state_dict() and b.get_scale() == 32.0
    with pytest.raises(RuntimeError, match="empty"):
        b.load_state_dict({})

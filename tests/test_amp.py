"""ember.amp: a script's mixed-precision scaffolding trains exactly like the plain loop."""

from __future__ import annotations

import warnings

import pytest

import ember
from ember import nn


def _train(use_scaler: bool):
    ember.manual_seed(0)
    model = nn.Linear(4, 2)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    scaler = ember.amp.GradScaler("cpu", enabled=True)
    x, y = ember.randn(8, 4), ember.randint(0, 2, (8,))
    for _ in range(3):
        opt.zero_grad()
        with ember.autocast(device_type="cpu", dtype=ember.float16):
            loss = nn.functional.cross_entropy(model(x), y)
        if use_scaler:
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            scaler.step(opt)
            scaler.update()
        else:
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
    return model.weight.detach().numpy(), loss.dtype


def test_grad_scaler_loop_equals_the_plain_loop():
    (w_scaled, dt), (w_plain, _) = _train(True), _train(False)
    assert (w_scaled == w_plain).all()
    assert dt == ember.float32  # autocast keeps ember's dtypes


def test_cuda_scaler_warns_and_disables_as_torch_without_cuda():
    with pytest.warns(UserWarning, match="CUDA is not available"):
        scaler = ember.cuda.amp.GradScaler()
    assert not scaler.is_enabled() and scaler.get_scale() == 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.cuda.amp.GradScaler(enabled=False)
        ember.amp.GradScaler("cuda", enabled=False)
    scaler.load_state_dict(scaler.state_dict())


def test_autocast_as_decorator_and_cuda_form():
    @ember.autocast(device_type="cpu")
    def f(x):
        return x * 2

    assert f(ember.ones(2)).tolist() == [2.0, 2.0]
    with ember.cuda.amp.autocast(enabled=False):
        assert (ember.ones(1) + 1).dtype == ember.float32

"""nn.utils.spectral_norm / remove_spectral_norm against PyTorch (same u, v start)."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import assert_close, torch


def _pair(make, **kwargs):
    tm, em = make(torch.nn), make(ember.nn)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    tm = torch.nn.utils.spectral_norm(tm, **kwargs)
    em = ember.nn.utils.spectral_norm(em, **kwargs)
    # the power iteration starts from random vectors: start both from torch's
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    return tm, em


@pytest.mark.parametrize("make, shape, kwargs", [
    (lambda nn: nn.Linear(5, 3), (2, 5), {}),
    (lambda nn: nn.Conv2d(2, 4, 3), (1, 2, 5, 5), dict(n_power_iterations=3)),
    (lambda nn: nn.ConvTranspose2d(2, 4, 3), (1, 2, 4, 4), {}),
])
def test_spectral_norm_training_steps_match_torch(make, shape, kwargs):
    tm, em = _pair(make, **kwargs)
    assert list(em.state_dict()) == list(tm.state_dict())
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    for _ in range(3):
        yt, ye = tm(torch.tensor(x)), em(ember.tensor(x))
        assert_close(ye, yt, atol=1e-5)
        yt.pow(2).sum().backward()
        ye.pow(2).sum().backward()
    assert_close(em.weight_orig.grad, tm.weight_orig.grad, atol=1e-4)
    for key, value in tm.state_dict().items():
        assert_close(em.state_dict()[key], value, atol=1e-5, msg=key)
    tm.eval()
    em.eval()
    assert_close(em(ember.tensor(x)), tm(torch.tensor(x)), atol=1e-5)


def test_remove_spectral_norm_keeps_the_normalised_weight():
    tm, em = _pair(lambda nn: nn.Linear(4, 4))
    tm(torch.ones(1, 4))
    em(ember.ones(1, 4))
    torch.nn.utils.remove_spectral_norm(tm)
    ember.nn.utils.remove_spectral_norm(em)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert_close(em.weight, tm.weight, atol=1e-6)
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found"):
        ember.nn.utils.remove_spectral_norm(em)


def test_spectral_norm_errors_match_torch():
    layer = ember.nn.utils.spectral_norm(ember.nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks"):
        ember.nn.utils.spectral_norm(layer)
    with pytest.raises(ValueError, match="n_power_iterations"):
        ember.nn.utils.spectral_norm(ember.nn.Linear(2, 2), n_power_iterations=0)

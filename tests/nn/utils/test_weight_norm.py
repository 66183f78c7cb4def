"""nn.utils.weight_norm / remove_weight_norm against PyTorch: parameters, outputs, gradients."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import assert_close, torch

pytestmark = pytest.mark.filterwarnings("ignore:`torch.nn.utils.weight_norm`:FutureWarning")


@pytest.mark.parametrize("make, shape, dim", [
    (lambda nn: nn.Linear(4, 3), (2, 4), 0),
    (lambda nn: nn.Linear(4, 3), (2, 4), None),
    (lambda nn: nn.Conv2d(2, 3, 3), (1, 2, 5, 5), 0),
    (lambda nn: nn.Conv2d(2, 3, 3), (1, 2, 5, 5), 1),
])
def test_weight_norm_matches_torch(make, shape, dim):
    tm, em = make(torch.nn), make(ember.nn)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    tm = torch.nn.utils.weight_norm(tm, dim=dim)
    em = ember.nn.utils.weight_norm(em, dim=dim)
    assert list(em.state_dict()) == list(tm.state_dict())
    for key, value in tm.state_dict().items():
        assert_close(em.state_dict()[key], value, msg=key)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    yt, ye = tm(torch.tensor(x)), em(ember.tensor(x))
    assert_close(ye, yt)
    yt.pow(2).sum().backward()
    ye.pow(2).sum().backward()
    for name, p in tm.named_parameters():
        assert_close(dict(em.named_parameters())[name].grad, p.grad, atol=1e-5, msg=name)


def test_remove_weight_norm_restores_one_parameter_with_the_same_output():
    layer = ember.nn.utils.weight_norm(ember.nn.Linear(3, 2))
    x = ember.randn(4, 3)
    before = layer(x).detach().numpy()
    ember.nn.utils.remove_weight_norm(layer)
    assert sorted(n for n, _ in layer.named_parameters()) == ["bias", "weight"]
    np.testing.assert_allclose(layer(x).detach().numpy(), before, rtol=1e-6)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found"):
        ember.nn.utils.remove_weight_norm(layer)


def test_weight_norm_warns_and_refuses_twice():
    with pytest.warns(FutureWarning, match="parametrizations.weight_norm"):
        layer = ember.nn.utils.weight_norm(ember.nn.Linear(3, 2))
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"):
        ember.nn.utils.weight_norm(layer)

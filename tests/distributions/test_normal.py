"""Normal against torch.distributions.Normal: log_prob, entropy, rsample's gradient, errors."""

from __future__ import annotations

import numpy as np

import ember

from ._parity import both, raise_alike, rng


def test_normal_log_prob_entropy_and_rsample_gradient():
    loc, scale = rng.normal(size=(3,)).astype(np.float32), rng.uniform(0.5, 2, 3).astype(np.float32)
    x = rng.normal(size=(2, 3)).astype(np.float32)
    both(lambda d, L, m, s, v: d.Normal(m, s).log_prob(v), loc, scale, x)
    both(lambda d, L, m, s: d.Normal(m, s).entropy(), loc, scale)
    both(lambda d, L, m: d.Normal(m, 2.0).log_prob(L.tensor(0.5)), loc)
    m = ember.zeros(3, requires_grad=True)
    s = ember.ones(3, requires_grad=True)
    sample = ember.distributions.Normal(m, s).rsample((5,))
    assert sample.shape == (5, 3) and sample.requires_grad
    sample.sum().backward()
    assert m.grad.tolist() == [5.0, 5.0, 5.0]
    assert not ember.distributions.Normal(m, s).sample().requires_grad


def test_invalid_normal_scale_raises_value_error_as_torch():
    raise_alike(lambda d, L: d.Normal(L.zeros(2), L.tensor([1.0, -1.0])))

"""kl_divergence's closed forms (Normal, Categorical, Bernoulli) against torch's."""

from __future__ import annotations

import numpy as np

from ._parity import LOGITS, both, rng


def test_kl_divergence_closed_forms():
    a, b = rng.normal(size=(3,)).astype(np.float32), rng.uniform(0.5, 2, 3).astype(np.float32)
    both(lambda d, L, m, s: d.kl_divergence(d.Normal(m, s), d.Normal(L.zeros(3), 1.0)), a, b)
    both(lambda d, L, lg: d.kl_divergence(d.Categorical(logits=lg),
                                          d.Categorical(logits=L.zeros(4, 5))), LOGITS)
    both(lambda d, L, lg: d.kl_divergence(d.Bernoulli(logits=lg),
                                          d.Bernoulli(probs=L.full((4, 5), 0.3))), LOGITS)

"""``ember.distributions``: the probability distributions training scripts use.

``Categorical`` (policy gradients: ``m = Categorical(probs); a = m.sample();
m.log_prob(a)``), ``Normal`` (reparameterised ``rsample`` for VAEs and Gaussian policies),
``Bernoulli``, and ``kl_divergence`` between two of the same family. Densities are written
with ember ops, so ``log_prob``/``entropy``/``rsample`` are differentiable.
"""

from __future__ import annotations

from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .kl import kl_divergence
from .normal import Normal

__all__ = ["Bernoulli", "Categorical", "Distribution", "Normal", "kl_divergence"]

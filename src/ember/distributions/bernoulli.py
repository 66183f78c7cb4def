"""Bernoulli(probs | logits): independent 0/1 draws."""

from __future__ import annotations

import numpy as np

from .. import _creation
from .._grad_mode import no_grad
from ..nn.functional import binary_cross_entropy_with_logits
from ..ops.shape import broadcast_tensors
from ..tensor import Tensor
from .distribution import Distribution, as_float_tensor


class Bernoulli(Distribution):
    """1 with probability ``probs`` (or ``sigmoid(logits)``), else 0; float samples."""

    _param_names = ("probs", "logits")

    def __init__(self, probs=None, logits=None, validate_args=None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            self.probs = as_float_tensor(probs)
            eps = np.finfo(self.probs._data.dtype).eps
            p = self.probs.clamp(eps, 1 - eps)
            self.logits = p.log() - (1 - p).log()  # PyTorch's probs_to_logits (binary)
            if validate_args is not False:
                q = self.probs._data
                self._check("probs", self.probs, (q >= 0) & (q <= 1),
                            "Interval(lower_bound=0.0, upper_bound=1.0)")
        else:
            self.logits = as_float_tensor(logits)
            self.probs = self.logits.sigmoid()
        super().__init__(self.probs.shape)

    @property
    def mean(self) -> Tensor:
        """``probs``."""
        return self.probs

    @property
    def variance(self) -> Tensor:
        """``probs * (1 - probs)``."""
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()) -> Tensor:
        """Float 0/1 draws of shape ``sample_shape + batch_shape``, outside the graph."""
        with no_grad():
            p = self.probs.expand(self._extended_shape(sample_shape))
            return _creation.bernoulli(p)

    def log_prob(self, value) -> Tensor:
        """``log p(value)`` computed from the logits (stable near 0 and 1); broadcasts."""
        logits, value = broadcast_tensors(self.logits, as_float_tensor(value))
        return -binary_cross_entropy_with_logits(logits, value.to(logits.dtype),
                                                 reduction="none")

    def entropy(self) -> Tensor:
        """The entropy of each distribution, computed from the logits."""
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

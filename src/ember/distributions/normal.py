"""Normal(loc, scale): sampling, the reparameterisation trick, log density, entropy."""

from __future__ import annotations

import math

from .. import _creation
from ..ops.shape import broadcast_tensors
from ..tensor import Tensor
from .distribution import Distribution, as_float_tensor


class Normal(Distribution):
    """Gaussian with mean ``loc`` and standard deviation ``scale`` (broadcast together)."""

    has_rsample = True
    _param_names = ("loc", "scale")

    def __init__(self, loc, scale, validate_args=None) -> None:
        self.loc, self.scale = broadcast_tensors(as_float_tensor(loc), as_float_tensor(scale))
        super().__init__(self.loc.shape)
        if validate_args is not False:
            self._check("scale", self.scale, self.scale._data > 0,
                        "GreaterThan(lower_bound=0.0)")

    @property
    def mean(self) -> Tensor:
        """``loc``."""
        return self.loc

    @property
    def stddev(self) -> Tensor:
        """``scale``."""
        return self.scale

    @property
    def variance(self) -> Tensor:
        """``scale ** 2``."""
        return self.scale.pow(2)

    def rsample(self, sample_shape=()) -> Tensor:
        """``loc + eps * scale`` with ``eps ~ N(0, 1)``: differentiable in loc and scale."""
        shape = self._extended_shape(sample_shape)
        eps = _creation.randn(*shape, dtype=self.loc.dtype)
        return self.loc + eps * self.scale

    def log_prob(self, value) -> Tensor:
        """The log density at ``value`` (broadcast against ``loc`` and ``scale``)."""
        value = as_float_tensor(value)
        var = self.scale ** 2
        return (-((value - self.loc) ** 2) / (2 * var) - self.scale.log()
                - math.log(math.sqrt(2 * math.pi)))

    def entropy(self) -> Tensor:
        """``0.5 + 0.5 * log(2 pi) + log(scale)``."""
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()

"""The base class: shapes, argument validation and the sample/rsample split."""

from __future__ import annotations

import numpy as np

from .._creation import tensor
from .._grad_mode import no_grad
from ..tensor import Size, Tensor


class Distribution:
    """A batch of distributions of one family (``batch_shape``) over ``event_shape`` values."""

    has_rsample = False

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None) -> None:
        self._batch_shape = Size(batch_shape)
        self._event_shape = Size(event_shape)

    @property
    def batch_shape(self) -> Size:
        """The shape of the batch of independent distributions."""
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        """The shape of a single sample of one distribution (() for scalars)."""
        return self._event_shape

    def _extended_shape(self, sample_shape=()) -> tuple:
        return tuple(sample_shape) + tuple(self._batch_shape) + tuple(self._event_shape)

    def sample(self, sample_shape=()) -> Tensor:
        """A draw of shape ``sample_shape + batch_shape + event_shape``, outside the graph."""
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()) -> Tensor:
        """A reparameterised (differentiable) sample; only some distributions have one.

        Raises:
            NotImplementedError: the distribution has no reparameterised sampler.
        """
        raise NotImplementedError(f"{type(self).__name__} has no reparameterised sampler")

    @property
    def stddev(self) -> Tensor:
        """``sqrt(variance)``."""
        return self.variance.sqrt()

    def __repr__(self) -> str:
        parts = []
        for name in self._param_names:
            value = self.__dict__.get(name)
            if value is None:
                continue
            shown = value.item() if value.numel() == 1 and value.dim() == 0 else value.size()
            parts.append(f"{name}: {shown}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def _check(self, name: str, value: Tensor, ok: np.ndarray, constraint: str) -> None:
        """PyTorch's validate_args: a parameter outside its constraint is a ValueError."""
        if not bool(np.all(ok)):
            raise ValueError(
                f"Expected parameter {name} (Tensor of shape {tuple(value.shape)}) of "
                f"distribution {self!r} to satisfy the constraint {constraint}, but found "
                f"invalid values:\n{value}")


def as_float_tensor(x) -> Tensor:
    """A parameter as a float tensor (Python numbers become 0-d float32 tensors)."""
    if isinstance(x, Tensor):
        return x
    return tensor(float(x))

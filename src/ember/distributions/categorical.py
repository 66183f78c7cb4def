"""Categorical(probs | logits): a choice among the last dimension's categories."""

from __future__ import annotations

import numpy as np

from .. import _creation
from .._grad_mode import no_grad
from ..ops.shape import broadcast_tensors
from ..tensor import Size, Tensor
from .distribution import Distribution


class Categorical(Distribution):
    """One category index per distribution; ``probs`` are normalised along the last dim.

    ``probs`` and ``logits`` are both available whichever was given (as PyTorch).
    """

    _param_names = ("probs", "logits")

    def __init__(self, probs: Tensor | None = None, logits: Tensor | None = None,
                 validate_args=None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        given = probs if probs is not None else logits
        if given.dim() < 1:
            raise ValueError("`probs` parameter must be at least one-dimensional.")
        if probs is not None:
            self.probs = probs / probs.sum(-1, keepdim=True)
            eps = np.finfo(probs._data.dtype).eps
            self.logits = self.probs.clamp(eps, 1 - eps).log()  # PyTorch's probs_to_logits
        else:
            self.logits = logits - logits.logsumexp(-1, keepdim=True)
            self.probs = self.logits.softmax(-1)
        self._num_events = given.shape[-1]
        super().__init__(given.shape[:-1])
        if validate_args is not False and probs is not None:
            p = self.probs._data
            self._check("probs", self.probs, (p >= 0) & np.isfinite(p), "Simplex()")

    @property
    def param_shape(self) -> Size:
        """The shape of ``probs``: ``batch_shape + (num_categories,)``."""
        return self.probs.shape

    @property
    def mean(self) -> Tensor:
        """All nan, as in PyTorch: a category index has no meaningful mean."""
        return _creation.full(self._extended_shape(), float("nan"), dtype=self.probs.dtype)

    def sample(self, sample_shape=()) -> Tensor:
        """int64 indices of shape ``sample_shape + batch_shape``."""
        n = int(np.prod(tuple(sample_shape), dtype=np.int64))
        with no_grad():
            rows = self.probs.reshape(-1, self._num_events)
            draws = _creation.multinomial(rows, n, True)  # (rows, n)
        return draws.t().reshape(self._extended_shape(sample_shape))

    def log_prob(self, value: Tensor) -> Tensor:
        """``log p(value)`` for integer category indices (floats are truncated); broadcasts.

        Raises:
            ValueError: an index outside ``[0, num_categories)``.
        """
        value = value.long()
        v = value._data
        if v.size and (v.min() < 0 or v.max() >= self._num_events):
            raise ValueError(
                f"Expected value argument (Tensor of shape {tuple(value.shape)}) to be within "
                f"the support (IntegerInterval(lower_bound=0, upper_bound="
                f"{self._num_events - 1})) of the distribution {self!r}, but found invalid "
                f"values:\n{value}")
        index, log_pmf = broadcast_tensors(value.unsqueeze(-1), self.logits)
        return log_pmf.gather(-1, index[..., :1]).squeeze(-1)

    def entropy(self) -> Tensor:
        """``-sum(p * log p)`` over the categories, with ``log 0`` taken as the dtype's minimum."""
        min_real = float(np.finfo(self.logits._data.dtype).min)
        return -(self.logits.clamp(min=min_real) * self.probs).sum(-1)

    def enumerate_support(self) -> Tensor:
        """``arange(num_categories)``.

        Unlike PyTorch there is no ``expand`` argument and the result is not expanded over
        ``batch_shape``.
        """
        return _creation.arange(self._num_events)

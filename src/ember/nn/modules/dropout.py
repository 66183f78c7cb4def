"""Dropout layers: active in training mode only (grad mode does not matter)."""

from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from ..module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d"]


class _DropoutNd(Module):
    _mode_sensitive = True  # behaves differently in train and eval (see ember._loop_checks)

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each element with probability ``p`` in training, scaling the rest by 1/(1-p)."""

    def forward(self, input: Tensor) -> Tensor:
        """Zero elements with probability ``p`` and scale the rest by ``1 / (1 - p)`` in training
        mode.
        """
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Zero whole channels of (N, C, L) input in training."""

    def forward(self, input: Tensor) -> Tensor:
        """Zero whole channels of ``(N, C, L)`` or ``(C, L)`` input in training mode, scaling the
        rest.
        """
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zero whole channels of (N, C, H, W) input in training."""

    def forward(self, input: Tensor) -> Tensor:
        """Zero whole channels of ``(N, C, H, W)`` or ``(C, H, W)`` input in training mode, scaling
        the rest.
        """
        return F.dropout2d(input, self.p, self.training, self.inplace)

"""Reverse-mode automatic differentiation: backward, grad, Function, gradcheck."""

from __future__ import annotations

from .._grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .differentiate import backward, grad
from .function import Function, once_differentiable
from .gradcheck import gradcheck, gradgradcheck
from .graph import graph_memory, render_graph, to_dot

__all__ = [
    "Function", "backward", "grad", "gradcheck", "gradgradcheck", "no_grad", "enable_grad",
    "set_grad_enabled", "inference_mode", "is_grad_enabled", "once_differentiable",
    "graph_memory", "to_dot", "render_graph",
]


def Variable(data, requires_grad: bool = False, volatile: bool = False):  # noqa: N802
    """PyTorch's pre-0.4 wrapper: a new leaf sharing ``data``'s storage."""
    out = data.detach()
    if requires_grad:
        out.requires_grad_(True)
    return out


class detect_anomaly:  # noqa: N801 - PyTorch's name
    """Accepted for compatibility; it adds no checks (NaN gradients are not traced back)."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        return False


class set_detect_anomaly(detect_anomaly):  # noqa: N801 - PyTorch's name
    """``set_detect_anomaly(mode)``: a no-op switch, usable as a call or a context manager."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        super().__init__(check_nan)
        self.mode = mode

"""Reverse-mode automatic differentiation: backward, grad, Function, gradcheck."""

from __future__ import annotations

from .._grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .differentiate import backward, grad
from .function import Function, once_differentiable
from .gradcheck import gradcheck, gradgradcheck
from .graph import graph_memory, render_graph, to_dot
from .modes import (  # noqa: F401 - public names
    is_multithreading_enabled,
    is_view_replay_enabled,
    set_multithreading_enabled,
    variable,
)

__all__ = [
    "Function", "backward", "grad", "gradcheck", "gradgradcheck", "no_grad", "enable_grad",
    "set_grad_enabled", "inference_mode", "is_grad_enabled", "once_differentiable",
    "graph_memory", "to_dot", "render_graph", "detect_anomaly", "set_detect_anomaly",
]


def Variable(data, requires_grad: bool = False, volatile: bool = False):  # noqa: N802
    """PyTorch's pre-0.4 wrapper: a new leaf sharing ``data``'s storage."""
    out = data.detach()
    if requires_grad:
        out.requires_grad_(True)
    return out

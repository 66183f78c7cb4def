"""Anomaly-mode switches (ground floor: imports nothing of ember).

Read by the backward engine (NaN check per node) and by ``Module.__call__`` (which module
runs); the checks themselves live in ``ember.autograd.anomaly_mode``.
"""

from __future__ import annotations


class _State:
    enabled = False
    check_nan = True
    check_forward = False
    # (module, dotted path) of the modules being called, outermost first
    module_stack: list = []


state = _State()


def is_anomaly_enabled() -> bool:
    """Whether autograd's anomaly detection is on."""
    return state.enabled


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly detection checks backward outputs for NaN."""
    return state.check_nan


def current_module_label() -> str | None:
    """``model.encoder.2 (Linear)`` for the innermost module running, or None outside one."""
    if not state.module_stack:
        return None
    module, path = state.module_stack[-1]
    return f"{path} ({type(module).__name__})"

"""The module side of anomaly detection: which module each op runs in.

While ``detect_anomaly`` is on, ``Module.__call__`` pushes ``(module, path)`` here, so a node
(or a forward NaN) can be reported as ``model.encoder.2 (Linear)``. The path is the child's
attribute name under the module that called it; the outermost module is ``model``.
"""

from __future__ import annotations

from .._anomaly_mode import state


def _child_name(parent, child) -> str:
    for name, sub in parent._modules.items():
        if sub is child:
            return name
    for name, sub in parent.named_modules():  # called through a deeper attribute
        if sub is child and name:
            return name
    return f"<{type(child).__name__}>"  # not registered under the caller (a free module)


def anomaly_call(module, call, args, kwargs):
    """Run ``call(*args, **kwargs)`` with ``module`` on the stack of running modules."""
    stack = state.module_stack
    if stack:
        parent, parent_path = stack[-1]
        path = f"{parent_path}.{_child_name(parent, module)}"
    else:
        path = "model"
    stack.append((module, path))
    try:
        return call(*args, **kwargs)
    finally:
        stack.pop()

"""Anomaly detection: trace a NaN gradient (or a NaN/Inf forward value) back to its origin.

As PyTorch's ``detect_anomaly``: while on, every graph node remembers the stack of the forward
call that created it; in backward, a node returning a gradient with NaN raises
``RuntimeError("Function 'XBackward0' returned nan values in its 0th output.")`` after a
warning that shows that forward stack. Beyond PyTorch, the error names the module the op ran
in (``model.encoder.2 (Linear)``), and ``check_forward=True`` stops at the first forward op
that turns finite inputs into NaN/Inf (``log(0)``, ``exp`` overflow, ``0/0``), naming the op,
the module and the inputs' ranges.

Cost: nothing when off; ``Op.apply``/``Function.apply`` are swapped for checking versions
only while the mode is on (the stack capture per op dominates; see the closing note of
issue 15 / ``tests/autograd/test_anomaly_mode.py``).
"""

from __future__ import annotations

import linecache
import os
import sys
import warnings

import numpy as np

from .._anomaly_mode import current_module_label, state
from .._core import Tensor
from .function import Function, Op

__all__ = ["detect_anomaly", "set_detect_anomaly", "set_anomaly_enabled"]

_PLAIN_OP_APPLY = Op.__dict__["apply"]
_PLAIN_FUNCTION_APPLY = Function.__dict__["apply"]


_EMBER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _record(node, skip: int) -> None:
    """Keep the forward call's frames (file, line, function): cheap; formatted on error."""
    frames = []
    f = sys._getframe(skip)
    while f is not None:
        frames.append((f.f_code.co_filename, f.f_lineno, f.f_code.co_name))
        f = f.f_back
    node._anomaly_stack = frames
    node._anomaly_module = current_module_label()


def _format_stack(frames: list) -> str:
    """The user's frames, outermost first (ember's own frames left out, as PyTorch's C++)."""
    user = [fr for fr in frames if not fr[0].startswith(_EMBER_DIR)] or frames
    lines = []
    for filename, lineno, name in reversed(user):
        lines.append(f'  File "{filename}", line {lineno}, in {name}\n')
        code = linecache.getline(filename, lineno).strip()
        if code:
            lines.append(f"    {code}\n")
    return "".join(lines)


def _ranges(args) -> str:
    parts = []
    for a in args:
        if isinstance(a, Tensor) and a._data.size and a._data.dtype.kind == "f":
            parts.append(f"[{a._data.min():.4g}, {a._data.max():.4g}]")
        elif isinstance(a, Tensor):
            parts.append(f"{a.dtype_name()} tensor of shape {list(a.shape)}")
        elif isinstance(a, (int, float)):
            parts.append(repr(a))
    return ", ".join(parts)


def _check_forward(op_name: str, args, outputs) -> None:
    """Raise if an output holds NaN/Inf although every floating input was finite."""
    bad = None
    for out in outputs:
        if isinstance(out, Tensor) and out._data.dtype.kind == "f" and \
                not np.isfinite(out._data).all():
            bad = "nan" if np.isnan(out._data).any() else "inf"
            break
    if bad is None:
        return
    for a in args:
        if isinstance(a, Tensor) and a._data.dtype.kind == "f" and \
                not np.isfinite(a._data).all():
            return  # the non-finite value came in: not this op's doing
        if isinstance(a, float) and not np.isfinite(a):
            return
    where = current_module_label()
    raise RuntimeError(
        f"Function '{op_name}' produced {bad} values in its output from finite inputs"
        + (f" in {where}" if where else "") + f". Input ranges: {_ranges(args)}."
    )


def _anomalous_op_apply(cls, *args, **kwargs):
    result = _PLAIN_OP_APPLY.__func__(cls, *args, **kwargs)
    node = result._grad_fn
    if node is not None and type(node) is cls:
        _record(node, 2)
    if state.check_forward:
        _check_forward(cls.__name__, args, (result,))
    return result


def _anomalous_function_apply(cls, *args, **kwargs):
    result = _PLAIN_FUNCTION_APPLY.__func__(cls, *args, **kwargs)
    outputs = result if isinstance(result, tuple) else (result,)
    for out in outputs:
        if isinstance(out, Tensor) and type(out._grad_fn) is cls:
            _record(out._grad_fn, 2)
            break
    if state.check_forward:
        _check_forward(cls.__name__, args, outputs)
    return result


def set_anomaly_enabled(enabled: bool, check_nan: bool = True, *,
                        check_forward: bool = False) -> None:
    """Switch anomaly detection (``torch.set_anomaly_enabled``); ``check_forward`` is ember's."""
    state.enabled = bool(enabled)
    state.check_nan = bool(check_nan)
    state.check_forward = bool(enabled and check_forward)
    if enabled:
        Op.apply = classmethod(_anomalous_op_apply)
        Function.apply = classmethod(_anomalous_function_apply)
    else:
        Op.apply = _PLAIN_OP_APPLY
        Function.apply = _PLAIN_FUNCTION_APPLY
        state.module_stack.clear()


def check_backward_outputs(node, grads) -> None:
    """The engine's per-node check: raise (after a warning with the forward stack) on NaN."""
    for i, g in enumerate(grads):
        if g is None or g._data.dtype.kind != "f" or not np.isnan(g._data).any():
            continue
        stack = getattr(node, "_anomaly_stack", None)
        if stack is not None:
            warnings.warn(
                f"Error detected in {node.name()}. Traceback of forward call that caused the "
                "error:\n" + _format_stack(stack), stacklevel=2)
        where = getattr(node, "_anomaly_module", None)
        raise RuntimeError(
            f"Function '{node.name()}' returned nan values in its {i}th output."
            + (f" The op ran in {where}." if where else "")
        )


class _Switch:
    """Set the mode on entry, restore the previous one on exit."""

    def _apply(self) -> None:
        self._prev = (state.enabled, state.check_nan, state.check_forward)
        set_anomaly_enabled(self.mode, self.check_nan, check_forward=self.check_forward)

    def __exit__(self, *exc) -> bool:
        enabled, check_nan, check_forward = self._prev
        set_anomaly_enabled(enabled, check_nan, check_forward=check_forward)
        return False


class detect_anomaly(_Switch):  # noqa: N801 - PyTorch's name
    """Context manager turning anomaly detection on (see the module docstring).

    Args:
        check_nan: raise when a backward node returns NaN (PyTorch's).
        check_forward: also raise at the first forward op producing NaN/Inf from finite
            inputs (ember's addition).
    """

    mode = True

    def __init__(self, check_nan: bool = True, *, check_forward: bool = False) -> None:
        self.check_nan = check_nan
        self.check_forward = check_forward
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", stacklevel=2)

    def __enter__(self):
        self._apply()
        return self


class set_detect_anomaly(_Switch):  # noqa: N801 - PyTorch's name
    """``set_detect_anomaly(mode, check_nan=True)``: switch now; as a context, restore on exit."""

    def __init__(self, mode: bool, check_nan: bool = True, *,
                 check_forward: bool = False) -> None:
        self.mode = mode
        self.check_nan = check_nan
        self.check_forward = check_forward
        self._apply()

    def __enter__(self):
        return self

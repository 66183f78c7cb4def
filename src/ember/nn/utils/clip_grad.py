"""Gradient clipping: by total norm and by value, in place on ``.grad``."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable

import numpy as np

from ...tensor import Tensor, _from_array

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _grads(parameters) -> list:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def get_total_norm(tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach=None) -> Tensor:
    """The ``norm_type`` norm of all ``tensors`` taken together (as one vector)."""
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    tensors = list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return _from_array(np.asarray(0.0, dtype=np.float32))
    dtype = tensors[0]._data.dtype
    if norm_type == math.inf:
        total = max(float(np.abs(t._data).max()) if t._data.size else 0.0 for t in tensors)
    else:
        norms = [np.linalg.norm(t._data.reshape(-1).astype(np.float64), ord=norm_type)
                 for t in tensors]
        total = float(np.linalg.norm(np.asarray(norms), ord=norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the gradients "
            "by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return _from_array(np.asarray(total, dtype=dtype))


def clip_grads_with_norm_(parameters, max_norm: float, total_norm: Tensor, foreach=None) -> None:
    """Scale every gradient by ``min(1, max_norm / (total_norm + 1e-6))`` in place."""
    grads = _grads(parameters)
    coef = min(float(max_norm) / (float(total_norm) + 1e-6), 1.0)
    with np.errstate(invalid="ignore"):  # an inf norm scales grads to nan, as PyTorch
        for g in grads:
            g._data *= g._data.dtype.type(coef)
            g._bump_version()


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach=None) -> Tensor:
    """Rescale gradients so that their total norm is at most ``max_norm``.

    Args:
        parameters: tensors (or one tensor) whose ``.grad`` is clipped.
        max_norm: the largest total norm allowed.
        norm_type: the p of the p-norm (``inf`` for the max norm).
        error_if_nonfinite: raise when the total norm is nan or inf.

    Returns:
        The total norm of the gradients before clipping (a 0-d tensor).

    Raises:
        RuntimeError: non-finite total norm with ``error_if_nonfinite``.
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    parameters = list(parameters)
    grads = _grads(parameters)
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    if grads:
        clip_grads_with_norm_(parameters, max_norm, total)
    return total


def clip_grad_norm(parameters: Iterable[Tensor] | Tensor, max_norm: float,
                   norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach=None) -> Tensor:
    """Deprecated name of ``clip_grad_norm_`` (warns FutureWarning, as PyTorch)."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float,
                     foreach=None) -> None:
    """Clamp every gradient into ``[-clip_value, clip_value]`` in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        np.clip(g._data, -clip_value, clip_value, out=g._data)
        g._bump_version()

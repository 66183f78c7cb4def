"""``dynamic_axes``: which input/output dimensions are symbolic, and the resized second run.

The exporter runs the model a second time with every dynamic axis resized (and the float
inputs slightly perturbed); sizes that move with an axis are then computed in the graph
(see ``_emit``). Each dim name gets its own offset, so two axes are not confused.
"""

from __future__ import annotations

import numpy as np

from .._grad_mode import enable_grad
from ..tensor import Tensor, _from_array

_OFFSETS = (3, 5, 7, 11, 13, 17, 19, 23)


def normalize(dynamic_axes, names: list) -> dict:
    """``{value name: {axis: dim name}}`` from PyTorch's dict-or-list form.

    Raises:
        ValueError: a name that is neither an input nor an output name, or a bad axis spec.
    """
    if dynamic_axes is None:
        return {}
    if not isinstance(dynamic_axes, dict):
        raise TypeError("dynamic_axes must be a dict of {input/output name: axes}")
    out = {}
    for key, axes in dynamic_axes.items():
        if key not in names:
            raise ValueError(f"dynamic_axes: '{key}' is not an input or output name "
                             f"(names are {names})")
        if isinstance(axes, dict):
            out[key] = {int(a): str(n) for a, n in axes.items()}
        elif isinstance(axes, (list, tuple)):
            # PyTorch names list-form axes after the value and a counter
            out[key] = {int(a): f"{key}_dynamic_axes_{i + 1}" for i, a in enumerate(axes)}
        else:
            raise ValueError(f"dynamic_axes['{key}'] must be a dict or a list of axes")
    return out


def resized_sizes(inputs: dict, axes: dict, attempt: int) -> dict:
    """New size per dim name: larger on the first attempt, smaller on the second."""
    sizes = {}
    for name, t in inputs.items():
        for axis, dim in axes.get(name, {}).items():
            if dim in sizes:
                continue
            n = t.shape[axis]
            off = _OFFSETS[len(sizes) % len(_OFFSETS)]
            sizes[dim] = n + off if attempt == 0 else max(1, n - 1 - len(sizes))
    return sizes


def traced_copy(t: Tensor) -> Tensor:
    """A copy of an input for tracing. Floats require grad, so every op on them records, and
    are not leaves, so the model may still write into its input in place."""
    copy = _from_array(t._data.copy())
    if copy._data.dtype.kind != "f":
        return copy
    copy._requires_grad = True
    with enable_grad():
        return copy.clone()


def resized_input(t: Tensor, axes: dict, sizes: dict, seed: int) -> Tensor:
    """``t`` with its dynamic axes resized (values repeated cyclically) and floats perturbed."""
    data = t._data
    for axis, dim in axes.items():
        axis = axis % data.ndim
        data = np.take(data, np.arange(sizes[dim]) % data.shape[axis], axis=axis)
    if data.dtype.kind == "f":
        rng = np.random.default_rng(seed)
        scale = float(np.abs(data).mean()) if data.size else 1.0
        noise = rng.standard_normal(data.shape) * (1e-2 * (scale or 1.0))
        data = (data + noise).astype(data.dtype)
    return traced_copy(_from_array(data))

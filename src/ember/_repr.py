"""PyTorch-like printing: ``tensor([[1., 2.]], requires_grad=True)``."""

from __future__ import annotations

import numpy as np


def _format_floats(arr: np.ndarray) -> dict:
    finite = arr[np.isfinite(arr)]
    if finite.size and (np.abs(finite).max() >= 1e8 or
                        (np.abs(finite[finite != 0]).min() < 1e-4 if (finite != 0).any()
                         else False)):
        return {"float_kind": lambda x: f"{x:.4e}"}
    if finite.size and np.all(finite == np.round(finite)):
        return {"float_kind": lambda x: f"{x:.0f}." if np.isfinite(x) else str(x)}
    return {"float_kind": lambda x: f"{x:.4f}" if np.isfinite(x) else str(x)}


def tensor_repr(t) -> str:
    arr = t._data
    prefix = "tensor("
    opts = _format_floats(arr) if arr.dtype.kind == "f" else {}
    if arr.dtype == np.bool_:
        opts = {"bool": lambda x: "True" if x else "False"}
    body = np.array2string(
        arr, separator=", ", prefix=prefix, formatter=opts, threshold=1000, edgeitems=3,
        max_line_width=80,
    )
    extras = []
    default = arr.dtype == np.float32 or arr.dtype == np.int64 or arr.dtype == np.bool_
    if arr.size == 0:
        extras.append(f"size={tuple(arr.shape)}")
    if not default:
        extras.append(f"dtype=ember.{t.dtype.name}")
    if t._grad_fn is not None:
        extras.append(f"grad_fn=<{t._grad_fn.name()}>")
    elif t._requires_grad:
        extras.append("requires_grad=True")
    tail = "".join(", " + e for e in extras)
    return f"{prefix}{body}{tail})"

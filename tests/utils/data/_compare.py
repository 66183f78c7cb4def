"""Compare nested batches (tensors inside lists/tuples/dicts) between torch and ember."""

from __future__ import annotations

import numpy as np

import ember


def describe(obj):
    """A library-neutral description: containers kept, tensors -> (dtype, shape, values)."""
    import torch

    if isinstance(obj, (ember.Tensor, torch.Tensor)):
        arr = obj.detach().numpy()
        return ("tensor", str(obj.dtype).split(".")[-1], tuple(arr.shape), arr.tolist())
    if isinstance(obj, dict):
        return ("dict", type(obj).__name__, {k: describe(v) for k, v in obj.items()})
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return ("namedtuple", type(obj).__name__, [describe(v) for v in obj])
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [describe(v) for v in obj])
    if isinstance(obj, np.ndarray):
        return ("ndarray", str(obj.dtype), obj.tolist())
    return ("value", type(obj).__name__, obj)

"""PyTorch's CPU autocast op lists, as decorators on the public functions.

Inside ``ember.amp.autocast("cpu", dtype=...)``, an op on the lower-precision list (matmul,
linear, convolutions, ``addmm``/``baddbmm``...) casts its float32/float16/bfloat16 tensor
arguments to the autocast dtype and so returns that dtype; an op on the float32 list (the
losses) casts lower-precision arguments up to float32. float64 tensors are never cast (as
PyTorch). Outside autocast the decorated functions run unchanged (one flag read).
"""

from __future__ import annotations

import functools

import numpy as np

from .._autocast_mode import state
from .._core import Tensor
from .._dtype import is_float_np


def _cast_all(args: tuple, kwargs: dict, target, eligible):
    def cast(a):
        if isinstance(a, Tensor) and eligible(a._data.dtype) and a._data.dtype != target:
            return a.to(target)
        return a

    return tuple(cast(a) for a in args), {k: cast(v) for k, v in kwargs.items()}


def _lower_eligible(d: np.dtype) -> bool:
    return is_float_np(d) and d != np.float64


def _upper_eligible(d: np.dtype) -> bool:
    return is_float_np(d) and d.itemsize == 2


def lower_precision(fn):
    """Mark ``fn`` as on autocast's lower-precision list."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if state.enabled:
            args, kwargs = _cast_all(args, kwargs, state.dtype, _lower_eligible)
        return fn(*args, **kwargs)

    return wrapper


def float32(fn):
    """Mark ``fn`` as on autocast's float32 list."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if state.enabled:
            args, kwargs = _cast_all(args, kwargs, np.dtype(np.float32), _upper_eligible)
        return fn(*args, **kwargs)

    return wrapper

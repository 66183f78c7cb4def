"""In-place NumPy forms of the tensor updates PyTorch's optimizers are written with.

Each follows PyTorch's formula and evaluation order (``lerp_``'s two-sided formula,
``addcmul_``'s ``self + value * t1 * t2``) and writes only into arrays it is given: no
allocation per step. PyTorch's vectorized CPU kernels fuse the final multiply-add, which NumPy
cannot, so single elements differ from PyTorch's in their last bits now and then.
"""

from __future__ import annotations

import numpy as np


def lerp_(start: np.ndarray, end: np.ndarray, weight: float, tmp: np.ndarray) -> None:
    """``start.lerp_(end, weight)``: start + weight (end - start), exact at both ends."""
    np.subtract(end, start, out=tmp)
    if weight < 0.5:
        tmp *= weight  # start + weight (end - start)
        start += tmp
    else:
        tmp *= 1 - weight  # end - (1 - weight) (end - start)
        np.subtract(end, tmp, out=start)


def decay_square_(avg: np.ndarray, x: np.ndarray, beta: float, tmp: np.ndarray) -> None:
    """``avg.mul_(beta).addcmul_(x, x, value=1 - beta)``: avg ← beta avg + (1 - beta) x²."""
    avg *= beta
    np.multiply(x, 1 - beta, out=tmp)
    tmp *= x
    avg += tmp

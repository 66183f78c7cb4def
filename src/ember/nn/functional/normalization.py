"""Functional normalisations over trailing dims or groups: ``layer_norm``, ``group_norm``,
``rms_norm``, and ``normalize`` (divide by the p-norm)."""

from __future__ import annotations

import numpy as np

from ...ops import elementwise as ew
from ...ops import fused as nnops
from ...ops.shape import cat
from ...tensor import Tensor


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` dims, then an elementwise affine."""
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else \
        tuple(normalized_shape)
    k = len(normalized_shape)
    if tuple(input.shape[input.ndim - k:]) != normalized_shape or k > input.ndim:
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(str(s) for s in normalized_shape)}], but got input of size"
            f"{list(input.shape)}"
        )
    d = int(np.prod(normalized_shape))
    # the fast path computes in the input's dtype: float16/bfloat16 take Normalize, which
    # accumulates in float32 (as PyTorch's CPU kernel)
    if (d > 0 and input._data.dtype in (np.float32, np.float64)
            and all(p is None or p.shape == normalized_shape for p in (weight, bias))):
        return nnops.LayerNorm.apply(input, weight, bias, d=d, eps=eps)
    axes = tuple(range(input.ndim - k, input.ndim))
    return nnops.Normalize.apply(input, weight, bias, axes=axes, eps=eps)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise each group of ``C // num_groups`` channels per sample, then a per-channel
    affine."""
    n, c = input.shape[0], input.shape[1]
    if c % num_groups != 0:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got "
            f"input of shape {list(input.shape)} and num_groups={num_groups}"
        )
    grouped = input.reshape(n, num_groups, -1)
    out = nnops.Normalize.apply(grouped, None, None, axes=(2,), eps=eps).reshape(input.shape)
    shape = (1, c) + (1,) * (input.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """``x / sqrt(mean(x^2) + eps) * weight`` over the trailing ``normalized_shape`` dims;
    ``eps`` defaults to the dtype's machine epsilon (as PyTorch)."""
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else \
        tuple(normalized_shape)
    k = len(normalized_shape)
    if tuple(input.shape[input.ndim - k:]) != normalized_shape:
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(str(s) for s in normalized_shape)}], but got input of size"
            f"{list(input.shape)}"
        )
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    axes = tuple(range(input.ndim - k, input.ndim))
    out = input * ew.rsqrt((input * input).mean(axes, keepdim=True) + eps)
    return out if weight is None else out * weight


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim``."""
    norm = input.norm(p, dim, keepdim=True)
    return input / ew.clamp(norm, min=eps)


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """Divide by ``(k + alpha * mean of x^2 over `size` neighbouring channels) ** beta``
    (AlexNet's normalisation); the window is zero-padded at the channel ends, as PyTorch's.

    Raises:
        ValueError: fewer than 3 dims.
    """
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.ndim} "
                         f"dimensions)")
    if input.numel() == 0:
        return input
    squares = input * input
    before, after = size // 2, (size - 1) // 2
    shape = tuple(input.shape)
    parts = []
    if before:
        parts.append(squares.new_zeros(shape[:1] + (before,) + shape[2:]))
    parts.append(squares)
    if after:
        parts.append(squares.new_zeros(shape[:1] + (after,) + shape[2:]))
    padded = cat(parts, 1) if len(parts) > 1 else squares
    window = None
    for offset in range(size):
        part = padded[:, offset:offset + shape[1]]
        window = part if window is None else window + part
    div = (window / size * alpha + k).pow(beta)
    return input / div

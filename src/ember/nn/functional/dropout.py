"""Functional dropout: elementwise (``dropout``) and channel-wise (``dropout1d``,
``dropout2d``); one keep-mask draw per call, applied by one fused op."""

from __future__ import annotations

import warnings

import numpy as np

from ... import _random
from ...ops import fused as nnops
from ...tensor import Tensor, inplace


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout_mask(shape: tuple, p: float, dtype) -> np.ndarray:
    """Keep-mask scaled by 1/(1-p) (all zeros when p == 1)."""
    if p == 1.0:
        return np.zeros(shape, dtype=dtype)
    keep = _random.rng().random(shape, dtype=np.float32) >= p
    return keep.astype(dtype) * dtype.type(1.0 / (1.0 - p))


def _apply_mask(input: Tensor, mask: np.ndarray, in_place: bool) -> Tensor:
    if in_place:
        return inplace(input, lambda x: nnops.MaskMul.apply(x, mask))
    return nnops.MaskMul.apply(input, mask)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
            ) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1/(1-p)``.

    Active whenever ``training`` is True, grad mode or not (as PyTorch).

    Raises:
        ValueError: ``p`` outside [0, 1].
    """
    _check_p(p)
    if not training or p == 0.0:
        return input
    return _apply_mask(input, _dropout_mask(input._data.shape, p, input._data.dtype), inplace)


def _channel_dropout(input: Tensor, p: float, training: bool, in_place: bool,
                     mask_shape: tuple) -> Tensor:
    _check_p(p)
    if not training or p == 0.0:
        return input
    # one draw per (sample, channel), broadcast over the spatial dims
    return _apply_mask(input, _dropout_mask(mask_shape, p, input._data.dtype), in_place)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
              ) -> Tensor:
    """Zero whole channels of (N, C, L) or unbatched (C, L) input.

    Raises:
        RuntimeError: input that is not 2-D or 3-D.
    """
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs)."
        )
    return _channel_dropout(input, p, training, inplace, input.shape[:-1] + (1,))


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
              ) -> Tensor:
    """Zero whole channels of (N, C, H, W) input.

    As PyTorch (with its warnings), 3-D input is read as (N, C, L) and other ranks as
    (N, C, ...): the mask always has one draw per (dim 0, dim 1) pair.
    """
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            UserWarning, stacklevel=2,
        )
    elif input.ndim != 4:
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and "
            "will result in an error in a future release. To retain the behavior and silence "
            "this warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 3D or 4D inputs).",
            UserWarning, stacklevel=2,
        )
    shape = input.shape[:2] + (1,) * (input.ndim - 2)
    return _channel_dropout(input, p, training, inplace, shape)

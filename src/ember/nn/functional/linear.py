"""Functional linear maps: ``linear`` (one fused op) and ``bilinear``."""

from __future__ import annotations

import numpy as np

from ...ops import fused as nnops
from ...tensor import Tensor
from ._args import dtype_name


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` (one fused op).

    Raises:
        RuntimeError: the last dim of ``input`` is not ``weight``'s in_features.
    """
    if input.shape[-1:] != weight.shape[-1:] or weight.ndim != 2:
        rows = int(np.prod(input.shape[:-1])) if input.ndim > 1 else 1
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{input.shape[-1]} and "
            f"{weight.shape[-1]}x{weight.shape[0]})"
        )
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(
            f"mat1 and mat2 must have the same dtype, but got {dtype_name(input)} and "
            f"{dtype_name(weight)}"
        )
    return nnops.Linear.apply(input, weight, bias)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None
             ) -> Tensor:
    """``y_k = input1^T weight[k] input2 + bias[k]``."""
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(
            f"bilinear(): input batch dimensions do not match: got {list(input1.shape[:-1])} "
            f"and {list(input2.shape[:-1])}"
        )
    if input1.shape[-1] != weight.shape[1] or input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(
            f"bilinear(): input sizes {input1.shape[-1]} and {input2.shape[-1]} do not match "
            f"weight {list(weight.shape)}"
        )
    return nnops.Bilinear.apply(input1, input2, weight, bias)

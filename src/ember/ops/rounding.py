"""Piecewise ops: ``abs``, ``sign``, rounding (``floor``, ``ceil``, ``trunc``, ``round``, ``frac``).

They keep the input's dtype. Rounding is piecewise constant: its gradient is zero everywhere, and
the result stays in the graph (as PyTorch).
"""

from __future__ import annotations

import numpy as np

from .. import _dtype
from .._core import Tensor
from ..autograd.function import Op
from ._util import const


class Abs(Op):
    """``|a|``; gradient ``sign(a)`` (0 at 0)."""

    ufunc = np.abs

    save_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        return np.abs(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * const(np.sign(a._data))


class ZeroGrad(Op):
    """Piecewise-constant functions (floor, ceil, round, sign): zero gradient everywhere."""

    def name(self) -> str:
        label = getattr(self.fn, "__name__", "")
        return (label.capitalize() if label.isidentifier() and label != "<lambda>" else
                "Round") + "Backward0"

    @staticmethod
    def forward(ctx, a, fn):
        ctx.fn = fn
        return fn(a)

    @staticmethod
    def backward(ctx, g):
        return const(np.zeros_like(g._data))  # not g * 0: an infinite g would give NaN


def abs(input) -> Tensor:  # noqa: A001
    """Elementwise absolute value, keeping the dtype; the gradient at 0 is 0."""
    _refuse(input, "abs_cpu")
    return Abs.apply(input)


absolute = abs


def sign(input) -> Tensor:
    """-1, 0 or 1 by the sign of each element, in ``input``'s dtype; its gradient is zero."""
    return ZeroGrad.apply(input, _sign)


def _sign(a):
    """``np.sign``, except that bool stays bool and NaN gives 0 (as PyTorch)."""
    if a.dtype.kind == "b":
        return a.copy()
    out = np.sign(a)
    return np.where(np.isnan(out), 0, out).astype(a.dtype, copy=False) if a.dtype.kind == "f" \
        else out


_sign.__name__ = "sign"  # the node is SignBackward0, as PyTorch's


def _refuse(input, kernel: str, kinds: str = "b") -> None:
    """NotImplementedError as PyTorch's CPU kernel ``kernel``, which has no version for the
    dtype kinds ``kinds`` (bool for the roundings, bool and integers for ``frac``)."""
    if input._data.dtype.kind in kinds:
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_dtype.scalar_type_name(input.dtype)}'")


def floor(input) -> Tensor:
    """Round down elementwise, keeping the dtype; the gradient is zero."""
    _refuse(input, "floor_vml_cpu")
    return ZeroGrad.apply(input, np.floor)


def ceil(input) -> Tensor:
    """Round up elementwise, keeping the dtype; the gradient is zero."""
    _refuse(input, "ceil_vml_cpu")
    return ZeroGrad.apply(input, np.ceil)


def trunc(input) -> Tensor:
    """Round toward zero elementwise, keeping the dtype; the gradient is zero."""
    _refuse(input, "trunc_vml_cpu")
    return ZeroGrad.apply(input, np.trunc)


def round(input, *, decimals: int = 0) -> Tensor:  # noqa: A001
    """Round to ``decimals`` places, halves to even (as PyTorch); the gradient is zero."""
    _refuse(input, "round_vml_cpu")
    if decimals == 0:
        return ZeroGrad.apply(input, np.round)
    return ZeroGrad.apply(input, lambda a: np.round(a, decimals))


def frac(input) -> Tensor:
    """The fractional part ``input - trunc(input)`` (negative for negative inputs)."""
    _refuse(input, "frac_cpu", "biu")
    return input - trunc(input)

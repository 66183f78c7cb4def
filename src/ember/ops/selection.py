"""Selection: ``where``, ``clamp``, ``maximum``/``minimum``, ``relu``, ``nan_to_num``.

Each output element is one of the inputs' elements (or a bound), so gradients are routed, never
scaled; masks are applied by selection (``where``), never by multiplying with 0.
"""

from __future__ import annotations

import numpy as np

from .._core import Tensor, _from_array
from .._promotion import result_type, scalar_as
from ..autograd.function import Op
from ._util import as_operand, broadcast_error, const, promote, require_tensors
from .arithmetic import _binary, mul_constant


class Clamp(Op):
    """``a`` limited to ``[lo, hi]``; the gradient passes where the bounds hold (inclusive)."""

    def name(self) -> str:
        return "ClampBackward1"

    @staticmethod
    def forward(ctx, a, lo, hi):
        out = np.clip(a, lo, hi) if a.dtype.kind != "f" or lo is None or hi is None else \
            np.minimum(np.maximum(a, lo), hi)
        if ctx.requires_grad:
            # the gradient passes where lo <= a <= hi (bounds inclusive, as PyTorch)
            mask = np.ones(a.shape, dtype=bool)
            if lo is not None:
                mask &= a >= lo
            if hi is not None:
                mask &= a <= hi
            ctx.mask = mask
        return out

    @staticmethod
    def backward(ctx, g):
        return mul_constant(g, ctx.mask), None, None


class ClampTensor(Op):
    """``a`` limited by tensor bounds (either may be None), routing the gradient as PyTorch.

    The input gets it where ``lo <= a <= hi``; ``lo`` where it lifted ``a`` and is below ``hi``;
    ``hi`` where it lowered ``a`` or undercut ``lo`` (``min > max`` gives ``max``).
    """

    def name(self) -> str:
        return "ClampBackward0"

    @staticmethod
    def forward(ctx, a, lo, hi):
        out = a if lo is None else np.maximum(a, lo)
        out = out if hi is None else np.minimum(out, hi)
        if ctx.requires_grad:
            keep = np.ones(out.shape, dtype=bool)
            if lo is not None:
                keep &= a >= lo
            if hi is not None:
                keep &= a <= hi
            to_lo = None if lo is None else (a < lo) if hi is None else (a < lo) & (lo < hi)
            to_hi = None if hi is None else (a > hi) if lo is None else (a > hi) | (hi < lo)
            ctx.masks = keep, to_lo, to_hi
        return out

    @staticmethod
    def backward(ctx, g):
        zero = const(np.zeros((), dtype=g._data.dtype))
        return tuple(where(const(mask), g, zero) if need and mask is not None else None
                     for mask, need in zip(ctx.masks, ctx.needs_input_grad))


class Maximum(Op):
    """Elementwise max; ties split the gradient equally."""

    ufunc = np.maximum

    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _split_tie(g, a._data > b._data, a._data == b._data, ctx.needs_input_grad)


class Minimum(Op):
    """Elementwise min; ties split the gradient equally."""

    ufunc = np.minimum

    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _split_tie(g, a._data < b._data, a._data == b._data, ctx.needs_input_grad)


def _split_tie(g, a_wins, tie, need):
    """Route the gradient to the winner; ties share it equally (as PyTorch)."""
    dt = g._data.dtype
    wa = a_wins.astype(dt) + tie.astype(dt) * 0.5
    ga = g * const(wa) if need[0] else None
    gb = g * const(1 - wa) if need[1] else None
    return ga, gb


class Where(Op):
    """``a`` where the constant ``cond`` holds, else ``b``."""

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.cond = cond
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        cond = ctx.cond
        need = ctx.needs_input_grad
        zero = np.zeros((), dtype=g._data.dtype)
        ga = where(const(cond), g, const(zero)) if need[1] else None
        gb = where(const(cond), const(zero), g) if need[2] else None
        return None, ga, gb


class Relu(Op):
    """``max(a, 0)``; gradient 0 at 0."""

    @staticmethod
    def forward(ctx, a):
        out = np.maximum(a, 0)
        if ctx.requires_grad:
            ctx.mask = out > 0
        return out

    @staticmethod
    def backward(ctx, g):
        return mul_constant(g, ctx.mask)


def relu(input) -> Tensor:
    """``max(input, 0)`` elementwise, keeping the dtype; the gradient at 0 is 0."""
    return Relu.apply(input)


def clamp(input, min=None, max=None) -> Tensor:  # noqa: A002
    """Limit each element to ``[min, max]`` (either bound may be None).

    Bounds may be scalars or tensors (tensors broadcast). A float bound makes an integer tensor
    float32. If ``min > max`` the result is ``max``. The gradient passes where the input lies
    within the bounds, ends included.

    Raises:
        RuntimeError: both ``min`` and ``max`` are None.
    """
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return _clamp_tensor(input, min, max)
    if isinstance(min, np.generic) or isinstance(max, np.generic):  # as Python scalars, so
        return clamp(input, _py(min), _py(max))  # NumPy does not promote float32 to float64
    if input._data.dtype.kind != "f" and (type(min) is float or type(max) is float):
        input = input.to(np.float32)
    return Clamp.apply(input, min, max)


def _clamp_tensor(input, lo, hi) -> Tensor:
    """``clamp`` with tensor bounds: one dtype for all three (promoted), one node."""
    lo = None if lo is None else lo if isinstance(lo, Tensor) else as_operand(lo)
    hi = None if hi is None else hi if isinstance(hi, Tensor) else as_operand(hi)
    for bound in (lo, hi):
        if bound is not None:
            input, _ = promote(input, bound)
    lo = None if lo is None else promote(input, lo)[1]
    hi = None if hi is None else promote(input, hi)[1]
    try:
        return ClampTensor.apply(input, lo, hi)
    except ValueError:
        raise broadcast_error(input, lo if hi is None else hi) from None


def _py(x):
    return x.item() if isinstance(x, np.generic) else x


clip = clamp


def clamp_min(input, min) -> Tensor:  # noqa: A002
    """``clamp(input, min=min)``."""
    return clamp(input, min=min)


def clamp_max(input, max) -> Tensor:  # noqa: A002
    """``clamp(input, max=max)``."""
    return clamp(input, max=max)


def maximum(input, other) -> Tensor:
    """Elementwise maximum of two tensors; on ties the gradient is split equally (as PyTorch).

    Raises:
        TypeError: a number instead of a tensor (use ``clamp`` for those, as in PyTorch).
    """
    require_tensors("maximum", input=input, other=other)
    return _binary(Maximum, input, other)


def minimum(input, other) -> Tensor:
    """Elementwise minimum of two tensors; on ties the gradient is split equally (as PyTorch).

    Raises:
        TypeError: a number instead of a tensor (use ``clamp`` for those, as in PyTorch).
    """
    require_tensors("minimum", input=input, other=other)
    return _binary(Minimum, input, other)


def where(condition, input=None, other=None) -> Tensor:
    """Pick ``input`` where ``condition`` holds and ``other`` elsewhere, broadcasting all three.

    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``. A non-bool condition is
    tested for nonzero. ``input`` and ``other`` promote as any binary op's operands
    (``ember._promotion``); two numbers give float32, int64 or bool.

    Raises:
        RuntimeError: shapes that do not broadcast.
    """
    if input is None and other is None:  # nonzero(condition, as_tuple=True)
        cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
        return tuple(_from_array(i.astype(np.int64)) for i in np.nonzero(cond))
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        cond = cond.astype(bool)
    input, other = promote(input, other)
    dt = result_type(input, other)  # numbers become 0-d arrays of the promoted dtype
    input = input if isinstance(input, Tensor) else scalar_as(input, dt)
    other = other if isinstance(other, Tensor) else scalar_as(other, dt)
    try:
        return Where.apply(cond, input, other)
    except ValueError:
        shapes = [np.shape(cond), np.shape(_data_of(input)), np.shape(_data_of(other))]
        a, b = _clash(shapes)
        raise broadcast_error(_from_array(np.empty(a)), _from_array(np.empty(b))) from None


def _data_of(x):
    return x._data if isinstance(x, Tensor) else x


def _clash(shapes: list) -> tuple:
    """Two of ``shapes`` that do not broadcast together."""
    for i, a in enumerate(shapes):
        for b in shapes[i + 1:]:
            try:
                np.broadcast_shapes(a, b)
            except ValueError:
                return a, b
    return shapes[0], shapes[1]


def nan_to_num(input, nan: float = 0.0, posinf=None, neginf=None) -> Tensor:
    """Replace nan, +inf and -inf in a float tensor; integer tensors are returned as a copy.

    Args:
        input: the tensor.
        nan: the value for nan.
        posinf: the value for +inf; the dtype's largest finite value if None.
        neginf: the value for -inf; the dtype's lowest finite value if None.
    """
    info = np.finfo(input._data.dtype) if input._data.dtype.kind == "f" else None
    if info is None:
        return input.clone()
    hi = info.max if posinf is None else posinf
    lo = info.min if neginf is None else neginf
    a = input._data
    out = where(_from_array(np.isnan(a)), nan, input)
    out = where(_from_array(np.isposinf(a)), hi, out)
    return where(_from_array(np.isneginf(a)), lo, out)


def fmax(input, other) -> Tensor:
    """Elementwise maximum ignoring NaN (NaN only where both are NaN); ties go to ``input``."""
    require_tensors("fmax", input=input, other=other)  # numbers are a TypeError (as PyTorch)
    input, other = promote(input, other)
    take_input = (input._data >= other._data) | np.isnan(other._data)
    return where(const(take_input), input, other)


def fmin(input, other) -> Tensor:
    """Elementwise minimum ignoring NaN (NaN only where both are NaN); ties go to ``input``."""
    require_tensors("fmin", input=input, other=other)  # numbers are a TypeError (as PyTorch)
    input, other = promote(input, other)
    take_input = (input._data <= other._data) | np.isnan(other._data)
    return where(const(take_input), input, other)


def heaviside(input, values) -> Tensor:
    """The step function: 0 below zero, 1 above, ``values`` at zero. Not differentiable.

    Raises:
        RuntimeError: operands of different dtypes (as PyTorch).
    """
    if input._data.dtype != values._data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes")
    return _from_array(np.asarray(np.heaviside(input._data, values._data), input._data.dtype))

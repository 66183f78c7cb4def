"""Arithmetic: ``+ - * /``, ``**`` aside (see ``transcendental``), remainders and their fused forms.

Operands are promoted as PyTorch promotes them (``_binary``); each backward is one line of ember
ops, so it is itself differentiable (``create_graph``). Broadcasting is undone by the engine.
"""

from __future__ import annotations

import numpy as np

from .._core import Tensor, _from_array
from .._dtype import is_float_np
from ..autograd.function import Op
from ._util import as_operand, broadcast_error, floating, promote, write_out


class Add(Op):
    """``a + b``; broadcasting is undone by the engine."""

    ufunc = np.add

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Op):
    """``a - b``."""

    ufunc = np.subtract

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)


class Mul(Op):
    """``a * b``."""

    ufunc = np.multiply

    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (g * b if need[0] else None), (g * a if need[1] else None)


class Div(Op):
    """``a / b``."""

    ufunc = np.true_divide

    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = g / b if need[0] else None
        gb = -g * a / (b * b) if need[1] else None
        return ga, gb


class Neg(Op):
    """``-a``."""

    ufunc = np.negative

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, g):
        return -g


class Remainder(Op):
    """``a mod b`` with the sign of ``b`` (Python's ``%``); d/db is ``-floor(a / b)``."""

    @staticmethod
    def forward(ctx, a, b):
        out = np.asarray(np.mod(a, b))
        if ctx.requires_grad:
            ctx.quotient = np.floor_divide(a, b)  # piecewise constant: its own gradient is 0
        return out.astype(a.dtype, copy=False) if is_float_np(a.dtype) else out

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        return (g if need[0] else None), (mul_constant(-g, ctx.quotient) if need[1] else None)


class Fmod(Op):
    """``a mod b`` with the sign of ``a`` (C's fmod); d/db is ``-trunc(a / b)``."""

    @staticmethod
    def forward(ctx, a, b):
        out = np.asarray(np.fmod(a, b))
        if ctx.requires_grad:
            ctx.quotient = np.trunc(np.true_divide(a, b))
        return out.astype(a.dtype, copy=False) if is_float_np(a.dtype) else out

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        return (g if need[0] else None), (mul_constant(-g, ctx.quotient) if need[1] else None)


class RoundedDiv(Op):
    """``a / b`` rounded by ``fn`` (floor or trunc): piecewise constant, so zero gradients
    (PyTorch keeps the result in the graph the same way)."""

    def name(self) -> str:
        return "DivBackward2"  # torch's name for div with rounding_mode

    @staticmethod
    def forward(ctx, a, b, fn):
        out = np.asarray(fn(a, b))
        if out.dtype != a.dtype and is_float_np(a.dtype):
            out = out.astype(a.dtype, copy=False)
        return out

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        return (g * 0 if need[0] else None), (g * 0 if need[1] else None)


def mul_constant(g: Tensor, arr: np.ndarray) -> Tensor:
    """``g * arr`` for a constant array (e.g. a bool mask): NumPy multiplies it in one pass,
    with no Tensor or float copy made of the mask first; still differentiable in ``g``."""
    return Mul.apply(g, arr)


def _binary(op, a, b):
    if type(b) is Tensor and type(a) is Tensor and a._data.dtype is b._data.dtype:
        try:
            return op.apply(a, b)  # the common case: no promotion to apply
        except ValueError:
            raise broadcast_error(a, b) from None
    if not isinstance(a, Tensor):
        a = as_operand(a)
    a, b = promote(a, b)
    try:
        return op.apply(a, b)
    except ValueError:
        raise broadcast_error(a, b) from None


def add(input, other, *, alpha=1, out=None) -> Tensor:
    """``input + alpha * other``, broadcasting and promoting dtypes as PyTorch.

    Args:
        input: a tensor or scalar.
        other: a tensor or scalar.
        alpha: multiplier applied to ``other`` first.
        out: a tensor to write the result into (see ``ops._util.write_out``).

    Raises:
        RuntimeError: shapes that do not broadcast.
    """
    if type(other) is Tensor and type(input) is Tensor and alpha == 1 and out is None and \
            input._data.dtype is other._data.dtype:
        try:  # the operator's common case, kept to one call
            return Add.apply(input, other)
        except ValueError:
            raise broadcast_error(input, other) from None
    if alpha != 1:
        other = other * alpha
    result = _binary(Add, input, other)
    return result if out is None else write_out(result, out)


def sub(input, other, *, alpha=1, out=None) -> Tensor:
    """``input - alpha * other``, broadcasting and promoting dtypes as PyTorch.

    Args:
        input: a tensor or scalar.
        other: a tensor or scalar.
        alpha: multiplier applied to ``other`` first.
        out: a tensor to write the result into (see ``ops._util.write_out``).

    Raises:
        RuntimeError: a bool operand (use ``~`` / ``logical_not`` for masks), or shapes that do
            not broadcast.
    """
    if _is_bool(input) or _is_bool(other):
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    if alpha != 1:
        other = other * alpha
    result = _binary(Sub, input, other)
    return result if out is None else write_out(result, out)


subtract = sub


def _is_bool(x) -> bool:
    return type(x) is bool or isinstance(x, Tensor) and x._data.dtype == np.bool_


def mul(input, other, *, out=None) -> Tensor:
    """Elementwise product with broadcasting and PyTorch's dtype promotion (and ``out=``).

    Raises:
        RuntimeError: shapes that do not broadcast.
    """
    if type(other) is Tensor and type(input) is Tensor and out is None and \
            input._data.dtype is other._data.dtype:
        try:  # the operator's common case, kept to one call
            return Mul.apply(input, other)
        except ValueError:
            raise broadcast_error(input, other) from None
    result = _binary(Mul, input, other)
    return result if out is None else write_out(result, out)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None) -> Tensor:
    """Elementwise ``input / other``, optionally rounded.

    Without ``rounding_mode`` this is true division: two integer operands give float32. With
    ``"floor"`` or ``"trunc"`` the quotient keeps the promoted dtype (integer division for
    integers); like PyTorch, the rounded result stays in the graph with a zero gradient.

    Args:
        input: a tensor or scalar.
        other: a tensor or scalar.
        rounding_mode: None, ``"floor"`` or ``"trunc"``.
        out: a tensor to write the result into (see ``ops._util.write_out``).

    Raises:
        RuntimeError: any other ``rounding_mode``, or shapes that do not broadcast.
    """
    return write_out(_div(input, other, rounding_mode), out)


def _div(input, other, rounding_mode) -> Tensor:
    """``div`` without ``out=``."""
    if rounding_mode is not None:
        if rounding_mode not in ("floor", "trunc"):
            raise RuntimeError(
                "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                f"'{rounding_mode}'"
            )
        if not isinstance(input, Tensor):  # scalar // tensor: the tensor decides the dtype
            other, _ = promote(other, input)
            input = _from_array(np.asarray(input, dtype=other._data.dtype))
        a, b = promote(input, other)
        fn = np.floor_divide if rounding_mode == "floor" else _trunc_div
        return RoundedDiv.apply(a, b, fn=fn)
    if not isinstance(input, Tensor):
        input = as_operand(input)
    if not is_float_np(input._data.dtype) and (
        not isinstance(other, Tensor) or not is_float_np(other._data.dtype)
    ):
        input = input.to(np.float32)  # true division of integers gives the default float
    return _binary(Div, input, other)


def _trunc_div(a, b):
    q = np.trunc(np.true_divide(a, b))
    return q.astype(np.result_type(a, b)) if np.result_type(a, b).kind in "iu" else q


divide = true_divide = div


def neg(input) -> Tensor:
    """``-input``."""
    return Neg.apply(input)


negative = neg


def positive(input) -> Tensor:
    """``+input``: ``input`` itself (as PyTorch, no copy)."""
    return input


def remainder(input, other) -> Tensor:
    """Remainder with the sign of the divisor (Python's ``%``); differentiable in both operands."""
    return _binary(Remainder, input, other)


def fmod(input, other) -> Tensor:
    """Remainder with the sign of the dividend (C's fmod); differentiable in both operands."""
    return _binary(Fmod, input, other)


def floor_divide(input, other) -> Tensor:
    """``div(input, other, rounding_mode="floor")``: rounds toward -inf, not zero."""
    return div(input, other, rounding_mode="floor")


def reciprocal(input) -> Tensor:
    """Elementwise ``1 / input``. Integer input gives float32."""
    x = floating(input)
    return Div.apply(np.ones((), dtype=x._data.dtype), x)


def square(input) -> Tensor:
    """``input * input``, keeping the dtype."""
    return Mul.apply(input, input)


def lerp(input, end, weight) -> Tensor:
    """Linear interpolation ``input + weight * (end - input)``; ``weight`` may be a tensor."""
    return input + weight * (end - input)


def addcmul(input, tensor1, tensor2, *, value=1) -> Tensor:
    """``input + value * tensor1 * tensor2`` (optimizer-style updates)."""
    return add(input, mul(tensor1, tensor2) * value if value != 1 else mul(tensor1, tensor2))


def addcdiv(input, tensor1, tensor2, *, value=1) -> Tensor:
    """``input + value * tensor1 / tensor2``."""
    return add(input, div(tensor1, tensor2) * value if value != 1 else div(tensor1, tensor2))


def _integer_pair(name: str, input, other):
    a = input._data
    b = other._data if isinstance(other, Tensor) else np.asarray(other)
    kind = np.result_type(a, b)
    if kind.kind not in "iu":  # the promoted dtype names the missing kernel (as PyTorch)
        label = {"b": "Bool", "f": "Float", "c": "ComplexFloat"}.get(kind.kind, str(kind))
        if kind == np.float64:
            label = "Double"
        elif kind == np.float16:
            label = "Half"
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'{label}\'')
    return a, b


def gcd(input, other) -> Tensor:
    """Elementwise greatest common divisor of integer tensors (non-negative)."""
    a, b = _integer_pair("gcd", input, other)
    return _from_array(np.asarray(np.gcd(a, b)).astype(np.result_type(a, b)))


def lcm(input, other) -> Tensor:
    """Elementwise least common multiple of integer tensors (non-negative)."""
    a, b = _integer_pair("lcm", input, other)
    return _from_array(np.asarray(np.lcm(a, b)).astype(np.result_type(a, b)))

"""Arithmetic: ``+ - * /``, ``**`` aside (see ``transcendental``), remainders and their fused forms.

Operands are promoted as PyTorch promotes them (``_binary``); each backward is one line of ember
ops, so it is itself differentiable (``create_graph``). Broadcasting is undone by the engine.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype
from .._core import Tensor, _from_array
from .._dtype import is_float_np
from ..autograd.function import Op
from ._util import (
    broadcast_error,
    const,
    floating,
    in_dtype,
    promote,
    require_tensors,
    tensor_operand,
    write_out,
)


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
    saved_for = ((1,), (0,))  # d/da reads b, d/db reads a

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
    saved_for = ((1,), (0, 1))  # d/da = 1/b; d/db = -a/b^2

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
        out = np.asarray(_remainder(a, b))
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
        zero = const(np.zeros_like(g._data))  # not g * 0: an infinite g would give NaN
        return (zero if need[0] else None), (zero if need[1] else None)


class FloorDivide(RoundedDiv):
    """``floor_divide`` / ``//``: recorded, but PyTorch defines no derivative for it."""

    def name(self) -> str:
        return "FloorDivideBackward0"

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


def _remainder(a, b):
    """PyTorch's remainder: ``fmod`` moved to the divisor's sign. Unlike ``np.mod`` it keeps a
    finite dividend against an infinite divisor, and fmod's signed zero."""
    if np.result_type(a, b).kind != "f":
        return np.mod(a, b)
    m = np.fmod(a, b)
    fix = (m != 0) & ((np.asarray(b) < 0) != (m < 0))
    return np.where(fix, m + b, m)


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
    a, b = promote(a, b)
    a = tensor_operand(a, b)  # a number first (2 - t): a constant 0-d tensor of b's dtype
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
        RuntimeError: shapes that do not broadcast, or a float ``alpha`` with integer operands.
    """
    if type(other) is Tensor and type(input) is Tensor and alpha == 1 and out is None and \
            input._data.dtype is other._data.dtype:
        try:  # the operator's common case, kept to one call
            return Add.apply(input, other)
        except ValueError:
            raise broadcast_error(input, other) from None
    if alpha != 1:
        input, other = _scaled(input, other, alpha)
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
        input, other = _scaled(input, other, alpha)
    result = _binary(Sub, input, other)
    return result if out is None else write_out(result, out)


subtract = sub


def _scaled(input, other, alpha):
    """``input`` and ``alpha * other``, scaled in the promoted dtype (uint8 + 2 * uint8 is
    computed in uint8 only when both are uint8; alpha is True for bool tensors)."""
    input, other = promote(input, other)
    if isinstance(alpha, float) and not _is_floating(input) and not _is_floating(other):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    if isinstance(other, Tensor):
        alpha = in_dtype(alpha, other._data.dtype)
    return input, other * alpha


def _is_floating(x) -> bool:
    return isinstance(x, float) or isinstance(x, Tensor) and x._data.dtype.kind == "f"


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


def _div(input, other, rounding_mode, op=RoundedDiv) -> Tensor:
    """``div`` without ``out=``."""
    if rounding_mode is None:
        a, b = promote(input, other, floating=True)  # integers divide to the default float
        return _binary(Div, a, b)
    if rounding_mode not in ("floor", "trunc"):
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    a, b = promote(input, other)
    a = tensor_operand(a, b)
    if a._data.dtype.kind in "iub":
        _check_integer_divisor(a, b)
    fn = np.floor_divide if rounding_mode == "floor" else _trunc_div
    return op.apply(a, b, fn=fn)


def _check_integer_divisor(a: Tensor, b) -> None:
    """Integer division by zero raises (as PyTorch) instead of NumPy's silent 0; an empty
    result divides nothing, so it does not."""
    data = b._data if isinstance(b, Tensor) else b
    if not np.all(data) and np.empty(np.broadcast_shapes(a._data.shape, np.shape(data))).size:
        raise RuntimeError("ZeroDivisionError")


def _trunc_div(a, b):
    if np.result_type(a, b).kind in "iu":
        # exact in integers (through float64, large int64 values would round)
        q = np.floor_divide(a, b)
        inexact_negative = (q * b != a) & ((np.asarray(a) < 0) != (np.asarray(b) < 0))
        return np.where(inexact_negative, q + 1, q).astype(q.dtype, copy=False)
    return np.trunc(np.true_divide(a, b))


divide = true_divide = div


def neg(input) -> Tensor:
    """``-input``.

    Raises:
        RuntimeError: a bool tensor (use ``~`` or ``logical_not`` to invert a mask).
    """
    if input._data.dtype == np.bool_:
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
            "invert a mask, use the `~` or `logical_not()` operator instead.")
    return Neg.apply(input)


negative = neg


def positive(input) -> Tensor:
    """``+input``: ``input`` itself (as PyTorch, no copy)."""
    return input


def remainder(input, other) -> Tensor:
    """Remainder with the sign of the divisor (Python's ``%``); differentiable in both operands.

    Raises:
        RuntimeError: integer division by zero.
    """
    return _modulo(Remainder, input, other)


def fmod(input, other) -> Tensor:
    """Remainder with the sign of the dividend (C's fmod); differentiable in both operands.

    Raises:
        RuntimeError: integer division by zero.
    """
    return _modulo(Fmod, input, other)


def _modulo(op, input, other) -> Tensor:
    a, b = promote(input, other)
    a = tensor_operand(a, b)
    if a._data.dtype.kind in "iub":
        _check_integer_divisor(a, b)
    return _binary(op, a, b)


def floor_divide(input, other) -> Tensor:
    """``div(input, other, rounding_mode="floor")`` (toward -inf), but, as PyTorch's
    ``floor_divide``, without a derivative: backward through it raises."""
    return _div(input, other, "floor", FloorDivide)


def reciprocal(input) -> Tensor:
    """Elementwise ``1 / input``. Integer input gives float32."""
    x = floating(input)
    return Div.apply(np.ones((), dtype=x._data.dtype), x)


def square(input) -> Tensor:
    """``input * input`` in ``pow(input, 2)``'s dtype (bool gives int64)."""
    (x, _) = promote(input, 2)
    return Mul.apply(x, x)


def lerp(input, end, weight) -> Tensor:
    """Linear interpolation ``input + weight * (end - input)``; ``weight`` may be a tensor.

    Raises:
        TypeError: ``end`` is not a tensor.
        RuntimeError: ``end`` (or a tensor ``weight``) of another dtype than ``input``.
        NotImplementedError: integer tensors (PyTorch's kernel is floating-only).
    """
    require_tensors("lerp", input=input, end=end)
    for name, t in (("end", end), ("weight", weight)):
        if isinstance(t, Tensor) and t._data.dtype != input._data.dtype:
            raise RuntimeError(f"expected dtype {_dtype.from_numpy_dtype(input._data.dtype).name} "
                               f"for `{name}` but got dtype {t.dtype.name}")
    if input._data.dtype.kind != "f":
        raise NotImplementedError("\"lerp_kernel_scalar\" not implemented for "
                                  f"'{_dtype.scalar_type_name(input.dtype)}'")
    return input + weight * (end - input)


def addcmul(input, tensor1, tensor2, *, value=1) -> Tensor:
    """``input + value * tensor1 * tensor2`` (optimizer-style updates)."""
    require_tensors("addcmul", input=input, tensor1=tensor1, tensor2=tensor2)
    input, tensor1, tensor2 = promote(input, tensor1, tensor2)  # all three decide the dtype
    return add(input, mul(tensor1, tensor2) * value if value != 1 else mul(tensor1, tensor2))


def addcdiv(input, tensor1, tensor2, *, value=1) -> Tensor:
    """``input + value * tensor1 / tensor2``."""
    require_tensors("addcdiv", input=input, tensor1=tensor1, tensor2=tensor2)
    input, tensor1, tensor2 = promote(input, tensor1, tensor2)
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

"""Elementwise ops: arithmetic, transcendental functions, activations, clamping, selection.

Each backward is one line of ember ops on the saved inputs/output, so it is itself
differentiable (create_graph). Broadcasting is undone by the engine, not here.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype
from .._promotion import result_type, scalar_as
from ..autograd.function import Op
from ..tensor import Tensor, _from_array
from ._util import as_operand, const, in_dtype, promote, require_tensors, tensor_operand, write_out

# ======================================================================== arithmetic


class Add(Op):
    """``a + b``; broadcasting is undone by the engine."""

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Op):
    """``a - b``."""

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)


class Mul(Op):
    """``a * b``."""

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

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, g):
        return -g


class Pow(Op):
    """``a ** b`` for a tensor or scalar exponent."""

    def name(self) -> str:  # 0: tensor ** scalar, 1: tensor ** tensor, 2: scalar ** tensor
        # from the saved operands: a constant tensor operand records no shape in Op.apply
        tensors = [isinstance(t, Tensor) for t, _ in getattr(self, "_saved", None) or ()] or [
            True, False]
        return "PowBackward" + ("0" if not tensors[1] else "1" if tensors[0] else "2")

    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return _power(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = gb = None
        if need[0]:
            if isinstance(b, Tensor):
                ga = g * b * a ** (b - 1)
            else:
                ga = g * b * a ** (b - 1) if b != 0 else const(np.zeros_like(g._data))
        if need[1]:
            base = a if isinstance(a, Tensor) else const(np.asarray(a, dtype=b._data.dtype))
            # d(a^b)/db = a^b log a, taken as 0 where a == 0 and b >= 0 (as PyTorch)
            zero = (base._data == 0) & (b._data >= 0)
            safe_log = log(where(const(zero), ones_like_const(base), base))
            gb = where(const(zero), const(np.zeros((), g._data.dtype)), g * base**b * safe_log)
        return ga, gb


def ones_like_const(t: Tensor) -> Tensor:
    """A constant (never requiring grad) tensor of ones shaped like ``t``."""
    return const(np.ones_like(t._data))


class Cast(Op):
    """``a.astype(dtype)``; only float results carry a gradient, cast back to the source dtype."""

    def name(self) -> str:
        return "ToCopyBackward0"  # PyTorch's name for the node of .to(dtype)

    @classmethod
    def apply(cls, a, dtype):
        if np.dtype(dtype).kind != "f":
            return _CastOut.apply(a, dtype=dtype)  # integer/bool results carry no gradient
        return super().apply(a, dtype=dtype)

    @staticmethod
    def forward(ctx, a, dtype):
        ctx.src = a.dtype
        return _astype(a, dtype)

    @staticmethod
    def backward(ctx, g):
        return g.to(ctx.src) if ctx.src.kind == "f" else None


class _CastOut(Op):
    differentiable = False

    @staticmethod
    def forward(ctx, a, dtype):
        return _astype(a, dtype)


def _astype(a: np.ndarray, dtype) -> np.ndarray:
    """A cast that keeps a dense layout, but makes an expanded (stride-0) array contiguous, as
    PyTorch's ``.to`` does (NumPy's "K" order would invent strides no view can follow)."""
    return a.astype(dtype, order="C" if 0 in a.strides else "K")


class Clone(Op):
    """A copy of ``a``; the gradient passes through."""

    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, g):
        return g


# ======================================================================== unary math


class Exp(Op):
    """``exp(a)``."""

    save_output = True

    @staticmethod
    def forward(ctx, a):
        return np.exp(a)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out


class Log(Op):
    """``log(a)``."""

    save_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        return np.log(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / a


class Log1p(Op):
    """``log(1 + a)``."""

    def name(self) -> str:
        return "Log1PBackward0"

    save_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        return np.log1p(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a + 1)


class Expm1(Op):
    """``exp(a) - 1``."""

    save_output = True

    @staticmethod
    def forward(ctx, a):
        return np.expm1(a)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (out + 1)


class Sqrt(Op):
    """``sqrt(a)``."""

    save_output = True

    @staticmethod
    def forward(ctx, a):
        return np.sqrt(a)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g / (out * 2)


class Rsqrt(Op):
    """``1 / sqrt(a)``."""

    save_output = True

    @staticmethod
    def forward(ctx, a):
        return 1 / np.sqrt(a)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out * out * out * -0.5


class Abs(Op):
    """``|a|``; gradient ``sign(a)`` (0 at 0)."""

    save_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        return np.abs(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * const(np.sign(a._data))


class Sin(Op):
    """``sin(a)``."""

    save_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        return np.sin(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * cos(a)


class Cos(Op):
    """``cos(a)``."""

    save_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        return np.cos(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return -g * sin(a)


class Tan(Op):
    """``tan(a)``."""

    save_output = True

    @staticmethod
    def forward(ctx, a):
        return np.tan(a)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (out * out + 1)


class Tanh(Op):
    """``tanh(a)``."""

    save_output = True

    @staticmethod
    def forward(ctx, a):
        return np.tanh(a)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (1 - out * out)


class Sigmoid(Op):
    """``1 / (1 + exp(-a))``, overflow-free."""

    save_output = True

    @staticmethod
    def forward(ctx, a):
        # exp(-log(1 + e^-x)) never overflows, for any sign of x
        return np.exp(-np.logaddexp(0, -a)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out * (1 - out)


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


def mul_constant(g: Tensor, arr: np.ndarray) -> Tensor:
    """``g * arr`` for a constant array (e.g. a bool mask): NumPy multiplies it in one pass,
    with no Tensor or float copy made of the mask first; still differentiable in ``g``."""
    return Mul.apply(g, arr)


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


class RoundedDiv(Op):
    """``a / b`` rounded by ``fn`` (floor or trunc): piecewise constant, so zero gradients
    (PyTorch keeps the result in the graph the same way)."""

    def name(self) -> str:
        return "DivBackward2"  # torch's name for div with rounding_mode

    @staticmethod
    def forward(ctx, a, b, fn):
        out = np.asarray(fn(a, b))
        if out.dtype != a.dtype and a.dtype.kind == "f":
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


class Maximum(Op):
    """Elementwise max; ties split the gradient equally."""

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


# ======================================================================== public functions


def _binary(op, a, b):
    if type(b) is Tensor and type(a) is Tensor and a._data.dtype is b._data.dtype:
        try:
            return op.apply(a, b)  # the common case: no promotion to apply
        except ValueError:
            raise _broadcast_error(a, b) from None
    a, b = promote(a, b)
    a = tensor_operand(a, b)  # a number first (2 - t): a constant 0-d tensor of b's dtype
    try:
        return op.apply(a, b)
    except ValueError:
        raise _broadcast_error(a, b) from None


def _broadcast_error(a, b) -> RuntimeError:
    """PyTorch's message for operands whose shapes do not broadcast."""
    sa = np.shape(a._data if isinstance(a, Tensor) else a)
    sb = np.shape(b._data if isinstance(b, Tensor) else b)
    n = max(len(sa), len(sb))
    pa, pb = (1,) * (n - len(sa)) + sa, (1,) * (n - len(sb)) + sb
    for d in range(n - 1, -1, -1):
        if pa[d] != pb[d] and pa[d] != 1 and pb[d] != 1:
            return RuntimeError(
                f"The size of tensor a ({pa[d]}) must match the size of tensor b ({pb[d]}) at "
                f"non-singleton dimension {d}"
            )
    return RuntimeError(f"shapes {tuple(sa)} and {tuple(sb)} cannot be broadcast together")


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
    if alpha != 1:
        input, other = _scaled(input, other, alpha)
    return write_out(_binary(Add, input, other), out)


def _scaled(input, other, alpha):
    """``input`` and ``alpha * other``, scaled in the promoted dtype (uint8 + 2 * uint8 is
    computed in uint8 only when both are uint8)."""
    input, other = promote(input, other)
    if isinstance(alpha, float) and not _is_floating(input) and not _is_floating(other):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    if isinstance(other, Tensor):  # alpha takes the result dtype (True for bool tensors)
        alpha = in_dtype(alpha, other._data.dtype)
    return input, other * alpha


def _is_floating(x) -> bool:
    return isinstance(x, float) or isinstance(x, Tensor) and x._data.dtype.kind == "f"


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
    return write_out(_binary(Sub, input, other), out)


subtract = sub


def _is_bool(x) -> bool:
    return type(x) is bool or isinstance(x, Tensor) and x._data.dtype == np.bool_


def mul(input, other, *, out=None) -> Tensor:
    """Elementwise product with broadcasting and PyTorch's dtype promotion (and ``out=``).

    Raises:
        RuntimeError: shapes that do not broadcast.
    """
    return write_out(_binary(Mul, input, other), out)


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
        _check_integer_divisor(b)
    fn = np.floor_divide if rounding_mode == "floor" else _trunc_div
    return op.apply(a, b, fn=fn)


def _check_integer_divisor(b) -> None:
    """Integer division by zero raises (as PyTorch) instead of NumPy's silent 0."""
    data = b._data if isinstance(b, Tensor) else b
    if not np.all(data):
        raise RuntimeError("ZeroDivisionError")


def _trunc_div(a, b):
    if np.result_type(a, b).kind in "iu":
        # exact in integers (through float64, large int64 values would round)
        q = np.floor_divide(a, b)
        inexact_negative = (q * b != a) & ((np.asarray(a) < 0) != (np.asarray(b) < 0))
        return np.where(inexact_negative, q + 1, q).astype(q.dtype, copy=False)
    return np.trunc(np.true_divide(a, b))


divide = true_divide = div


def pow(input, exponent) -> Tensor:  # noqa: A001 - PyTorch's name
    """``input ** exponent`` in the promoted dtype (``2 ** int_tensor`` stays integer,
    ``2.5 ** int_tensor`` is float32, ``int_tensor ** 0.5`` is float32).

    Integer tensors raised to negative integer tensors follow PyTorch: 1 and -1 keep their
    magnitude, other bases give 0.

    Raises:
        RuntimeError: an integer tensor raised to a negative integer scalar, or shapes that do
            not broadcast.
    """
    base, exp_ = promote(input, exponent)
    if isinstance(exp_, Tensor) and exp_._data.dtype == np.bool_:
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    if not isinstance(exp_, Tensor) and not isinstance(exp_, bool) and exp_ < 0 and \
            base._data.dtype.kind in "iu":
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    try:
        return Pow.apply(base, exp_)
    except ValueError:
        raise _broadcast_error(base, exp_) from None


def _power(a, b):
    """``np.power`` with PyTorch's integer results for negative exponents (NumPy raises)."""
    if np.asarray(a).dtype == np.bool_ and np.asarray(b).dtype == np.bool_:
        return np.logical_or(a, np.logical_not(b))  # bool ** bool stays bool: x**False is True
    b_arr = np.asarray(b)
    if b_arr.dtype.kind not in "iu" or np.asarray(a).dtype.kind not in "iub" or \
            not (b_arr < 0).any():
        return np.power(a, b)
    neg = b_arr < 0
    out = np.power(a, np.where(neg, 0, b_arr).astype(b_arr.dtype))
    odd = (b_arr % 2) != 0
    inverse = np.where(a == 1, 1, np.where(a == -1, np.where(odd, -1, 1), 0))
    return np.where(neg, inverse, out).astype(out.dtype, copy=False)


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


def exp(input) -> Tensor:
    """Elementwise ``e ** input``. Integer input gives float32."""
    return Exp.apply(_floating(input))


def log(input) -> Tensor:
    """Elementwise natural logarithm (nan below 0, -inf at 0). Integer input gives float32."""
    return Log.apply(_floating(input))


def log1p(input) -> Tensor:
    """``log(1 + input)``, accurate for small inputs. Integer input gives float32."""
    return Log1p.apply(_floating(input))


def expm1(input) -> Tensor:
    """``exp(input) - 1``, accurate for small inputs. Integer input gives float32."""
    return Expm1.apply(_floating(input))


def sqrt(input) -> Tensor:
    """Elementwise square root (nan for negative inputs). Integer input gives float32."""
    return Sqrt.apply(_floating(input))


def rsqrt(input) -> Tensor:
    """Elementwise ``1 / sqrt(input)``. Integer input gives float32."""
    return Rsqrt.apply(_floating(input))


def abs(input) -> Tensor:  # noqa: A001
    """Elementwise absolute value, keeping the dtype; the gradient at 0 is 0."""
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


def sin(input) -> Tensor:
    """Elementwise sine. Integer input gives float32."""
    return Sin.apply(_floating(input))


def cos(input) -> Tensor:
    """Elementwise cosine. Integer input gives float32."""
    return Cos.apply(_floating(input))


def tan(input) -> Tensor:
    """Elementwise tangent. Integer input gives float32."""
    return Tan.apply(_floating(input))


def tanh(input) -> Tensor:
    """Elementwise hyperbolic tangent. Integer input gives float32."""
    return Tanh.apply(_floating(input))


def sigmoid(input) -> Tensor:
    """``1 / (1 + exp(-input))``, computed so it never overflows. Integer input gives float32."""
    return Sigmoid.apply(_floating(input))


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
        out = input
        if min is not None:
            out = maximum(out, min if isinstance(min, Tensor) else as_operand(min))
        if max is not None:
            out = minimum(out, max if isinstance(max, Tensor) else as_operand(max))
        return out
    if isinstance(min, np.generic) or isinstance(max, np.generic):  # as Python scalars, so
        return clamp(input, _py(min), _py(max))  # NumPy does not promote float32 to float64
    if input._data.dtype.kind != "f" and (type(min) is float or type(max) is float):
        input = input.to(np.float32)
    return Clamp.apply(input, min, max)


def _py(x):
    return x.item() if isinstance(x, np.generic) else x


clip = clamp


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
    if input is None and other is None:
        from .indexing import nonzero

        return nonzero(condition, as_tuple=True)
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
        raise _broadcast_error(_from_array(np.empty(a)), _from_array(np.empty(b))) from None


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


def floor(input) -> Tensor:
    """Round down elementwise, keeping the dtype; the gradient is zero."""
    return ZeroGrad.apply(input, np.floor)


def ceil(input) -> Tensor:
    """Round up elementwise, keeping the dtype; the gradient is zero."""
    return ZeroGrad.apply(input, np.ceil)


def trunc(input) -> Tensor:
    """Round toward zero elementwise, keeping the dtype; the gradient is zero."""
    return ZeroGrad.apply(input, np.trunc)


def round(input, *, decimals: int = 0) -> Tensor:  # noqa: A001
    """Round to ``decimals`` places, halves to even (as PyTorch); the gradient is zero."""
    if decimals == 0:
        return ZeroGrad.apply(input, np.round)
    return ZeroGrad.apply(input, lambda a: np.round(a, decimals))


def reciprocal(input) -> Tensor:
    """Elementwise ``1 / input``. Integer input gives float32."""
    x = _floating(input)
    return Div.apply(np.ones((), dtype=x._data.dtype), x)


def square(input) -> Tensor:
    """``input * input`` in ``pow(input, 2)``'s dtype (bool gives int64)."""
    (x, _) = promote(input, 2)
    return Mul.apply(x, x)


def lerp(input, end, weight) -> Tensor:
    """Linear interpolation ``input + weight * (end - input)``; ``weight`` may be a tensor.

    Raises:
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


def frac(input) -> Tensor:
    """The fractional part ``input - trunc(input)`` (negative for negative inputs)."""
    return input - trunc(input)


def _floating(t):
    """``t`` in the dtype a floating op computes in (integers: the default float)."""
    if not isinstance(t, Tensor):
        t = as_operand(t)
    return promote(t, floating=True)[0]


# ======================================================================== more math
# Beyond the core set: common in small scripts, each a one-line derivative.


class Asin(Op):
    """``arcsin(a)``."""

    save_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        return np.arcsin(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * (1 - a * a).rsqrt()


class Acos(Op):
    """``arccos(a)``."""

    save_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        return np.arccos(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return -g * (1 - a * a).rsqrt()


class Atan(Op):
    """``arctan(a)``."""

    save_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        return np.arctan(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a * a + 1)


class Atan2(Op):
    """``arctan2(y, x)``."""

    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, y, x):
        return np.arctan2(y, x)

    @staticmethod
    def backward(ctx, g):
        y, x = ctx.saved_tensors
        need = ctx.needs_input_grad
        r2 = x * x + y * y
        return (g * x / r2 if need[0] else None), (-g * y / r2 if need[1] else None)


def asin(input) -> Tensor:
    """Elementwise arcsine (nan outside [-1, 1]). Integer input gives float32."""
    return Asin.apply(_floating(input))


def acos(input) -> Tensor:
    """Elementwise arccosine (nan outside [-1, 1]). Integer input gives float32."""
    return Acos.apply(_floating(input))


def atan(input) -> Tensor:
    """Elementwise arctangent. Integer input gives float32."""
    return Atan.apply(_floating(input))


arcsin, arccos, arctan = asin, acos, atan


def atan2(input, other) -> Tensor:
    """The angle of the point ``(other, input)``, i.e. ``atan(input / other)`` in the right
    quadrant, in the promoted dtype (integers: float32).
    """
    require_tensors("atan2", input=input, other=other)
    input, other = promote(input, other, floating=True)
    return _binary(Atan2, input, other)


arctan2 = atan2


class Sinh(Op):
    """Hyperbolic sine; d/dx sinh = cosh."""

    save_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        return np.sinh(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * cosh(a)


class Cosh(Op):
    """Hyperbolic cosine; d/dx cosh = sinh."""

    save_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        return np.cosh(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * sinh(a)


def sinh(input) -> Tensor:
    """Elementwise hyperbolic sine (NumPy's, finite wherever the result fits the dtype)."""
    return Sinh.apply(_floating(input))


def cosh(input) -> Tensor:
    """Elementwise hyperbolic cosine (NumPy's, finite wherever the result fits the dtype)."""
    return Cosh.apply(_floating(input))


def log2(input) -> Tensor:
    """Base-2 logarithm, as ``log(input) / log(2)``."""
    return log(input) * (1 / np.log(2))


def log10(input) -> Tensor:
    """Base-10 logarithm, as ``log(input) / log(10)``."""
    return log(input) * (1 / np.log(10))


def exp2(input) -> Tensor:
    """Elementwise ``2 ** input``. Integer input gives float32."""
    return pow(2.0, _floating(input))


def clamp_min(input, min) -> Tensor:  # noqa: A002
    """``clamp(input, min=min)``."""
    return clamp(input, min=min)


def clamp_max(input, max) -> Tensor:  # noqa: A002
    """``clamp(input, max=max)``."""
    return clamp(input, max=max)


def fmod(input, other) -> Tensor:
    """Remainder with the sign of the dividend (C's fmod); differentiable in ``input``."""
    return input - div(input, other, rounding_mode="trunc") * other


def remainder(input, other) -> Tensor:
    """Remainder with the sign of the divisor (Python's %); differentiable in ``input``."""
    return input - div(input, other, rounding_mode="floor") * other


def floor_divide(input, other) -> Tensor:
    """``div(input, other, rounding_mode="floor")`` (toward -inf), but, as PyTorch's
    ``floor_divide``, without a derivative: backward through it raises."""
    return _div(input, other, "floor", FloorDivide)


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


def erf(input) -> Tensor:
    """The Gauss error function, elementwise. Integer input gives float32."""
    from .nn import Erf  # the GELU family's op; imported here to keep the module order

    return Erf.apply(_floating(input))


def erfc(input) -> Tensor:
    """The complementary error function ``1 - erf(input)``."""
    return 1 - erf(input)


def logit(input, eps: float | None = None) -> Tensor:
    """``log(p / (1 - p))``, with ``p`` clamped to ``[eps, 1 - eps]`` when eps is given."""
    p = _floating(input)
    if eps is not None:
        p = clamp(p, eps, 1 - eps)
    return log(p) - log1p(-p)


def addcmul(input, tensor1, tensor2, *, value=1) -> Tensor:
    """``input + value * tensor1 * tensor2`` (optimizer-style updates)."""
    require_tensors("addcmul", input=input, tensor1=tensor1, tensor2=tensor2)
    return add(input, mul(tensor1, tensor2) * value if value != 1 else mul(tensor1, tensor2))


def addcdiv(input, tensor1, tensor2, *, value=1) -> Tensor:
    """``input + value * tensor1 / tensor2``."""
    require_tensors("addcdiv", input=input, tensor1=tensor1, tensor2=tensor2)
    return add(input, div(tensor1, tensor2) * value if value != 1 else div(tensor1, tensor2))


def logaddexp(input, other) -> Tensor:
    """``log(exp(a) + exp(b))`` without overflow: ``max + log1p(exp(-|a - b|))``."""
    hi = maximum(input, other)
    return hi + log1p(exp(-abs(sub(input, other))))

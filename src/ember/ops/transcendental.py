"""Transcendental functions: ``exp``, ``log``, trigonometric, hyperbolic, ``erf``, ``**``.

The one-input family is written once: each op is one row below, a NumPy function and its
derivative as data (``g`` times d/da, written in ember ops on the saved
input or output, so it is itself differentiable), from which ``_unary`` makes the Op and
``_public`` its public function (integer input computed in float32, as PyTorch).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .._core import Tensor
from ..autograd.function import Op
from ._util import as_operand, broadcast_error, const, floating, promote, require_tensors
from .arithmetic import _binary, sub
from .rounding import abs
from .selection import clamp, maximum, where


def _erf_rational(x):
    """erf without SciPy: erfc by Chebyshev fitting (Numerical Recipes' erfcc), relative
    error < 1.2e-7 everywhere, so float32 results keep their precision in the tails."""
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = t * 0.17087277
    for c in (-0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806,
              0.09678418, 0.37409196, 1.00002368):
        poly += c
        poly *= t
    poly += -1.26551223
    erfc = t * np.exp(poly - z * z)
    return np.where(x < 0, erfc - 1.0, 1.0 - erfc)


# erf(x) / x ~ P(x^2) / Q(x^2) on [-4, 4]: our own rational least-squares fit (iterated
# reweighting), relative error 2.2e-7 in exact arithmetic; beyond |x| = 4, erf is +-1 in float32
_ERF_P = (1.9667722527e-08, -1.9420682915e-06, 1.4128550966e-04, 3.7010256312e-03,
          5.0579036253e-02, 2.0007367064e-01, 1.1283791153e+00)
_ERF_Q = (9.5418259395e-04, 1.4356571604e-02, 1.1504699884e-01, 5.1064247062e-01, 1.0)


def erf_float32(x: np.ndarray) -> np.ndarray:
    """erf of a float32 array in ~25 in-place NumPy passes: ~10x faster than SciPy's
    per-element ufunc, within a few float32 ulp of PyTorch's erf."""
    # at least 1-d: NumPy turns 0-d results into scalars, which the in-place passes cannot take
    z = np.clip(np.atleast_1d(x), -4.0, 4.0).astype(np.float32, copy=False)
    t = z * z
    p = t * np.float32(_ERF_P[0])
    for c in _ERF_P[1:]:
        p += np.float32(c)
        if c is not _ERF_P[-1]:
            p *= t
    q = t * np.float32(_ERF_Q[0])
    for c in _ERF_Q[1:]:
        q += np.float32(c)
        if c is not _ERF_Q[-1]:
            q *= t
    p *= z
    p /= q
    # erf(3.92) rounds to 1 in float32: give the exact saturated value there, as PyTorch
    np.copyto(p, np.sign(z), where=np.abs(z) >= np.float32(3.92))
    return p.reshape(np.shape(x))


@functools.cache
def _erf_ufunc():
    """SciPy's exact vectorised erf when installed, else the rational approximation.
    Imported at first use: SciPy's import is a large share of ``import ember``'s time."""
    try:
        from scipy.special import erf
    except ImportError:  # pragma: no cover - scipy comes with scikit-learn in the test env
        return _erf_rational
    return erf


def _np_erf(x):
    return _erf_ufunc()(x)


INPUT, OUTPUT = "input", "output"


class Unary(Op):
    """A one-input op: forward is ``fn(a)``; backward is ``derivative(g, saved)``, ``saved``
    being the input or the output (``reads``), whichever the formula is cheaper from."""

    fn = None
    derivative = None
    node = None

    def name(self) -> str:
        return self.node or type(self).__name__ + "Backward0"

    @staticmethod
    def forward(ctx, a):
        return type(ctx).fn(a)

    @staticmethod
    def backward(ctx, g):
        (saved,) = ctx.saved_tensors
        return type(ctx).derivative(g, saved)


def _unary(name: str, fn, reads: str, derivative, node: str | None = None) -> type:
    """The Op class for ``fn`` with the derivative ``derivative(g, saved)``."""
    attrs = {
        "__doc__": f"``{name.lower()}(a)``, differentiated from its {reads}.",
        "__module__": __name__,
        "fn": staticmethod(fn),
        "derivative": staticmethod(derivative),
        "ufunc": fn if isinstance(fn, np.ufunc) else None,
        "node": node,
    }
    if reads == OUTPUT:
        attrs["save_output"] = True
    else:
        attrs["save_inputs"] = (0,)
    return type(name, (Unary,), attrs)


def _public(op: type, name: str, doc: str):
    """``name(input)``: ``op`` on ``input``, integer input computed in float32."""

    def function(input) -> Tensor:
        return op.apply(floating(input))

    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc + " Integer input gives float32."
    function.__module__ = __name__
    return function


def _rsqrt(a):
    return 1 / np.sqrt(a)


def _sigmoid(a):
    # 1 / (1 + e^-x) in four in-place passes; e^-x overflowing to inf gives the exact limit 0
    with np.errstate(over="ignore"):
        t = np.negative(a, out=np.empty_like(a))  # an array even for 0-d input
        np.exp(t, out=t)
    t += 1
    return np.reciprocal(t, out=t)


def _erf(a):
    return _np_erf(a).astype(a.dtype, copy=False)


# ======================================================================== the one-input family
# name                function    reads   gradient: g * d/da
Exp = _unary("Exp", np.exp, OUTPUT, lambda g, out: g * out)
Log = _unary("Log", np.log, INPUT, lambda g, a: g / a)
Log1p = _unary("Log1p", np.log1p, INPUT, lambda g, a: g / (a + 1), node='Log1PBackward0')
Expm1 = _unary("Expm1", np.expm1, OUTPUT, lambda g, out: g * (out + 1))
Sqrt = _unary("Sqrt", np.sqrt, OUTPUT, lambda g, out: g / (out * 2))
Rsqrt = _unary("Rsqrt", _rsqrt, OUTPUT, lambda g, out: g * out * out * out * -0.5)
Sin = _unary("Sin", np.sin, INPUT, lambda g, a: g * cos(a))
Cos = _unary("Cos", np.cos, INPUT, lambda g, a: -g * sin(a))
Tan = _unary("Tan", np.tan, OUTPUT, lambda g, out: g * (out * out + 1))
Tanh = _unary("Tanh", np.tanh, OUTPUT, lambda g, out: g * (1 - out * out))
Sigmoid = _unary("Sigmoid", _sigmoid, OUTPUT, lambda g, out: g * out * (1 - out))
Asin = _unary("Asin", np.arcsin, INPUT, lambda g, a: g * (1 - a * a).rsqrt())
Acos = _unary("Acos", np.arccos, INPUT, lambda g, a: -g * (1 - a * a).rsqrt())
Atan = _unary("Atan", np.arctan, INPUT, lambda g, a: g / (a * a + 1))
Sinh = _unary("Sinh", np.sinh, INPUT, lambda g, a: g * cosh(a))
Cosh = _unary("Cosh", np.cosh, INPUT, lambda g, a: g * sinh(a))
Asinh = _unary("Asinh", np.arcsinh, INPUT, lambda g, a: g * (a * a + 1).rsqrt())
Acosh = _unary("Acosh", np.arccosh, INPUT, lambda g, a: g * (a * a - 1).rsqrt())
Atanh = _unary("Atanh", np.arctanh, INPUT, lambda g, a: g / (1 - a * a))
Erf = _unary("Erf", _erf, INPUT, lambda g, a: g * (2.0 / math.sqrt(math.pi)) * (-(a * a)).exp())

exp = _public(Exp, "exp", "Elementwise ``e ** input``.")
log = _public(Log, "log", "Elementwise natural logarithm (nan below 0, -inf at 0).")
log1p = _public(Log1p, "log1p", "``log(1 + input)``, accurate for small inputs.")
expm1 = _public(Expm1, "expm1", "``exp(input) - 1``, accurate for small inputs.")
sqrt = _public(Sqrt, "sqrt", "Elementwise square root (nan for negative inputs).")
rsqrt = _public(Rsqrt, "rsqrt", "Elementwise ``1 / sqrt(input)``.")
sin = _public(Sin, "sin", "Elementwise sine.")
cos = _public(Cos, "cos", "Elementwise cosine.")
tan = _public(Tan, "tan", "Elementwise tangent.")
tanh = _public(Tanh, "tanh", "Elementwise hyperbolic tangent.")
sigmoid = _public(Sigmoid, "sigmoid", "``1 / (1 + exp(-input))``, computed so it never overflows.")
asin = _public(Asin, "asin", "Elementwise arcsine (nan outside [-1, 1]).")
acos = _public(Acos, "acos", "Elementwise arccosine (nan outside [-1, 1]).")
atan = _public(Atan, "atan", "Elementwise arctangent.")
sinh = _public(Sinh, "sinh", "Elementwise hyperbolic sine (finite wherever the result fits).")
cosh = _public(Cosh, "cosh", "Elementwise hyperbolic cosine (finite wherever the result fits).")
erf = _public(Erf, "erf", "The Gauss error function, elementwise.")
asinh = _public(Asinh, "asinh", "Elementwise inverse hyperbolic sine.")
acosh = _public(Acosh, "acosh", "Elementwise inverse hyperbolic cosine (nan below 1).")
atanh = _public(Atanh, "atanh", "Elementwise inverse hyperbolic tangent (nan outside [-1, 1]).")
arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh


# ======================================================================== the rest
def _power(a, b):
    """``np.power`` with PyTorch's results where NumPy differs: integers to negative integer
    tensor exponents (1 and -1 keep their magnitude, other bases give 0; NumPy raises), and
    bool ** bool, which stays bool (x ** False is True)."""
    a_kind, b_arr = np.asarray(a).dtype.kind, np.asarray(b)
    if a_kind == "b" and b_arr.dtype.kind == "b":
        return np.logical_or(a, np.logical_not(b))
    if b_arr.dtype.kind not in "iu" or a_kind not in "iub" or not (b_arr < 0).any():
        return np.power(a, b)
    neg = b_arr < 0
    out = np.power(a, np.where(neg, 0, b_arr).astype(b_arr.dtype))
    odd = (b_arr % 2) != 0
    inverse = np.where(a == 1, 1, np.where(a == -1, np.where(odd, -1, 1), 0))
    return np.where(neg, inverse, out).astype(out.dtype, copy=False)


class Pow(Op):
    """``a ** b`` for a tensor or scalar exponent."""

    ufunc = _power

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
            if isinstance(b, Tensor):  # 0 where b == 0, even at a == 0 (as PyTorch)
                ga = where(const(b._data == 0), 0.0, g * b * a ** (b - 1))
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


def pow(input, exponent) -> Tensor:  # noqa: A001 - PyTorch's name
    """``input ** exponent`` in the promoted dtype (``2 ** int_tensor`` stays integer,
    ``2.5 ** int_tensor`` is float32, ``int_tensor ** 0.5`` is float32).

    Integer tensors raised to negative integer tensors follow PyTorch: 1 and -1 keep their
    magnitude, other bases give 0.

    Raises:
        RuntimeError: an integer tensor raised to a negative integer scalar, or shapes that do
            not broadcast.
        NotImplementedError: a bool tensor exponent (PyTorch has no such kernel).
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
        raise broadcast_error(base, exp_) from None


class Atan2(Op):
    """``arctan2(y, x)``."""

    ufunc = np.arctan2

    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, y, x):
        return np.arctan2(y, x)

    @staticmethod
    def backward(ctx, g):
        y, x = ctx.saved_tensors
        need = ctx.needs_input_grad
        r2 = x * x + y * y
        # at the origin both numerators are 0: divide by 1 there, for PyTorch's gradient of 0
        r2 = where(const(r2._data == 0), const(np.ones((), r2._data.dtype)), r2)
        return (g * x / r2 if need[0] else None), (-g * y / r2 if need[1] else None)


def atan2(input, other) -> Tensor:
    """The angle of the point ``(other, input)``, i.e. ``atan(input / other)`` in the right
    quadrant, in the promoted dtype (integers: float32).

    Raises:
        TypeError: a number instead of a tensor.
    """
    require_tensors("atan2", input=input, other=other)
    input, other = promote(input, other, floating=True)
    return _binary(Atan2, input, other)


arctan2 = atan2


def log2(input) -> Tensor:
    """Base-2 logarithm, as ``log(input) / log(2)``."""
    return log(input) * (1 / np.log(2))


def log10(input) -> Tensor:
    """Base-10 logarithm, as ``log(input) / log(10)``."""
    return log(input) * (1 / np.log(10))


def exp2(input) -> Tensor:
    """Elementwise ``2 ** input``. Integer input gives float32."""
    return pow(2.0, floating(input))


def erfc(input) -> Tensor:
    """The complementary error function ``1 - erf(input)``."""
    return 1 - erf(input)


def logit(input, eps: float | None = None) -> Tensor:
    """``log(p / (1 - p))``, with ``p`` clamped to ``[eps, 1 - eps]`` when eps is given."""
    p = floating(input)
    if eps is not None:
        p = clamp(p, eps, 1 - eps)
    return log(p) - log1p(-p)


def logaddexp(input, other) -> Tensor:
    """``log(exp(a) + exp(b))`` without overflow: ``max + log1p(exp(-|a - b|))``."""
    hi = maximum(input, other)
    return hi + log1p(exp(-abs(sub(input, other))))


class Copysign(Op):
    """``|a|`` with the sign of ``b``; d/da is ``out / a`` (0 at a == 0), nothing flows to b."""

    ufunc = np.copysign
    save_inputs = (0,)
    save_output = True

    @staticmethod
    def forward(ctx, a, b):
        return np.copysign(a, b)

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        ga = None
        if ctx.needs_input_grad[0]:
            zero = a._data == 0
            ratio = np.where(zero, 0, out._data / np.where(zero, 1, a._data))
            ga = g * const(ratio.astype(g._data.dtype))
        gb = const(np.zeros_like(g._data)) if ctx.needs_input_grad[1] else None
        return ga, gb


def copysign(input, other) -> Tensor:
    """The magnitude of ``input`` with the sign of ``other`` (``-0.0`` counts as negative).
    Integer operands give float32."""
    input, other = promote(input, other, floating=True)  # PyTorch's result dtype, as float
    return _binary(Copysign, input, other)


def deg2rad(input) -> Tensor:
    """Degrees to radians (integer input gives float32)."""
    return floating(input) * (math.pi / 180.0)


def rad2deg(input) -> Tensor:
    """Radians to degrees (integer input gives float32)."""
    return floating(input) * (180.0 / math.pi)


class Hypot(Op):
    """``sqrt(a**2 + b**2)`` without overflow in the squares; d/da = a / out."""

    ufunc = np.hypot
    save_inputs = (0, 1)
    save_output = True

    @staticmethod
    def forward(ctx, a, b):
        return np.hypot(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (g * a / out if need[0] else None), (g * b / out if need[1] else None)


def hypot(input, other) -> Tensor:
    """``sqrt(input**2 + other**2)`` elementwise (the length of the vector (input, other))."""
    return _binary(Hypot, input, other)


def logaddexp2(input, other) -> Tensor:
    """``log2(2**input + 2**other)`` without overflow."""
    ln2 = math.log(2.0)
    return logaddexp(input * ln2, other * ln2) * (1.0 / ln2)


def xlogy(input, other) -> Tensor:
    """``input * log(other)``, 0 where ``input`` is 0 (even at other == 0), nan where other is
    nan. Integer operands give float32."""
    x = floating(input) if isinstance(input, Tensor) else input
    y = floating(other) if isinstance(other, Tensor) else as_operand(float(other))
    if not isinstance(x, Tensor):
        x = as_operand(float(x), y)
    x_zero = const(np.asarray(x._data == 0))
    safe_y = where(x_zero, 1.0, y)
    out = where(x_zero, 0.0, x * log(safe_y))
    return where(const(np.isnan(y._data)), float("nan"), out)


def float_power(input, exponent) -> Tensor:
    """``input ** exponent`` computed and returned in float64."""
    base = input.double() if isinstance(input, Tensor) else float(input)
    exp = exponent.double() if isinstance(exponent, Tensor) else float(exponent)
    if not isinstance(base, Tensor):
        base = const(np.asarray(base, dtype=np.float64))
    return pow(base, exp)


def sinc(input) -> Tensor:
    """The normalised sinc ``sin(pi x) / (pi x)``, 1 at 0 (integer input gives float32)."""
    x = floating(input)
    zero = const(np.asarray(x._data == 0))
    px = where(zero, 1.0, x) * math.pi
    return where(zero, 1.0, sin(px) / px)

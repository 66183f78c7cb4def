"""Functional activations: pointwise nonlinearities, the softmax family and
``gumbel_softmax``.

``relu``, ``gelu`` and the softmax family call one fused op from ``ember.ops.fused``; the rest are
short compositions of ember ops, so their gradients (and second derivatives) come from autograd.
"""

from __future__ import annotations

import functools

import numpy as np

from ... import _dtype, _random
from ..._warnings import warn_user
from ...ops import elementwise as ew
from ...ops import fused as nnops
from ...ops._util import const
from ...tensor import Tensor, _from_array, _wrap_dim, inplace


def _floating_only(kernel: str):
    """Refuse integer and bool inputs as PyTorch's CPU kernel ``kernel`` does (it has no
    integer version): NotImplementedError naming the kernel and the dtype."""
    def decorate(fn):
        @functools.wraps(fn)
        def checked(input, *args, **kwargs):
            if isinstance(input, Tensor) and input._data.dtype.kind != "f":
                raise NotImplementedError(
                    f'"{kernel}" not implemented for \'{_dtype.scalar_type_name(input.dtype)}\'')
            return fn(input, *args, **kwargs)
        return checked
    return decorate


def _no_bool(fn_name: str, input: Tensor) -> None:
    if input._data.dtype == np.bool_:
        raise RuntimeError(f"Bool inputs not supported for {fn_name}")


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(input, 0)`` elementwise, keeping the dtype.

    ``inplace=True`` overwrites ``input`` and returns it.
    """
    return relu_(input) if inplace else ew.relu(input)


def relu_(input: Tensor) -> Tensor:
    """In-place ``relu``: overwrites ``input`` and returns it."""
    return input.relu_()


def _maybe_inplace(input: Tensor, fn, flag: bool) -> Tensor:
    return inplace(input, fn) if flag else fn(input)


@_floating_only("leaky_relu_cpu")
def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``input`` where positive, ``negative_slope * input`` elsewhere.

    ``inplace=True`` overwrites ``input`` and returns it.
    """
    def fn(x):
        return ew.where(x > 0, x, x * negative_slope)

    return _maybe_inplace(input, fn, inplace)


@_floating_only("elu_cpu")
def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``input`` where positive, ``alpha * (exp(input) - 1)`` elsewhere.

    ``inplace=True`` overwrites ``input`` and returns it.
    """
    def fn(x):
        # expm1 of min(x, 0) avoids overflow in the branch where() discards
        return ew.where(x > 0, x, ew.expm1(ew.clamp(x, max=0.0)) * alpha)

    return _maybe_inplace(input, fn, inplace)


@_floating_only("GeluKernelImpl")
def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit, exact (``'none'``) or the ``'tanh'`` approximation."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh, got {approximate}")
    return nnops.Gelu.apply(input, approximate=approximate)


@_floating_only("silu_cpu")
def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``input * sigmoid(input)`` (also called swish).

    ``inplace=True`` overwrites ``input`` and returns it.
    """
    return _maybe_inplace(input, lambda x: x * ew.sigmoid(x), inplace)


@_floating_only("softplus_cpu")
def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta x)) / beta``, linear where ``beta x > threshold`` (as PyTorch)."""
    return nnops.Softplus.apply(input, beta=beta, threshold=threshold)


@_floating_only("mish_cpu")
def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``input * tanh(softplus(input))``. ``inplace=True`` overwrites ``input`` and returns it."""
    return _maybe_inplace(input, lambda x: x * ew.tanh(softplus(x)), inplace)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """Clamp to ``[min_val, max_val]``; the gradient is 0 at the bounds, as PyTorch.

    ``inplace=True`` overwrites ``input`` and returns it.

    Raises:
        ValueError: ``min_val > max_val``.
    """
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    _no_bool("hardtanh", input)

    def fn(x):
        if x._data.dtype.kind != "f":  # integer tensors stay integer (bounds truncated)
            return ew.clamp(x, int(min_val), int(max_val))
        # selected, never multiplied by a 0/1 mask (inf * 0 is NaN); the gradient is zero
        # at and beyond the bounds, and passes at NaN (PyTorch's hardtanh_backward)
        inside = const(~((x._data <= min_val) | (x._data >= max_val)))
        return ew.where(inside, x, ew.clamp(x, min_val, max_val).detach())

    return _maybe_inplace(input, fn, inplace)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``hardtanh(input, 0, 6)``: ReLU capped at 6.

    ``inplace=True`` overwrites ``input`` and returns it.
    """
    return hardtanh(input, 0.0, 6.0, inplace)


def sigmoid(input: Tensor) -> Tensor:
    """Elementwise ``1 / (1 + exp(-input))``; same as ``ember.sigmoid``."""
    return ew.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    """Elementwise hyperbolic tangent; same as ``ember.tanh``."""
    return ew.tanh(input)


_SELU_ALPHA = 1.6732632423543772848170429916717

_SELU_SCALE = 1.0507009873554804934193349852946


@_floating_only("elu_cpu")
def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``scale * elu(x, alpha)`` with the self-normalising constants."""
    def fn(x):
        return elu(x, _SELU_ALPHA) * _SELU_SCALE

    return _maybe_inplace(input, fn, inplace)


@_floating_only("elu_cpu")
def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` for x > 0, else ``alpha * (exp(x / alpha) - 1)``."""
    def fn(x):
        return ew.where(x > 0, x, ew.expm1(ew.clamp(x, max=0.0) / alpha) * alpha)

    return _maybe_inplace(input, fn, inplace)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """Leaky ReLU with a learnable slope, one per channel (dim 1) or shared."""
    if weight.numel() != 1:
        c = input.shape[1] if input.ndim > 1 else input.shape[0]
        if weight.numel() != c:
            raise RuntimeError(
                f"Mismatch of parameter numbers and input channel size. Found parameter numbers "
                f"= {weight.numel()} and channel size = {c}."
            )
        if input.ndim > 1:
            weight = weight.reshape((1, c) + (1,) * (input.ndim - 2))
    return ew.where(input > 0, input, input * weight)


@_floating_only("log_sigmoid_cpu")
def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x)) = -softplus(-x)``, finite for any x."""
    return -(ew.log1p(ew.exp(-ew.abs(input))) + ew.relu(-input))


@_floating_only("hardsigmoid_cpu")
def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``relu6(x + 3) / 6``; gradient 1/6 strictly inside (-3, 3)."""
    def fn(x):
        inside = const((x._data > -3) & (x._data < 3))
        return ew.where(inside, x + 3, ew.clamp(x + 3, 0.0, 6.0).detach()) / 6

    return _maybe_inplace(input, fn, inplace)


@_floating_only("hardswish_cpu")
def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * relu6(x + 3) / 6``."""
    def fn(x):
        # the middle branch sees x clamped to [-3, 3], so at +-inf its (unselected) gradient is
        # 0, not 0 * inf; x * 0 keeps PyTorch's NaN at -inf and -0.0 below -3
        xc = ew.clamp(x, -3.0, 3.0)
        return ew.where(x <= -3, x * 0, ew.where(x >= 3, x, xc * (xc + 3) / 6))

    return _maybe_inplace(input, fn, inplace)


def softsign(input: Tensor) -> Tensor:
    """``input / (1 + |input|)``."""
    return input / (ew.abs(input) + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """``input - tanh(input)``."""
    return input - ew.tanh(input)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``x`` where x > threshold, else ``value``."""
    def fn(x):
        return ew.where(x > threshold, x, const(np.asarray(value, x._data.dtype)))

    return _maybe_inplace(input, fn, inplace)


@_floating_only("hardshrink_cpu")
def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``input`` where ``|input| > lambd``, zero elsewhere."""
    return ew.where(ew.abs(input) > lambd, input, 0.0)


@_floating_only("softshrink_check")
def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """Shrink toward zero by ``lambd``: ``input -/+ lambd`` outside ``[-lambd, lambd]``, else 0."""
    # input * 0 keeps the sign of zeroed negatives (-0.0), as PyTorch's softshrink does
    return ew.where(input > lambd, input - lambd,
                    ew.where(input < -lambd, input + lambd, input * 0))


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit: split ``dim`` in halves a, b and return ``a * sigmoid(b)``."""
    if input.shape[dim] % 2:
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {_wrap_dim(dim, input.ndim)} is "
            f"size {input.shape[dim]}"
        )
    a, b = input.chunk(2, dim)
    return a * ew.sigmoid(b)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """``softmax(-input, dim)``."""
    if dim is None:  # resolved here, not in softmax, so the warning names softmin's caller
        dim = _softmax_dim(input.ndim)
    return softmax(-input, dim, dtype=dtype)


def _softmax_dim(ndim: int) -> int:
    warn_user(
        "Implicit dimension choice for softmax has been deprecated. Change the call to include "
        "dim=X as an argument."
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """``exp(input)`` normalised to sum to 1 along ``dim``: ``ops.fused.softmax``, the one
    definition behind ``Tensor.softmax`` and ``ember.softmax`` too (see there)."""
    return nnops.softmax(input, dim, _stacklevel, dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None
                ) -> Tensor:
    """``log(softmax(input, dim))`` in one stable step: ``ops.fused.log_softmax``."""
    return nnops.log_softmax(input, dim, _stacklevel, dtype)


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """A differentiable sample from the categorical ``softmax(logits)``: softmax of the
    Gumbel-perturbed logits at temperature ``tau``; ``hard`` returns one-hot vectors whose
    gradient is the soft sample's (straight-through)."""
    u = _random.rng(None).random(logits.shape)
    gumbels = _from_array((-np.log(-np.log(np.maximum(u, 1e-20)))).astype(logits._data.dtype))
    y_soft = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y_soft
    index = y_soft._data.argmax(axis=dim)
    y_hard = np.zeros(y_soft.shape, y_soft._data.dtype)
    np.put_along_axis(y_hard, np.expand_dims(index, dim), 1.0, axis=dim)
    return const(y_hard) - y_soft.detach() + y_soft


# the in-place functional forms PyTorch also exports (``F.elu_(x)`` == ``F.elu(x, inplace=True)``)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place ``elu``: overwrites ``input`` and returns it."""
    return elu(input, alpha, inplace=True)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """In-place ``leaky_relu``: overwrites ``input`` and returns it."""
    return leaky_relu(input, negative_slope, inplace=True)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """In-place ``hardtanh``: overwrites ``input`` and returns it."""
    return hardtanh(input, min_val, max_val, inplace=True)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place ``celu``: overwrites ``input`` and returns it."""
    return celu(input, alpha, inplace=True)


def selu_(input: Tensor) -> Tensor:
    """In-place ``selu``: overwrites ``input`` and returns it."""
    return selu(input, inplace=True)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In-place ``threshold``: overwrites ``input`` and returns it."""
    return _threshold(input, threshold, value, inplace=True)


_threshold = threshold

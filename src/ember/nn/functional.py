"""``ember.nn.functional``: the stateless forms of the layers, activations and losses.

Hot-path functions (linear, relu, dropout, softmax family, cross_entropy, batch_norm) call
one fused op from ``ember.ops.fused``; the rest are short compositions of ember ops, so their
gradients (and second derivatives) come from autograd.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import _dtype, _random
from .._warnings import warn_user
from ..ops import elementwise as ew
from ..ops import fused as nnops
from ..ops._util import const
from ..tensor import Size, Tensor, _from_array, _wrap_dim, inplace

__all__ = [
    "linear", "bilinear", "relu", "relu_", "leaky_relu", "elu", "gelu", "silu", "mish",
    "softplus", "hardtanh", "relu6", "sigmoid", "tanh", "softmax", "log_softmax", "dropout",
    "dropout1d", "dropout2d", "batch_norm", "layer_norm", "group_norm", "embedding", "one_hot",
    "embedding_bag", "gumbel_softmax",
    "pad", "normalize", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy",
    "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "selu",
    "celu", "prelu", "logsigmoid", "hardsigmoid", "hardswish", "softsign", "tanhshrink",
    "threshold", "hardshrink", "softshrink", "glu", "softmin", "cosine_similarity",
    "pairwise_distance", "rms_norm", "margin_ranking_loss", "hinge_embedding_loss",
    "soft_margin_loss", "multilabel_soft_margin_loss", "cosine_embedding_loss",
    "poisson_nll_loss", "gaussian_nll_loss", "triplet_margin_loss", "instance_norm",
    "scaled_dot_product_attention",
]


# ======================================================================== linear


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
            f"mat1 and mat2 must have the same dtype, but got {_dname(input)} and "
            f"{_dname(weight)}"
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


# ======================================================================== activations


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


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``input`` where positive, ``negative_slope * input`` elsewhere.

    ``inplace=True`` overwrites ``input`` and returns it.
    """
    def fn(x):
        return ew.where(x > 0, x, x * negative_slope)

    return _maybe_inplace(input, fn, inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``input`` where positive, ``alpha * (exp(input) - 1)`` elsewhere.

    ``inplace=True`` overwrites ``input`` and returns it.
    """
    def fn(x):
        # expm1 of min(x, 0) avoids overflow in the branch where() discards
        return ew.where(x > 0, x, ew.expm1(ew.clamp(x, max=0.0)) * alpha)

    return _maybe_inplace(input, fn, inplace)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit, exact (``'none'``) or the ``'tanh'`` approximation."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh, got {approximate}")
    return nnops.Gelu.apply(input, approximate=approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``input * sigmoid(input)`` (also called swish).

    ``inplace=True`` overwrites ``input`` and returns it.
    """
    return _maybe_inplace(input, lambda x: x * ew.sigmoid(x), inplace)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta x)) / beta``, linear where ``beta x > threshold`` (as PyTorch)."""
    bx = input * beta if beta != 1 else input
    # log1p(exp(-|z|)) + max(z, 0) never overflows
    smooth = (ew.log1p(ew.exp(-ew.abs(bx))) + ew.relu(bx))
    if beta != 1:
        smooth = smooth / beta
    return ew.where(bx > threshold, input, smooth)


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

    def fn(x):
        # gradient is zero at the bounds themselves (PyTorch's hardtanh_backward)
        inside = const(((x._data > min_val) & (x._data < max_val)).astype(x._data.dtype))
        return ew.clamp(x, min_val, max_val).detach() * (1 - inside) + x * inside

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


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``scale * elu(x, alpha)`` with the self-normalising constants."""
    def fn(x):
        return elu(x, _SELU_ALPHA) * _SELU_SCALE

    return _maybe_inplace(input, fn, inplace)


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


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x)) = -softplus(-x)``, finite for any x."""
    return -(ew.log1p(ew.exp(-ew.abs(input))) + ew.relu(-input))


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``relu6(x + 3) / 6``; gradient 1/6 strictly inside (-3, 3)."""
    def fn(x):
        inside = const(((x._data > -3) & (x._data < 3)).astype(x._data.dtype))
        return (ew.clamp(x + 3, 0.0, 6.0).detach() * (1 - inside) + (x + 3) * inside) / 6

    return _maybe_inplace(input, fn, inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * relu6(x + 3) / 6``."""
    def fn(x):
        return ew.where(x <= -3, x * 0, ew.where(x >= 3, x, x * (x + 3) / 6))

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


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``input`` where ``|input| > lambd``, zero elsewhere."""
    return ew.where(ew.abs(input) > lambd, input, 0.0)


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


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``x1 . x2 / (max(||x1||, eps) * max(||x2||, eps))`` along ``dim``, after broadcasting
    the inputs against each other (as PyTorch: norms see the broadcast shape)."""
    shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    if tuple(x1.shape) != shape:
        x1 = x1.broadcast_to(shape)
    if tuple(x2.shape) != shape:
        x2 = x2.broadcast_to(shape)
    n1 = ew.clamp((x1 * x1).sum(dim, keepdim=True).sqrt(), min=eps)
    n2 = ew.clamp((x2 * x2).sum(dim, keepdim=True).sqrt(), min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` over the last dim."""
    diff = x1 - x2 + eps
    return diff.norm(p, -1, keepdim=keepdim)


def _softmax_dim(ndim: int) -> int:
    warn_user(
        "Implicit dimension choice for softmax has been deprecated. Change the call to include "
        "dim=X as an argument."
    )
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_args(input, dim, dtype):
    if dim is None:
        dim = _softmax_dim(input.ndim)
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind != "f":
        raise RuntimeError(f'"softmax" not implemented for \'{input.dtype.name.capitalize()}\'')
    axis = _wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        input = input.reshape(1)
        return input, axis, True
    return input, axis, False


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """``exp(input)`` normalised to sum to 1 along ``dim``.

    Args:
        input: a float tensor (a 0-d tensor gives 1).
        dim: the dim to normalise over. None is deprecated: it warns and picks PyTorch's legacy
            dim (0 for 0-, 1- and 3-d inputs, else 1).
        _stacklevel: ignored; kept for PyTorch's signature.
        dtype: cast ``input`` to this dtype first.

    Raises:
        RuntimeError: a non-float input without a float ``dtype``.
    """
    input, axis, scalar = _softmax_args(input, dim, dtype)
    out = nnops.Softmax.apply(input, axis=axis)
    return out.reshape(()) if scalar else out


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None
                ) -> Tensor:
    """``log(softmax(input, dim))``, computed stably in one step.

    Takes the same arguments as ``softmax``.

    Raises:
        RuntimeError: a non-float input without a float ``dtype``.
    """
    input, axis, scalar = _softmax_args(input, dim, dtype)
    out = nnops.LogSoftmax.apply(input, axis=axis)
    return out.reshape(()) if scalar else out


# ======================================================================== dropout


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


# ======================================================================== normalisation


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) with batch statistics (training) or running ones.

    In training the running estimates, when given, are updated in place with the
    UNBIASED batch variance: ``running = (1 - momentum) * running + momentum * batch``.

    Raises:
        ValueError: training with a single value per channel.
    """
    x = input._data
    c = x.shape[1] if x.ndim > 1 else None
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and (c is None or t._data.size != c):
            raise RuntimeError(f"{name} should contain {c} elements not {t._data.size}")
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, c) + (1,) * (x.ndim - 2)
    if training:
        count = x.size // c
        if count <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size "
                f"{Size(x.shape)!r}"
            )
        stats = nnops.batch_stats(x, axes)
        if running_mean is not None or running_var is not None:
            _update_running(running_mean, running_var, stats[0], stats[1], count, momentum)
        # weight and bias go in as (C,): Normalize lays them along dim 1 itself, saving two
        # reshape nodes per call
        return nnops.Normalize.apply(input, weight, bias, axes=axes, eps=eps, stats=stats,
                                     affine_shape=shape)
    if running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    # eval: a per-channel affine map of x with constant statistics, one node
    affine = [t._data for t in (weight, bias) if t is not None]
    if x.dtype.kind == "f" and all(a.dtype == x.dtype for a in affine):
        return nnops.BatchNormEval.apply(input, weight, bias, running_mean._data,
                                         running_var._data, eps, shape)
    invstd = 1.0 / np.sqrt(running_var._data.reshape(shape) + eps)
    mean = running_mean._data.reshape(shape).astype(x.dtype)
    w = None if weight is None else weight.reshape(shape)
    b = None if bias is None else bias.reshape(shape)
    scale = const(invstd.astype(x.dtype))
    out = (input - const(mean)) * scale
    if w is not None:
        out = out * w
    if b is not None:
        out = out + b
    return out


def _update_running(running_mean, running_var, mean, var, count, momentum) -> None:
    """In-place running-statistics update (not part of any graph)."""
    if running_mean is not None:
        rm = running_mean._data
        rm *= 1.0 - momentum
        rm += (momentum * mean.reshape(rm.shape)).astype(rm.dtype, copy=False)
        running_mean._bump_version()
    if running_var is not None:
        rv = running_var._data
        unbiased = var.reshape(rv.shape) * (count / (count - 1))
        rv *= 1.0 - momentum
        rv += (momentum * unbiased).astype(rv.dtype, copy=False)
        running_var._bump_version()


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


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each (sample, channel) over its spatial dims; running estimates, when
    given, track the batch average of the per-instance statistics."""
    x = input._data
    c = x.shape[1]
    axes = tuple(range(2, x.ndim))
    shape = (1, c) + (1,) * (x.ndim - 2)
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    count = int(np.prod(x.shape[2:]))
    if count <= 1:
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input size "
            f"{Size(x.shape)!r}"
        )
    stats = nnops.batch_stats(x, axes)
    if running_mean is not None or running_var is not None:
        _update_running(running_mean, running_var, stats[0].mean(0), stats[1].mean(0), count,
                        momentum)
    w = None if weight is None else weight.reshape(shape)
    b = None if bias is None else bias.reshape(shape)
    return nnops.Normalize.apply(input, w, b, axes=axes, eps=eps, stats=stats)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(q k^T * scale + mask) v``; a boolean mask marks the positions that MAY be
    attended (True), as PyTorch's SDPA; ``dropout_p`` applies whenever it is positive."""
    if enable_gqa:
        raise NotImplementedError("scaled_dot_product_attention: enable_gqa is not supported")
    tgt, src = query.shape[-2], key.shape[-2]
    scale = 1.0 / np.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query * float(scale)).matmul(key.transpose(-2, -1))
    dtype = query._data.dtype
    if is_causal:
        scores = scores + const(np.triu(np.full((tgt, src), -np.inf, dtype), 1))
    if attn_mask is not None:
        m = attn_mask._data
        if m.dtype == np.bool_:
            scores = scores + const(np.where(m, 0.0, -np.inf).astype(dtype))
        else:
            scores = scores + attn_mask
    weights = softmax(scores, -1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    return weights.matmul(value)


# ======================================================================== embedding


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` at the integer indices ``input``.

    Raises:
        IndexError: an index outside ``[0, num_embeddings)``.
    """
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {_dname(input)} instead"
        )
    rows = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= rows):
        raise IndexError("index out of range in self")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += rows
    if max_norm is not None:
        _embedding_renorm(weight, idx, max_norm, norm_type)
    return nnops.Embedding.apply(weight, idx, padding_idx=padding_idx)


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None,
                  max_norm: float | None = None, norm_type: float = 2, scale_grad_by_freq=False,
                  mode: str = "mean", sparse: bool = False, per_sample_weights=None,
                  include_last_offset: bool = False, padding_idx: int | None = None) -> Tensor:
    """Sum/mean/max of the embeddings in each bag: the rows of a 2-D ``input``, or the
    segments of a 1-D ``input`` starting at ``offsets``. Empty bags give zeros.

    Raises:
        ValueError: offsets given with 2-D input / missing with 1-D input, or
            per_sample_weights with a mode other than "sum" (PyTorch's messages).
    """
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"mode has to be one of sum, mean or max, but got {mode}")
    idx = input._data
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found offsets "
                             f"of type {type(offsets).__name__}")
        starts = np.arange(0, idx.size, idx.shape[1]) if idx.shape[1] else np.zeros(
            idx.shape[0], np.int64)
        idx = idx.reshape(-1)
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        starts = offsets._data.astype(np.int64)
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{idx.ndim}")
    end = idx.size
    if offsets is not None and include_last_offset:  # the last offset closes the last bag
        starts, end = starts[:-1], int(starts[-1])
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. "
                                  f"per_sample_weights is only supported for mode='sum' (got "
                                  f"mode='{mode}'). Please open a feature request on GitHub.")
    n_bags, n = len(starts), idx.size
    rows = embedding(_from_array(idx), weight, None, max_norm, norm_type)  # (n, D)
    bag = np.searchsorted(starts, np.arange(n), side="right") - 1          # bag of each entry
    keep = np.arange(n) < end
    if padding_idx is not None:  # padding entries count for nothing, not even in the mean
        keep &= idx != (padding_idx % weight.shape[0])
    if mode == "max":
        out = []
        for b in range(n_bags):
            sel = np.flatnonzero((bag == b) & keep)
            out.append(rows[const(sel)].amax(0) if sel.size else
                       _from_array(np.zeros(weight.shape[1], weight._data.dtype)))
        from ..ops.shape import stack

        return stack(out) if out else _from_array(np.zeros((0, weight.shape[1]),
                                                           weight._data.dtype))
    mix = np.zeros((n_bags, n), dtype=weight._data.dtype)  # bag-by-entry averaging matrix
    mix[bag[keep], np.flatnonzero(keep)] = 1
    if mode == "mean":
        mix /= np.maximum(mix.sum(1, keepdims=True), 1)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.unsqueeze(1)
    return const(mix) @ rows


def _embedding_renorm(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float):
    """Rescale in place the referenced rows whose norm exceeds ``max_norm`` (as PyTorch)."""
    w = weight._data
    rows = np.unique(idx)
    norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
    big = norms > max_norm
    if big.any():
        w[rows[big]] *= (max_norm / (norms[big] + 1e-7))[:, None].astype(w.dtype)
        weight._bump_version()


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """An int64 tensor with one extra trailing dim of size ``num_classes``.

    Raises:
        RuntimeError: non-integer input, negative indices or indices >= num_classes.
    """
    idx = tensor._data
    if idx.dtype.kind not in "iu":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if idx.size and idx.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.size else 0
    elif idx.size and idx.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(idx.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, idx[..., None].astype(np.int64), 1, axis=-1)
    return _from_array(out)


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims: ``pad = (left_last, right_last, left_prev, ...)``.

    Modes: constant (negative amounts crop), reflect, replicate, circular.
    """
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           "dimension")
    pairs = [(0, 0)] * input.ndim
    for i in range(len(pad) // 2):
        pairs[input.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    if mode == "constant":
        return nnops.ConstantPad.apply(input, pads=pairs, value=0 if value is None else value)
    np_mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}.get(mode)
    if np_mode is None:
        raise NotImplementedError(f"pad: unsupported mode {mode!r}")
    for d, (b, a) in enumerate(pairs):
        if (b or a) and mode == "reflect" and max(b, a) >= input.shape[d]:
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({b}, {a}) at dimension {d} of input "
                f"{list(input.shape)}"
            )
    # pad an index grid with NumPy's mode, then gather: the backward is a scatter-add
    idx = np.pad(np.arange(input.numel()).reshape(input.shape), pairs, mode=np_mode)
    return nnops.Gather.apply(input, idx)


# ======================================================================== losses


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _legacy_reduction(size_average, reduce, reduction: str) -> str:
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _warn_size(input: Tensor, target: Tensor) -> None:
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape!r}) that is different to the input size "
            f"({input.shape!r}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=3,
        )


def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """The squared error ``(input - target) ** 2``, reduced.

    Args:
        input: the prediction.
        target: same shape as ``input`` (a different shape warns, then broadcasts).
        size_average: deprecated; combined with ``reduce`` into ``reduction`` as PyTorch does.
        reduce: deprecated; see ``size_average``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (per-element losses).
        weight: optional weights, broadcast and multiplied in before the reduction.

    Raises:
        ValueError: an unknown ``reduction``.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _warn_size(input, target)
    diff = input - target
    loss = diff * diff
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """The absolute error ``|input - target|``, reduced.

    Args:
        input: the prediction.
        target: same shape as ``input`` (a different shape warns, then broadcasts).
        size_average: deprecated; combined with ``reduce`` into ``reduction`` as PyTorch does.
        reduce: deprecated; see ``size_average``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (per-element losses).
        weight: optional weights, broadcast and multiplied in before the reduction.

    Raises:
        ValueError: an unknown ``reduction``.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _warn_size(input, target)
    loss = ew.abs(input - target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5 d^2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta``."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _warn_size(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    diff = input - target
    ad = ew.abs(diff)
    if beta == 0:
        return _reduce(ad, reduction)
    loss = ew.where(ad < beta, diff * diff * (0.5 / beta), ad - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """``0.5 d^2`` where ``|d| <= delta``, else ``delta (|d| - 0.5 delta)``."""
    _warn_size(input, target)
    diff = input - target
    ad = ew.abs(diff)
    loss = ew.where(ad < delta, diff * diff * 0.5, (ad - 0.5 * delta) * delta)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def _class_targets(input: Tensor, target: Tensor, fn: str):
    """Validate (input, class-index target) pairs; returns (class axis, target array)."""
    t = target._data
    if input.ndim == 0:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    if t.dtype != np.int64 and t.dtype != np.uint8:
        if input.ndim >= 1 and t.ndim >= 1 and t.shape[0] != (input.shape[0] if input.ndim > 1
                                                               else t.shape[0]):
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                             f"batch_size ({t.shape[0]}).")
        # int32 targets too (a common slip: labels from np.int32 arrays), as PyTorch
        raise RuntimeError("expected target dtype to be Long or Byte, but got "
                           f"{_dtype.scalar_type_name(target.dtype)}")
    if input.ndim == 1:
        if t.ndim != 0:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        return 0, t
    if t.ndim == 0 or t.shape[0] != input.shape[0]:
        raise ValueError(
            f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
            f"({t.shape[0] if t.ndim else 0})."
        )
    if input.ndim == 2 and t.ndim != 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    expected = (input.shape[0],) + tuple(input.shape[2:])
    if t.shape != expected:
        raise RuntimeError(f"Expected target size {list(expected)}, got {list(t.shape)}")
    return 1, t


def _nll_coef(input: Tensor, t: np.ndarray, axis: int, weight, ignore_index: int,
              reduction: str, label_smoothing: float) -> np.ndarray:
    """The constant A with loss = sum(A * log_probs) (per sample, or reduced)."""
    x = input._data
    n_classes = x.shape[axis]
    valid = t != ignore_index
    safe_t = _checked_targets(t, valid, n_classes)
    w = None if weight is None else weight._data.astype(x.dtype, copy=False)
    tw = valid.astype(x.dtype) if w is None else np.where(valid, w[safe_t], 0).astype(x.dtype)
    coef = np.zeros(x.shape, dtype=x.dtype)
    idx = np.expand_dims(safe_t, axis)
    np.put_along_axis(coef, idx, -(1.0 - label_smoothing) * np.expand_dims(tw, axis), axis=axis)
    if label_smoothing > 0:
        wshape = [1] * x.ndim
        wshape[axis] = n_classes
        wc = np.ones(wshape, x.dtype) if w is None else w.reshape(wshape)
        coef -= (label_smoothing / n_classes) * wc * np.expand_dims(valid, axis).astype(x.dtype)
    if reduction == "mean":
        coef /= tw.sum()  # 0 when every target is ignored: the mean is then nan, as PyTorch
    return coef


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of class indices given log-probabilities (class dim 1)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    axis, t = _class_targets(input, target, "nll_loss")
    _check_reduction(reduction)
    with np.errstate(invalid="ignore", divide="ignore"):
        coef = const(_nll_coef(input, t, axis, weight, ignore_index, reduction, 0.0))
    prod = input * coef
    return prod.sum() if reduction != "none" else prod.sum(axis)


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average=None, ignore_index: int = -100, reduce=None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy between logits (class dim 1, or 0 for unbatched input) and class
    indices or class probabilities.

    Class-index targets go through one fused, numerically stable op (log-softmax inside).

    Raises:
        ValueError: batch sizes of input and target differ.
        IndexError: a target index out of range.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if target._data.dtype.kind == "f" and target.shape == input.shape:
        return _soft_cross_entropy(input, target, weight, reduction, label_smoothing)
    axis, t = _class_targets(input, target, "cross_entropy")
    x = input._data
    n_classes = x.shape[axis]
    valid = t != ignore_index
    safe_t = _checked_targets(t, valid, n_classes)
    w = None if weight is None else weight._data.astype(x.dtype, copy=False)
    tw = valid.astype(x.dtype) if w is None else np.where(valid, w[safe_t], 0).astype(x.dtype)
    denom = tw.sum() if reduction == "mean" else 1.0
    with np.errstate(invalid="ignore", divide="ignore"):  # all ignored: mean is nan (PyTorch)
        row_w = tw * x.dtype.type(-(1.0 - label_smoothing) / denom)
        smooth_w = class_w = None
        if label_smoothing > 0:
            smooth_w = valid.astype(x.dtype) * x.dtype.type(-label_smoothing / n_classes / denom)
            if w is not None:
                shape = [1] * x.ndim
                shape[axis] = n_classes
                class_w = w.reshape(shape)
    return nnops.CrossEntropy.apply(input, target=safe_t, row_w=row_w, smooth_w=smooth_w,
                                    class_w=class_w, axis=axis, reduce=reduction != "none")


def _checked_targets(t: np.ndarray, valid: np.ndarray, n_classes: int) -> np.ndarray:
    """Targets with ignored entries set to 0; IndexError on any other out-of-range class."""
    bad = valid & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(t[bad].reshape(-1)[0])} is out of bounds.")
    return np.where(valid, t, 0)


def _soft_cross_entropy(input, target, weight, reduction, label_smoothing):
    axis = 1 if input.ndim > 1 else 0
    n_classes = input.shape[axis]
    if label_smoothing > 0:
        target = target * (1.0 - label_smoothing) + label_smoothing / n_classes
    logp = log_softmax(input, axis)
    prod = logp * target
    if weight is not None:
        wshape = [1] * input.ndim
        wshape[axis] = n_classes
        prod = prod * weight.reshape(wshape)
    loss = -prod.sum(axis)
    if reduction == "mean":
        return loss.sum() / (input.numel() // n_classes) if input.ndim > 1 else loss
    return _reduce(loss, reduction)


def _check_reduction(reduction: str) -> None:
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``-(t log x + (1 - t) log(1 - x))`` with each log clamped at -100 (as PyTorch).

    Raises:
        ValueError: target and input sizes differ.
        RuntimeError: input outside [0, 1].
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.shape!r}) that is different to the input size "
            f"({input.shape!r}) is deprecated. Please ensure they have the same size."
        )
    if target.dtype != input.dtype:  # e.g. integer labels: BCELoss wants labels.float()
        raise RuntimeError(f"Found dtype {_dtype.scalar_type_name(target.dtype)} but expected "
                           f"{_dtype.scalar_type_name(input.dtype)}")
    x = input._data
    if x.size and (x.min() < 0 or x.max() > 1):
        raise RuntimeError("all elements of input should be between 0 and 1")
    with np.errstate(divide="ignore"):  # log(0) = -inf, then clamped to -100
        log_x = ew.clamp(ew.log(input), min=-100.0)
        log_1mx = ew.clamp(ew.log(1 - input), min=-100.0)
    loss = -(target * log_x + (1 - target) * log_1mx)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average=None, reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Sigmoid + binary cross-entropy in the stable form
    ``(1 - t) x + (1 + (pw - 1) t) * softplus(-x)``.

    Raises:
        ValueError: target and input sizes differ.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Target size ({target.shape!r}) must be the same as input size ({input.shape!r})"
        )
    if not target.is_floating_point():  # integer labels: the float loss cannot be cast back
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{_dtype.scalar_type_name(target.dtype)}")
    # softplus(-x) = log1p(exp(-|x|)) + relu(-x), finite for any x
    sp = ew.log1p(ew.exp(-ew.abs(input))) + ew.relu(-input)
    if pos_weight is not None:
        loss = (1 - target) * input + (1 + (pos_weight - 1) * target) * sp
    else:
        loss = (1 - target) * input + sp
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL(target || exp(input)) pointwise: ``target * (log target - input)``; 0 where
    target == 0. ``'batchmean'`` divides the sum by the batch size."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.",
            UserWarning,
            stacklevel=2,
        )
    if log_target:
        loss = ew.exp(target) * (target - input)
    else:
        # xlogy: 0 * log 0 = 0; the log sees 1 where target is 0 so no nan leaks into grads
        zero = const(target._data == 0) if isinstance(target, Tensor) else None
        safe = ew.where(zero, ew.ones_like_const(target), target)
        loss = ew.where(zero, const(np.zeros((), input._data.dtype)),
                        target * (ew.log(safe) - input))
    if reduction == "batchmean":
        if input.ndim == 0:
            return loss.sum()
        return loss.sum() / input.shape[0]
    return _reduce(loss, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``max(0, -y * (x1 - x2) + margin)``."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _reduce(ew.relu(-target * (input1 - input2) + margin), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average=None,
                         reduce=None, reduction: str = "mean") -> Tensor:
    """``x`` where y == 1, ``max(0, margin - x)`` where y == -1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    pos = ew.where(target == 1, input, input * 0)
    neg = ew.where(target == -1, ew.relu(margin - input), input * 0)
    return _reduce(pos + neg, reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """``log(1 + exp(-y x))``."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    z = -target * input
    return _reduce(ew.log1p(ew.exp(-ew.abs(z))) + ew.relu(z), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average=None, reduce=None, reduction: str = "mean"
                                ) -> Tensor:
    """Per-class binary logistic loss, averaged over classes (the last dim)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss.mean(-1), reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``1 - cos(x1, x2)`` where y == 1, ``max(0, cos(x1, x2) - margin)`` where y == -1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    eps = 1e-12  # PyTorch's EPSILON in this loss
    dim = input1.ndim - 1
    prod = (input1 * input2).sum(dim)
    mag = ((input1 * input1).sum(dim) + eps) * ((input2 * input2).sum(dim) + eps)
    cos = prod / mag.sqrt()
    pos = ew.where(target == 1, 1 - cos, cos * 0)
    neg = ew.where(target == -1, ew.relu(cos - margin), cos * 0)
    return _reduce(pos + neg, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """Poisson negative log-likelihood (with Stirling's term for target > 1 when ``full``)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if log_input:
        loss = ew.exp(input) - target * input
    else:
        loss = input - target * ew.log(input + eps)
    if full:
        t = target._data
        safe = np.where(t > 1, t, 2.0)
        stirling = np.where(t > 1, safe * np.log(safe) - safe + 0.5 * np.log(2 * np.pi * safe),
                            0.0)
        loss = loss + const(stirling.astype(input._data.dtype))
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """``0.5 * (log(max(var, eps)) + (input - target)^2 / max(var, eps))`` (+ log(2 pi)/2
    when ``full``).

    Raises:
        ValueError: negative variance, or a variance shape that cannot broadcast.
    """
    if not isinstance(var, Tensor):
        var = const(np.full(input.shape, var, input._data.dtype))
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif not (input.shape[:-1] == var.shape[:-1] and var.shape[-1] == 1):
            raise ValueError("var is of incorrect size")
    if (var._data < 0).any():
        raise ValueError("var has negative entry/entries")
    # clamped without a gradient of its own, so the gradient passes through (as PyTorch)
    var = var + (ew.clamp(var, min=eps) - var).detach()
    loss = 0.5 * (ew.log(var) + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * float(np.log(2 * np.pi))
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:
    """``max(0, d(a, p) - d(a, n) + margin)`` with ``d`` the pairwise p-distance."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = ew.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce(ew.relu(d_pos - d_neg + margin), reduction)


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


def _dname(t) -> str:
    return t.dtype.name if isinstance(t, Tensor) else str(np.asarray(t).dtype)


# convolution, pooling and resampling live in their own module (one concept per file)
from ._functional_conv import __all__ as _conv_names  # noqa: E402
from ._functional_conv import (  # noqa: E402
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    conv1d,
    conv2d,
    conv_transpose1d,
    conv_transpose2d,
    fold,
    interpolate,
    max_pool1d,
    max_pool2d,
    pixel_shuffle,
    pixel_unshuffle,
    unfold,
    upsample,
    upsample_bilinear,
    upsample_nearest,
)

__all__ += _conv_names


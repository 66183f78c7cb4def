"""Functional losses: regression, classification (cross-entropy, NLL, binary), divergence,
margin and likelihood losses, each reduced by ``reduction``."""

from __future__ import annotations

import warnings

import numpy as np

from ... import _dtype
from ...ops import elementwise as ew
from ...ops import fused as nnops
from ...ops._util import const
from ...tensor import Tensor
from ._reduction import apply_reduction, check_reduction, legacy_reduction
from .activation import log_softmax, logsigmoid
from .distance import pairwise_distance


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
    reduction = legacy_reduction(size_average, reduce, reduction)
    _warn_size(input, target)
    diff = input - target
    loss = diff * diff
    if weight is not None:
        loss = loss * weight
    return apply_reduction(loss, reduction)


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
    reduction = legacy_reduction(size_average, reduce, reduction)
    _warn_size(input, target)
    loss = ew.abs(input - target)
    if weight is not None:
        loss = loss * weight
    return apply_reduction(loss, reduction)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5 d^2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta``."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _warn_size(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    diff = input - target
    ad = ew.abs(diff)
    if beta == 0:
        return apply_reduction(ad, reduction)
    loss = ew.where(ad < beta, diff * diff * (0.5 / beta), ad - 0.5 * beta)
    return apply_reduction(loss, reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """``0.5 d^2`` where ``|d| <= delta``, else ``delta (|d| - 0.5 delta)``."""
    _warn_size(input, target)
    diff = input - target
    ad = ew.abs(diff)
    loss = ew.where(ad < delta, diff * diff * 0.5, (ad - 0.5 * delta) * delta)
    if weight is not None:
        loss = loss * weight
    return apply_reduction(loss, reduction)


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


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of class indices given log-probabilities (class dim 1).

    Each sample's log-probability is selected (gathered), never picked out by multiplying with
    a one-hot mask: a -inf at another class would make that 0 * -inf = NaN. The mean divides
    by the total weight of the kept targets, so it is NaN when there are none (as PyTorch).
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    axis, t = _class_targets(input, target, "nll_loss")
    check_reduction(reduction)
    x = input._data
    valid = t != ignore_index
    safe_t = _checked_targets(t, valid, x.shape[axis])
    w = None if weight is None else weight._data.astype(x.dtype, copy=False)
    tw = valid.astype(x.dtype) if w is None else np.where(valid, w[safe_t], 0).astype(x.dtype)
    picked = input.gather(axis, const(np.expand_dims(safe_t, axis))).squeeze(axis)
    loss = ew.where(const(valid), picked * const(-tw), 0.0)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / const(np.asarray(tw.sum(), dtype=x.dtype))


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
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
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
    out = nnops.CrossEntropy.apply(input, target=safe_t, row_w=row_w, smooth_w=smooth_w,
                                   class_w=class_w, axis=axis, reduce=reduction != "none",
                                   valid=None if valid.all() else valid)
    if reduction == "mean" and denom == 0:
        return out + x.dtype.type(np.nan)  # no (weighted) sample: the mean is 0 / 0 (PyTorch)
    return out


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
    if reduction == "mean":  # over the samples: numel / n_classes (0 / 0 when both are 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            count = np.divide(np.float64(input.numel()), n_classes)
        return loss.sum() / count if input.ndim > 1 else loss
    return apply_reduction(loss, reduction)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``-(t log x + (1 - t) log(1 - x))`` with each log clamped at -100 (as PyTorch).

    Raises:
        ValueError: target and input sizes differ.
        RuntimeError: input outside [0, 1].
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
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
    return apply_reduction(loss, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average=None, reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Sigmoid + binary cross-entropy in the stable form
    ``(1 - t) x + (1 + (pw - 1) t) * softplus(-x)``.

    Raises:
        ValueError: target and input sizes differ.
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
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
    return apply_reduction(loss, reduction)


def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL(target || exp(input)) pointwise: ``target * (log target - input)``; 0 where
    target == 0. ``'batchmean'`` divides the sum by the batch size."""
    reduction = legacy_reduction(size_average, reduce, reduction)
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
    return apply_reduction(loss, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``max(0, -y * (x1 - x2) + margin)``."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    return apply_reduction(ew.relu(-target * (input1 - input2) + margin), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average=None,
                         reduce=None, reduction: str = "mean") -> Tensor:
    """``x`` where y == 1, ``max(0, margin - x)`` where y == -1."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    pos = ew.where(target == 1, input, input * 0)
    neg = ew.where(target == -1, ew.relu(margin - input), input * 0)
    return apply_reduction(pos + neg, reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """``log(1 + exp(-y x))``."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    z = -target * input
    return apply_reduction(ew.log1p(ew.exp(-ew.abs(z))) + ew.relu(z), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average=None, reduce=None, reduction: str = "mean"
                                ) -> Tensor:
    """Per-class binary logistic loss, averaged over classes (the last dim)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    return apply_reduction(loss.mean(-1), reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``1 - cos(x1, x2)`` where y == 1, ``max(0, cos(x1, x2) - margin)`` where y == -1."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    eps = 1e-12  # PyTorch's EPSILON in this loss
    dim = input1.ndim - 1
    prod = (input1 * input2).sum(dim)
    mag = ((input1 * input1).sum(dim) + eps) * ((input2 * input2).sum(dim) + eps)
    cos = prod / mag.sqrt()
    pos = ew.where(target == 1, 1 - cos, cos * 0)
    neg = ew.where(target == -1, ew.relu(cos - margin), cos * 0)
    return apply_reduction(pos + neg, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """Poisson negative log-likelihood (with Stirling's term for target > 1 when ``full``)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
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
    return apply_reduction(loss, reduction)


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
    return apply_reduction(loss, reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:
    """``max(0, d(a, p) - d(a, n) + margin)`` with ``d`` the pairwise p-distance."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = ew.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return apply_reduction(ew.relu(d_pos - d_neg + margin), reduction)

"""Functional losses: regression, classification (cross-entropy, NLL, binary), divergence,
margin and likelihood losses, each reduced by ``reduction``."""

from __future__ import annotations

import warnings

import numpy as np

from ... import _dtype
from ...ops import elementwise as ew
from ...ops import fused as nnops
from ...ops._util import const
from ...ops.autocast_lists import float32 as autocast_float32
from ...ops.reduce import logsumexp
from ...ops.selection import where
from ...ops.shape import cat, stack
from ...tensor import Tensor, _from_array
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


@autocast_float32
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


@autocast_float32
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


@autocast_float32
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


@autocast_float32
def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """``0.5 d^2`` where ``|d| <= delta``, else ``delta (|d| - 0.5 delta)``.

    Raises:
        RuntimeError: ``delta`` is not positive.
    """
    _warn_size(input, target)
    if not delta > 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
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


def _nll_coef(input: Tensor, t: np.ndarray, axis: int, weight, ignore_index: int,
              reduction: str, label_smoothing: float) -> np.ndarray:
    """The constant A with loss = sum(A * log_probs) (per sample, or reduced)."""
    x = input._data
    n_classes = x.shape[axis]
    _check_class_weight(weight, n_classes)
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
        # only the entries a row contributes are divided, so with a total weight of 0 the
        # ignored rows and the other classes keep a gradient of 0 (PyTorch skips them)
        if label_smoothing > 0:
            used = np.broadcast_to(np.expand_dims(valid, axis), x.shape)
        else:
            used = np.zeros(x.shape, dtype=bool)
            np.put_along_axis(used, idx, np.expand_dims(valid, axis), axis=axis)
        coef = np.where(used, coef / tw.sum(), coef)
    return coef


@autocast_float32
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
    _check_class_weight(weight, x.shape[axis])
    valid = t != ignore_index
    safe_t = _checked_targets(t, valid, x.shape[axis])
    w = None if weight is None else weight._data.astype(x.dtype, copy=False)
    tw = valid.astype(x.dtype) if w is None else np.where(valid, w[safe_t], 0).astype(x.dtype)
    picked = input.gather(axis, const(np.expand_dims(safe_t, axis))).squeeze(axis)
    loss = where(const(valid), picked * const(-tw), 0.0)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        return loss.sum() / const(np.asarray(tw.sum(), dtype=x.dtype))


def _nan_if_all_ignored(loss: Tensor, valid: np.ndarray, reduction: str) -> Tensor:
    """The mean over no target is 0/0 = nan (as PyTorch), while the gradient stays 0."""
    if reduction == "mean" and not valid.any():
        return loss + float("nan")
    return loss


@autocast_float32
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
    _check_class_weight(weight, n_classes)
    valid = t != ignore_index
    safe_t = _checked_targets(t, valid, n_classes)
    w = None if weight is None else weight._data.astype(x.dtype, copy=False)
    tw = valid.astype(x.dtype) if w is None else np.where(valid, w[safe_t], 0).astype(x.dtype)
    denom = tw.sum() if reduction == "mean" else 1.0
    with np.errstate(invalid="ignore", divide="ignore"):  # all ignored: mean is nan (PyTorch)
        # ignored rows get exactly 0 (PyTorch skips them), even when denom is 0
        row_w = np.where(valid, tw * x.dtype.type(-(1.0 - label_smoothing) / denom), 0)
        row_w = row_w.astype(x.dtype, copy=False)
        smooth_w = class_w = None
        if label_smoothing > 0:
            smooth = x.dtype.type(-label_smoothing / n_classes / denom)
            smooth_w = np.where(valid, smooth, 0).astype(x.dtype, copy=False)
            if w is not None:
                shape = [1] * x.ndim
                shape[axis] = n_classes
                class_w = w.reshape(shape)
    loss = nnops.CrossEntropy.apply(input, target=safe_t, row_w=row_w, smooth_w=smooth_w,
                                    class_w=class_w, axis=axis, reduce=reduction != "none",
                                    valid=None if valid.all() else valid)
    return _nan_if_all_ignored(loss, valid, reduction)


def _check_class_weight(weight, n_classes: int) -> None:
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != n_classes):
        raise RuntimeError(
            f"weight tensor should be defined either for all {n_classes} classes or no classes "
            f"but got weight tensor of shape: {list(weight.shape)}"
        )


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


@autocast_float32
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
    loss = nnops.BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return apply_reduction(loss, reduction)


@autocast_float32
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


@autocast_float32
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


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function=None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean") -> Tensor:
    """``max(0, d(a, p) - d(a, n) + margin)`` with any distance ``d`` (default: the
    pairwise 2-distance); ``swap`` uses ``min(d(a, n), d(p, n))`` as the negative distance.

    Raises:
        ValueError: a non-positive margin or an unknown reduction.
    """
    if margin <= 0:
        raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, "
                         f"got {margin} instead")
    distance = distance_function if distance_function is not None else pairwise_distance
    d_pos = distance(anchor, positive)
    d_neg = distance(anchor, negative)
    if swap:
        d_neg = ew.minimum(d_neg, distance(positive, negative))
    return apply_reduction(ew.relu(margin + d_pos - d_neg), reduction)


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average=None, reduce=None,
                      reduction: str = "mean") -> Tensor:
    """Multi-class hinge loss: ``sum_{i != y} max(0, margin - x[y] + x[i])^p / C`` per sample,
    each term scaled by ``weight[y]`` when given.

    Raises:
        ValueError: p other than 1 or 2.
        RuntimeError: a target outside [0, C).
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    unbatched = input.ndim <= 1
    x = input.reshape(1, -1) if unbatched else input
    classes = x.shape[1]
    t = target._data.reshape(-1).astype(np.int64)
    if t.size and (t.min() < 0 or t.max() >= classes):
        raise RuntimeError("target out of range")
    x_target = x.gather(1, _from_array(t[:, None]))
    terms = ew.relu(x - x_target + margin)
    if p == 2:
        terms = terms * terms
    if weight is not None:
        terms = terms * weight[_from_array(t)].unsqueeze(1)
    others = const(np.arange(classes)[None, :] != t[:, None])
    loss = where(others, terms, 0.0).sum(1) / classes
    if unbatched:
        loss = loss.reshape(tuple(target.shape))
    return apply_reduction(loss, reduction)


# ======================================================================== CTC
# Connectionist temporal classification loss (Graves et al. 2006), as ``F.ctc_loss``.
#
# The forward (alpha) recursion runs in log space over the blank-extended label sequence, one
# time step at a time for the whole batch, in ember ops: its gradient comes from autograd.
# Unreachable states hold a large negative finite log-probability instead of -inf, so their
# gradients are exactly zero instead of NaN. PyTorch's CTC gradient with respect to
# ``log_probs`` is the one that is right for log-softmax outputs: the autograd gradient plus
# ``exp(log_probs)`` at every valid time step; a zero-valued term adds that part.

_UNREACHABLE = -1e30  # log-probability of an impossible path (finite: zero, not NaN, gradients)


def _as_lengths(values, n: int, name: str) -> np.ndarray:
    data = values._data if isinstance(values, Tensor) else np.asarray(values)
    data = np.asarray(data).reshape(-1).astype(np.int64)
    if data.shape[0] != n:
        raise RuntimeError(f"Expected tensor to have size at least {n} at dimension 1, but got "
                           f"size {data.shape[0]} for argument #2 '{name}'")
    return data


def _extended_labels(targets: Tensor, target_lengths: np.ndarray, blank: int) -> np.ndarray:
    """(N, 2 S + 1): each target sequence with a blank before, between and after its labels."""
    n = target_lengths.shape[0]
    s_max = int(target_lengths.max(initial=0))
    t = targets._data.astype(np.int64)
    if t.ndim == 1:  # concatenated targets
        starts = np.concatenate([[0], np.cumsum(target_lengths)[:-1]])
        labels = np.full((n, s_max), blank, np.int64)
        for i, (s0, ln) in enumerate(zip(starts, target_lengths, strict=True)):
            labels[i, :ln] = t[s0:s0 + ln]
    else:
        labels = np.full((n, s_max), blank, np.int64)
        labels[:, :min(s_max, t.shape[1])] = t[:, :s_max]
    ext = np.full((n, 2 * s_max + 1), blank, np.int64)
    ext[:, 1::2] = labels
    return ext


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """The CTC loss of (T, N, C) (or unbatched (T, C)) log-probabilities against targets.

    Args:
        log_probs: log-softmax outputs over C classes (class ``blank`` is the blank).
        targets: (N, S) padded, or 1-D concatenated target sequences (no blanks).
        input_lengths, target_lengths: per-sample lengths (tensors or sequences of ints).
        reduction: "mean" (each loss divided by its target length, then the batch mean),
            "sum" or "none".
        zero_infinity: impossible alignments give a loss (and gradient) of 0 instead of inf.

    Raises:
        RuntimeError: mismatched shapes, a blank out of range or lengths beyond the input.
    """
    unbatched = log_probs.ndim == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
        if targets.ndim == 1:
            targets = targets.unsqueeze(0)
    if log_probs.ndim != 3:
        raise RuntimeError(f"ctc_loss: expected log_probs to be 2-D or 3-D, got "
                           f"{log_probs.ndim}-D")
    steps, n, classes = log_probs.shape
    if not 0 <= blank < classes:
        raise RuntimeError("blank must be in label range")
    in_len = _as_lengths(input_lengths, n, "input_lengths")
    tgt_len = _as_lengths(target_lengths, n, "target_lengths")
    if (in_len > steps).any():
        raise RuntimeError(f"Expected input_lengths to have value at most {steps}, but got value "
                           f"{int(in_len.max())} (while checking arguments for ctc_loss_cpu)")
    if targets.ndim == 2 and (tgt_len > targets.shape[1]).any():
        raise RuntimeError(f"Expected tensor to have size at least {int(tgt_len.max())} at "
                           f"dimension 1, but got size {targets.shape[1]} for argument #2 "
                           f"'targets' (while checking arguments for ctc_loss_cpu)")
    ext = _extended_labels(targets, tgt_len, blank)
    width = ext.shape[1]
    dtype = log_probs._data.dtype
    # emissions[n, t, s] = log_probs[t, n, ext[n, s]]
    batch_first = log_probs.transpose(0, 1)
    emissions = batch_first.gather(2, _from_array(np.broadcast_to(
        ext[:, None, :], (n, steps, width)).copy()))
    valid = np.arange(width)[None, :] < (2 * tgt_len + 1)[:, None]
    # a skip over a blank is allowed onto a label that differs from the label two back
    skip = np.zeros((n, width), bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    unreachable = const(np.full((n, width), _UNREACHABLE, dtype))
    start = np.zeros((n, width), bool)
    start[:, 0] = True
    start[:, 1] = tgt_len > 0
    alpha = where(const(start & valid), emissions[:, 0], unreachable)
    pad1 = const(np.full((n, 1), _UNREACHABLE, dtype))
    pad2 = const(np.full((n, 2), _UNREACHABLE, dtype))
    for t in range(1, steps):
        one_back = pad1 if width == 1 else cat([pad1, alpha[:, :-1]], 1)
        two_back = where(const(skip), cat([pad2, alpha[:, :-2]], 1), unreachable) \
            if width > 2 else unreachable
        summed = logsumexp(stack([alpha, one_back, two_back], 0), 0)
        step = where(const(valid), summed + emissions[:, t], unreachable)
        alpha = where(const((t < in_len)[:, None]), step, alpha)
    last = _from_array((2 * tgt_len)[:, None])
    before_last = _from_array(np.maximum(2 * tgt_len - 1, 0)[:, None])
    end = alpha.gather(1, last)
    end_prev = where(const((tgt_len > 0)[:, None]), alpha.gather(1, before_last),
                     const(np.full((n, 1), _UNREACHABLE, dtype)))
    loss = -logsumexp(cat([end, end_prev], 1), 1)
    # PyTorch's gradient adds exp(log_probs) over each sample's valid steps (value 0 here)
    mask = const(((np.arange(steps)[None, :] < in_len[:, None]).T)[:, :, None].astype(dtype))
    probs = (log_probs.exp() * mask).sum((0, 2))
    loss = loss + (probs - probs.detach())
    # an impossible alignment: inf (PyTorch), or 0 with zero gradient under zero_infinity
    impossible = const(loss._data > -_UNREACHABLE / 2)
    loss = where(impossible, const(np.asarray(0.0 if zero_infinity else np.inf, dtype)), loss)
    if reduction == "none":
        return loss[0] if unbatched else loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return (loss / const(np.maximum(tgt_len, 1).astype(dtype))).mean()
    raise ValueError(f"{reduction} is not a valid value for reduction")


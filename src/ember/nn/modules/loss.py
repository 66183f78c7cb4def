"""Loss modules: each holds its options and calls the matching functional."""

from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from ..functional._reduction import legacy_reduction
from ..module import Module

__all__ = ["MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "CrossEntropyLoss", "NLLLoss",
           "BCELoss", "BCEWithLogitsLoss", "KLDivLoss", "MarginRankingLoss", "HingeEmbeddingLoss",
           "SoftMarginLoss", "MultiLabelSoftMarginLoss", "CosineEmbeddingLoss", "PoissonNLLLoss",
           "GaussianNLLLoss", "TripletMarginLoss", "CTCLoss",
           "TripletMarginWithDistanceLoss", "MultiMarginLoss"]


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = legacy_reduction(size_average, reduce, reduction)


class _WeightedLoss(_Loss):
    def __init__(self, weight: Tensor | None = None, size_average=None, reduce=None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """Mean squared error module: ``(input - target) ** 2``, reduced (see ``F.mse_loss``).

    Args:
        size_average: deprecated; folded into ``reduction`` as PyTorch does.
        reduce: deprecated; see ``size_average``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (per-element losses).
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of ``input`` against a ``target`` of the same shape."""
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error module: ``|input - target|``, reduced (see ``F.l1_loss``).

    Args:
        size_average: deprecated; folded into ``reduction`` as PyTorch does.
        reduce: deprecated; see ``size_average``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (per-element losses).
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of ``input`` against a ``target`` of the same shape."""
        return F.l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Quadratic below ``beta`` and linear above it: ``F.smooth_l1_loss``.

    Args:
        size_average: deprecated; folded into ``reduction`` as PyTorch does.
        reduce: deprecated; see ``size_average``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (per-element losses).
        beta: where the quadratic part ends; 0 gives the L1 loss.
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean",
                 beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of ``input`` against a ``target`` of the same shape.

        Raises:
            RuntimeError: a negative ``beta``.
        """
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Quadratic below ``delta`` and linear above: ``F.huber_loss`` (SmoothL1 times beta).

    Args:
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (per-element losses).
        delta: where the quadratic part ends.
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of ``input`` against a ``target`` of the same shape."""
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of logits against class indices or class probabilities.

    Args:
        weight: optional per-class weights, shape ``(C,)`` (stored as a buffer).
        size_average: deprecated; folded into ``reduction``.
        ignore_index: class-index targets equal to this contribute nothing (nor count in the mean).
        reduce: deprecated; folded into ``reduction``.
        reduction: ``"mean"`` (weighted mean over the non-ignored targets), ``"sum"`` or ``"none"``.
        label_smoothing: in [0, 1]; mixes the target with the uniform distribution.
    """

    def __init__(self, weight: Tensor | None = None, size_average=None, ignore_index: int = -100,
                 reduce=None, reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of logits ``input`` (``(N, C, ...)`` or ``(C,)``) against ``target``.

        ``target`` holds int64 class indices shaped ``(N, ...)`` (or 0-d), or float probabilities
        shaped like ``input``; see ``F.cross_entropy`` for the errors raised.
        """
        return F.cross_entropy(input, target, weight=self.weight,
                               ignore_index=self.ignore_index, reduction=self.reduction,
                               label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of class indices given log-probabilities (``F.nll_loss``).

    Pair with ``LogSoftmax`` over the class dim; ``CrossEntropyLoss`` does both in one step.

    Args:
        weight: optional per-class weights, shape ``(C,)`` (stored as a buffer).
        size_average: deprecated; folded into ``reduction``.
        ignore_index: targets equal to this contribute nothing (nor count in the mean).
        reduce: deprecated; folded into ``reduction``.
        reduction: ``"mean"`` (weighted mean over the non-ignored targets), ``"sum"`` or ``"none"``.
    """

    def __init__(self, weight: Tensor | None = None, size_average=None, ignore_index: int = -100,
                 reduce=None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of log-probabilities ``(N, C, ...)`` or ``(C,)`` against int64 class indices."""
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities in [0, 1] (``F.binary_cross_entropy``).

    Prefer ``BCEWithLogitsLoss`` on raw scores: it is numerically stable.

    Args:
        weight: optional weights broadcast against the per-element losses (a buffer).
        size_average: deprecated; folded into ``reduction`` as PyTorch does.
        reduce: deprecated; see ``size_average``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (per-element losses).
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of probabilities ``input`` against targets in [0, 1] of the same shape."""
        return F.binary_cross_entropy(input, target, weight=self.weight,
                                      reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits, computed stably (``F.binary_cross_entropy_with_logits``).

    Args:
        weight: optional weights broadcast against the per-element losses (a buffer).
        size_average: deprecated; folded into ``reduction`` as PyTorch does.
        reduce: deprecated; see ``size_average``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (per-element losses).
        pos_weight: optional weight of the positive term, broadcast against the target (one
            entry per class on the last dim; a buffer).
    """

    def __init__(self, weight: Tensor | None = None, size_average=None, reduce=None,
                 reduction: str = "mean", pos_weight: Tensor | None = None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of logits ``input`` against targets in [0, 1] of the same shape."""
        return F.binary_cross_entropy_with_logits(input, target, self.weight,
                                                  pos_weight=self.pos_weight,
                                                  reduction=self.reduction)


class KLDivLoss(_Loss):
    """Kullback-Leibler divergence ``target * (log(target) - input)`` (``F.kl_div``).

    ``input`` holds log-probabilities. As in PyTorch, ``reduction="mean"`` averages over every
    element; ``"batchmean"`` (sum divided by the batch size) gives the true KL divergence.

    Args:
        size_average: deprecated; folded into ``reduction`` as PyTorch does.
        reduce: deprecated; see ``size_average``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (per-element losses).
        log_target: ``target`` holds log-probabilities too.
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean",
                 log_target: bool = False) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The divergence of log-probabilities ``input`` from ``target``."""
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class MarginRankingLoss(_Loss):
    """``max(0, -target * (input1 - input2) + margin)``, for targets of 1 or -1.

    Args:
        margin: the gap by which the right input must win.
        size_average: deprecated; folded into ``reduction`` as PyTorch does.
        reduce: deprecated; see ``size_average``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (per-element losses).
    """

    def __init__(self, margin: float = 0.0, size_average=None, reduce=None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        """The loss for pairs ``input1``/``input2`` ranked by ``target`` (1 or -1)."""
        return F.margin_ranking_loss(input1, input2, target, self.margin,
                                     reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    """``input`` where ``target`` is 1, ``max(0, margin - input)`` where it is -1.

    ``input`` is usually a distance between two embeddings.

    Args:
        margin: the distance beyond which dissimilar pairs cost nothing.
        size_average: deprecated; folded into ``reduction`` as PyTorch does.
        reduce: deprecated; see ``size_average``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (per-element losses).
    """

    def __init__(self, margin: float = 1.0, size_average=None, reduce=None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of distances ``input`` against labels ``target`` (1 or -1)."""
        return F.hinge_embedding_loss(input, target, self.margin, reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """Two-class logistic loss ``log(1 + exp(-target * input))``, targets 1 or -1.

    Args:
        size_average: deprecated; folded into ``reduction`` as PyTorch does.
        reduce: deprecated; see ``size_average``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (per-element losses).
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of scores ``input`` against ``target`` (1 or -1) of the same shape."""
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """Multi-label one-versus-all logistic loss, averaged over classes.

    Args:
        weight: optional per-class weights, shape ``(C,)`` (a buffer).
        size_average: deprecated; folded into ``reduction`` as PyTorch does.
        reduce: deprecated; see ``size_average``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (per-element losses).
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of ``(N, C)`` scores against 0/1 targets of the same shape."""
        return F.multilabel_soft_margin_loss(input, target, self.weight,
                                             reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    """``1 - cos(x1, x2)`` for target 1, ``max(0, cos(x1, x2) - margin)`` for -1.

    Args:
        margin: the similarity below which dissimilar pairs cost nothing (in [-1, 1]).
        size_average: deprecated; folded into ``reduction`` as PyTorch does.
        reduce: deprecated; see ``size_average``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (per-element losses).
    """

    def __init__(self, margin: float = 0.0, size_average=None, reduce=None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        """The loss of embedding pairs ``(N, D)`` against targets ``(N,)`` of 1 or -1."""
        return F.cosine_embedding_loss(input1, input2, target, self.margin,
                                       reduction=self.reduction)


class PoissonNLLLoss(_Loss):
    """Negative log-likelihood of ``target`` counts under a Poisson distribution.

    Args:
        log_input: ``input`` is the log of the rate (loss ``exp(input) - target * input``);
            otherwise it is the rate (loss ``input - target * log(input + eps)``).
        full: add the Stirling approximation of ``log(target!)``.
        size_average: deprecated; folded into ``reduction``.
        eps: keeps ``log`` finite when ``log_input`` is False.
        reduce: deprecated; folded into ``reduction``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (per-element losses).
    """

    def __init__(self, log_input: bool = True, full: bool = False, size_average=None,
                 eps: float = 1e-8, reduce=None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, log_input: Tensor, target: Tensor) -> Tensor:
        """The loss of predicted rates (or log-rates) against ``target`` counts."""
        return F.poisson_nll_loss(log_input, target, self.log_input, self.full, eps=self.eps,
                                  reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """Negative log-likelihood of ``target`` under normals with the predicted mean and variance.

    Args:
        full: add the constant ``0.5 * log(2 * pi)``.
        eps: variances are clamped to at least this, for stability.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (per-element losses).
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean"
                 ) -> None:
        super().__init__(reduction=reduction)
        self.full = full
        self.eps = eps

    def forward(self, input: Tensor, target: Tensor, var) -> Tensor:
        """The loss of means ``input`` and variances ``var`` against ``target``.

        ``var`` may be shaped like ``input``, like ``input`` without its last dim or with that dim
        1 (shared across it), or be a scalar; see ``F.gaussian_nll_loss`` for the errors raised.
        """
        return F.gaussian_nll_loss(input, target, var, self.full, self.eps, self.reduction)


class TripletMarginLoss(_Loss):
    """``max(d(anchor, positive) - d(anchor, negative) + margin, 0)`` with the p-norm distance.

    Args:
        margin: the gap required between the two distances.
        p: the norm degree of the pairwise distance.
        eps: added to the difference before the norm, for stability at 0.
        swap: use the smaller of ``d(anchor, negative)`` and ``d(positive, negative)``.
        size_average: deprecated; folded into ``reduction`` as PyTorch does.
        reduce: deprecated; see ``size_average``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (per-element losses).
    """

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
                 swap: bool = False, size_average=None, reduce=None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        """The loss of ``(N, D)`` (or ``(D,)``) anchor, positive and negative embeddings."""
        return F.triplet_margin_loss(anchor, positive, negative, self.margin, self.p, self.eps,
                                     self.swap, reduction=self.reduction)


class CTCLoss(_Loss):
    """Connectionist temporal classification loss (see ``F.ctc_loss``).

    Args:
        blank: the blank class index.
        reduction: ``"mean"`` (per-sample loss over its target length, then the batch mean),
            ``"sum"`` or ``"none"``.
        zero_infinity: impossible alignments give 0 (and zero gradient) instead of inf.
    """

    def __init__(self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False):
        super().__init__(reduction=reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs: Tensor, targets: Tensor, input_lengths,
                target_lengths) -> Tensor:
        """The CTC loss of (T, N, C) log-probabilities against the target sequences."""
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank,
                          self.reduction, self.zero_infinity)


class TripletMarginWithDistanceLoss(_Loss):
    """Triplet loss with any distance function (see ``F.triplet_margin_with_distance_loss``)."""

    def __init__(self, *, distance_function=None, margin: float = 1.0, swap: bool = False,
                 reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater "
                             f"than 0, got {margin} instead")
        self.distance_function = distance_function
        self.margin = margin
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        """The reduced triplet loss."""
        return F.triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function,
            margin=self.margin, swap=self.swap, reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """Multi-class hinge loss (see ``F.multi_margin_loss``).

    Raises:
        ValueError: p other than 1 or 2, or a weight that is not 1-D.
    """

    def __init__(self, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,
                 size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError("only p == 1 and p == 2 supported")
        if weight is not None and weight.ndim != 1:
            raise ValueError(f"MultiMarginLoss: expected weight to be None or 1D tensor, got "
                             f"{weight.ndim}D instead")
        self.p = p
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The reduced multi-class hinge loss."""
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin,
                                   weight=self.weight, reduction=self.reduction)

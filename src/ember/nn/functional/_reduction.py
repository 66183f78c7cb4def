"""The ``reduction`` argument of the losses, and its deprecated ``size_average``/``reduce``
spelling (PyTorch's ``nn._reduction``)."""

from __future__ import annotations

from ...tensor import Tensor


def apply_reduction(loss: Tensor, reduction: str) -> Tensor:
    """Mean, sum or the per-element ``loss``; ValueError for any other ``reduction``."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")


def legacy_reduction(size_average, reduce, reduction: str) -> str:
    """``reduction`` from the deprecated pair (either one given overrides it, as PyTorch)."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def check_reduction(reduction: str) -> None:
    """ValueError unless ``reduction`` is mean, sum or none."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")

"""Connectionist temporal classification loss (Graves et al. 2006), as ``F.ctc_loss``.

The forward (alpha) recursion runs in log space over the blank-extended label sequence, one
time step at a time for the whole batch, in ember ops: its gradient comes from autograd.
Unreachable states hold a large negative finite log-probability instead of -inf, so their
gradients are exactly zero instead of NaN. PyTorch's CTC gradient with respect to
``log_probs`` is the one that is right for log-softmax outputs: the autograd gradient plus
``exp(log_probs)`` at every valid time step; a zero-valued term adds that part.
"""

from __future__ import annotations

import numpy as np

from ...ops._util import const
from ...ops.reduce import logsumexp
from ...ops.selection import where
from ...ops.shape import cat, stack
from ...tensor import Tensor, _from_array

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


"""Functional lookups: ``embedding``, ``embedding_bag`` and ``one_hot``."""

from __future__ import annotations

import numpy as np

from ...ops import fused as nnops
from ...ops._util import const
from ...ops.shape import stack
from ...tensor import Tensor, _from_array
from ._args import dtype_name


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
            f"types: Long, Int; but got {dtype_name(input)} instead"
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

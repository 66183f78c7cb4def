"""Sequence helpers: pad variable-length tensors into one batch; pack/unpack them for RNNs."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ... import _creation
from ...ops.shape import cat, stack
from ...tensor import Tensor, _from_array
from .. import functional as F

__all__ = ["PackedSequence", "pack_padded_sequence", "pack_sequence", "pad_packed_sequence",
           "pad_sequence", "unpack_sequence"]


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack tensors of shape (L_i, *) into (L_max, B, *) (or (B, L_max, *)), padding with
    ``padding_value`` on the ``padding_side``; differentiable.

    Raises:
        ValueError: unknown ``padding_side``.
    """
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got "
                         f"{padding_side}.")
    sequences = list(sequences)
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        extra = longest - s.shape[0]
        pads = [0, 0] * (s.ndim - 1) + ([0, extra] if padding_side == "right" else [extra, 0])
        padded.append(F.pad(s, pads, value=padding_value) if extra else s)
    return stack(padded, 0 if batch_first else 1)


# ---------------------------------------------------------------------- packed sequences
class PackedSequence(NamedTuple):
    """Variable-length sequences packed time step by time step, as PyTorch lays them out.

    ``data`` holds, for t = 0, 1, ..., the rows of the ``batch_sizes[t]`` sequences still
    running at step t (longest first); ``sorted_indices``/``unsorted_indices`` map between
    that order and the caller's (None when the input was already sorted).
    """

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None

    def to(self, *args, **kwargs) -> PackedSequence:
        """A copy with ``data`` converted by ``Tensor.to(*args, **kwargs)``; indices are kept."""
        return self._replace(data=self.data.to(*args, **kwargs))


def _lengths_array(lengths) -> np.ndarray:
    arr = lengths._data if isinstance(lengths, Tensor) else np.asarray(lengths)
    return arr.astype(np.int64).reshape(-1)


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) (or (B, T, *)) whose sequence b has ``lengths[b]`` steps.

    Raises:
        RuntimeError: unsorted lengths with ``enforce_sorted``, or a length <= 0.
    """
    lens = _lengths_array(lengths)
    batch = input.shape[0 if batch_first else 1]
    if len(lens) != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{len(lens)} (batch_size={batch})")
    if enforce_sorted:
        if np.any(np.diff(lens) > 0):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability.")
        sorted_indices = unsorted_indices = None
        order = np.arange(len(lens))
    else:
        order = np.argsort(-lens, kind="stable")
        sorted_indices = _from_array(order.astype(np.int64))
        unsorted_indices = _from_array(np.argsort(order).astype(np.int64))
    if lens.size and lens.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if batch_first:
        input = input.transpose(0, 1)
    if sorted_indices is not None:
        input = input.index_select(1, sorted_indices)
    sorted_lens = lens[order]
    batch_sizes = np.array([(sorted_lens > t).sum() for t in range(int(sorted_lens[0]))],
                           dtype=np.int64)
    data = cat([input[t, :int(n)] for t, n in enumerate(batch_sizes)], 0)
    return PackedSequence(data, _from_array(batch_sizes), sorted_indices, unsorted_indices)


def _padded_time_major(sequence: PackedSequence, padding_value: float = 0.0,
                       total_length: int | None = None) -> tuple:
    """(T, B, *) padded tensor in *sorted* order, and the sorted lengths (NumPy)."""
    batch_sizes = sequence.batch_sizes._data
    steps = len(batch_sizes)
    batch = int(batch_sizes[0]) if steps else 0
    rows, start = [], 0
    for n in batch_sizes.tolist():
        chunk = sequence.data[start:start + n]
        if n < batch:
            pads = [0, 0] * (chunk.ndim - 1) + [0, batch - n]
            chunk = F.pad(chunk, pads, value=padding_value)
        rows.append(chunk)
        start += n
    if total_length is not None and total_length > steps:
        filler = _creation.full((batch,) + tuple(sequence.data.shape[1:]), padding_value,
                                dtype=sequence.data.dtype)
        rows += [filler] * (total_length - steps)
    lengths = (batch_sizes[None, :] > np.arange(batch)[:, None]).sum(1).astype(np.int64)
    return stack(rows, 0), lengths


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: int | None = None) -> tuple:
    """Undo ``pack_padded_sequence``: ``(padded, lengths)`` in the caller's batch order.

    Raises:
        ValueError: ``total_length`` shorter than the longest sequence.
    """
    steps = len(sequence.batch_sizes._data)
    if total_length is not None and total_length < steps:
        raise ValueError(
            "Expected total_length to be at least the length of the longest sequence in "
            f"input, but got total_length={total_length} and max sequence length being {steps}")
    padded, lengths = _padded_time_major(sequence, padding_value, total_length)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices._data]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, _from_array(lengths)


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of (L_i, *) tensors."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """The list of (L_i, *) tensors a PackedSequence holds, in the caller's order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return [padded[i, :int(n)] for i, n in enumerate(lengths.tolist())]

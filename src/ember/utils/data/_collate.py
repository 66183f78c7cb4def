"""``default_collate`` (a list of samples -> one batch) and ``default_convert`` (arrays ->
tensors), with PyTorch's rules: tensors and arrays are stacked, Python floats become float64
and ints int64 tensors, strings stay lists, and tuples/lists/dicts/namedtuples are collated
field by field.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, MutableMapping, MutableSequence, Sequence

import numpy as np

from ..._creation import tensor
from ...ops.shape import stack
from ...tensor import Tensor, _from_array

__all__ = ["default_collate", "default_convert"]

_ERR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        "found {}")
_STR_OBJ_DTYPE = re.compile(r"[SaUO]")


def _stack(batch: list[Tensor]) -> Tensor:
    if any(t._requires_grad for t in batch):
        return stack(batch, 0)  # keeps the graph, as torch.stack does
    first = batch[0]._data
    for i, t in enumerate(batch):
        if t._data.shape != first.shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(first.shape)} at "
                f"entry 0 and {list(t._data.shape)} at entry {i}"
            )
    return _from_array(np.stack([t._data for t in batch]))


def _is_numpy_non_string(obj) -> bool:
    """An ndarray or NumPy scalar other than NumPy's string scalars (those are left alone)."""
    kind = type(obj)
    return kind.__module__ == "numpy" and kind.__name__ not in ("str_", "string_", "bytes_")


def _same_mapping_type(like: Mapping, values: dict):
    """``values`` in ``like``'s mapping type (a copy of ``like`` when mutable, so subclasses keep
    their extra state, as PyTorch), or a plain dict when that type cannot be built."""
    try:
        if isinstance(like, MutableMapping):
            clone = copy.copy(like)
            clone.update(values)
            return clone
        return type(like)(values)
    except TypeError:
        return values


def _same_sequence_type(like: Sequence, values: list):
    """``values`` in ``like``'s sequence type (as ``_same_mapping_type``), or a plain list."""
    try:
        if isinstance(like, MutableSequence):
            clone = copy.copy(like)
            for i, value in enumerate(values):
                clone[i] = value
            return clone
        return type(like)(values)
    except TypeError:
        return values


def default_collate(batch: list):
    """Merge a list of samples into a batch (what ``DataLoader`` does by default).

    Args:
        batch: the samples (all of the same structure).

    Returns:
        Tensors stacked along a new first dimension, with the samples' nesting kept
        (tuples come back as lists, as in PyTorch).

    Raises:
        TypeError: an element type that cannot be collated (the message names it).
        RuntimeError: sequences of unequal length, or tensors of unequal shape.
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack(batch)
    elem_type = type(elem)
    if _is_numpy_non_string(elem):
        if isinstance(elem, np.ndarray):
            if _STR_OBJ_DTYPE.search(elem.dtype.str) is not None:
                raise TypeError(_ERR.format(elem.dtype))
            return _stack([_from_array(np.asarray(b)) for b in batch])
        if elem.shape == ():  # NumPy scalars keep their dtype
            return _from_array(np.array(batch))
    elif isinstance(elem, bool):
        return tensor(batch)
    elif isinstance(elem, float):
        return _from_array(np.array(batch, dtype=np.float64))
    elif isinstance(elem, int):
        return _from_array(np.array(batch, dtype=np.int64))
    elif isinstance(elem, (str, bytes)):
        return batch
    elif isinstance(elem, Mapping):
        return _same_mapping_type(elem, {key: default_collate([d[key] for d in batch])
                                         for key in elem})
    elif isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(default_collate(s) for s in zip(*batch, strict=True)))
    elif isinstance(elem, Sequence):
        size = len(elem)
        if not all(len(s) == size for s in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = [default_collate(s) for s in zip(*batch, strict=True)]
        if isinstance(elem, tuple):
            return transposed  # PyTorch returns a list for tuples
        return _same_sequence_type(elem, transposed)
    raise TypeError(_ERR.format(elem_type))


def default_convert(data):
    """Convert NumPy arrays (and arrays inside dicts/lists/tuples) to tensors; keep the rest.

    Used instead of ``default_collate`` when automatic batching is off (``batch_size=None``).
    """
    data_type = type(data)
    if isinstance(data, Tensor):
        return data
    if _is_numpy_non_string(data):
        if isinstance(data, np.ndarray) and _STR_OBJ_DTYPE.search(data.dtype.str) is not None:
            return data
        return _from_array(np.asarray(data))
    if isinstance(data, Mapping):
        return _same_mapping_type(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return data_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        return _same_sequence_type(data, [default_convert(d) for d in data])
    return data

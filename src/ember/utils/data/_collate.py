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
from ...tensor import Tensor, _from_array

__all__ = ["default_collate", "default_convert"]

_ERR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        "found {}")
_STR_OBJ_DTYPE = re.compile(r"[SaUO]")


def _stack(batch: list[Tensor]) -> Tensor:
    if any(t._requires_grad for t in batch):
        from ...ops.shape import stack

        return stack(batch, 0)  # keeps the graph, as torch.stack does
    first = batch[0]._data
    for i, t in enumerate(batch):
        if t._data.shape != first.shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(first.shape)} at "
                f"entry 0 and {list(t._data.shape)} at entry {i}"
            )
    return _from_array(np.stack([t._data for t in batch]))


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
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_",
                                                                    "bytes_"):
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
        merged = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            if isinstance(elem, MutableMapping):
                clone = copy.copy(elem)
                clone.update(merged)
                return clone
            return elem_type(merged)
        except TypeError:
            return merged
    elif isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(default_collate(s) for s in zip(*batch, strict=True)))
    elif isinstance(elem, Sequence):
        size = len(elem)
        if not all(len(s) == size for s in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = [default_collate(s) for s in zip(*batch, strict=True)]
        if isinstance(elem, tuple):
            return transposed  # PyTorch returns a list for tuples
        try:
            if isinstance(elem, MutableSequence):
                clone = copy.copy(elem)
                for i, samples in enumerate(transposed):
                    clone[i] = samples
                return clone
            return elem_type(transposed)
        except TypeError:
            return transposed
    raise TypeError(_ERR.format(elem_type))


def default_convert(data):
    """Convert NumPy arrays (and arrays inside dicts/lists/tuples) to tensors; keep the rest.

    Used instead of ``default_collate`` when automatic batching is off (``batch_size=None``).
    """
    data_type = type(data)
    if isinstance(data, Tensor):
        return data
    if data_type.__module__ == "numpy" and data_type.__name__ not in ("str_", "string_",
                                                                      "bytes_"):
        if isinstance(data, np.ndarray) and _STR_OBJ_DTYPE.search(data.dtype.str) is not None:
            return data
        return _from_array(np.asarray(data))
    if isinstance(data, Mapping):
        converted = {key: default_convert(data[key]) for key in data}
        try:
            if isinstance(data, MutableMapping):
                clone = copy.copy(data)
                clone.update(converted)
                return clone
            return data_type(converted)
        except TypeError:
            return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return data_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        converted = [default_convert(d) for d in data]
        try:
            if isinstance(data, MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(converted):
                    clone[i] = d
                return clone
            return data_type(converted)
        except TypeError:
            return converted
    return data

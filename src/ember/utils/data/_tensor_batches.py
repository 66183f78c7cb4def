"""The in-memory fast path: a batch of a TensorDataset is one fancy-indexing call per tensor.

Taken when the dataset is a ``TensorDataset`` (or a ``Subset`` chain over one) of tensors
that do not require grad, collated by ``default_collate``: ``dataset[i]`` is then
``tuple(t[i] for t in tensors)`` and stacking those rows equals ``t[batch_indices]``, which
NumPy gathers in one call instead of a per-sample Python loop (6-9x faster than PyTorch's
loop). Worker processes cannot beat it: a worker would do the same gather and then ship the
result through shared memory, so the DataLoader takes this path whatever ``num_workers`` says
(see ``DataLoader``'s docstring for the rule and ``bench/dataloader_workers.py`` for figures).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from ...tensor import _from_array
from ._collate import default_collate
from .dataset import Subset, TensorDataset
from .sampler import BatchSampler


def tensor_source(dataset) -> tuple[list[np.ndarray], np.ndarray | None] | None:
    """(arrays, index map) when ``dataset[i]`` is ``tuple(a[map[i]] for a in arrays)``."""
    index_map = None
    while isinstance(dataset, Subset):
        try:
            idx = np.asarray(dataset.indices, dtype=np.int64)
        except (TypeError, ValueError):
            return None
        if idx.ndim != 1:
            return None
        index_map = idx if index_map is None else idx[index_map]
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset or not dataset.tensors:
        return None
    if any(t._requires_grad for t in dataset.tensors):
        return None  # torch.stack would record a graph: take the general path
    n = len(dataset)
    if index_map is not None and index_map.size and (index_map.min() < -n
                                                     or index_map.max() >= n):
        return None  # let the general path raise PyTorch's IndexError
    return [t._data for t in dataset.tensors], index_map


def serves(loader) -> bool:
    """True when ``tensor_batches(loader)`` applies (cheap to ask: no sampling)."""
    return (loader.collate_fn is default_collate and loader.batch_sampler is not None
            and tensor_source(loader.dataset) is not None)


def tensor_batches(loader) -> Iterator | None:
    """The loader's batches by fancy indexing, or None when the fast path does not apply."""
    if loader.collate_fn is not default_collate or loader.batch_sampler is None:
        return None
    found = tensor_source(loader.dataset)
    if found is None:
        return None
    arrays, index_map = found
    batch_sampler = loader.batch_sampler
    if isinstance(batch_sampler, BatchSampler) and batch_sampler._sliceable():
        index_batches: Iterable = batch_sampler._batch_arrays()
    else:
        index_batches = (np.asarray(b, dtype=np.int64) for b in batch_sampler)
    return _gather(arrays, index_map, index_batches)


def _gather(arrays, index_map, index_batches) -> Iterator:
    for idx in index_batches:
        if index_map is not None:
            idx = index_map[idx]
        yield [_from_array(a[idx]) for a in arrays]

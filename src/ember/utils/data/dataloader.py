"""DataLoader: batches from a dataset through a sampler and a collate function.

Single process: ember has no worker processes, so ``num_workers`` must be 0 (a larger value
raises ValueError rather than silently loading in the main process). When the dataset is a
``TensorDataset`` (or a ``Subset`` of one) and collation is the default, each batch is taken
from the tensors with one fancy-indexing call per tensor on the batch's index array, with no
per-sample Python loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from ..._random import Generator
from ...tensor import _from_array
from ._collate import default_collate, default_convert
from .dataset import Dataset, IterableDataset, Subset, TensorDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info"]


def get_worker_info() -> None:
    """Always None: ember loads data in the main process."""
    return None


class _InfiniteConstantSampler(Sampler):
    """The sampler of an IterableDataset: yields None forever (the dataset decides)."""

    def __iter__(self) -> Iterator[None]:
        while True:
            yield None


class DataLoader:
    """Iterate over a dataset in (optionally shuffled) batches.

    Args:
        dataset: a map-style ``Dataset`` (or anything with ``__getitem__``/``__len__``) or an
            ``IterableDataset``.
        batch_size: samples per batch; None disables batching (samples come one by one,
            converted with ``default_convert``).
        shuffle: reshuffle every epoch (a ``RandomSampler``).
        sampler: the index order (exclusive with ``shuffle``).
        batch_sampler: yields lists of indices (exclusive with batch_size, shuffle, sampler,
            drop_last).
        num_workers: must be 0: ember loads batches in the main process and has no workers.
        collate_fn: merges a list of samples into a batch (default ``default_collate``).
        pin_memory: accepted and ignored (CPU only).
        drop_last: drop the last incomplete batch.
        timeout: must be non-negative; unused.
        worker_init_fn, multiprocessing_context, prefetch_factor, persistent_workers,
            pin_memory_device, in_order: accepted for compatibility; unused.
        generator: source of the shuffling (default: the global generator).

    Raises:
        ValueError: num_workers other than 0, or incompatible options (PyTorch's messages).
    """

    _initialized = False

    def __init__(self, dataset: Dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Sampler | Iterable | None = None,
                 batch_sampler: Sampler | Iterable | None = None, num_workers: int = 0,
                 collate_fn: Callable[[list], Any] | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn=None,
                 multiprocessing_context=None, generator: Generator | None = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if num_workers > 0:
            raise ValueError(
                f"DataLoader(num_workers={num_workers}): ember has no worker processes; batches "
                "are loaded in the main process (fast for in-memory tensors). Use num_workers=0."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set "
                             "prefetch_factor to None.")
        if num_workers == 0 and persistent_workers:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.dataset = dataset
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.generator = generator

        iterable = isinstance(dataset, IterableDataset)
        if iterable:
            if shuffle not in (None, False):
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None:
            if iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)  # type: ignore[arg-type]
            else:
                sampler = SequentialSampler(dataset)  # type: ignore[arg-type]
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)  # type: ignore[arg-type]
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.collate_fn = collate_fn
        self._initialized = True

    def __setattr__(self, attr: str, value) -> None:
        if self._initialized and attr in ("batch_size", "batch_sampler", "sampler", "drop_last",
                                          "dataset", "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{type(self).__name__} is initialized")
        super().__setattr__(attr, value)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            length = len(self.dataset)  # type: ignore[arg-type]
            if self.batch_size is not None:
                if self.drop_last:
                    return length // self.batch_size
                return -(-length // self.batch_size)
            return length
        return len(self._index_sampler)  # type: ignore[arg-type]

    def __iter__(self) -> _DataLoaderIter:
        return _DataLoaderIter(self)

    # ------------------------------------------------------------------ batch producers
    def _batches(self) -> Iterator:
        if isinstance(self.dataset, IterableDataset):
            return self._iterable_batches()
        if self._auto_collation:
            fast = self._fast_batches()
            if fast is not None:
                return fast
            return self._map_batches()
        return (self.collate_fn(self.dataset[i]) for i in self.sampler)  # type: ignore

    def _map_batches(self) -> Iterator:
        dataset, collate = self.dataset, self.collate_fn
        getitems = getattr(dataset, "__getitems__", None)
        for indices in self.batch_sampler:  # type: ignore[union-attr]
            if callable(getitems):
                samples = getitems(indices)
            else:
                samples = [dataset[i] for i in indices]
            yield collate(samples)

    def _iterable_batches(self) -> Iterator:
        stream = iter(self.dataset)
        if not self._auto_collation:
            for sample in stream:
                yield self.collate_fn(sample)
            return
        size = self.batch_size
        batch = []
        for sample in stream:
            batch.append(sample)
            if len(batch) == size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def _fast_batches(self) -> Iterator | None:
        """Whole-batch indexing for (Subsets of) TensorDatasets under default collation."""
        if self.collate_fn is not default_collate:
            return None
        found = _tensor_source(self.dataset)
        if found is None:
            return None
        arrays, index_map = found
        batch_sampler = self.batch_sampler
        if isinstance(batch_sampler, BatchSampler) and batch_sampler._sliceable():
            index_batches: Iterable = batch_sampler._batch_arrays()
        else:
            index_batches = (np.asarray(b, dtype=np.int64) for b in batch_sampler)  # type: ignore

        def generate():
            for idx in index_batches:
                if index_map is not None:
                    idx = index_map[idx]
                yield [_from_array(a[idx]) for a in arrays]

        return generate()


def _tensor_source(dataset) -> tuple[list[np.ndarray], np.ndarray | None] | None:
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


class _DataLoaderIter:
    """One pass over a DataLoader (``iter(loader)``); has a length like PyTorch's."""

    def __init__(self, loader: DataLoader) -> None:
        self._loader = loader
        self._it = loader._batches()
        self._num_yielded = 0

    def __iter__(self) -> _DataLoaderIter:
        return self

    def __next__(self):
        batch = next(self._it)
        self._num_yielded += 1
        return batch

    def __len__(self) -> int:
        return len(self._loader)

"""DataLoader: batches from a dataset through a sampler and a collate function.

With ``num_workers=0`` batches are loaded in the calling process; with ``num_workers > 0``
by worker processes, as PyTorch's (``_multiprocess_iter``, ``_worker``). Either way, a
``TensorDataset`` (or a ``Subset`` of one) under default collation is served by one
fancy-indexing call per tensor per batch (``_tensor_batches``); see ``DataLoader`` for when
that replaces the workers.
"""

from __future__ import annotations

import multiprocessing
import os
import warnings
from collections.abc import Callable, Iterable
from multiprocessing.context import BaseContext
from typing import Any

from ..._random import Generator
from . import _tensor_batches
from ._collate import default_collate, default_convert
from ._loader_iter import SingleProcessLoaderIter, _BaseLoaderIter
from ._multiprocess_iter import MultiProcessLoaderIter
from ._worker_info import get_worker_info
from .dataset import Dataset, IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info"]


class _InfiniteConstantSampler(Sampler):
    """The sampler of an IterableDataset: yields None forever (the dataset decides)."""

    def __iter__(self):
        while True:
            yield None


def _usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class DataLoader:
    """Iterate over a dataset in (optionally shuffled) batches, optionally with workers.

    With ``num_workers > 0``, that many worker processes load batches in parallel, as
    PyTorch's: worker ``i`` gets every ``num_workers``-th batch of indices, batches come back in
    sampler order (unless ``in_order=False``), ``prefetch_factor`` batches per worker are in
    flight, each worker's Python, NumPy and ember generators are seeded with
    ``base_seed + i`` (``base_seed`` drawn from ``generator`` each epoch), ``get_worker_info()``
    describes the worker, and array payloads travel through shared memory. An exception in a
    worker is raised here with the worker's traceback; a worker that dies raises
    RuntimeError naming its pid and signal; workers stop when the iterator ends, is
    garbage collected (e.g. after ``break``) or the interpreter exits.

    In-memory fast path: a ``TensorDataset`` (or ``Subset`` chain over one) of tensors not
    requiring grad, with ``default_collate`` and no ``worker_init_fn``, is always loaded in the
    main process by one fancy-indexing call per tensor per batch, whatever ``num_workers``
    says: gathering rows already in memory is one memcpy, which is what shipping the batch
    from a worker would cost anyway (``bench/dataloader_workers.py``, 4096 samples of
    3x32x32 float32, batch 64: 8.5 ms per epoch in the main process, 124 ms with 2 workers
    gathering the same batches). A ``worker_init_fn`` asks for code to run in workers, so it
    gets them.

    Args:
        dataset: a map-style ``Dataset`` (or anything with ``__getitem__``/``__len__``) or an
            ``IterableDataset``.
        batch_size: samples per batch; None disables batching (samples come one by one,
            converted with ``default_convert``).
        shuffle: reshuffle every epoch (a ``RandomSampler``).
        sampler: the index order (exclusive with ``shuffle``).
        batch_sampler: yields lists of indices (exclusive with batch_size, shuffle, sampler,
            drop_last).
        num_workers: worker processes (0: load in the main process).
        collate_fn: merges a list of samples into a batch (default ``default_collate``).
        pin_memory: accepted and ignored (CPU only: there is no device memory to pin for).
        drop_last: drop the last incomplete batch.
        timeout: seconds to wait for a batch from the workers before RuntimeError (0: forever).
        worker_init_fn: called as ``worker_init_fn(worker_id)`` in each worker after seeding.
        multiprocessing_context: ``"fork"``, ``"spawn"``, ``"forkserver"`` or a context object
            (default: multiprocessing's default start method).
        generator: source of the shuffling and of the workers' base seed (default: the global
            generator).
        prefetch_factor: batches loaded ahead per worker (default 2 with workers).
        persistent_workers: keep the workers (and their dataset copies) between epochs.
        pin_memory_device: accepted and ignored (CPU only).
        in_order: return batches in sampler order (False: as they are ready).

    Raises:
        ValueError: incompatible options (PyTorch's messages).
        TypeError: ``multiprocessing_context`` neither a start method nor a context.
    """

    _initialized = False

    def __init__(self, dataset: Dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Sampler | Iterable | None = None,
                 batch_sampler: Sampler | Iterable | None = None, num_workers: int = 0,
                 collate_fn: Callable[[list], Any] | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context: str | BaseContext | None = None,
                 generator: Generator | None = None, *, prefetch_factor: int | None = None,
                 persistent_workers: bool = False, pin_memory_device: str = "",
                 in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set "
                             "prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order
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
        self.persistent_workers = persistent_workers
        self._IterableDataset_len_called: int | None = None
        self._iterator: _BaseLoaderIter | None = None
        self._initialized = True
        self._check_worker_number_rationality()

    @property
    def multiprocessing_context(self) -> BaseContext | None:
        """The context workers are started from (None: multiprocessing's default)."""
        return self._multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context: str | BaseContext | None) -> None:
        if context is not None:
            if self.num_workers == 0:
                raise ValueError("multiprocessing_context can only be used with multi-process "
                                 "loading (num_workers > 0), but got "
                                 f"num_workers={self.num_workers}")
            if isinstance(context, str):
                methods = multiprocessing.get_all_start_methods()
                if context not in methods:
                    raise ValueError("multiprocessing_context option should specify a valid start "
                                     f"method in {methods!r}, but got "
                                     f"multiprocessing_context={context!r}")
                context = multiprocessing.get_context(context)
            if not isinstance(context, BaseContext):
                raise TypeError("multiprocessing_context option should be a valid context object "
                                "or a string specifying the start method, but got "
                                f"multiprocessing_context={context}")
        self._multiprocessing_context = context

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

    def _uses_workers(self) -> bool:
        """Workers, unless the in-memory tensor fast path serves the batches (see the class)."""
        if self.num_workers == 0:
            return False
        return self.worker_init_fn is not None or not _tensor_batches.serves(self)

    def _get_iterator(self) -> _BaseLoaderIter:
        if self._uses_workers():
            self._check_worker_number_rationality()
            return MultiProcessLoaderIter(self)
        return SingleProcessLoaderIter(self)

    def __iter__(self) -> _BaseLoaderIter:
        if self.persistent_workers and self._uses_workers():
            if self._iterator is None or not self._iterator.usable:  # type: ignore[attr-defined]
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            length = len(self.dataset)  # type: ignore[arg-type]
            self._IterableDataset_len_called = length
            if self.batch_size is not None:
                if self.drop_last:
                    return length // self.batch_size
                return -(-length // self.batch_size)
            return length
        return len(self._index_sampler)  # type: ignore[arg-type]

    def _check_worker_number_rationality(self) -> None:
        """Warn, as PyTorch, when more workers than usable CPUs are requested."""
        cpus = _usable_cpus()
        if self.num_workers > cpus and self._uses_workers():
            warnings.warn(
                f"This DataLoader will create {self.num_workers} worker processes in total. Our "
                f"suggested max number of worker in current system is {cpus}, which is smaller "
                "than what this DataLoader is going to create. Please be aware that excessive "
                "worker creation might get DataLoader running slow or even freeze, lower the "
                "worker number to avoid potential slowness/freeze if necessary.", stacklevel=3)

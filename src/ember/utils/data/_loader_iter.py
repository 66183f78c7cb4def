"""One pass over a DataLoader in the main process (``num_workers=0``, or the tensor fast path).

``_BaseLoaderIter`` holds what every pass shares with PyTorch's: the index sampler's iterator,
a ``base_seed`` drawn from the loader's generator (or the global one) when the pass starts —
drawn even without workers, so the generator's stream, and hence the shuffled order, is the
same whatever ``num_workers`` is — a length, and the warning when an IterableDataset yields
more than its ``__len__`` promised.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np

from ..._random import rng
from ._fetch import create_fetcher
from ._tensor_batches import tensor_batches
from .dataset import IterableDataset


def draw_base_seed(generator) -> int:
    """One int64 from ``generator`` (the global generator if None), as PyTorch's ``random_()``."""
    return int(rng(generator).integers(0, 2**63 - 1, dtype=np.int64))


class _BaseLoaderIter:
    def __init__(self, loader) -> None:
        self._dataset = loader.dataset
        self._is_iterable = isinstance(loader.dataset, IterableDataset)
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._collate_fn = loader.collate_fn
        self._num_workers = loader.num_workers
        self._sampler_iter: Iterator = iter(self._index_sampler)
        self._base_seed = draw_base_seed(loader.generator)
        self._num_yielded = 0
        self._len_promised = loader._IterableDataset_len_called

    def _reset(self, loader) -> None:
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._len_promised = loader._IterableDataset_len_called

    def __iter__(self):
        return self

    def _next_data(self):
        raise NotImplementedError

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        if (self._is_iterable and self._len_promised is not None
                and self._num_yielded > self._len_promised):
            message = (f"Length of IterableDataset {self._dataset} was reported to be "
                       f"{self._len_promised} (when accessing len(dataloader)), but "
                       f"{self._num_yielded} samples have been fetched. ")
            if self._num_workers > 0:
                message += ("For multiprocessing data-loading, this could be caused by not "
                            "properly configuring the IterableDataset replica at each worker "
                            "(see get_worker_info()).")
            warnings.warn(message, stacklevel=2)
        return data

    def __len__(self) -> int:
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError(f"{type(self).__name__} cannot be pickled")


class SingleProcessLoaderIter(_BaseLoaderIter):
    """Batches loaded in the calling process: by fancy indexing when the data is in-memory
    tensors under default collation (``tensor_batches``), else sample by sample."""

    def __init__(self, loader, fast: bool = True) -> None:
        super().__init__(loader)
        self._fast = tensor_batches(loader) if fast else None
        self._fetcher = create_fetcher(self._dataset, self._is_iterable, self._auto_collation,
                                       self._collate_fn, self._drop_last)

    def _next_data(self):
        if self._fast is not None:
            return next(self._fast)
        return self._fetcher.fetch(next(self._sampler_iter))

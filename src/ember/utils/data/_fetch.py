"""Fetchers: turn one entry of the index sampler into one batch (or sample).

The same objects serve the main process (``num_workers=0``) and every worker process, so a
batch is built identically wherever it is loaded. A map-style fetcher reads the indices it is
given; an iterable-style fetcher ignores them except for their count and reads the next items
of its own iterator over the dataset (in a worker: its own copy of the dataset).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class _MapFetcher:
    """``dataset[i]`` for each index (or ``__getitems__`` for the whole batch), then collate."""

    def __init__(self, dataset, auto_collation: bool, collate_fn: Callable[[Any], Any],
                 drop_last: bool) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last

    def fetch(self, possibly_batched_index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[possibly_batched_index])
        getitems = getattr(self.dataset, "__getitems__", None)
        if callable(getitems):
            samples = getitems(possibly_batched_index)
        else:
            samples = [self.dataset[i] for i in possibly_batched_index]
        return self.collate_fn(samples)


class _IterableFetcher:
    """The next ``len(batch)`` items of the dataset's iterator, then collate.

    Raises StopIteration once the iterator is exhausted (and, with ``drop_last``, instead of
    returning a short final batch), as PyTorch's fetcher does.
    """

    def __init__(self, dataset, auto_collation: bool, collate_fn: Callable[[Any], Any],
                 drop_last: bool) -> None:
        self.dataset_iter = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.dataset_iter))
        samples = []
        for _ in possibly_batched_index:
            try:
                samples.append(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                break
        if not samples or (self.drop_last and len(samples) < len(possibly_batched_index)):
            raise StopIteration
        return self.collate_fn(samples)


def create_fetcher(dataset, is_iterable: bool, auto_collation: bool,
                   collate_fn: Callable[[Any], Any], drop_last: bool):
    """The fetcher for ``dataset``'s kind (map-style or iterable)."""
    kind = _IterableFetcher if is_iterable else _MapFetcher
    return kind(dataset, auto_collation, collate_fn, drop_last)

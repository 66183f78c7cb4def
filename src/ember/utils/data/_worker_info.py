"""``get_worker_info()``: who am I, inside a DataLoader worker process.

Set once when a worker process starts; None in the main process. An ``IterableDataset`` reads
it in ``__iter__`` to load only its share of the data (``info.id`` of ``info.num_workers``),
and ``worker_init_fn`` reads it to configure ``info.dataset``, this worker's own copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["WorkerInfo", "get_worker_info"]


@dataclass(frozen=True)
class WorkerInfo:
    """The current worker's identity (read-only, as PyTorch's).

    Attributes:
        id: this worker's index, ``0 <= id < num_workers``.
        num_workers: how many workers the DataLoader started.
        seed: the seed this worker's Python, NumPy and ember generators were given
            (``base_seed + id``).
        dataset: this worker's copy of the dataset (not the main process's object).
    """

    id: int
    num_workers: int
    seed: int
    dataset: Any


_current: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """The running DataLoader worker's ``WorkerInfo``, or None in the main process."""
    return _current


def _set_worker_info(info: WorkerInfo) -> None:
    global _current
    _current = info

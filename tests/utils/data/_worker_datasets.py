"""Datasets for the worker-process tests, at module level so spawned workers can import them."""

from __future__ import annotations

import os
import random
import signal
import time

import numpy as np

import ember
from ember.utils.data import Dataset, IterableDataset, get_worker_info


class Records(Dataset):
    """Mixed samples: a large array (shared memory), a small one, numbers, strings, dicts."""

    def __init__(self, n: int = 23) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        return {"image": np.full((32, 32, 8), i, np.float32), "small": np.arange(3) + i,
                "label": i % 5, "name": f"s{i}", "t": ember.tensor([float(i), -i])}


class Pids(Dataset):
    """Each sample is (index, the pid of the process that loaded it)."""

    def __init__(self, n: int = 16, delay: float = 0.0) -> None:
        self.n, self.delay = n, delay

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        if self.delay:
            time.sleep(self.delay)
        return i, os.getpid()


class SlowFirstWorker(Dataset):
    """Worker 0 is slow, so worker 1's batches arrive first: in-order delivery must wait."""

    def __len__(self) -> int:
        return 12

    def __getitem__(self, i):
        if get_worker_info().id == 0:
            time.sleep(0.02)
        return i


class Randomness(Dataset):
    """What each worker's reseeded generators produce, with the worker's info."""

    def __len__(self) -> int:
        return 4

    def __getitem__(self, i):
        info = get_worker_info()
        return {"random": random.random(), "numpy": float(np.random.rand()),
                "ember": ember.rand(1).item(), "id": info.id, "seed": info.seed,
                "num_workers": info.num_workers, "same_dataset": info.dataset is self}


class Failing(Dataset):
    """Raises ``error`` for index ``bad``; other samples are their index."""

    def __init__(self, bad: int, error: BaseException) -> None:
        self.bad, self.error = bad, error

    def __len__(self) -> int:
        return 8

    def __getitem__(self, i):
        if i == self.bad:
            raise self.error
        return i


class TwoArgError(Exception):
    def __init__(self, a, b):
        super().__init__(f"{a} and {b}")


class Dies(Dataset):
    """Index ``bad`` ends its worker: by SIGKILL, or by ``os._exit(code)``."""

    def __init__(self, bad: int, code: int | None = None) -> None:
        self.bad, self.code = bad, code

    def __len__(self) -> int:
        return 8

    def __getitem__(self, i):
        if i == self.bad:
            if self.code is None:
                os.kill(os.getpid(), signal.SIGKILL)
            os._exit(self.code)
        return i


class Sleeps(Dataset):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __len__(self) -> int:
        return 4

    def __getitem__(self, i):
        time.sleep(self.seconds)
        return i


class ShardedRange(IterableDataset):
    """range(n), split between workers through get_worker_info() (uneven shards)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))

    def __len__(self) -> int:
        return self.n


class UnshardedRange(IterableDataset):
    def __init__(self, n: int) -> None:
        self.n = n

    def __iter__(self):
        return iter(range(self.n))


class Counter(Dataset):
    """Counts the samples this copy of the dataset served (state that persists per worker)."""

    def __init__(self) -> None:
        self.served = 0

    def __len__(self) -> int:
        return 6

    def __getitem__(self, i):
        self.served += 1
        return i, os.getpid(), self.served


INIT_CALLS: list = []


def record_init(worker_id: int) -> None:
    """A worker_init_fn: remembers its id and the worker info it saw (read by InitSeen)."""
    INIT_CALLS.append((worker_id, get_worker_info().id))


def failing_init(worker_id: int) -> None:
    raise RuntimeError(f"init of worker {worker_id} failed")


class InitSeen(Dataset):
    def __len__(self) -> int:
        return 4

    def __getitem__(self, i):
        return repr(INIT_CALLS)

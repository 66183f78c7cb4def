"""DistributedSampler: each rank's share of the dataset, the shares covering it once per epoch.

The shuffle is PyTorch's, index for index: ``torch.randperm(n, generator=g)`` with
``g.manual_seed(seed + epoch)`` is a Fisher-Yates shuffle driven by MT19937 seeded with the low
32 bits of the seed, and NumPy's legacy ``RandomState`` (whose streams NumPy keeps stable)
produces the same 32-bit words. So a job mixing ember and PyTorch ranks, or resuming a PyTorch
run in ember, visits the same samples in the same order.
"""

from __future__ import annotations

import math
from collections.abc import Sized

import numpy as np

from ... import distributed as dist
from .sampler import _ArraySampler

__all__ = ["DistributedSampler"]


def torch_randperm(n: int, seed: int) -> np.ndarray:
    """The permutation ``torch.randperm(n, generator=torch.Generator().manual_seed(seed))``."""
    words = np.random.RandomState(seed & 0xFFFFFFFF).randint(
        0, 2**32, size=max(n - 1, 0), dtype=np.uint32)
    # swap position i with i + (word_i mod (n - i)), i = 0 .. n - 2 (sequential by nature)
    targets = (words.astype(np.int64) % np.arange(n, 1, -1, dtype=np.int64)
               + np.arange(max(n - 1, 0))).tolist()
    perm = list(range(n))
    for i, z in enumerate(targets):
        perm[i], perm[z] = perm[z], perm[i]
    return np.array(perm, dtype=np.int64)


class DistributedSampler(_ArraySampler):
    """Indices ``rank, rank + num_replicas, ...`` of the (shuffled, padded) dataset order.

    Args:
        dataset: anything with ``len``.
        num_replicas: number of ranks (default: the default group's world size).
        rank: this rank (default: its rank in the default group).
        shuffle: permute with ``seed + epoch`` (call ``set_epoch`` each epoch).
        seed: the shuffle seed, the same on every rank.
        drop_last: drop the tail so all ranks get equal shares; otherwise repeat the first
            indices to pad the epoch to a multiple of ``num_replicas``.

    Raises:
        RuntimeError: num_replicas/rank not given and no process group initialised.
        ValueError: rank outside ``[0, num_replicas - 1]``.
    """

    def __init__(self, dataset: Sized, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            if not dist.is_available():
                raise RuntimeError("Requires distributed package to be available")
        if num_replicas is None:
            num_replicas = dist.get_world_size()
        if rank is None:
            rank = dist.get_rank()
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def _epoch_indices(self) -> np.ndarray:
        n = len(self.dataset)
        if self.shuffle:
            order = torch_randperm(n, self.seed + self.epoch)
        else:
            order = np.arange(n, dtype=np.int64)
        if not self.drop_last:
            pad = self.total_size - n
            if pad > 0:  # repeat the order from its start (several times for tiny datasets)
                order = np.concatenate([order, np.resize(order, pad)]) if n else order
        else:
            order = order[:self.total_size]
        return order[self.rank:self.total_size:self.num_replicas]

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use ``epoch`` in the next shuffle, so every epoch has its own order (same on all
        ranks)."""
        self.epoch = epoch

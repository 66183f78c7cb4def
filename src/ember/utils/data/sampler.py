"""Samplers: which dataset indices to visit, in what order.

Index samplers compute a whole epoch's indices as one NumPy array (``_epoch_indices``);
``__iter__`` yields from it, and the DataLoader's fast path slices it into batches directly,
so both orders are the same by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence, Sized

import numpy as np

from ..._creation import tensor
from ..._random import Generator, rng
from ...tensor import Tensor

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]


class Sampler:
    """Base class: subclasses define ``__iter__`` (indices) and usually ``__len__``."""

    def __init__(self, data_source: Sized | None = None) -> None:
        pass

    def __iter__(self) -> Iterator:
        raise NotImplementedError


class _ArraySampler(Sampler):
    """A sampler whose epoch is one index array (so batches can be sliced out of it)."""

    def _epoch_indices(self) -> np.ndarray:
        raise NotImplementedError

    def __iter__(self) -> Iterator[int]:
        return iter(self._epoch_indices().tolist())


class SequentialSampler(_ArraySampler):
    """``0, 1, ..., len(data_source) - 1``."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def _epoch_indices(self) -> np.ndarray:
        return np.arange(len(self.data_source), dtype=np.int64)

    def __len__(self) -> int:
        return len(self.data_source)


def _epoch_rng(generator: Generator | None) -> np.random.Generator:
    """The given generator's stream, or (as PyTorch) a fresh one seeded from the global one."""
    if generator is not None:
        return rng(generator)
    return np.random.default_rng(int(rng(None).integers(0, 2**63 - 1)))


class RandomSampler(_ArraySampler):
    """A random permutation each epoch, or ``num_samples`` draws with replacement.

    Args:
        data_source: the dataset (only its length is used).
        replacement: draw with replacement.
        num_samples: samples per epoch (default ``len(data_source)``); without replacement,
            more than the length repeats whole permutations.
        generator: the source of randomness (default: seeded from the global generator each
            epoch, so ``ember.manual_seed`` makes shuffling reproducible).

    Raises:
        TypeError: ``replacement`` is not a bool.
        ValueError: ``num_samples`` is not a positive integer.
    """

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: int | None = None, generator: Generator | None = None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(
                f"num_samples should be a positive integer value, but got "
                f"num_samples={self.num_samples}"
            )

    @property
    def num_samples(self) -> int:
        """How many indices one pass yields: ``num_samples`` if given, else the dataset length."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _epoch_indices(self) -> np.ndarray:
        n = len(self.data_source)
        gen = _epoch_rng(self.generator)
        if self.replacement:
            return gen.integers(0, n, size=self.num_samples, dtype=np.int64)
        whole, rest = divmod(self.num_samples, n)
        parts = [gen.permutation(n) for _ in range(whole)]
        if rest:
            parts.append(gen.permutation(n)[:rest])
        return np.concatenate(parts).astype(np.int64, copy=False)

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(_ArraySampler):
    """The given indices in a random order each epoch."""

    def __init__(self, indices: Sequence[int], generator: Generator | None = None) -> None:
        self.indices = indices
        self.generator = generator

    def _epoch_indices(self) -> np.ndarray:
        order = rng(self.generator).permutation(len(self.indices))
        return np.asarray(self.indices, dtype=np.int64)[order]

    def __iter__(self) -> Iterator[int]:
        order = rng(self.generator).permutation(len(self.indices))
        return (self.indices[i] for i in order.tolist())

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(_ArraySampler):
    """``num_samples`` indices drawn with probabilities proportional to ``weights``.

    Raises:
        ValueError: ``num_samples`` not a positive integer, ``replacement`` not a bool, or
            weights not 1-d.
        RuntimeError: more samples than weights without replacement (when iterated).
    """

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Generator | None = None) -> None:
        if (not isinstance(num_samples, int) or isinstance(num_samples, bool)
                or num_samples <= 0):
            raise ValueError(
                f"num_samples should be a positive integer value, but got "
                f"num_samples={num_samples}"
            )
        if not isinstance(replacement, bool):
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        w = weights._data if isinstance(weights, Tensor) else weights
        w = np.asarray(w, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(
                f"weights should be a 1d sequence but given weights have shape {tuple(w.shape)}"
            )
        self.weights = tensor(w)
        self._w = w
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def _epoch_indices(self) -> np.ndarray:
        w = self._w
        n = w.shape[0]
        # PyTorch's multinomial checks, with its messages
        if np.isinf(w).any():
            raise RuntimeError("invalid multinomial distribution (encountering probability "
                               "entry = infinity or NaN)")
        if (w < 0).any() or np.isnan(w).any():
            raise RuntimeError("invalid multinomial distribution (encountering probability "
                               "entry < 0)")
        if w.sum() <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not self.replacement and self.num_samples > n:
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                               "replacement")
        gen = rng(self.generator)
        if self.replacement:
            return gen.choice(n, size=self.num_samples, p=w / w.sum()).astype(np.int64)
        # without replacement: smallest exponential keys E/w (zero weights come last, as torch)
        with np.errstate(divide="ignore"):
            keys = gen.exponential(size=n) / w
        return np.argsort(keys, kind="stable")[:self.num_samples].astype(np.int64)

    def __len__(self) -> int:
        return self.num_samples


def _iterates_epoch_array(sampler) -> bool:
    """True when iterating ``sampler`` just walks ``_epoch_indices()`` (no overridden __iter__)."""
    return isinstance(sampler, _ArraySampler) and type(sampler).__iter__ in (
        _ArraySampler.__iter__, SubsetRandomSampler.__iter__)


class BatchSampler(Sampler):
    """Group the indices of ``sampler`` into lists of ``batch_size``.

    Raises:
        ValueError: ``batch_size`` not a positive integer or ``drop_last`` not a bool.
    """

    def __init__(self, sampler: Sampler | Iterable[int], batch_size: int,
                 drop_last: bool) -> None:
        if (not isinstance(batch_size, int) or isinstance(batch_size, bool)
                or batch_size <= 0):
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if not isinstance(drop_last, bool):
            raise ValueError(
                f"drop_last should be a boolean value, but got drop_last={drop_last}"
            )
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def _batch_arrays(self) -> Iterator[np.ndarray]:
        """The batches as index arrays: slices of the sampler's epoch array."""
        idx = self.sampler._epoch_indices()  # type: ignore[union-attr]
        n, bs = idx.shape[0], self.batch_size
        stop = n - n % bs if self.drop_last else n
        for start in range(0, stop, bs):
            yield idx[start:start + bs]

    def _sliceable(self) -> bool:
        """True when batches can be sliced out of the sampler's epoch array."""
        return (_iterates_epoch_array(self.sampler)
                and type(self).__iter__ is BatchSampler.__iter__)

    def __iter__(self) -> Iterator[list[int]]:
        if _iterates_epoch_array(self.sampler):
            for batch in self._batch_arrays():
                yield batch.tolist()
            return
        batch = []
        for i in self.sampler:
            batch.append(i)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        if self.drop_last:
            return n // self.batch_size
        return (n + self.batch_size - 1) // self.batch_size

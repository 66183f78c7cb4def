"""Samplers: which dataset indices to visit, in what order.

Index samplers produce an epoch's indices as a lazy stream of NumPy arrays
(``_epoch_chunks``): ``__iter__`` yields from it, and the DataLoader's fast path slices it
into batches directly, so both orders are the same by construction. Chunks keep memory
bounded: ``RandomSampler(replacement=True, num_samples=10**10)`` draws ``_CHUNK`` indices at
a time (as PyTorch draws 32 at a time), never the whole epoch up front.
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


_CHUNK = 1 << 16  # indices per drawn chunk: 512 KiB of int64, a few ms of NumPy at most


class _ArraySampler(Sampler):
    """A sampler whose epoch is a stream of index arrays (so batches can be sliced out of it)."""

    def _epoch_chunks(self) -> Iterator[np.ndarray]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[int]:
        for chunk in self._epoch_chunks():
            yield from chunk.tolist()


class SequentialSampler(_ArraySampler):
    """``0, 1, ..., len(data_source) - 1``."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def _epoch_chunks(self) -> Iterator[np.ndarray]:
        n = len(self.data_source)
        for start in range(0, n, _CHUNK):
            yield np.arange(start, min(start + _CHUNK, n), dtype=np.int64)

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

    def _epoch_chunks(self) -> Iterator[np.ndarray]:
        # a generator: nothing is drawn before the first index is asked for (as PyTorch)
        n = len(self.data_source)
        gen = _epoch_rng(self.generator)
        if self.replacement:
            for start in range(0, self.num_samples, _CHUNK):
                size = min(_CHUNK, self.num_samples - start)
                yield gen.integers(0, n, size=size, dtype=np.int64)
            return
        whole, rest = divmod(self.num_samples, n)
        for _ in range(whole):
            yield gen.permutation(n).astype(np.int64, copy=False)
        if rest:
            yield gen.permutation(n)[:rest].astype(np.int64, copy=False)

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(_ArraySampler):
    """The given indices in a random order each epoch."""

    def __init__(self, indices: Sequence[int], generator: Generator | None = None) -> None:
        self.indices = indices
        self.generator = generator

    def _epoch_chunks(self) -> Iterator[np.ndarray]:
        order = rng(self.generator).permutation(len(self.indices))
        yield np.asarray(self.indices, dtype=np.int64)[order]

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

    def _epoch_chunks(self) -> Iterator[np.ndarray]:
        yield self._draw()

    def _draw(self) -> np.ndarray:
        """All ``num_samples`` indices at once, as PyTorch's one ``multinomial`` call."""
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
    """True when iterating ``sampler`` just walks ``_epoch_chunks()`` (no overridden __iter__)."""
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
        """The batches as index arrays: slices of the sampler's chunks (a batch may span two)."""
        bs = self.batch_size
        carry = np.empty(0, dtype=np.int64)
        for chunk in self.sampler._epoch_chunks():  # type: ignore[union-attr]
            if carry.size:
                chunk = np.concatenate([carry, chunk])
            full = chunk.shape[0] - chunk.shape[0] % bs
            for start in range(0, full, bs):
                yield chunk[start:start + bs]
            carry = chunk[full:]
        if carry.size and not self.drop_last:
            yield carry

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

"""Samplers: orders, lengths, reproducibility, and errors as torch.utils.data's."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.utils.data import (
    BatchSampler,
    RandomSampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

torch = pytest.importorskip("torch")
tud = torch.utils.data

DATA = list(range(10))


def test_sequential_sampler_matches_torch():
    assert list(SequentialSampler(DATA)) == list(tud.SequentialSampler(DATA))
    assert len(SequentialSampler(DATA)) == 10


def test_random_sampler_is_a_permutation_and_changes_each_epoch():
    s = RandomSampler(DATA)
    first, second = list(s), list(s)
    assert sorted(first) == DATA and sorted(second) == DATA
    assert first != second
    assert all(isinstance(i, int) for i in first)


@pytest.mark.parametrize("num_samples", [3, 10, 25])
def test_random_sampler_num_samples_without_replacement(num_samples):
    s = RandomSampler(DATA, num_samples=num_samples)
    idx = list(s)
    assert len(idx) == len(s) == len(tud.RandomSampler(DATA, num_samples=num_samples))
    # whole permutations first, then a partial one (as torch)
    for k in range(num_samples // 10):
        assert sorted(idx[10 * k:10 * k + 10]) == DATA
    assert len(set(idx[10 * (num_samples // 10):])) == num_samples % 10


def test_random_sampler_with_replacement_draws_num_samples():
    idx = list(RandomSampler(DATA, replacement=True, num_samples=200))
    assert len(idx) == 200 and set(idx) <= set(DATA) and len(set(idx)) == 10


def test_random_sampler_generator_makes_it_reproducible():
    a = list(RandomSampler(DATA, generator=ember.Generator().manual_seed(5)))
    b = list(RandomSampler(DATA, generator=ember.Generator().manual_seed(5)))
    assert a == b
    ember.manual_seed(7)
    c = list(RandomSampler(DATA))
    ember.manual_seed(7)
    d = list(RandomSampler(DATA))
    assert c == d


@pytest.mark.parametrize("kwargs,exc,msg", [
    (dict(replacement=1), TypeError, "replacement should be a boolean value"),
    (dict(num_samples=0), ValueError, "num_samples should be a positive integer value"),
    (dict(num_samples=2.5), ValueError, "num_samples should be a positive integer value"),
])
def test_random_sampler_errors_match_torch(kwargs, exc, msg):
    with pytest.raises(exc, match=msg):
        RandomSampler(DATA, **kwargs)
    with pytest.raises(exc, match=msg):
        tud.RandomSampler(DATA, **kwargs)


def test_subset_random_sampler_permutes_the_given_indices():
    s = SubsetRandomSampler([3, 5, 7, 9], generator=ember.Generator().manual_seed(0))
    idx = list(s)
    assert sorted(idx) == [3, 5, 7, 9] and len(s) == 4


def test_weighted_random_sampler_follows_weights():
    s = WeightedRandomSampler([0.0, 1.0, 3.0], num_samples=4000,
                              generator=ember.Generator().manual_seed(0))
    counts = np.bincount(list(s), minlength=3)
    assert counts[0] == 0
    assert 2.5 < counts[2] / counts[1] < 3.5
    assert len(s) == 4000


def test_weighted_random_sampler_without_replacement_is_distinct():
    idx = list(WeightedRandomSampler([1.0] * 6, num_samples=6, replacement=False))
    assert sorted(idx) == list(range(6))
    with pytest.raises(RuntimeError, match="without replacement"):
        list(WeightedRandomSampler([1.0] * 3, num_samples=4, replacement=False))


@pytest.mark.parametrize("kwargs,msg", [
    (dict(weights=[1.0, 2.0], num_samples=0), "num_samples should be a positive integer"),
    (dict(weights=[1.0, 2.0], num_samples=True), "num_samples should be a positive integer"),
    (dict(weights=[1.0, 2.0], num_samples=2, replacement=0), "replacement should be a boolean"),
    (dict(weights=[[1.0, 2.0]], num_samples=2), r"weights should be a 1d sequence but given "
                                                r"weights have shape \(1, 2\)"),
])
def test_weighted_random_sampler_errors_match_torch(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        WeightedRandomSampler(**kwargs)
    with pytest.raises(ValueError, match=msg):
        tud.WeightedRandomSampler(**kwargs)


@pytest.mark.parametrize("batch_size", [1, 3, 4, 10, 11])
@pytest.mark.parametrize("drop_last", [False, True])
def test_batch_sampler_matches_torch(batch_size, drop_last):
    e = BatchSampler(SequentialSampler(DATA), batch_size, drop_last)
    t = tud.BatchSampler(tud.SequentialSampler(DATA), batch_size, drop_last)
    assert list(e) == list(t)
    assert len(e) == len(t)
    # a plain iterable as the sampler works too
    assert list(BatchSampler(range(10), batch_size, drop_last)) == list(t)


@pytest.mark.parametrize("kwargs,msg", [
    (dict(batch_size=0, drop_last=False), "batch_size should be a positive integer value"),
    (dict(batch_size=True, drop_last=False), "batch_size should be a positive integer value"),
    (dict(batch_size=2, drop_last=1), "drop_last should be a boolean value"),
])
def test_batch_sampler_errors_match_torch(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        BatchSampler(DATA, **kwargs)
    with pytest.raises(ValueError, match=msg):
        tud.BatchSampler(DATA, **kwargs)


@pytest.mark.parametrize("weights,n,replacement", [
    ([1.0, -1.0], 2, True), ([0.0, 0.0], 2, True), ([1.0, float("nan")], 2, True),
    ([1.0, float("inf")], 2, True), ([1.0, 1.0], 3, False),
], ids=["negative", "zero-sum", "nan", "inf", "too-many"])
def test_weighted_random_sampler_invalid_weights_raise_like_torch(weights, n, replacement):
    with pytest.raises(RuntimeError) as e_ember:
        list(WeightedRandomSampler(weights, n, replacement))
    with pytest.raises(RuntimeError) as e_torch:
        list(tud.WeightedRandomSampler(weights, n, replacement))
    assert str(e_ember.value) == str(e_torch.value)


def test_weighted_random_sampler_without_replacement_takes_zero_weights_last():
    for seed in range(5):
        idx = list(WeightedRandomSampler([1.0, 0.0, 2.0, 0.0], 3, replacement=False,
                                         generator=ember.Generator().manual_seed(seed)))
        assert sorted(idx[:2]) == [0, 2] and idx[2] in (1, 3)


def test_random_sampler_with_huge_num_samples_draws_lazily():
    # as PyTorch: 10**10 draws are a stream, not an 80 GB array made before the first index
    import itertools
    import tracemalloc

    s = RandomSampler(DATA, replacement=True, num_samples=int(1e10))
    assert len(s) == 10**10
    tracemalloc.start()
    try:
        first = list(itertools.islice(iter(s), 1000))
        batch = next(iter(BatchSampler(s, 64, drop_last=False)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert set(first) <= set(DATA) and len(batch) == 64
    assert peak < 50 * 2**20


@pytest.mark.parametrize("replacement,num_samples", [(True, 53), (False, 47), (False, 10)])
def test_batches_sliced_from_chunks_equal_iteration(monkeypatch, replacement, num_samples):
    # small chunks so batches straddle chunk boundaries
    from ember.utils.data import sampler as sampler_module

    monkeypatch.setattr(sampler_module, "_CHUNK", 8)

    def make():
        return RandomSampler(DATA, replacement=replacement, num_samples=num_samples,
                             generator=ember.Generator().manual_seed(4))

    flat = list(make())
    for drop_last in (False, True):
        bs = BatchSampler(make(), 7, drop_last)
        sliced = [b.tolist() for b in bs._batch_arrays()]
        assert sliced == list(BatchSampler(make(), 7, drop_last))
        assert [i for b in sliced for i in b] == flat[:len(sliced) * 7 if drop_last else None]
    assert len(flat) == num_samples
    seq = list(SequentialSampler(range(20)))
    assert seq == list(range(20))

"""Datasets and random_split, compared with torch.utils.data where deterministic."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.utils.data import (
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)

from ._compare import describe

torch = pytest.importorskip("torch")
tud = torch.utils.data


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return i * i

    def __len__(self):
        return self.n


class Stream(IterableDataset):
    def __iter__(self):
        return iter(range(3))


def _pair(lib, n=10):
    x = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    return lib.tensor(x), lib.tensor(np.arange(n))


def test_tensor_dataset_items_match_torch():
    de, dt = TensorDataset(*_pair(ember)), tud.TensorDataset(*_pair(torch))
    assert len(de) == len(dt) == 10
    for i in (0, 3, -1):
        assert describe(de[i]) == describe(dt[i])
    assert isinstance(de[0], tuple)


def test_tensor_dataset_size_mismatch_raises_assertion():
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(ember.zeros(3, 2), ember.zeros(4))


def test_subset_maps_indices():
    s = Subset(Squares(10), [9, 2, 4])
    assert len(s) == 3
    assert [s[i] for i in range(3)] == [81, 4, 16]
    assert s.__getitems__([2, 0]) == [16, 81]


def test_concat_dataset_indexing_matches_torch():
    parts_e = [Squares(3), Squares(0), Squares(4)]
    parts_t = [tud.Subset(range(100), [0, 1, 4]), tud.Subset(range(1), []),
               tud.Subset(range(100), [0, 1, 4, 9])]
    ce, ct = ConcatDataset(parts_e), tud.ConcatDataset(parts_t)
    assert len(ce) == len(ct) == 7
    assert ce.cumulative_sizes == ct.cumulative_sizes
    assert [ce[i] for i in range(-7, 7)] == [ct[i] for i in range(-7, 7)]
    with pytest.raises(ValueError, match="absolute value of index should not exceed"):
        ce[-8]
    with pytest.raises(IndexError):
        ce[7]


def test_dataset_addition_concatenates():
    both = Squares(2) + Squares(3)
    assert isinstance(both, ConcatDataset) and len(both) == 5 and both[4] == 4


def test_concat_dataset_rejects_empty_and_iterable():
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        ConcatDataset([])
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        ConcatDataset([Stream()])


def test_iterable_datasets_chain_with_addition():
    assert list(Stream() + Stream()) == [0, 1, 2, 0, 1, 2]


def test_dataset_without_getitem_raises_not_implemented():
    with pytest.raises(NotImplementedError):
        Dataset()[0]


@pytest.mark.parametrize("lengths", [[3, 7], [0, 10], [5, 2, 3], [0.5, 0.5], [0.3, 0.3, 0.4],
                                     [0.33, 0.33, 0.34], [0.1, 0.9], [1.0]], ids=str)
def test_random_split_sizes_match_torch(lengths):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        se = random_split(Squares(10), lengths)
        st = tud.random_split(range(10), lengths)
    assert [len(s) for s in se] == [len(s) for s in st]
    covered = sorted(i for s in se for i in s.indices)
    assert covered == list(range(10))


def test_random_split_fraction_remainders_go_round_robin_like_torch():
    se = random_split(Squares(7), [0.2, 0.2, 0.6])
    st = tud.random_split(range(7), [0.2, 0.2, 0.6])
    assert [len(s) for s in se] == [len(s) for s in st] == [2, 1, 4]


def test_random_split_errors_match_torch():
    for lengths, msg in [([3, 3], "Sum of input lengths does not equal"),
                         ([1.5, -0.5], "Fraction at index 0 is not between 0 and 1")]:
        with pytest.raises(ValueError, match=msg):
            random_split(Squares(10), lengths)
        with pytest.raises(ValueError, match=msg):
            tud.random_split(range(10), lengths)


def test_random_split_zero_length_warns():
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(Squares(1), [0.9, 0.1])


def test_random_split_is_reproducible_with_generator_and_manual_seed():
    a = random_split(Squares(50), [20, 30], generator=ember.Generator().manual_seed(3))
    b = random_split(Squares(50), [20, 30], generator=ember.Generator().manual_seed(3))
    c = random_split(Squares(50), [20, 30], generator=ember.Generator().manual_seed(4))
    assert a[0].indices == b[0].indices and a[0].indices != c[0].indices
    ember.manual_seed(11)
    d = random_split(Squares(50), [20, 30])
    ember.manual_seed(11)
    e = random_split(Squares(50), [20, 30])
    assert d[1].indices == e[1].indices


def test_stack_dataset_tuple_and_dict_samples_match_torch():
    import torch.utils.data as tdata

    a, b = list(range(5)), [x * 10 for x in range(5)]
    for lib_data in (tdata, ember.utils.data):
        stacked = lib_data.StackDataset(a, b)
        named = lib_data.StackDataset(x=a, y=b)
        assert len(stacked) == 5 and stacked[2] == (2, 20)
        assert named[3] == {"x": 3, "y": 30}
        assert stacked.__getitems__([0, 4]) == [(0, 0), (4, 40)]
        assert named.__getitems__([1]) == [{"x": 1, "y": 10}]


def test_stack_dataset_batches_through_dataloader():
    data = ember.utils.data
    ds = data.StackDataset(x=ember.arange(6.0), y=ember.arange(6))
    batch = next(iter(data.DataLoader(ds, batch_size=4)))
    assert batch["x"].tolist() == [0.0, 1.0, 2.0, 3.0] and batch["y"].tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("args, kwargs", [((), {}), (([1, 2], [3]), {}), (([1],), {"a": [1]})])
def test_stack_dataset_errors_match_torch(args, kwargs):
    import torch.utils.data as tdata

    with pytest.raises(ValueError) as expected:
        tdata.StackDataset(*args, **kwargs)
    with pytest.raises(ValueError) as got:
        ember.utils.data.StackDataset(*args, **kwargs)
    assert str(got.value) == str(expected.value)

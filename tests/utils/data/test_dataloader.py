"""DataLoader: batch shapes, dtypes and structures as torch's; shuffling reproducible with
ember generators; the TensorDataset fast path equals the general path."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.utils.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    IterableDataset,
    SequentialSampler,
    Subset,
    TensorDataset,
    random_split,
)

from ._compare import describe

torch = pytest.importorskip("torch")
tud = torch.utils.data

N = 23


def _tensors(lib):
    x = np.arange(N * 3, dtype=np.float32).reshape(N, 3)
    y = np.arange(N) % 4
    return lib.tensor(x), lib.tensor(y)


class Records(Dataset):
    """Samples of mixed types: numpy arrays, numbers, strings, nested containers."""

    def __init__(self, lib, n=N):
        self.lib, self.n = lib, n

    def __getitem__(self, i):
        return {"x": np.full(2, i, np.float32), "t": self.lib.tensor([i, i]),
                "label": i % 3, "w": i / 2, "name": f"s{i}", "pair": (i, [float(i)])}

    def __len__(self):
        return self.n


def _count_class(base):
    class Count(base):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(np.arange(self.n, dtype=np.float32))

        def __len__(self):
            return self.n

    return Count


Count = _count_class(IterableDataset)
TorchCount = _count_class(tud.IterableDataset)


def _loader(lib, dataset_fn, **kw):
    return lib.utils.data.DataLoader(dataset_fn(lib), **kw)


@pytest.mark.parametrize("batch_size", [1, 4, 5, 23, 30])
@pytest.mark.parametrize("drop_last", [False, True])
def test_tensor_dataset_batches_match_torch(batch_size, drop_last):
    def make(lib):
        return lib.utils.data.TensorDataset(*_tensors(lib))

    le = _loader(ember, make, batch_size=batch_size, drop_last=drop_last)
    lt = _loader(torch, make, batch_size=batch_size, drop_last=drop_last)
    assert len(le) == len(lt)
    assert [describe(b) for b in le] == [describe(b) for b in lt]


@pytest.mark.parametrize("batch_size", [1, 4, None])
def test_mixed_record_batches_match_torch(batch_size):
    le = _loader(ember, Records, batch_size=batch_size)
    lt = _loader(torch, Records, batch_size=batch_size)
    assert len(le) == len(lt)
    assert [describe(b) for b in le] == [describe(b) for b in lt]


def test_iterable_dataset_batches_match_torch():
    for kw in (dict(batch_size=4), dict(batch_size=4, drop_last=True), dict(batch_size=None)):
        le, lt = DataLoader(Count(10), **kw), tud.DataLoader(TorchCount(10), **kw)
        assert len(le) == len(lt)
        assert [describe(b) for b in le] == [describe(b) for b in lt]


def test_custom_batch_sampler_and_collate_fn():
    batches = [[0, 1, 2], [5], [3, 4]]
    le = DataLoader(Records(ember), batch_sampler=batches, collate_fn=lambda b: [s["label"]
                                                                             for s in b])
    assert list(le) == [[0, 1, 2], [2], [0, 1]]
    assert len(le) == 3


def test_sampler_option_is_used_in_order():
    dl = DataLoader(TensorDataset(*_tensors(ember)), batch_size=2, sampler=[5, 1, 7])
    assert [b[1].tolist() for b in dl] == [[1, 1], [3]]


def test_shuffle_visits_every_sample_once_per_epoch_in_new_orders():
    dl = DataLoader(TensorDataset(*_tensors(ember)), batch_size=5, shuffle=True)
    epochs = [np.concatenate([x.numpy()[:, 0] // 3 for x, _ in dl]) for _ in range(2)]
    for e in epochs:
        assert sorted(e.tolist()) == list(range(N))
    assert epochs[0].tolist() != epochs[1].tolist()


def test_shuffle_is_reproducible_with_generator_and_manual_seed():
    def order(**kw):
        dl = DataLoader(TensorDataset(*_tensors(ember)), batch_size=4, shuffle=True, **kw)
        return [b[0].numpy().tolist() for b in dl]

    assert order(generator=ember.Generator().manual_seed(1)) == order(
        generator=ember.Generator().manual_seed(1))
    assert order(generator=ember.Generator().manual_seed(1)) != order(
        generator=ember.Generator().manual_seed(2))
    ember.manual_seed(3)
    a = order()
    ember.manual_seed(3)
    assert order() == a


def test_fast_path_equals_general_path():
    class Plain(Dataset):  # same samples as the TensorDataset, but no fast path
        def __init__(self, tensors):
            self.tensors = tensors

        def __getitem__(self, i):
            return tuple(t[i] for t in self.tensors)

        def __len__(self):
            return len(self.tensors[0])

    tensors = _tensors(ember)
    for kw in (dict(batch_size=4), dict(batch_size=6, shuffle=True, drop_last=True)):
        fast = DataLoader(TensorDataset(*tensors), generator=ember.Generator().manual_seed(0),
                          **kw)
        slow = DataLoader(Plain(tensors), generator=ember.Generator().manual_seed(0), **kw)
        assert [describe(b) for b in fast] == [describe(b) for b in slow]


def test_fast_path_does_not_index_samples_one_by_one(monkeypatch):
    def no_per_sample(self, i):
        raise AssertionError("per-sample __getitem__ called")

    ds = TensorDataset(*_tensors(ember))
    train, _ = random_split(ds, [15, 8], generator=ember.Generator().manual_seed(0))
    monkeypatch.setattr(TensorDataset, "__getitem__", no_per_sample)
    for loader in (DataLoader(ds, batch_size=8, shuffle=True),
                   DataLoader(train, batch_size=4),
                   DataLoader(Subset(train, [0, 2, 4]), batch_size=2)):
        batches = list(loader)
        assert batches and all(isinstance(b, list) and len(b) == 2 for b in batches)


def test_fast_path_through_subsets_picks_the_right_rows():
    x, y = _tensors(ember)
    sub = Subset(Subset(TensorDataset(x, y), [10, 3, 7, 1]), [2, 0])
    (bx, by), = list(DataLoader(sub, batch_size=2))
    assert by.tolist() == [y[7].item(), y[10].item()]
    assert bx.tolist() == [x[7].tolist(), x[10].tolist()]


def test_batches_are_copies_not_views_of_the_dataset():
    x, y = _tensors(ember)
    (bx, _), *_ = list(DataLoader(TensorDataset(x, y), batch_size=4))
    bx._data[...] = -1
    assert x[0, 0].item() == 0.0


def test_loader_iterator_has_a_length():
    it = iter(DataLoader(TensorDataset(*_tensors(ember)), batch_size=5))
    assert len(it) == 5
    assert len(list(it)) == 5


def test_worker_options_are_checked_like_torch():
    ds = TensorDataset(*_tensors(ember))
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(ds, num_workers=-1)
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        DataLoader(ds, persistent_workers=True)
    with pytest.raises(ValueError, match="prefetch_factor option could only be specified"):
        DataLoader(ds, prefetch_factor=2)


@pytest.mark.parametrize("kwargs,msg", [
    (dict(sampler=[0, 1], shuffle=True), "sampler option is mutually exclusive with shuffle"),
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], drop_last=True), "batch_sampler option is mutually exclusive"),
    (dict(batch_size=None, drop_last=True), "batch_size=None option disables auto-batching"),
])
def test_option_conflicts_raise_like_torch(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        DataLoader(TensorDataset(*_tensors(ember)), **kwargs)
    with pytest.raises(ValueError, match=msg):
        tud.DataLoader(tud.TensorDataset(*_tensors(torch)), **kwargs)


def test_iterable_dataset_rejects_shuffle_like_torch():
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(Count(3), shuffle=True)
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        tud.DataLoader(TorchCount(3), shuffle=True)


def test_setting_batch_size_after_init_raises_like_torch():
    dl = DataLoader(TensorDataset(*_tensors(ember)))
    with pytest.raises(ValueError, match="batch_size attribute should not be set after"):
        dl.batch_size = 4
    tl = tud.DataLoader(tud.TensorDataset(*_tensors(torch)))
    with pytest.raises(ValueError, match="batch_size attribute should not be set after"):
        tl.batch_size = 4


def test_default_samplers_match_torch_types():
    dl = DataLoader(TensorDataset(*_tensors(ember)), batch_size=3)
    assert isinstance(dl.sampler, SequentialSampler)
    assert isinstance(dl.batch_sampler, BatchSampler)
    assert DataLoader(Records(ember), batch_size=None).batch_sampler is None


def test_training_loop_with_loader_and_optimizer():
    x = ember.randn(64, 3)
    w_true = ember.tensor([[1.0], [-2.0], [0.5]])
    y = x @ w_true
    w = ember.zeros(3, 1, requires_grad=True)
    opt = ember.optim.SGD([w], lr=0.1)
    dl = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)
    for _ in range(30):
        for xb, yb in dl:
            opt.zero_grad()
            ((xb @ w - yb) ** 2).mean().backward()
            opt.step()
    np.testing.assert_allclose(w.detach().numpy(), w_true.numpy(), atol=1e-3)


def test_sampler_subclass_with_custom_iter_is_respected():
    from ember.utils.data import RandomSampler

    class Reversed(SequentialSampler):
        def __iter__(self):
            return iter(range(len(self.data_source) - 1, -1, -1))

    class EveryOther(BatchSampler):
        def __iter__(self):
            return ([i] for i in range(0, N, 2))

    ds = TensorDataset(*_tensors(ember))
    first = next(iter(DataLoader(ds, batch_size=3, sampler=Reversed(ds))))
    assert first[1].tolist() == [ember.arange(N)[i].item() % 4 for i in (22, 21, 20)]
    assert len(list(DataLoader(ds, batch_sampler=EveryOther(RandomSampler(ds), 3, False)))) == 12

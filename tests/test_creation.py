"""Creation functions: values, dtypes and shapes as PyTorch; memory sharing; seeding."""

from __future__ import annotations

import re

import numpy as np
import pytest

import ember
from helpers import assert_close, torch


def _same(e, t):
    assert e.dtype.name == str(t.dtype).replace("torch.", ""), (e.dtype, t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    assert_close(e, t)


CREATORS = {
    "tensor_floats": lambda lib: lib.tensor([[1.0, 2.0], [3.0, 4.0]]),
    "tensor_ints": lambda lib: lib.tensor([1, 2, 3]),
    "tensor_bools": lambda lib: lib.tensor([True, False]),
    "tensor_mixed": lambda lib: lib.tensor([1, 2.5]),
    "tensor_scalar": lambda lib: lib.tensor(3),
    "tensor_dtype": lambda lib: lib.tensor([1, 2], dtype=lib.float64),
    "tensor_of_tensors": lambda lib: lib.tensor([lib.tensor(1.0), lib.tensor(2.0)]),
    "tensor_empty": lambda lib: lib.tensor([]),
    "as_tensor_list": lambda lib: lib.as_tensor([1, 2]),
    "zeros": lambda lib: lib.zeros(2, 3),
    "zeros_tuple": lambda lib: lib.zeros((2, 3), dtype=lib.int32),
    "zeros_empty": lambda lib: lib.zeros(0, 3),
    "ones": lambda lib: lib.ones(4),
    "ones_list": lambda lib: lib.ones([2, 2], dtype=lib.float64),
    "ones_0d": lambda lib: lib.ones(()),
    "full_float": lambda lib: lib.full((2, 2), 1.5),
    "full_int": lambda lib: lib.full((2,), 7),
    "full_bool": lambda lib: lib.full((2,), True),
    "full_dtype": lambda lib: lib.full([3], 2, dtype=lib.float32),
    "empty_shape": lambda lib: lib.empty(2, 3).zero_(),
    "eye": lambda lib: lib.eye(3),
    "eye_rect": lambda lib: lib.eye(2, 4, dtype=lib.int64),
    "arange": lambda lib: lib.arange(5),
    "arange_start": lambda lib: lib.arange(2, 9, 3),
    "arange_float": lambda lib: lib.arange(0, 1, 0.1),
    "arange_float_end": lambda lib: lib.arange(5.0),
    "arange_negative": lambda lib: lib.arange(5, 0, -2),
    "arange_dtype": lambda lib: lib.arange(4, dtype=lib.float64),
    "linspace": lambda lib: lib.linspace(0, 1, 5),
    "linspace_one": lambda lib: lib.linspace(-1, 1, 1),
    "linspace_dtype": lambda lib: lib.linspace(0, 10, 4, dtype=lib.float64),
    "zeros_like": lambda lib: lib.zeros_like(lib.ones(2, 3, dtype=lib.int32)),
    "ones_like": lambda lib: lib.ones_like(lib.zeros(2)),
    "ones_like_dtype": lambda lib: lib.ones_like(lib.zeros(2), dtype=lib.int64),
    "full_like": lambda lib: lib.full_like(lib.zeros(3), 4.5),
    "full_like_int": lambda lib: lib.full_like(lib.zeros(3, dtype=lib.int64), 2.7),
    "empty_like": lambda lib: lib.empty_like(lib.zeros(2, 2)).fill_(1),
}


@pytest.mark.parametrize("name", list(CREATORS))
def test_creation_matches_torch(name):
    _same(CREATORS[name](ember), CREATORS[name](torch))


RANDOM = {
    "rand": (lambda lib: lib.rand(3, 4), "float32", (3, 4)),
    "rand_dtype": (lambda lib: lib.rand(2, dtype=lib.float64), "float64", (2,)),
    "randn": (lambda lib: lib.randn(3, 4), "float32", (3, 4)),
    "randn_tuple": (lambda lib: lib.randn((2, 2)), "float32", (2, 2)),
    "randint": (lambda lib: lib.randint(0, 10, (3, 4)), "int64", (3, 4)),
    "randint_high": (lambda lib: lib.randint(5, (6,)), "int64", (6,)),
    "randperm": (lambda lib: lib.randperm(6), "int64", (6,)),
    "normal_floats": (lambda lib: lib.normal(0.0, 1.0, (3,)), "float32", (3,)),
    "normal_tensor": (lambda lib: lib.normal(lib.zeros(2, 3), 1.0), "float32", (2, 3)),
    "rand_like": (lambda lib: lib.rand_like(lib.zeros(2, dtype=lib.float64)), "float64", (2,)),
    "randn_like": (lambda lib: lib.randn_like(lib.zeros(2, 5)), "float32", (2, 5)),
    "randint_like": (lambda lib: lib.randint_like(lib.zeros(3), 4), "float32", (3,)),
}


@pytest.mark.parametrize("name", list(RANDOM))
def test_random_creation_dtype_and_shape_match_torch(name):
    fn, dtype, shape = RANDOM[name]
    e, t = fn(ember), fn(torch)
    assert e.dtype.name == dtype == str(t.dtype).replace("torch.", "")
    assert tuple(e.shape) == shape == tuple(t.shape)


@pytest.mark.parametrize("name", list(RANDOM))
def test_manual_seed_makes_random_creation_reproducible(name):
    fn = RANDOM[name][0]
    ember.manual_seed(123)
    a = fn(ember)
    ember.manual_seed(123)
    b = fn(ember)
    assert a.tolist() == b.tolist()


def test_random_values_have_the_right_distribution():
    ember.manual_seed(0)
    u = ember.rand(20000)
    assert 0.0 <= u.min().item() and u.max().item() < 1.0
    assert abs(u.mean().item() - 0.5) < 0.02
    n = ember.randn(20000)
    assert abs(n.mean().item()) < 0.05 and abs(n.std().item() - 1) < 0.05
    r = ember.randint(3, 7, (1000,))
    assert set(r.tolist()) == {3, 4, 5, 6}
    assert sorted(ember.randperm(10).tolist()) == list(range(10))
    m = ember.normal(ember.full((5000,), 3.0), 0.5)
    assert abs(m.mean().item() - 3) < 0.05 and abs(m.std().item() - 0.5) < 0.05


def test_requires_grad_at_creation():
    for x in (ember.zeros(2, requires_grad=True), ember.ones(2, requires_grad=True),
              ember.randn(2, requires_grad=True), ember.tensor([1.0], requires_grad=True),
              ember.full((2,), 1.0, requires_grad=True)):
        assert x.requires_grad and x.is_leaf


def test_requires_grad_on_integer_tensor_raises():
    with pytest.raises(RuntimeError, match="floating point"):
        ember.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        ember.arange(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        ember.ones(2, dtype=ember.int64).requires_grad_()


def test_tensor_copies_its_data():
    a = np.zeros(3, np.float32)
    t = ember.tensor(a)
    a[0] = 1
    assert t[0].item() == 0
    src = ember.zeros(2)
    copy = ember.tensor(src)
    src[0] = 5
    assert copy[0].item() == 0


def test_from_numpy_shares_memory_both_ways():
    a = np.zeros(3)
    t = ember.from_numpy(a)
    assert t.dtype == ember.float64
    a[0] = 1.0
    assert t[0].item() == 1.0
    t[1] = 2.0
    assert a[1] == 2.0
    t.add_(1)
    assert a.tolist() == [2.0, 3.0, 1.0]
    assert t.numpy() is a or np.shares_memory(t.numpy(), a)


def test_as_tensor_shares_memory_when_dtype_matches():
    a = np.zeros(3, np.float32)
    t = ember.as_tensor(a)
    a[0] = 1
    assert t[0].item() == 1
    t2 = ember.as_tensor(a, dtype=ember.float64)
    a[1] = 1
    assert t2[1].item() == 0
    x = ember.ones(2)
    assert ember.as_tensor(x) is x


def test_from_numpy_rejects_non_arrays():
    with pytest.raises(TypeError):
        ember.from_numpy([1, 2])


def test_negative_size_raises():
    with pytest.raises(RuntimeError, match="negative dimension"):
        ember.zeros(2, -1)


def test_arange_zero_step_raises():
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        ember.arange(0, 5, 0)


def test_ragged_nested_list_raises():
    with pytest.raises((ValueError, TypeError)):
        ember.tensor([[1, 2], [3]])


def test_randint_with_empty_range_raises():
    with pytest.raises(RuntimeError, match="from"):
        ember.randint(5, 5, (2,))


def test_normal_with_negative_std_raises():
    with pytest.raises(RuntimeError, match="std"):
        ember.normal(0.0, -1.0, (2,))


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
def test_size_keyword_is_accepted(name):
    assert getattr(ember, name)(size=(2, 3)).shape == (2, 3)
    assert getattr(ember, name)(size=[4]).shape == (4,)


def test_arange_keywords_match_torch():
    assert ember.arange(end=3).tolist() == torch.arange(end=3).tolist()
    assert ember.arange(start=1, end=4).tolist() == [1, 2, 3]


def test_unknown_keyword_raises_type_error():
    with pytest.raises(TypeError, match="dtyp"):
        ember.zeros(2, dtyp=ember.float64)


@pytest.mark.parametrize("data", [
    [np.float64(1.0), 2.0], [[np.float64(1.0)], [2.0]],
    [np.array([1.0, 2.0]), np.array([3.0, 4.0])],
    [np.float32(1.0), 2], [np.int32(1)], [np.int32(1), 1], [np.int64(3), 2.5], [np.float16(1), 1.0],
    [np.uint8(1), np.int8(1)], [True, np.bool_(False)], [1.5, 2], [[1, 2], [3, 4]],
])
def test_tensor_from_list_keeps_numpy_element_dtypes_as_torch(data):
    # Python numbers take the defaults, NumPy elements keep their dtype (torch.tensor's rule)
    assert ember.tensor(data).dtype.name == str(torch.tensor(data).dtype).split(".")[-1]
    assert ember.tensor(data).tolist() == torch.tensor(data).tolist()


def test_tensor_from_list_of_tensors_keeps_their_dtype():
    parts = [ember.tensor(1.0, dtype=ember.float64), ember.tensor(2.0, dtype=ember.float64)]
    assert ember.tensor(parts).dtype == ember.float64
    assert ember.tensor([ember.tensor(1), 2]).dtype == ember.int64


@pytest.mark.parametrize("shape,n,replacement", [((5,), 3, False), ((5,), 8, True),
                                                 ((3, 4), 4, False), ((3, 4), 6, True)])
def test_multinomial_shape_dtype_and_distinct_draws_match_torch(shape, n, replacement):
    w = np.random.default_rng(0).uniform(0.1, 1.0, size=shape).astype(np.float32)
    got = ember.multinomial(ember.tensor(w), n, replacement)
    want = torch.multinomial(torch.tensor(w), n, replacement)
    assert got.shape == want.shape and got.dtype == ember.int64
    assert ember.tensor(w).multinomial(n, replacement=replacement).shape == want.shape
    if not replacement:  # each row's draws are distinct categories
        rows = got.numpy().reshape(-1, n)
        assert all(len(set(r)) == n for r in rows)


@pytest.mark.parametrize("replacement", [True, False])
def test_multinomial_follows_the_weights(replacement):
    w = ember.tensor([[1.0, 0.0, 3.0, 6.0]] * 4000)  # unnormalised; category 1 never drawn
    first = ember.multinomial(w, 2, replacement=replacement)[:, 0].numpy()
    freq = np.bincount(first, minlength=4) / len(first)
    np.testing.assert_allclose(freq, [0.1, 0.0, 0.3, 0.6], atol=0.03)


def test_multinomial_is_reproducible_with_manual_seed():
    p = ember.tensor([0.2, 0.3, 0.5])
    ember.manual_seed(1)
    a = ember.multinomial(p, 5, True)
    ember.manual_seed(1)
    assert ember.multinomial(p, 5, True).tolist() == a.tolist()


@pytest.mark.parametrize("args", [
    ([1, 2], 1), ([-1.0, 2.0], 1), ([0.0, 0.0], 1), ([[[1.0]]], 1), ([1.0, 2.0], 3),
    ([float("nan"), 1.0], 1), ([1.0, 2.0], 0), ([[1.0, 2.0], [0.0, 0.0]], 1),
])
def test_multinomial_errors_match_torch(args):
    data, n = args
    with pytest.raises(RuntimeError) as want:
        torch.multinomial(torch.tensor(data), n)
    with pytest.raises(RuntimeError, match=re.escape(str(want.value))):
        ember.multinomial(ember.tensor(data), n)


@pytest.mark.parametrize("name", ["FloatTensor", "DoubleTensor", "LongTensor", "IntTensor",
                                  "ByteTensor", "BoolTensor"])
@pytest.mark.parametrize("args", [([[1, 0], [2, 3]],), ([1.7, 0.0],), (np.ones(3),), (2, 3), ()])
def test_legacy_typed_constructors_match_torch(name, args):
    got, want = getattr(ember, name)(*args), getattr(torch, name)(*args)
    assert got.dtype.name == str(want.dtype).split(".")[-1]
    assert tuple(got.shape) == tuple(want.shape)
    if args and not isinstance(args[0], int):
        assert got.tolist() == want.tolist()
    assert isinstance(got, getattr(ember, name))
    assert isinstance(ember.ones(1), ember.FloatTensor) and not isinstance(got, ember.HalfTensor)


@pytest.mark.parametrize("args", [(3, 3), (3, 3, -1), (2, 4, 1), (4, 2, 0), (0, 0)])
def test_tril_triu_indices_match_torch(args):
    for name in ("tril_indices", "triu_indices"):
        got, want = getattr(ember, name)(*args), getattr(torch, name)(*args)
        assert got.tolist() == want.tolist() and tuple(got.shape) == tuple(want.shape)
        assert got.dtype == ember.int64


def test_normal_from_tensors_stays_in_graph_with_zero_gradients():
    mean = ember.zeros(3, requires_grad=True)
    std = ember.ones(3, requires_grad=True)
    sample = ember.normal(mean, std)
    assert sample.requires_grad
    sample.sum().backward()
    assert mean.grad.tolist() == [0.0, 0.0, 0.0] and std.grad.tolist() == [0.0, 0.0, 0.0]

"""dtypes: names, aliases, equality, conversions, defaults as PyTorch's."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import ember
from helpers import torch

NAMES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


@pytest.mark.parametrize("name", NAMES)
def test_dtype_prints_and_compares_like_torch(name):
    d = getattr(ember, name)
    assert repr(d) == f"ember.{name}" == repr(getattr(torch, name)).replace("torch.", "ember.")
    assert d == getattr(ember, name)
    assert isinstance(d, ember.dtype)
    assert ember.zeros(2, dtype=d).dtype == d
    assert d.is_floating_point == getattr(torch, name).is_floating_point
    assert d.itemsize == getattr(torch, name).itemsize
    assert pickle.loads(pickle.dumps(d)) is d


@pytest.mark.parametrize("alias,target", [
    ("float", "float32"), ("double", "float64"), ("long", "int64"), ("int", "int32"),
    ("half", "float16"), ("short", "int16"),
])
def test_aliases(alias, target):
    assert getattr(ember, alias) == getattr(ember, target)
    assert getattr(ember, alias) is getattr(ember, target)


def test_distinct_dtypes_are_not_equal():
    assert ember.float32 != ember.float64
    assert ember.int64 != ember.int32
    assert len({getattr(ember, n) for n in NAMES}) == len(NAMES)


def test_default_dtypes_match_torch():
    assert ember.tensor([1.0]).dtype == ember.float32
    assert ember.tensor([1]).dtype == ember.int64
    assert ember.tensor([True]).dtype == ember.bool
    assert ember.tensor(np.array([1.0])).dtype == ember.float64  # arrays keep their dtype
    assert ember.zeros(1).dtype == ember.float32
    assert ember.get_default_dtype() == ember.float32


def test_python_types_as_dtype_match_torch():
    for py in (float, int, bool):
        assert ember.zeros(2, dtype=py).dtype.name == \
            str(torch.zeros(2, dtype=py).dtype).replace("torch.", "")


@pytest.mark.parametrize("method,dtype", [
    ("float", "float32"), ("double", "float64"), ("long", "int64"), ("int", "int32"),
    ("bool", "bool"), ("half", "float16"),
])
def test_conversion_methods(method, dtype):
    x = ember.tensor([0.0, 1.5, -2.7])
    out = getattr(x, method)()
    ref = getattr(torch.tensor([0.0, 1.5, -2.7]), method)()
    assert out.dtype == getattr(ember, dtype)
    assert out.tolist() == ref.tolist()


def test_to_dtype_and_type_as():
    x = ember.tensor([1, 2])
    assert x.to(ember.float64).dtype == ember.float64
    assert x.to(dtype=ember.float16).dtype == ember.float16
    assert x.type_as(ember.ones(1)).dtype == ember.float32
    assert x.to("cpu", ember.float32).dtype == ember.float32
    assert x.to(ember.int64) is x  # no copy when nothing changes, as PyTorch


def test_cast_is_differentiable_back_to_source_dtype():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    x.double().sum().backward()
    assert x.grad.dtype == ember.float32
    assert x.grad.tolist() == [1.0, 1.0]


def test_unsupported_numpy_dtype_raises_type_error():
    with pytest.raises(TypeError, match="complex128|not support"):
        ember.from_numpy(np.array([1 + 2j]))


def test_is_floating_point():
    assert ember.ones(1).is_floating_point()
    assert not ember.ones(1, dtype=ember.int64).is_floating_point()
    assert ember.is_floating_point(ember.ones(1, dtype=ember.float16))


@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_finfo_matches_torch(name):
    got, want = ember.finfo(getattr(ember, name)), torch.finfo(getattr(torch, name))
    for field in ("bits", "eps", "max", "min", "tiny", "resolution"):
        assert getattr(got, field) == getattr(want, field), field
    assert ember.finfo().eps == torch.finfo().eps


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo_matches_torch(name):
    got, want = ember.iinfo(getattr(ember, name)), torch.iinfo(getattr(torch, name))
    assert (got.bits, got.min, got.max) == (want.bits, want.min, want.max)


def test_finfo_iinfo_reject_the_other_kind_as_torch():
    with pytest.raises(TypeError, match="floating point"):
        ember.finfo(ember.int64)
    with pytest.raises(TypeError, match="integer"):
        ember.iinfo(ember.float32)

"""ember._promotion against PyTorch's own promotion, over every kind of operand."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import ember
from ember._promotion import promote_types, result_type, scalar_as
from helpers import torch

DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64")
SCALARS = (True, -3, 2.5, np.float64(1.5), np.float32(1.5), np.float16(1.5), np.int64(3),
           np.int32(3), np.uint8(3), np.bool_(True))


def _operand(kind, dtype):
    """The same operand for both libraries: a 1-d tensor, a 0-d tensor."""
    arr = np.ones((2,) if kind == "dim" else (), dtype=dtype)
    return ember.tensor(arr), torch.tensor(arr)


@pytest.mark.parametrize("a", DTYPES)
def test_promote_types_matches_torch(a):
    for b in DTYPES:
        expected = getattr(torch, b if b != "bool" else "bool")
        got = promote_types(np.dtype(a), np.dtype(b))
        want = torch.promote_types(getattr(torch, a), expected)
        assert str(want) == f"torch.{got.name}", (a, b)


@pytest.mark.parametrize("kinds", list(itertools.product(("dim", "zero"), repeat=2)))
def test_tensor_pairs_match_torch(kinds):
    for da, db in itertools.product(DTYPES, repeat=2):
        ea, ta = _operand(kinds[0], da)
        eb, tb = _operand(kinds[1], db)
        assert f"torch.{result_type(ea, eb).name}" == str(torch.result_type(ta, tb)), (da, db)


@pytest.mark.parametrize("kind", ("dim", "zero"))
def test_tensor_with_python_and_numpy_scalars_matches_torch(kind):
    for d, s in itertools.product(DTYPES, SCALARS):
        e, t = _operand(kind, d)
        want = str((t + s).dtype)
        assert f"torch.{result_type(e, s).name}" == want, (d, s)
        assert f"torch.{result_type(s, e).name}" == want, (s, d)


def test_operand_order_and_repetition_do_not_matter():
    for da, db in itertools.product(DTYPES, repeat=2):
        ea, _ = _operand("dim", da)
        eb, _ = _operand("zero", db)
        for s in (2, 2.5, True):
            assert result_type(ea, eb, s) == result_type(s, eb, ea) == result_type(ea, s, eb, s)


def test_scalars_alone_give_their_default_dtypes():
    assert result_type(1, 2) == np.int64
    assert result_type(1, 2.5) == np.float32
    assert result_type(np.float64(1.5), True) == np.float32
    assert result_type(np.bool_(True), True) == np.float32  # torch reads np.bool_ as a float
    assert result_type(True, False) == np.bool_


def test_non_numbers_raise_type_error():
    with pytest.raises(TypeError, match="NoneType"):
        result_type(ember.ones(2), None)


def test_scalar_as_wraps_integers_as_torch_casts_do():
    assert scalar_as(300, np.dtype(np.uint8)) == 44
    assert scalar_as(True, np.dtype(np.float16)).dtype == np.float16

"""repr(tensor) matches PyTorch's format (widths, precision, sci mode, summaries, suffixes)."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import torch

CASES = {
    "padded_signs": np.array([[-0.3338, 1.3863]], np.float32),
    "integral_floats": np.array([1.0, 2.0, 3.0], np.float32),
    "mixed_widths": np.array([1.5, -2.25, 100.0], np.float32),
    "tiny_goes_scientific": np.array([1e-5, 1.0], np.float32),
    "huge_goes_scientific": np.array([1e9, 1.0], np.float32),
    "wide_range_scientific": np.array([0.1, 10000.0], np.float32),
    "large_non_integral": np.array([123456.0, 0.5], np.float32),
    "zeros": np.array([0.0, 0.0], np.float32),
    "scalar": np.array(3.5, np.float32),
    "integral_scalar": np.array(2.0, np.float32),
    "ints": np.array([1, -20, 300]),
    "int_matrix": np.array([[1, 2], [30, 4]]),
    "bools": np.array([True, False]),
    "non_finite": np.array([[1.0, np.nan], [np.inf, -np.inf]], np.float32),
    "float64": np.array([1.0, 2.0], np.float64),
    "int32": np.array([1, 2], np.int32),
    "uint8": np.array([1, 2], np.uint8),
    "float16": np.array([-1.0, 0.5], np.float16),
    "empty": np.zeros((0,), np.float32),
    "empty_2d": np.zeros((2, 0), np.float32),
    "empty_int": np.zeros((0,), np.int64),
    "summarized_vector": np.arange(2000, dtype=np.float32),
    "summarized_matrix": np.arange(1200).reshape(40, 30),
    "3d": np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7,
    "wrapped_rows": np.random.default_rng(0).standard_normal((3, 12)).astype(np.float32),
    "int_scalar": np.array(7),
    "bool_scalar": np.array(True),
}


@pytest.mark.parametrize("name", list(CASES))
def test_repr_matches_torch(name):
    a = CASES[name]
    expected = repr(torch.from_numpy(a.copy())).replace("torch.", "ember.")
    assert repr(ember.from_numpy(a.copy())) == expected


def test_repr_of_documented_example():
    assert repr(ember.tensor([[-0.3338, 1.3863]])) == "tensor([[-0.3338,  1.3863]])"


def test_repr_shows_requires_grad_and_grad_fn_like_torch():
    e = ember.tensor([1.0, 2.0], requires_grad=True)
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    for fe, ft in [(e, t), (e * 2, t * 2), (e.sum(), t.sum()), (e.double(), t.double())]:
        assert repr(fe) == repr(ft).replace("torch.", "ember.")


def test_repr_wraps_long_suffixes_onto_a_new_line_like_torch():
    a = np.random.default_rng(1).standard_normal(7).astype(np.float64)
    e = ember.tensor(a, requires_grad=True) * 2
    t = torch.tensor(a, requires_grad=True) * 2
    assert repr(e) == repr(t).replace("torch.", "ember.")


def test_str_equals_repr_and_format_of_scalars():
    x = ember.tensor(1.23456)
    assert str(x) == repr(x)
    assert f"{x:.2f}" == "1.23"


def test_dtype_and_size_reprs():
    assert repr(ember.float32) == "ember.float32"
    assert str(ember.int64) == "ember.int64"
    assert repr(ember.ones(2, 3).shape) == "ember.Size([2, 3])"


NODE_NAMES = [
    "a + b", "a - b", "a * b", "a / b", "-a", "a ** 2", "a ** b", "a.exp()", "a.log1p()",
    "a.sigmoid()", "a.relu()", "a.clamp(0, 1)", "a.sum()", "a.sum(0)", "a.mean()", "a.mean(1)",
    "a @ b.t()", "a[0] @ b[0]", "a @ b[0]", "a.reshape(-1)", "a.view(-1)", "a.t()",
    "a.transpose(0, 1)", "a.permute(1, 0)", "a[0]", "a[:, 1:]", "a[[0, 1]]", "torch.cat([a, b])",
    "a.clone()", "a.double()", "torch.where(a > 0, a, b)", "a.flip(0)", "a.repeat(2, 1)",
    "a.tril()", "a.floor()", "a.sign()", "a.gather(0, torch.tensor([[0, 1, 0]]))",
]


@pytest.mark.parametrize("expr", NODE_NAMES)
def test_grad_fn_names_match_torch(expr):
    names = []
    for lib in (torch, ember):
        a = lib.tensor(np.full((3, 3), 0.5, np.float32), requires_grad=True)
        b = lib.tensor(np.full((3, 3), 0.7, np.float32), requires_grad=True)
        names.append(eval(expr, {"a": a, "b": b, "torch": lib}).grad_fn.name())
    assert names[1] == names[0]


def test_set_printoptions_matches_torch():
    x = [[1.23456789, -2.5], [1e-5, 3.0]]
    try:
        for kw in ({"precision": 2}, {"sci_mode": False}, {"precision": 6, "sci_mode": True},
                   {"threshold": 5, "edgeitems": 1}, {"profile": "short"}):
            ember.set_printoptions(**kw)
            torch.set_printoptions(**kw)
            for data in (x, (np.arange(12.0) / 7).astype(np.float32)):
                assert str(ember.tensor(data)) == str(torch.tensor(data)), kw
    finally:
        ember.set_printoptions(profile="default", sci_mode=None)
        torch.set_printoptions(profile="default", sci_mode=None)
    assert str(ember.tensor([1.23456789])) == "tensor([1.2346])"


@pytest.mark.parametrize("fn", [
    lambda L, w: w @ L.ones(2, 2), lambda L, w: L.ones(2, 2) @ w, lambda L, w: w @ L.ones(2),
    lambda L, w: w[0] @ L.ones(2), lambda L, w: w ** L.ones(2), lambda L, w: L.ones(2) ** w,
    lambda L, w: w ** 2, lambda L, w: 2 ** w,
])
def test_grad_fn_name_when_an_operand_is_constant_matches_torch(fn):
    # printing a product with a constant operand used to crash (no recorded shape for it)
    got = fn(ember, ember.ones(2, 2, requires_grad=True))
    want = fn(torch, torch.ones(2, 2, requires_grad=True))
    assert repr(got).split("grad_fn=<")[1] == repr(want).split("grad_fn=<")[1]

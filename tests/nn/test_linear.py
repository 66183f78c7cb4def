"""Linear, Bilinear, Identity: parity with PyTorch, initialisation, gradcheck."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
import ember.nn as enn
import ember.nn.functional as F
from helpers import check_op, gradcheck64, torch

from ._parity import module_parity, raises_like_torch


@pytest.mark.parametrize("shape", [(5, 4), (4,), (2, 3, 4)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_pytorch(shape, bias):
    module_parity(lambda nn: nn.Linear(4, 3, bias=bias), [shape])


def test_linear_float64():
    module_parity(lambda nn: nn.Linear(4, 3), [(5, 4)], dtype=np.float64)


def test_bilinear_matches_pytorch():
    module_parity(lambda nn: nn.Bilinear(3, 4, 2), [(5, 3), (5, 4)])
    module_parity(lambda nn: nn.Bilinear(3, 4, 2, bias=False), [(2, 5, 3), (2, 5, 4)])


def test_identity_returns_input():
    x = ember.randn(2, 3)
    assert enn.Identity(54, unused="x")(x) is x


def test_linear_default_init_bounds_and_spread():
    m = enn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert w.dtype == np.float32 and np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # U(-bound, bound) has std bound / sqrt(3)
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound


def test_linear_init_is_reproducible_with_manual_seed():
    ember.manual_seed(3)
    a = enn.Linear(3, 2).weight.detach().numpy().copy()
    ember.manual_seed(3)
    b = enn.Linear(3, 2).weight.detach().numpy()
    np.testing.assert_array_equal(a, b)


def test_bilinear_init_bounds():
    m = enn.Bilinear(20, 5, 4)
    assert np.abs(m.weight.detach().numpy()).max() <= 1 / math.sqrt(20)


def test_linear_shape_error_names_shapes():
    with pytest.raises(RuntimeError, match=r"\(2x5 and 3x4\)"):
        enn.Linear(3, 4)(ember.randn(2, 5))


def test_linear_gradcheck():
    gradcheck64(lambda x, w, b: F.linear(x, w, b), [(3, 4), (2, 4), (2,)])
    gradcheck64(lambda x, w: F.linear(x, w), [(2, 3, 4), (2, 4)])


def test_bilinear_gradcheck():
    gradcheck64(lambda a, b, w, c: F.bilinear(a, b, w, c), [(2, 3), (2, 2), (2, 3, 2), (2,)])


def test_linear_create_graph_second_derivative():
    x = ember.randn(3, 4, requires_grad=True)
    w = ember.randn(2, 4, requires_grad=True)
    y = (F.linear(x, w) ** 2).sum()
    (gx,) = ember.autograd.grad(y, [x], create_graph=True)
    gx.sum().backward()
    xt = torch.tensor(x.detach().numpy(), requires_grad=True)
    wt = torch.tensor(w.detach().numpy(), requires_grad=True)
    (gxt,) = torch.autograd.grad((torch.nn.functional.linear(xt, wt) ** 2).sum(), [xt],
                                 create_graph=True)
    gxt.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), wt.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_functional_linear_matches_pytorch():
    check_op([(5, 4), (3, 4), (3,)], lambda lib, x, w, b: lib.nn.functional.linear(x, w, b))


BAD_CALLS = {
    "linear_shape": lambda lib: lib.nn.Linear(3, 4)(lib.ones(2, 5)),
}

@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name", list(BAD_CALLS))
def test_error_types_match_pytorch(name):
    raises_like_torch(BAD_CALLS[name])

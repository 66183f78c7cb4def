"""ember.nn.init: distributions and bounds as PyTorch's, in place, under no_grad."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
import ember.nn as enn
from ember.nn import init
from helpers import torch

from ._parity import raises_like_torch


def param(*shape):
    return enn.Parameter(ember.zeros(*shape))


@pytest.mark.parametrize("nonlinearity,param_,expected", [
    ("linear", None, 1), ("conv2d", None, 1), ("sigmoid", None, 1), ("tanh", None, 5 / 3),
    ("relu", None, math.sqrt(2)), ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))),
    ("leaky_relu", 0.2, math.sqrt(2 / 1.04)), ("selu", None, 0.75),
])
def test_calculate_gain_matches_pytorch(nonlinearity, param_, expected):
    assert init.calculate_gain(nonlinearity, param_) == pytest.approx(expected)
    assert init.calculate_gain(nonlinearity, param_) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param_))
    with pytest.raises(ValueError):
        init.calculate_gain("swish")


def test_initialisers_work_in_place_on_parameters_and_return_them():
    p = param(30, 40)
    for fn in (init.uniform_, init.normal_, init.zeros_, init.ones_, init.xavier_uniform_,
               init.xavier_normal_, init.kaiming_uniform_, init.kaiming_normal_,
               init.orthogonal_, init.trunc_normal_, init.eye_):
        assert fn(p) is p
        assert p.requires_grad and p.is_leaf and p.grad_fn is None
    assert init.constant_(p, 0.25) is p and (p.detach().numpy() == 0.25).all()


def test_uniform_and_normal_moments():
    p = param(200, 300)
    a = init.uniform_(p, -2, 3).detach().numpy()
    assert a.min() >= -2 and a.max() <= 3 and abs(a.mean() - 0.5) < 0.05
    b = init.normal_(p, 1.0, 2.0).detach().numpy()
    assert abs(b.mean() - 1) < 0.05 and abs(b.std() - 2) < 0.05


def test_xavier_bounds_and_std():
    p = param(100, 300)
    bound = math.sqrt(6 / 400) * 2.0
    a = init.xavier_uniform_(p, gain=2.0).detach().numpy()
    assert np.abs(a).max() <= bound and abs(a.std() - bound / math.sqrt(3)) < 0.02 * bound
    b = init.xavier_normal_(p).detach().numpy()
    assert abs(b.std() - math.sqrt(2 / 400)) < 0.03 * math.sqrt(2 / 400)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_kaiming_bounds_and_std(mode):
    p = param(64, 32, 3, 3)  # conv-shaped: receptive field 9
    fan = 32 * 9 if mode == "fan_in" else 64 * 9
    std = math.sqrt(2) / math.sqrt(fan)
    a = init.kaiming_uniform_(p, mode=mode, nonlinearity="relu").detach().numpy()
    assert np.abs(a).max() <= math.sqrt(3) * std
    b = init.kaiming_normal_(p, mode=mode, nonlinearity="relu").detach().numpy()
    assert abs(b.std() - std) < 0.03 * std


def test_orthogonal_rows_or_columns_are_orthonormal():
    for shape in ((6, 4), (4, 6)):
        q = init.orthogonal_(param(*shape), gain=2.0).detach().numpy().astype(np.float64)
        small = min(shape)
        gram = q.T @ q if shape[0] > shape[1] else q @ q.T
        np.testing.assert_allclose(gram, 4.0 * np.eye(small), atol=1e-5)


def test_trunc_normal_stays_in_bounds():
    a = init.trunc_normal_(param(10000), mean=0.5, std=1.0, a=-0.5, b=1.0).detach().numpy()
    assert a.min() >= -0.5 and a.max() <= 1.0
    t = torch.nn.init.trunc_normal_(torch.empty(100000), 0.5, 1.0, -0.5, 1.0).numpy()
    assert abs(a.mean() - t.mean()) < 0.02


def test_eye_and_errors():
    p = param(2, 3)
    np.testing.assert_array_equal(init.eye_(p).detach().numpy(), np.eye(2, 3))
    with pytest.raises(ValueError, match="2 dimensions"):
        init.eye_(param(3))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(param(3))


def test_init_is_reproducible_with_manual_seed_and_generator():
    ember.manual_seed(1)
    a = init.normal_(param(5)).detach().numpy().copy()
    ember.manual_seed(1)
    b = init.normal_(param(5)).detach().numpy()
    np.testing.assert_array_equal(a, b)
    g1, g2 = ember.Generator().manual_seed(4), ember.Generator().manual_seed(4)
    np.testing.assert_array_equal(init.uniform_(param(5), generator=g1).detach().numpy(),
                                  init.uniform_(param(5), generator=g2).detach().numpy())


def test_init_keeps_dtype():
    p = enn.Parameter(ember.zeros(3, 3, dtype=ember.float64))
    assert init.kaiming_uniform_(p).dtype == ember.float64


BAD_CALLS = {
    "init_1d_fan": lambda lib: lib.nn.init.xavier_uniform_(lib.ones(3)),
}

@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name", list(BAD_CALLS))
def test_error_types_match_pytorch(name):
    raises_like_torch(BAD_CALLS[name])


@pytest.mark.parametrize("shape, groups", [((4, 3, 3), 1), ((6, 2, 3, 3), 2), ((2, 4, 3, 2, 3), 1)])
def test_dirac_matches_torch(shape, groups):
    t = torch.empty(shape)
    torch.nn.init.dirac_(t, groups=groups)
    e = init.dirac_(ember.empty(*shape), groups=groups)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_dirac_conv_is_identity():
    conv = enn.Conv2d(3, 3, 3, padding=1, bias=False)
    init.dirac_(conv.weight)
    x = ember.randn(1, 3, 5, 5)
    np.testing.assert_allclose(conv(x).detach().numpy(), x.numpy(), atol=1e-6)


@pytest.mark.parametrize("shape, groups", [((3, 3), 1), ((3, 3, 3), 2)])
def test_dirac_errors_match_torch(shape, groups):
    with pytest.raises(ValueError) as expected:
        torch.nn.init.dirac_(torch.empty(shape), groups=groups)
    with pytest.raises(ValueError, match=str(expected.value)):
        init.dirac_(ember.empty(*shape), groups=groups)


def test_sparse_zeroes_the_same_count_per_column_as_torch():
    t = torch.nn.init.sparse_(torch.empty(10, 6), sparsity=0.3)
    e = init.sparse_(ember.empty(10, 6), sparsity=0.3)
    np.testing.assert_array_equal((e.numpy() == 0).sum(0), (t.numpy() == 0).sum(0))
    with pytest.raises(ValueError):
        init.sparse_(ember.empty(2, 3, 4), 0.1)


@pytest.mark.parametrize("name", ["uniform", "normal", "xavier_uniform", "xavier_normal",
                                  "kaiming_uniform", "kaiming_normal", "orthogonal"])
def test_deprecated_names_warn_and_initialise_as_torch(name):
    with pytest.warns(FutureWarning, match=f"nn.init.{name}_"):
        out = getattr(init, name)(ember.zeros(4, 5))
    assert np.any(out.numpy() != 0)
    with pytest.warns(FutureWarning):
        assert (init.constant(ember.zeros(2), 3.0).numpy() == 3).all()
    with pytest.warns(FutureWarning, match="nn.init.eye_"):
        assert (init.eye(ember.zeros(2, 2)).numpy() == np.eye(2)).all()
    with pytest.warns(FutureWarning, match="nn.init.dirac_"):
        init.dirac(ember.zeros(2, 2, 3))

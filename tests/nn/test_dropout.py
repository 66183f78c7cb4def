"""Dropout, Dropout1d, Dropout2d: statistics, modes, reproducibility, gradients."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn as enn
import ember.nn.functional as F
from helpers import gradcheck64, torch

from ._parity import raises_like_torch


def test_dropout_statistics_in_training():
    p = 0.3
    x = ember.ones(200, 500)
    out = enn.Dropout(p)(x).numpy()
    zero_fraction = (out == 0).mean()
    assert abs(zero_fraction - p) < 0.01
    kept = out[out != 0]
    np.testing.assert_allclose(kept, 1 / (1 - p), rtol=1e-6)
    assert out.dtype == np.float32


def test_dropout_is_identity_in_eval():
    m = enn.Dropout(0.5).eval()
    x = ember.randn(4, 5)
    assert m(x) is x or np.array_equal(m(x).numpy(), x.numpy())


def test_dropout_still_active_under_no_grad():
    with ember.no_grad():
        out = enn.Dropout(0.5)(ember.ones(100, 100)).numpy()
    assert 0.4 < (out == 0).mean() < 0.6


def test_dropout_reproducible_with_manual_seed():
    ember.manual_seed(7)
    a = F.dropout(ember.ones(50), 0.5).numpy().copy()
    ember.manual_seed(7)
    b = F.dropout(ember.ones(50), 0.5).numpy()
    np.testing.assert_array_equal(a, b)


def test_dropout_p_one_gives_zeros_and_p_zero_identity():
    x = ember.randn(3, 4, requires_grad=True)
    out = F.dropout(x, 1.0)
    assert not out.detach().numpy().any()
    out.sum().backward()
    assert not x.grad.numpy().any()
    np.testing.assert_array_equal(F.dropout(x, 0.0).detach().numpy(), x.detach().numpy())


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_rejects_p_outside_unit_interval(p):
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        enn.Dropout(p)
    with pytest.raises(ValueError):
        F.dropout(ember.ones(2), p)


def test_dropout_gradient_uses_the_same_mask():
    x = ember.randn(20, 30, requires_grad=True)
    out = F.dropout(x, 0.4)
    out.backward(ember.ones(20, 30))
    mask = out.detach().numpy() / x.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), mask, rtol=1e-5)


def test_dropout_gradcheck_with_fixed_seed():
    def fn(x):
        ember.manual_seed(0)  # the same mask for every evaluation
        return F.dropout(x, 0.5)

    gradcheck64(fn, [(4, 5)])


def test_dropout_inplace():
    x = ember.ones(10, 10)
    out = F.dropout(x, 0.5, inplace=True)
    assert out is x and (x.numpy() == 0).any()


@pytest.mark.parametrize("cls,shape,spatial", [
    ("Dropout1d", (8, 16, 20), 1), ("Dropout1d", (16, 20), 1), ("Dropout2d", (8, 16, 5, 4), 2),
])
def test_channel_dropout_zeroes_whole_channels(cls, shape, spatial):
    out = getattr(enn, cls)(0.5)(ember.ones(*shape)).numpy()
    per_channel = out.reshape(out.shape[: out.ndim - spatial] + (-1,))
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2.0).all(-1))
    assert 0.3 < (per_channel[..., 0] == 0).mean() < 0.7
    assert getattr(enn, cls)(0.5).eval()(ember.ones(*shape)).numpy().all()


def test_dropout2d_on_3d_input_is_channelwise_1d_with_warning_like_pytorch():
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        out = F.dropout2d(ember.ones(8, 16, 10), 0.5).numpy()
    assert np.all((out == 0).all(-1) | (out == 2.0).all(-1))


def test_dropout1d_rejects_4d_input():
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input"):
        F.dropout1d(ember.ones(2, 3, 4, 5))


def test_dropout_repr_matches_pytorch():
    for cls in ("Dropout", "Dropout1d", "Dropout2d"):
        assert repr(getattr(enn, cls)(0.2)) == repr(getattr(torch.nn, cls)(0.2))


BAD_CALLS = {
    "dropout_p": lambda lib: lib.nn.functional.dropout(lib.ones(2), 1.5),
}

@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name", list(BAD_CALLS))
def test_error_types_match_pytorch(name):
    raises_like_torch(BAD_CALLS[name])

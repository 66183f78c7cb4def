"""3-d pooling (max, average, adaptive) and max-unpooling against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import assert_close, check_op, gradcheck64, torch


@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(2, 3, 2), stride=(1, 2, 2), dilation=(2, 1, 1)),
    dict(kernel_size=2, stride=2, ceil_mode=True),
])
def test_max_pool3d_values_indices_and_gradient_match_torch(kwargs):
    check_op([(2, 2, 5, 6, 5)], lambda lib, x: lib.nn.functional.max_pool3d(x, **kwargs))
    x = np.random.default_rng(0).standard_normal((2, 5, 6, 5)).astype(np.float32)
    oe, ie = ember.nn.functional.max_pool3d(ember.tensor(x), return_indices=True, **kwargs)
    ot, it = torch.nn.functional.max_pool3d(torch.tensor(x), return_indices=True, **kwargs)
    assert_close(oe, ot)
    np.testing.assert_array_equal(ie.numpy(), it.numpy())


def test_max_pool3d_nan_and_negative_infinity_as_torch():
    x = np.full((1, 1, 3, 3, 3), -np.inf, np.float32)
    x[0, 0, 1, 1, 1] = np.nan
    for data in (x, np.full((1, 1, 3, 3, 3), -np.inf, np.float32)):
        oe, ie = ember.nn.functional.max_pool3d(ember.tensor(data), 2, 1, padding=1,
                                                return_indices=True)
        ot, it = torch.nn.functional.max_pool3d(torch.tensor(data), 2, 1, padding=1,
                                                return_indices=True)
        np.testing.assert_array_equal(oe.numpy(), ot.numpy())
        np.testing.assert_array_equal(ie.numpy(), it.numpy())


@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=(2, 3, 2), stride=2, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=2, divisor_override=3),
])
def test_avg_pool3d_matches_torch(kwargs):
    check_op([(2, 2, 5, 6, 5)], lambda lib, x: lib.nn.functional.avg_pool3d(x, **kwargs))


@pytest.mark.parametrize("size", [(2, 3, 2), 1, (None, 2, 4), 3])
def test_adaptive_pool3d_matches_torch(size):
    check_op([(2, 2, 5, 6, 7)], lambda lib, x: lib.nn.functional.adaptive_avg_pool3d(x, size))
    check_op([(2, 5, 6, 7)], lambda lib, x: lib.nn.functional.adaptive_max_pool3d(x, size))
    x = np.random.default_rng(1).standard_normal((1, 2, 5, 6, 7)).astype(np.float32)
    _, ie = ember.nn.functional.adaptive_max_pool3d(ember.tensor(x), size, return_indices=True)
    _, it = torch.nn.functional.adaptive_max_pool3d(torch.tensor(x), size, return_indices=True)
    np.testing.assert_array_equal(ie.numpy(), it.numpy())


def test_pool3d_modules_match_torch():
    x = np.random.default_rng(2).standard_normal((1, 2, 4, 4, 4)).astype(np.float32)
    for make in (lambda nn: nn.MaxPool3d(2), lambda nn: nn.AvgPool3d(3, 1, 1),
                 lambda nn: nn.AdaptiveAvgPool3d(2), lambda nn: nn.AdaptiveMaxPool3d((1, 2, 3))):
        assert_close(make(ember.nn)(ember.tensor(x)), make(torch.nn)(torch.tensor(x)))
        assert repr(make(ember.nn)) == repr(make(torch.nn))


def test_pool3d_gradcheck():
    gradcheck64(lambda x: ember.nn.functional.avg_pool3d(x, 2, 1, count_include_pad=False,
                                                         padding=1), [(1, 1, 3, 3, 3)])
    gradcheck64(lambda x: ember.nn.functional.max_pool3d(x, 2, 1), [(1, 1, 3, 3, 3)])


@pytest.mark.parametrize("nd, shape, kwargs", [
    (1, (2, 3, 8), dict(kernel_size=2)),
    (2, (2, 3, 6, 6), dict(kernel_size=2)),
    (2, (2, 3, 7, 7), dict(kernel_size=3, stride=2, padding=1)),
    (3, (1, 2, 4, 4, 4), dict(kernel_size=2)),
])
def test_max_unpool_inverts_max_pool_as_torch(nd, shape, kwargs):
    x = np.random.default_rng(3).standard_normal(shape).astype(np.float32)
    outs = []
    for lib in (torch, ember):
        F = lib.nn.functional
        pool = getattr(F, f"max_pool{nd}d")
        unpool = getattr(F, f"max_unpool{nd}d")
        xt = lib.tensor(x, requires_grad=True)
        pooled, idx = pool(xt, return_indices=True, **kwargs)
        out = unpool(pooled, idx, **{k: v for k, v in kwargs.items()}, output_size=shape[2:])
        seed = np.random.default_rng(4).standard_normal(tuple(out.shape)).astype(np.float32)
        out.backward(lib.tensor(seed))
        outs.append((out, xt.grad))
    (ot, gt), (oe, ge) = outs
    assert_close(oe, ot)
    assert_close(ge, gt)


def test_max_unpool_modules_and_errors_match_torch():
    x = np.random.default_rng(5).standard_normal((1, 1, 4, 4)).astype(np.float32)
    pooled_t, idx_t = torch.nn.MaxPool2d(2, return_indices=True)(torch.tensor(x))
    pooled_e, idx_e = ember.nn.MaxPool2d(2, return_indices=True)(ember.tensor(x))
    assert_close(ember.nn.MaxUnpool2d(2)(pooled_e, idx_e), torch.nn.MaxUnpool2d(2)(pooled_t,
                                                                                  idx_t))
    assert repr(ember.nn.MaxUnpool2d(2)) == repr(torch.nn.MaxUnpool2d(2))
    with pytest.raises(RuntimeError):
        torch.nn.functional.max_unpool2d(pooled_t, idx_t[..., :1], 2)
    with pytest.raises(RuntimeError, match="indices"):
        ember.nn.functional.max_unpool2d(pooled_e, idx_e[..., :1], 2)
    for lib, (p, i) in ((torch, (pooled_t, idx_t)), (ember, (pooled_e, idx_e))):
        with pytest.raises(ValueError):
            lib.nn.functional.max_unpool2d(p, i, 2, output_size=(9, 9))


@pytest.mark.parametrize("name, shape, args", [
    ("max_pool1d_with_indices", (2, 3, 8), (2,)),
    ("max_pool2d_with_indices", (2, 3, 6, 6), (3, 2, 1)),
    ("max_pool3d_with_indices", (1, 2, 4, 4, 4), (2,)),
    ("adaptive_max_pool1d_with_indices", (2, 3, 8), (3,)),
    ("adaptive_max_pool2d_with_indices", (2, 3, 6, 6), ((2, 3),)),
    ("adaptive_max_pool3d_with_indices", (1, 2, 4, 4, 4), (2,)),
])
def test_with_indices_names_match_torch(name, shape, args):
    x = np.random.default_rng(6).standard_normal(shape).astype(np.float32)
    oe, ie = getattr(ember.nn.functional, name)(ember.tensor(x), *args)
    ot, it = getattr(torch.nn.functional, name)(torch.tensor(x), *args)
    assert_close(oe, ot)
    np.testing.assert_array_equal(ie.numpy(), it.numpy())


@pytest.mark.parametrize("nd, shape, kwargs", [
    (1, (2, 3, 8), dict(norm_type=2, kernel_size=3, stride=2)),
    (2, (2, 3, 6, 6), dict(norm_type=3, kernel_size=2)),
    (2, (2, 3, 7, 7), dict(norm_type=1.5, kernel_size=(3, 2), ceil_mode=True)),
    (3, (1, 2, 4, 4, 4), dict(norm_type=2, kernel_size=2)),
])
def test_lp_pool_matches_torch(nd, shape, kwargs):
    check_op([shape], lambda lib, x: getattr(lib.nn.functional, f"lp_pool{nd}d")(x, **kwargs),
             positive=True, atol=1e-4)


@pytest.mark.parametrize("make, shape", [
    (lambda nn: nn.LPPool1d(2, 3, stride=2), (2, 3, 8)),
    (lambda nn: nn.LPPool2d(3, (2, 3), ceil_mode=True), (2, 3, 7, 7)),
    (lambda nn: nn.LPPool3d(2, 2), (1, 2, 4, 4, 4)),
])
def test_lp_pool_modules_match_torch(make, shape):
    check_op([shape], lambda lib, x: make(lib.nn)(x), positive=True, atol=1e-4)
    assert repr(make(ember.nn)) == repr(make(torch.nn))

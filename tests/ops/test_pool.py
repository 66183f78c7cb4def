"""Pooling ops against PyTorch: values, gradients, indices, gradcheck, error messages."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import assert_close, check_op, gradcheck64, make_inputs

torch = pytest.importorskip("torch")


def F(lib):
    return lib.nn.functional


MAX_POOL_CASES = [
    ((2, 3, 8, 8), {"kernel_size": 2}),
    ((2, 3, 9, 7), {"kernel_size": 2}),  # odd size: the last row/column is dropped
    ((2, 3, 9, 7), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
    ((1, 2, 10, 10), {"kernel_size": 3, "stride": 1, "padding": 1, "dilation": 2}),
    ((2, 2, 7, 9), {"kernel_size": (2, 3), "stride": (1, 2), "padding": (1, 1),
                    "ceil_mode": True}),
    ((2, 3, 5, 5), {"kernel_size": 2, "stride": 1}),
    ((2, 3, 6, 6), {"kernel_size": 4, "stride": 3, "ceil_mode": True}),
    ((3, 6, 6), {"kernel_size": 2}),  # unbatched
]


@pytest.mark.parametrize("shape,kw", MAX_POOL_CASES)
def test_max_pool2d_values_grads_and_indices_match_torch(shape, kw):
    check_op([shape], lambda lib, x: F(lib).max_pool2d(x, **kw))
    xa = make_inputs([shape])[0]
    _, ie = F(ember).max_pool2d(ember.tensor(xa), **kw, return_indices=True)
    _, it = F(torch).max_pool2d(torch.tensor(xa), **kw, return_indices=True)
    np.testing.assert_array_equal(ie.numpy(), it.numpy())
    assert ie.dtype == ember.int64


@pytest.mark.parametrize("shape,kw", MAX_POOL_CASES)
def test_max_pool2d_without_grad_matches_torch(shape, kw):
    # the no_grad path reduces rows first and records no winners
    check_op([shape], lambda lib, x: F(lib).max_pool2d(x, **kw), grad=False)


def test_max_pool2d_ties_pick_the_first_maximum_like_torch():
    # ReLU outputs are full of exact ties (zeros); the gradient must go where PyTorch's goes
    xa = np.array([[[[0, 5, 0, 0], [5, 0, 0, 0], [1, 1, 2, 2], [1, 1, 2, 2]]]], np.float32)
    check_op([], lambda lib, x: F(lib).max_pool2d(x, 2), arrays=[xa])
    check_op([], lambda lib, x: F(lib).max_pool2d(x, 3, stride=1, padding=1), arrays=[xa])


@pytest.mark.parametrize("shape,kw", [
    ((2, 3, 10), {"kernel_size": 2}),
    ((2, 3, 11), {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 1,
                  "ceil_mode": True}),
    ((3, 9), {"kernel_size": 3, "dilation": 2}),
])
def test_max_pool1d_matches_torch(shape, kw):
    check_op([shape], lambda lib, x: F(lib).max_pool1d(x, **kw))
    xa = make_inputs([shape])[0]
    _, ie = F(ember).max_pool1d(ember.tensor(xa), **kw, return_indices=True)
    _, it = F(torch).max_pool1d(torch.tensor(xa), **kw, return_indices=True)
    np.testing.assert_array_equal(ie.numpy(), it.numpy())


def test_max_pool2d_gradcheck_and_double_backward():
    gradcheck64(lambda x: F(ember).max_pool2d(x, 3, stride=2, padding=1), [(1, 2, 5, 6)])
    gradcheck64(lambda x: F(ember).max_pool2d(x, 2), [(2, 2, 4, 4)])


def test_max_pool2d_double_backward_matches_torch():
    xa = make_inputs([(2, 3, 6, 6)])[0]
    grads = {}
    for lib in (torch, ember):
        x = lib.tensor(xa, requires_grad=True)
        y = F(lib).max_pool2d(x, 3, stride=2, padding=1)
        (g,) = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        (g * x).sum().backward()
        grads[lib] = x.grad
    assert_close(grads[ember], grads[torch])


AVG_POOL_CASES = [
    ((2, 3, 8, 8), {"kernel_size": 2}),
    ((2, 3, 9, 7), {"kernel_size": 3, "stride": 2, "padding": 1}),
    ((2, 3, 9, 7), {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False}),
    ((2, 3, 9, 7), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
    ((2, 3, 9, 7), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True,
                    "count_include_pad": False}),
    ((2, 2, 6, 7), {"kernel_size": (2, 3), "stride": (1, 2), "divisor_override": 5}),
    ((3, 5, 5), {"kernel_size": 2, "stride": 1}),
]


@pytest.mark.parametrize("shape,kw", AVG_POOL_CASES)
def test_avg_pool2d_matches_torch(shape, kw):
    check_op([shape], lambda lib, x: F(lib).avg_pool2d(x, **kw))


@pytest.mark.parametrize("kw", [{"kernel_size": 3}, {"kernel_size": 3, "stride": 2, "padding": 1,
                                                     "ceil_mode": True,
                                                     "count_include_pad": False}])
def test_avg_pool1d_matches_torch(kw):
    check_op([(2, 3, 10)], lambda lib, x: F(lib).avg_pool1d(x, **kw))


def test_avg_pool2d_gradcheck():
    gradcheck64(lambda x: F(ember).avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True,
                                              count_include_pad=False), [(1, 2, 5, 6)])


@pytest.mark.parametrize("shape,size", [
    ((2, 3, 8, 8), 1), ((2, 3, 8, 8), (2, 4)), ((2, 3, 7, 9), (3, 4)), ((2, 3, 7, 9), (None, 2)),
    ((3, 5, 5), 3),
])
def test_adaptive_avg_pool2d_matches_torch(shape, size):
    check_op([shape], lambda lib, x: F(lib).adaptive_avg_pool2d(x, size))


@pytest.mark.parametrize("size", [1, 3, 4])
def test_adaptive_avg_pool1d_matches_torch(size):
    check_op([(2, 3, 10)], lambda lib, x: F(lib).adaptive_avg_pool1d(x, size))


@pytest.mark.parametrize("shape,size", [
    ((2, 3, 8, 8), 1), ((2, 3, 8, 8), (2, 4)), ((2, 3, 7, 9), (3, 4)), ((3, 5, 5), (None, 2)),
])
def test_adaptive_max_pool2d_matches_torch(shape, size):
    check_op([shape], lambda lib, x: F(lib).adaptive_max_pool2d(x, size))
    xa = make_inputs([shape])[0]
    _, ie = F(ember).adaptive_max_pool2d(ember.tensor(xa), size, return_indices=True)
    _, it = F(torch).adaptive_max_pool2d(torch.tensor(xa), size, return_indices=True)
    np.testing.assert_array_equal(ie.numpy(), it.numpy())


def test_adaptive_max_pool1d_matches_torch():
    check_op([(2, 3, 10)], lambda lib, x: F(lib).adaptive_max_pool1d(x, 4))


def test_adaptive_pool_gradcheck():
    gradcheck64(lambda x: F(ember).adaptive_avg_pool2d(x, (2, 3)), [(1, 2, 5, 7)])
    gradcheck64(lambda x: F(ember).adaptive_max_pool2d(x, (2, 3)), [(1, 2, 5, 7)])


def _error(lib, fn):
    with pytest.raises(Exception) as info:
        fn(lib)
    return info.type, str(info.value).split("\n")[0]


@pytest.mark.parametrize("fn", [
    lambda lib: F(lib).max_pool2d(lib.randn(2, 3, 8, 8), 3, padding=2),
    lambda lib: F(lib).max_pool2d(lib.randn(2, 3, 2, 2), 3),
    lambda lib: F(lib).max_pool2d(lib.randn(8, 8), 2),
    lambda lib: F(lib).avg_pool2d(lib.randn(2, 3, 8, 8), 3, padding=2),
    lambda lib: F(lib).avg_pool2d(lib.randn(2, 3, 2, 2), 3),
    lambda lib: F(lib).adaptive_avg_pool2d(lib.randn(8), 2),
])
def test_pool_error_messages_match_torch(fn):
    assert _error(ember, fn) == _error(torch, fn)

"""Edge cases of the NumPy-style ops against PyTorch (the registry test covers the plain forms)."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import check_op, gradcheck64, torch


def _same(e, t):
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-6, atol=1e-7)


def test_xlogy_zero_and_nan_as_torch():
    x = [0.0, 0.0, 1.0, 2.0, 0.0]
    y = [0.0, np.nan, 0.0, 3.0, -1.0]
    _same(ember.xlogy(ember.tensor(x), ember.tensor(y)), torch.xlogy(torch.tensor(x),
                                                                    torch.tensor(y)))
    _same(ember.xlogy(ember.tensor([1, 0]), 2), torch.xlogy(torch.tensor([1, 0]), 2))
    check_op([(3, 4), (3, 4)], lambda lib, a, b: lib.xlogy(a, b), positive=True)


@pytest.mark.parametrize("name", ["fmax", "fmin"])
def test_fmax_fmin_ignore_nan_and_route_gradient_as_torch(name):
    a = np.array([1.0, np.nan, 3.0, np.nan, 2.0], np.float32)
    b = np.array([np.nan, 2.0, 1.0, np.nan, 2.0], np.float32)
    check_op(None, lambda lib, x, y: getattr(lib, name)(x, y), arrays=[a, b])


def test_float_power_is_float64():
    _same(ember.float_power(ember.tensor([1, 2, 3]), 2), torch.float_power(torch.tensor([1, 2,
                                                                                        3]), 2))
    _same(ember.float_power(2, ember.tensor([0.5])), torch.float_power(2, torch.tensor([0.5])))


def test_sinc_gradcheck_and_value_at_zero():
    _same(ember.sinc(ember.tensor([0.0, 0.5, 1])), torch.sinc(torch.tensor([0.0, 0.5, 1])))
    gradcheck64(ember.sinc, [(5,)])
    gradcheck64(ember.hypot, [(3,), (3,)])


def test_gcd_lcm_reject_floats():
    _same(ember.gcd(ember.tensor([12, -18, 0]), ember.tensor([8, 12, 5])),
          torch.gcd(torch.tensor([12, -18, 0]), torch.tensor([8, 12, 5])))
    with pytest.raises(RuntimeError):
        ember.gcd(ember.tensor([1.0]), ember.tensor([2.0]))


def test_is_nonzero_needs_one_element():
    assert ember.tensor([2]).is_nonzero() and not ember.tensor(0.0).is_nonzero()
    for bad in (ember.tensor([1, 2]), ember.tensor([])):
        with pytest.raises(RuntimeError):
            bad.is_nonzero()
    assert ember.tensor([1], dtype=ember.int8).is_signed()
    assert not ember.tensor([1], dtype=ember.uint8).is_signed()


@pytest.mark.parametrize("sections", [3, 4, [1, 3], [2, 2, 9], (0,)])
def test_tensor_split_matches_torch(sections):
    a = np.arange(10.0, dtype=np.float32).reshape(2, 5)
    es = ember.tensor_split(ember.tensor(a), sections, dim=1)
    ts = torch.tensor_split(torch.tensor(a), sections, dim=1)
    assert len(es) == len(ts)
    for e, t in zip(es, ts):
        _same(e, t)


def test_hsplit_vsplit_dsplit_errors_as_torch():
    with pytest.raises(RuntimeError):
        ember.hsplit(ember.ones(2, 5), 2)
    with pytest.raises(RuntimeError):
        ember.vsplit(ember.ones(4), 2)
    with pytest.raises(RuntimeError):
        ember.dsplit(ember.ones(2, 2), 2)


@pytest.mark.parametrize("k", [-1, 0, 1, 2, 3, 5])
def test_rot90_matches_torch(k):
    check_op([(2, 3, 4)], lambda lib, a: lib.rot90(a, k, (0, 2)))


def test_atleast_and_stacks_match_torch():
    for n in (1, 2, 3):
        for shape in ((), (3,), (2, 3)):
            a = np.ones(shape, np.float32)
            _same(getattr(ember, f"atleast_{n}d")(ember.tensor(a)),
                  getattr(torch, f"atleast_{n}d")(torch.tensor(a)))
    pair = [np.arange(3.0, dtype=np.float32), np.arange(3.0, 6.0, dtype=np.float32)]
    for name in ("column_stack", "dstack", "row_stack"):
        _same(getattr(ember, name)([ember.tensor(p) for p in pair]),
              getattr(torch, name)([torch.tensor(p) for p in pair]))


def test_kron_tensordot_take_match_torch():
    check_op([(2, 3, 2), (3, 1)], lambda lib, a, b: lib.kron(a, b))
    check_op([(2, 3, 4), (3, 4, 5)], lambda lib, a, b: lib.tensordot(a, b, 2))
    check_op([(2, 3), (3, 2)], lambda lib, a, b: lib.tensordot(a, b, 0))
    check_op([(3, 4)], lambda lib, a: lib.take(a, lib.tensor([[0, -1], [5, 11]])))
    with pytest.raises(IndexError):
        ember.take(ember.ones(3), ember.tensor([3]))
    with pytest.raises(RuntimeError):
        ember.tensordot(ember.ones(2, 3), ember.ones(2, 3), 1)


def test_trapezoid_with_sample_points_matches_torch():
    check_op([(3, 5), (5,)], lambda lib, y, x: lib.trapezoid(y, x.cumsum(0)))
    check_op([(3, 5), (5,)], lambda lib, y, x: lib.cumulative_trapezoid(y, x.cumsum(0)))
    check_op([(3, 5)], lambda lib, y: lib.cumulative_trapezoid(y, dx=0.3))


def test_select_matches_torch_and_checks_range():
    check_op([(2, 3, 4)], lambda lib, a: a.select(1, -1))
    with pytest.raises(IndexError):
        ember.ones(2, 3).select(1, 3)


def test_top_level_inplace_forms_write_into_the_tensor():
    x = ember.tensor([0.25, 4.0])
    assert ember.sqrt_(x) is x
    np.testing.assert_allclose(x.numpy(), [0.5, 2.0])


@pytest.mark.parametrize("right", [False, True])
def test_searchsorted_bucketize_ties_and_batches_match_torch(right):
    seq = np.array([[1, 3, 3, 5], [0, 2, 4, 6]])
    vals = np.array([[3, 0, 6], [4, 7, -1]])
    _same(ember.searchsorted(ember.tensor(seq), ember.tensor(vals), right=right),
          torch.searchsorted(torch.tensor(seq), torch.tensor(vals), right=right))
    _same(ember.bucketize(ember.tensor(vals), ember.tensor(seq[0]), right=right, out_int32=True),
          torch.bucketize(torch.tensor(vals), torch.tensor(seq[0]), right=right, out_int32=True))
    with pytest.raises(RuntimeError):
        ember.searchsorted(ember.tensor(seq), ember.tensor([1]), side="left", right=True)


def test_isin_broadcast_shapes_cartesian_prod_match_torch():
    _same(ember.isin(ember.tensor([[1, 2], [3, 4]]), ember.tensor([2, 3]), invert=True),
          torch.isin(torch.tensor([[1, 2], [3, 4]]), torch.tensor([2, 3]), invert=True))
    assert tuple(ember.broadcast_shapes((3, 1), (1, 4), 4)) == (3, 4)
    with pytest.raises(RuntimeError):
        ember.broadcast_shapes((2,), (3,))
    check_op([(2,), (3,), (2,)], lambda lib, a, b, c: lib.cartesian_prod(a, b, c))

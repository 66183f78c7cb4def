"""BatchNorm1d/2d/3d and ``F.batch_norm``: batch vs running statistics, momentum, modes, parity,
gradcheck, error types."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn as enn
import ember.nn.functional as F
from helpers import assert_close, check_op, gradcheck64, torch

from ._parity import module_parity, raises_like_torch


@pytest.mark.parametrize("make,shape", [
    (lambda nn: nn.BatchNorm1d(3), (6, 3)),
    (lambda nn: nn.BatchNorm1d(3), (4, 3, 5)),
    (lambda nn: nn.BatchNorm2d(3), (4, 3, 2, 5)),
    (lambda nn: nn.BatchNorm2d(3, affine=False), (2, 3, 4, 4)),
    (lambda nn: nn.BatchNorm1d(3, momentum=None), (6, 3)),
    (lambda nn: nn.BatchNorm1d(3, track_running_stats=False), (6, 3)),
    (lambda nn: nn.BatchNorm1d(3, eps=1e-2, momentum=0.5), (6, 3)),
])
@pytest.mark.parametrize("train", [True, False])
def test_batchnorm_matches_pytorch(make, shape, train):
    module_parity(make, [shape], train=train)


def test_batchnorm_several_steps_match_pytorch_running_stats():
    t, e = torch.nn.BatchNorm2d(4, momentum=None), enn.BatchNorm2d(4, momentum=None)
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = (rng.standard_normal((5, 4, 3, 3)) * 3 + 1).astype(np.float32)
        assert_close(e(ember.tensor(x)), t(torch.tensor(x)))
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        assert_close(getattr(e, name), getattr(t, name), msg=name)


def test_training_uses_batch_stats_and_updates_running_with_unbiased_variance():
    m = enn.BatchNorm1d(2, momentum=0.1)
    x = np.array([[1.0, 10.0], [3.0, 20.0], [5.0, 60.0]], np.float32)
    out = m(ember.tensor(x)).detach().numpy()
    mean, biased = x.mean(0), x.var(0)
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(biased + 1e-5), rtol=1e-5)
    np.testing.assert_allclose(m.running_mean.numpy(), 0.1 * mean, rtol=1e-6)
    np.testing.assert_allclose(m.running_var.numpy(), 0.9 + 0.1 * x.var(0, ddof=1), rtol=1e-6)
    assert int(m.num_batches_tracked) == 1


def test_momentum_none_is_cumulative_average():
    m = enn.BatchNorm1d(1, momentum=None)
    batches = [np.array([[1.0], [3.0]], np.float32), np.array([[5.0], [9.0]], np.float32)]
    for b in batches:
        m(ember.tensor(b))
    np.testing.assert_allclose(m.running_mean.numpy(), [np.mean([2.0, 7.0])], rtol=1e-6)
    np.testing.assert_allclose(m.running_var.numpy(), [np.mean([2.0, 8.0])], rtol=1e-6)


def test_eval_uses_running_stats_and_updates_nothing():
    m = enn.BatchNorm1d(2)
    m.running_mean.copy_(ember.tensor([1.0, -1.0]))
    m.running_var.copy_(ember.tensor([4.0, 0.25]))
    m.eval()
    x = np.array([[3.0, 0.0], [5.0, -2.0]], np.float32)
    out = m(ember.tensor(x)).detach().numpy()
    np.testing.assert_allclose(out, (x - [1.0, -1.0]) / np.sqrt(np.array([4.0, 0.25]) + 1e-5),
                               rtol=1e-5)
    assert m.running_mean.tolist() == [1.0, -1.0] and int(m.num_batches_tracked) == 0


def test_training_with_one_value_per_channel_raises():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training, "
                                         "got input size"):
        enn.BatchNorm1d(3)(ember.randn(1, 3))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        enn.BatchNorm2d(3)(ember.randn(1, 3, 1, 1))


def test_eval_with_batch_of_one_works():
    m = enn.BatchNorm1d(3).eval()
    out = m(ember.randn(1, 3))
    assert out.shape == (1, 3)


def test_no_grad_does_not_stop_running_stat_updates_in_training():
    m = enn.BatchNorm1d(2)
    with ember.no_grad():
        m(ember.randn(4, 2) + 5)
    assert (m.running_mean.numpy() > 0.2).all() and int(m.num_batches_tracked) == 1


def test_running_stats_are_not_part_of_the_graph():
    m = enn.BatchNorm1d(2)
    x = ember.randn(4, 2, requires_grad=True)
    m(x).sum().backward()
    assert not m.running_mean.requires_grad and m.running_mean.grad_fn is None


def test_batchnorm_wrong_rank_raises():
    with pytest.raises(ValueError, match="expected 4D input"):
        enn.BatchNorm2d(3)(ember.randn(2, 3, 4))
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        enn.BatchNorm1d(3)(ember.randn(2, 3, 4, 5))


def test_batchnorm_state_dict_and_repr_match_pytorch():
    for kwargs in ({}, {"affine": False}, {"track_running_stats": False}, {"momentum": None}):
        e, t = enn.BatchNorm2d(4, **kwargs), torch.nn.BatchNorm2d(4, **kwargs)
        assert list(e.state_dict()) == list(t.state_dict())
        assert repr(e) == repr(t)
    assert enn.BatchNorm1d(3).num_batches_tracked.dtype == ember.int64


def test_batchnorm_train_gradcheck():
    def fn(x, w, b):
        return F.batch_norm(x, None, None, w, b, training=True)

    gradcheck64(fn, [(4, 3), (3,), (3,)])
    gradcheck64(fn, [(2, 3, 2, 2), (3,), (3,)], second_order=False)


def test_batchnorm_eval_gradcheck():
    rm, rv = ember.tensor([0.5, -0.1], dtype=ember.float64), ember.tensor([2.0, 0.5],
                                                                         dtype=ember.float64)
    gradcheck64(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False),
                [(3, 2), (2,), (2,)])


def test_batchnorm_train_gradcheck_batch_of_four_images():
    # N >= 4 takes the per-channel block fast path; second order exercises create_graph
    def fn(x, w, b):
        return F.batch_norm(x, None, None, w, b, training=True)

    gradcheck64(fn, [(4, 3, 2, 2), (3,), (3,)])


@pytest.mark.parametrize("affine", [True, False])
def test_eval_under_no_grad_matches_pytorch(affine):
    rng = np.random.default_rng(0)
    xa = rng.standard_normal((8, 3, 5, 4)).astype(np.float32) * 3 + 1
    mods = [lib.nn.BatchNorm2d(3, affine=affine) for lib in (torch, ember)]
    state = {"running_mean": np.array([0.5, -1.0, 2.0], np.float32),
             "running_var": np.array([2.0, 0.5, 4.0], np.float32)}
    if affine:
        state["weight"] = np.array([1.5, -0.5, 0.0], np.float32)
        state["bias"] = np.array([0.1, 0.2, -0.3], np.float32)
    mods[0].load_state_dict({k: torch.tensor(v) for k, v in state.items()}, strict=False)
    mods[1].load_state_dict(state, strict=False)
    for m in mods:
        m.eval()
    with torch.no_grad():
        expected = mods[0](torch.tensor(xa)).numpy()
    with ember.no_grad():
        out = mods[1](ember.tensor(xa))
    assert out.dtype == ember.float32
    assert_close(out.numpy(), expected)
    # the same values when a graph is recorded
    assert_close(mods[1](ember.tensor(xa, requires_grad=True)).detach().numpy(), expected)


def test_functional_batch_norm_updates_given_running_stats():
    rm_e, rv_e = ember.zeros(3), ember.ones(3)
    rm_t, rv_t = torch.zeros(3), torch.ones(3)
    x = np.random.default_rng(0).standard_normal((6, 3)).astype(np.float32)
    F.batch_norm(ember.tensor(x), rm_e, rv_e, training=True, momentum=0.3)
    torch.nn.functional.batch_norm(torch.tensor(x), rm_t, rv_t, training=True, momentum=0.3)
    np.testing.assert_allclose(rm_e.numpy(), rm_t.numpy(), rtol=1e-5)
    np.testing.assert_allclose(rv_e.numpy(), rv_t.numpy(), rtol=1e-5)


def test_batchnorm3d_matches_pytorch():
    for train in (True, False):
        module_parity(lambda nn: nn.BatchNorm3d(3), [(2, 3, 2, 3, 2)], train=train)
    assert repr(enn.BatchNorm3d(3)) == repr(torch.nn.BatchNorm3d(3))


def test_functional_batch_norm_matches_pytorch():
    check_op([(4, 3, 5), (3,), (3,)], lambda lib, x, w, b: lib.nn.functional.batch_norm(
        x, None, None, w, b, training=True))


BAD_CALLS = {
    "bn_one_value": lambda lib: lib.nn.BatchNorm1d(3)(lib.ones(1, 3)),
    "bn_rank": lambda lib: lib.nn.BatchNorm2d(3)(lib.ones(2, 3, 4)),
    "bn_channels": lambda lib: lib.nn.BatchNorm1d(3)(lib.ones(2, 4)),
}

@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name", list(BAD_CALLS))
def test_error_types_match_pytorch(name):
    raises_like_torch(BAD_CALLS[name])

"""Functionals without a module of their own: one_hot, pad, normalize, and the functional
forms of layers checked against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from helpers import assert_close, check_op, gradcheck64, torch


def test_one_hot_matches_pytorch():
    idx = np.array([[0, 3], [2, 1]], np.int64)
    for n in (-1, 5):
        e = F.one_hot(ember.tensor(idx), n)
        t = torch.nn.functional.one_hot(torch.tensor(idx), n)
        np.testing.assert_array_equal(e.numpy(), t.numpy())
        assert e.dtype == ember.int64
    with pytest.raises(RuntimeError):
        F.one_hot(ember.tensor([3]), 2)
    with pytest.raises(RuntimeError):
        F.one_hot(ember.tensor([-1]), 2)


@pytest.mark.parametrize("pad", [(1, 2), (0, 1, 2, 0), (1, 1, 1, 1, 1, 1), (-1, 2), (2, -1, 1, 0)])
def test_constant_pad_matches_pytorch(pad):
    check_op([(2, 3, 4)], lambda lib, x: lib.nn.functional.pad(x, pad, value=0.5))
    gradcheck64(lambda x: F.pad(x, pad), [(2, 3, 4)])


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_other_pad_modes_match_pytorch(mode):
    check_op([(2, 3, 4)], lambda lib, x: lib.nn.functional.pad(x, (2, 1), mode=mode))
    check_op([(1, 2, 3, 4)], lambda lib, x: lib.nn.functional.pad(x, (1, 2, 2, 1), mode=mode))
    gradcheck64(lambda x: F.pad(x, (1, 2), mode=mode), [(1, 2, 4)])


@pytest.mark.parametrize("p,dim", [(2.0, 1), (1.0, 0), (3.0, -1)])
def test_normalize_matches_pytorch(p, dim):
    check_op([(3, 4)], lambda lib, x: lib.nn.functional.normalize(x, p=p, dim=dim))
    gradcheck64(lambda x: F.normalize(x, p=p, dim=dim), [(3, 4)], second_order=False)


def test_normalize_zero_vector_is_zero():
    assert not F.normalize(ember.zeros(2, 3)).numpy().any()


def test_functional_layers_match_pytorch():
    check_op([(5, 4), (3, 4), (3,)], lambda lib, x, w, b: lib.nn.functional.linear(x, w, b))
    check_op([(4, 3, 5), (3,), (3,)], lambda lib, x, w, b: lib.nn.functional.batch_norm(
        x, None, None, w, b, training=True))
    check_op([(4, 3, 5), (5,), (5,)], lambda lib, x, w, b: lib.nn.functional.layer_norm(
        x, (5,), w, b))
    check_op([(4, 6, 5), (6,), (6,)], lambda lib, x, w, b: lib.nn.functional.group_norm(
        x, 3, w, b))
    check_op([(4, 5), (4, 5)], lambda lib, x, y: lib.nn.functional.mse_loss(x, y))


def test_functional_batch_norm_updates_given_running_stats():
    rm_e, rv_e = ember.zeros(3), ember.ones(3)
    rm_t, rv_t = torch.zeros(3), torch.ones(3)
    x = np.random.default_rng(0).standard_normal((6, 3)).astype(np.float32)
    F.batch_norm(ember.tensor(x), rm_e, rv_e, training=True, momentum=0.3)
    torch.nn.functional.batch_norm(torch.tensor(x), rm_t, rv_t, training=True, momentum=0.3)
    np.testing.assert_allclose(rm_e.numpy(), rm_t.numpy(), rtol=1e-5)
    np.testing.assert_allclose(rv_e.numpy(), rv_t.numpy(), rtol=1e-5)


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


def test_float32_end_to_end():
    x = ember.randn(4, 3)
    for out in (F.linear(x, ember.randn(2, 3), ember.randn(2)), F.relu(x), F.dropout(x, 0.3),
                F.softmax(x, 1), F.gelu(x), F.batch_norm(x, None, None, training=True),
                F.cross_entropy(x, ember.tensor([0, 1, 2, 1]))):
        assert out.dtype == ember.float32


BAD_CALLS = {
    "ce_batch_mismatch": lambda lib: lib.nn.functional.cross_entropy(
        lib.zeros(3, 5), lib.tensor([1, 2, 3, 4])),
    "ce_target_out_of_range": lambda lib: lib.nn.functional.cross_entropy(
        lib.zeros(3, 5), lib.tensor([1, 2, 7])),
    "ce_multi_target": lambda lib: lib.nn.functional.cross_entropy(
        lib.zeros(3, 5), lib.zeros(3, 4, dtype=lib.long)),
    "ce_spatial_target": lambda lib: lib.nn.functional.cross_entropy(
        lib.zeros(3, 5, 2), lib.tensor([1, 2, 3])),
    "nll_negative_target": lambda lib: lib.nn.functional.nll_loss(
        lib.zeros(3, 5), lib.tensor([1, 2, -5])),
    "bce_size": lambda lib: lib.nn.functional.binary_cross_entropy(lib.ones(3) / 2,
                                                                   lib.ones(4) / 2),
    "bce_range": lambda lib: lib.nn.functional.binary_cross_entropy(lib.ones(3) * 2,
                                                                    lib.ones(3)),
    "bce_logits_size": lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(
        lib.ones(3), lib.ones(4)),
    "mse_no_broadcast": lambda lib: lib.nn.functional.mse_loss(lib.ones(3), lib.ones(4)),
    "bn_one_value": lambda lib: lib.nn.BatchNorm1d(3)(lib.ones(1, 3)),
    "bn_rank": lambda lib: lib.nn.BatchNorm2d(3)(lib.ones(2, 3, 4)),
    "bn_channels": lambda lib: lib.nn.BatchNorm1d(3)(lib.ones(2, 4)),
    "dropout_p": lambda lib: lib.nn.functional.dropout(lib.ones(2), 1.5),
    "linear_shape": lambda lib: lib.nn.Linear(3, 4)(lib.ones(2, 5)),
    "embedding_range": lambda lib: lib.nn.functional.embedding(lib.tensor([5]), lib.ones(3, 2)),
    "layer_norm_shape": lambda lib: lib.nn.functional.layer_norm(lib.ones(3, 4), (5,)),
    "one_hot_range": lambda lib: lib.nn.functional.one_hot(lib.tensor([3]), 2),
    "bad_reduction": lambda lib: lib.nn.functional.l1_loss(lib.ones(2), lib.ones(2),
                                                          reduction="avg"),
    "init_1d_fan": lambda lib: lib.nn.init.xavier_uniform_(lib.ones(3)),
    "getattr_typo": lambda lib: lib.nn.Linear(2, 2).wieght,
    "assign_tensor_to_param": lambda lib: setattr(lib.nn.Linear(2, 2), "weight", lib.ones(2, 2)),
}


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name", list(BAD_CALLS))
def test_error_types_match_pytorch(name):
    with pytest.raises(Exception) as expected:
        BAD_CALLS[name](torch)
    with pytest.raises(expected.type):
        BAD_CALLS[name](ember)


PAD_MODULES = [
    (lambda nn: nn.ZeroPad2d(1), (2, 3, 4, 5)),
    (lambda nn: nn.ZeroPad2d((1, 2, 0, 3)), (3, 4, 5)),
    (lambda nn: nn.ZeroPad1d(2), (2, 3, 4)),
    (lambda nn: nn.ConstantPad1d(2, 3.5), (2, 3, 4)),
    (lambda nn: nn.ConstantPad2d((1, 0, 2, 0), 1.0), (1, 2, 3, 3)),
    (lambda nn: nn.ConstantPad3d(1, -1.0), (1, 2, 2, 2, 2)),
    (lambda nn: nn.ReflectionPad1d(2), (2, 3, 4)),
    (lambda nn: nn.ReflectionPad2d((1, 2, 2, 1)), (1, 2, 4, 5)),
    (lambda nn: nn.ReplicationPad2d((1, 2, 3, 4)), (1, 2, 3, 3)),
    (lambda nn: nn.ReplicationPad3d(1), (1, 1, 2, 3, 2)),
    (lambda nn: nn.CircularPad2d(1), (1, 2, 3, 4)),
    (lambda nn: nn.CircularPad1d(2), (2, 3, 4)),
]


@pytest.mark.parametrize("make,shape", PAD_MODULES)
def test_padding_modules_match_pytorch(make, shape):
    from ._parity import module_parity

    module_parity(make, [shape])
    assert repr(make(ember.nn)) == repr(make(torch.nn))


@pytest.mark.parametrize("hard", [False, True])
def test_gumbel_softmax_samples_and_straight_through_gradient(hard):
    logits = ember.tensor([[2.0, 0.0, -1.0]] * 2000, requires_grad=True)
    y = ember.nn.functional.gumbel_softmax(logits, tau=0.5, hard=hard)
    assert y.shape == (2000, 3)
    assert_close(y.sum(1), ember.ones(2000))
    if hard:
        assert set(np.unique(y.detach().numpy())) <= {0.0, 1.0}
    # the argmax of a Gumbel-perturbed softmax follows softmax(logits)
    freq = np.bincount(y.detach().numpy().argmax(1), minlength=3) / 2000
    want = torch.softmax(torch.tensor([2.0, 0.0, -1.0]), 0).numpy()
    np.testing.assert_allclose(freq, want, atol=0.04)
    (y[:, 0]).sum().backward()
    assert logits.grad.abs().sum().item() > 0

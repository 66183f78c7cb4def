"""Activation modules and functionals: parity with PyTorch and gradcheck."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn as enn
import ember.nn.functional as F
from helpers import assert_close, check_op, check_parity, gradcheck64, torch

from ._parity import module_parity

MODULES = [
    lambda nn: nn.ReLU(),
    lambda nn: nn.LeakyReLU(),
    lambda nn: nn.LeakyReLU(0.2),
    lambda nn: nn.ELU(),
    lambda nn: nn.ELU(alpha=0.5),
    lambda nn: nn.GELU(),
    lambda nn: nn.GELU(approximate="tanh"),
    lambda nn: nn.SiLU(),
    lambda nn: nn.Sigmoid(),
    lambda nn: nn.Tanh(),
    lambda nn: nn.Softplus(),
    lambda nn: nn.Softplus(beta=2.0, threshold=3.0),
    lambda nn: nn.Softmax(dim=1),
    lambda nn: nn.Softmax(dim=-1),
    lambda nn: nn.LogSoftmax(dim=1),
    lambda nn: nn.LogSoftmax(dim=0),
    lambda nn: nn.Hardtanh(),
    lambda nn: nn.Hardtanh(-2.0, 1.5),
    lambda nn: nn.ReLU6(),
    lambda nn: nn.Mish(),
]


@pytest.mark.parametrize("make", MODULES)
def test_activation_module_matches_pytorch(make):
    module_parity(make, [(4, 5, 3)], low=-8.0, high=8.0)
    assert repr(make(enn)) == repr(make(torch.nn))


@pytest.mark.parametrize("name,kwargs", [
    ("relu", {}), ("leaky_relu", {"negative_slope": 0.1}), ("elu", {"alpha": 1.3}),
    ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("silu", {}), ("mish", {}),
    ("softplus", {}), ("softplus", {"beta": 0.5, "threshold": 2.0}), ("hardtanh", {}),
    ("relu6", {}), ("sigmoid", {}), ("tanh", {}), ("softmax", {"dim": 1}),
    ("log_softmax", {"dim": -1}),
])
def test_activation_functional_gradcheck(name, kwargs):
    fn = getattr(F, name)
    check_op([(3, 4)], lambda lib, x: getattr(lib.nn.functional, name)(x, **kwargs),
             low=-7.0, high=7.0)
    second = name not in ("relu", "hardtanh", "relu6", "leaky_relu")
    gradcheck64(lambda x: fn(x, **kwargs), [(3, 4)], second_order=second)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu", "silu", "hardtanh", "relu6",
                                  "mish"])
def test_inplace_variants_match_out_of_place(name):
    x = ember.randn(3, 4) * 3
    expected = getattr(F, name)(x).numpy().copy()
    y = x.clone()
    out = getattr(F, name)(y, inplace=True)
    assert out is y
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-6)


def test_inplace_relu_module_keeps_graph():
    x = ember.randn(3, 4, requires_grad=True)
    h = x * 2
    out = enn.ReLU(inplace=True)(h)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2.0 * (x.detach().numpy() > 0))


def test_softmax_stable_for_huge_logits():
    x = ember.tensor([[1000.0, 0.0, -1000.0], [5000.0, 5000.0, 0.0]])
    p = F.softmax(x, dim=1).numpy()
    lp = F.log_softmax(x, dim=1).numpy()
    assert np.isfinite(p).all() and np.isfinite(lp).all()
    np.testing.assert_allclose(p[1], [0.5, 0.5, 0.0], atol=1e-7)
    np.testing.assert_allclose(lp[0], [0.0, -1000.0, -2000.0], atol=1e-3)


def test_softmax_implicit_dim_warns_and_matches_pytorch():
    x = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = F.softmax(ember.tensor(x))
    with pytest.warns(UserWarning):
        expected = torch.nn.functional.softmax(torch.tensor(x))
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6)


def test_gelu_bad_approximate():
    with pytest.raises(RuntimeError):
        F.gelu(ember.ones(2), approximate="fast")


def test_hardtanh_bad_bounds():
    with pytest.raises(ValueError):
        enn.Hardtanh(2.0, 1.0)


MORE_MODULES = [
    lambda nn: nn.SELU(),
    lambda nn: nn.CELU(0.7),
    lambda nn: nn.PReLU(),
    lambda nn: nn.PReLU(6),
    lambda nn: nn.LogSigmoid(),
    lambda nn: nn.Hardsigmoid(),
    lambda nn: nn.Hardswish(),
    lambda nn: nn.Softsign(),
    lambda nn: nn.Tanhshrink(),
    lambda nn: nn.Threshold(0.1, 20.0),
    lambda nn: nn.Hardshrink(),
    lambda nn: nn.Softshrink(0.3),
    lambda nn: nn.GLU(),
    lambda nn: nn.GLU(dim=1),
    lambda nn: nn.Softmin(dim=1),
    lambda nn: nn.Softmax2d(),
]


@pytest.mark.parametrize("make", MORE_MODULES)
def test_more_activation_modules_match_pytorch(make):
    module_parity(make, [(4, 6, 3, 2)], low=-5.0, high=5.0)
    assert repr(make(enn)) == repr(make(torch.nn))
    assert list(make(enn).state_dict()) == list(make(torch.nn).state_dict())


@pytest.mark.parametrize("name", ["selu", "celu", "logsigmoid", "softsign", "tanhshrink",
                                  "glu", "hardswish"])
def test_more_activation_gradcheck(name):
    gradcheck64(getattr(F, name), [(3, 4)], second_order=name != "hardswish")


def test_prelu_gradcheck_and_channel_mismatch():
    gradcheck64(F.prelu, [(2, 3, 4), (3,)])
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers"):
        F.prelu(ember.randn(2, 3), ember.ones(4))


def test_shrink_zero_signs_match_torch():
    x = [-1.0, -0.2, 0.3, 2.0]
    for name in ("hardshrink", "softshrink"):
        ours = getattr(ember.nn.functional, name)(ember.tensor(x)).numpy()
        theirs = getattr(torch.nn.functional, name)(torch.tensor(x)).numpy()
        assert np.signbit(ours).tolist() == np.signbit(theirs).tolist()
        assert ours.tolist() == theirs.tolist()


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


@pytest.mark.parametrize("name, args", [("elu_", (0.5,)), ("leaky_relu_", (0.2,)),
                                        ("hardtanh_", (-0.5, 0.5)), ("celu_", (1.5,)),
                                        ("selu_", ()), ("threshold_", (0.1, -2.0))])
def test_inplace_functional_activations_match_torch(name, args):
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    te, tt = ember.tensor(x), torch.tensor(x)
    out_e = getattr(ember.nn.functional, name)(te, *args)
    out_t = getattr(torch.nn.functional, name)(tt, *args)
    assert out_e is te and out_t is tt
    np.testing.assert_allclose(te.numpy(), tt.numpy(), rtol=1e-6, atol=1e-7)
def test_softplus_gradient_at_zero_is_one_half_as_pytorch():
    x = np.array([0.0, -3.0, 1e-8, 25.0, 19.0], dtype=np.float64)
    check_op(None, lambda lib, t: lib.nn.functional.softplus(t), arrays=[x])
    check_op(None, lambda lib, t: lib.nn.functional.softplus(t, beta=2.0, threshold=5.0),
             arrays=[x])
    gradcheck64(lambda t: F.softplus(t, beta=1.5), [(6,)])
def test_clamping_activations_select_bounds_for_inf_and_keep_nan():
    # issue 10: a 0/1 mask multiplied into the output turned +-inf into NaN
    x = [float("-inf"), float("inf"), float("nan"), -5.0, 0.5, 3.0, 7.0]
    for name in ("hardtanh", "relu6", "hardsigmoid"):
        def fn(lib, name=name):
            t = lib.tensor(x, requires_grad=True)
            y = getattr(lib.nn.functional, name)(t)
            y.sum().backward()
            return y.detach(), t.grad
        check_parity(fn)


def test_hardtanh_of_integers_keeps_their_dtype():
    check_parity(lambda lib: lib.nn.functional.hardtanh(lib.tensor([1, 5, -4]), -2.0, 3.0))
    check_parity(lambda lib: lib.nn.functional.relu6(lib.tensor([1, 7, -4])))


def test_softmax_of_empty_tensors():
    # issue 10: "zero-size array to reduction operation maximum" from NumPy
    for name in ("softmax", "log_softmax"):
        check_parity(lambda lib, name=name: getattr(lib, name)(lib.ones(3, 0), 1))
        check_parity(lambda lib, name=name: getattr(lib, name)(lib.ones(0, dtype=lib.int64), 0))
        check_parity(lambda lib, name=name: getattr(lib, name)(lib.ones(2, dtype=lib.int32), 0))
    check_parity(lambda lib: lib.logsumexp(lib.ones(3, 0), 1))


@pytest.mark.parametrize("name", ["hardswish", "hardsigmoid", "leaky_relu", "elu", "gelu", "silu",
                                  "softplus", "logsigmoid", "selu", "celu", "mish", "hardshrink",
                                  "softshrink", "hardtanh", "relu6"])
def test_activations_refuse_integer_inputs_as_torch_kernels_do(name):
    for values in ([1, 2], [True, False]):
        check_parity(lambda lib, values=values: getattr(lib.nn.functional, name)(
            lib.tensor(values)))


def test_softmax_rows_with_inf_are_nan_as_torch():
    inf = float("inf")
    x = [[1.0, inf], [-inf, -inf], [inf, inf], [-inf, 1.0]]
    for name in ("softmax", "log_softmax", "logsumexp"):
        check_parity(lambda lib, name=name: getattr(lib, name)(lib.tensor(x), 1))
    check_parity(lambda lib: lib.nn.functional.cross_entropy(
        lib.tensor(x), lib.tensor([0, 0, 0, 1]), reduction="none"))


def test_hardswish_gradient_at_infinity():
    def fn(lib):
        x = lib.tensor([float("inf"), 1.0, -5.0, 3.0, -3.0], requires_grad=True)
        y = lib.nn.functional.hardswish(x)
        y.sum().backward()
        return y.detach(), x.grad

    check_parity(fn, rtol=1e-6)

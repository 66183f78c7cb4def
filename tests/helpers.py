"""Parity helpers: run the same function on PyTorch and ember, compare values and gradients.

``check_op(shapes, fn)`` is the workhorse (after tinygrad's ``helper_test_op``): it builds
random inputs of the given shapes, runs ``fn`` with ``torch`` and with ``ember`` as the
library argument, and compares outputs and input gradients. Tests skip cleanly where torch
is not installed.
"""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def to_numpy(x):
    if isinstance(x, ember.Tensor):
        return x.detach().numpy()
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def assert_close(actual, expected, atol=1e-5, rtol=1e-4, msg=""):
    a, e = to_numpy(actual), to_numpy(expected)
    assert a.shape == e.shape, f"{msg} shape {a.shape} != {e.shape}"
    np.testing.assert_allclose(a, e, atol=atol, rtol=rtol, err_msg=msg)


def make_inputs(shapes, dtype=np.float32, low=-2.0, high=2.0, seed=0, positive=False):
    rng = np.random.default_rng(seed)
    arrays = []
    for s in shapes:
        a = rng.uniform(low, high, size=s).astype(dtype)
        if positive:
            a = np.abs(a) + 0.1
        arrays.append(a)
    return arrays


def check_op(shapes, fn, *, atol=1e-5, rtol=1e-4, grad=True, positive=False, arrays=None,
             dtype=np.float32, low=-2.0, high=2.0):
    """Compare ``fn(lib, *tensors)`` between torch and ember, values and gradients."""
    arrays = arrays if arrays is not None else make_inputs(
        shapes, dtype=dtype, positive=positive, low=low, high=high)
    te = [ember.tensor(a.copy(), requires_grad=grad) for a in arrays]
    tt = [torch.tensor(a.copy(), requires_grad=grad) for a in arrays]
    oe = fn(ember, *te)
    ot = fn(torch, *tt)
    assert_close(oe, ot, atol=atol, rtol=rtol, msg="forward")
    assert oe.dtype.name == str(ot.dtype).replace("torch.", ""), (oe.dtype, ot.dtype)
    if grad and ot.requires_grad:
        seed = np.random.default_rng(1).standard_normal(tuple(ot.shape)).astype(
            to_numpy(ot).dtype)
        oe.backward(ember.tensor(seed))
        ot.backward(torch.tensor(seed))
        for i, (a, b) in enumerate(zip(te, tt)):
            if b.grad is None:
                assert a.grad is None, f"input {i}: ember has a grad, torch has none"
                continue
            assert_close(a.grad, b.grad, atol=atol * 10, rtol=rtol * 10, msg=f"grad of input {i}")
    return oe, ot


def gradcheck64(fn, shapes, positive=False, second_order=True, low=-2.0, high=2.0, seed=0):
    """gradcheck (and gradgradcheck) of ``fn(*tensors)`` on float64 inputs."""
    arrays = make_inputs(shapes, dtype=np.float64, positive=positive, low=low, high=high,
                         seed=seed)
    inputs = [ember.tensor(a, dtype=ember.float64, requires_grad=True) for a in arrays]
    assert ember.autograd.gradcheck(fn, inputs)
    if second_order:
        assert ember.autograd.gradgradcheck(fn, inputs)


def check_parity(fn, atol=0.0, rtol=0.0):
    """Run ``fn(lib)`` with torch and ember: the same exception type, or results with the same
    dtype, shape and values (NaN and Inf in the same places; exact by default)."""
    try:
        want = fn(torch)
    except Exception as e:  # noqa: BLE001 - torch's exception is the expected result
        builtin = next(c for c in type(e).__mro__ if c.__module__ == "builtins")
        with pytest.raises(builtin):
            fn(ember)
        return None
    got = fn(ember)
    if isinstance(want, (tuple, list)):
        for g, w in zip(got, want, strict=True):
            _same_tensor(g, w, atol, rtol)
    else:
        _same_tensor(got, want, atol, rtol)
    return got


def _same_tensor(got, want, atol, rtol):
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1], (got, want)
    a, e = to_numpy(got), to_numpy(want)
    assert a.shape == e.shape, (a.shape, e.shape)
    np.testing.assert_allclose(a, e, atol=atol, rtol=rtol, equal_nan=True)

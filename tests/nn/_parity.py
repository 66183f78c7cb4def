"""Parity with PyTorch for the nn tests: modules (same weights, copied through NumPy, same
inputs; outputs, input and parameter gradients, buffers compared), plain functions, stateless
layers, and error types."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import assert_close, make_inputs, torch


def copy_torch_weights(tm, em) -> None:
    """Load a PyTorch module's state_dict (as NumPy arrays) into the ember module."""
    em.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})


def module_parity(make, shapes=(), *, arrays=None, train=True, atol=1e-5, rtol=1e-4,
                  dtype=np.float32, grad=True, low=-2.0, high=2.0, call=None):
    """Build ``make(lib.nn)`` in both libraries, run it on the same inputs and compare."""
    tm = make(torch.nn)
    em = make(ember.nn)
    if dtype == np.float64:
        tm = tm.double()
        em = em.double()
    copy_torch_weights(tm, em)
    tm.train(train)
    em.train(train)
    if arrays is None:
        arrays = make_inputs(shapes, dtype=dtype, low=low, high=high)
    xt = [torch.tensor(a.copy(), requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    xe = [ember.tensor(a.copy(), requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    call = call or (lambda m, *xs: m(*xs))
    ot = call(tm, *xt)
    oe = call(em, *xe)
    assert_close(oe, ot, atol=atol, rtol=rtol, msg="forward")
    assert oe.dtype.name == str(ot.dtype).replace("torch.", "")
    if grad and ot.requires_grad:
        seed = np.random.default_rng(1).standard_normal(tuple(ot.shape)).astype(
            ot.detach().numpy().dtype)
        ot.backward(torch.tensor(seed))
        oe.backward(ember.tensor(seed))
        for i, (a, b) in enumerate(zip(xe, xt, strict=True)):
            if b.grad is not None:
                assert_close(a.grad, b.grad, atol=atol * 10, rtol=rtol * 10, msg=f"input {i}")
        tparams = dict(tm.named_parameters())
        for name, p in em.named_parameters():
            tg = tparams[name].grad
            if tg is None:
                assert p.grad is None, name
            else:
                assert_close(p.grad, tg, atol=atol * 10, rtol=rtol * 10, msg=f"grad of {name}")
    tbufs = dict(tm.named_buffers())
    for name, b in em.named_buffers():
        assert_close(b, tbufs[name], atol=atol, rtol=rtol, msg=f"buffer {name}")
    return em, tm, oe, ot


def function_parity(fn_e, fn_t, arrays, grad_idx=(0,), atol=1e-5, rtol=1e-4):
    """Run fn on ember and torch tensors built from ``arrays``; compare value and grads."""
    te = [ember.tensor(a, requires_grad=i in grad_idx) for i, a in enumerate(arrays)]
    tt = [torch.tensor(a, requires_grad=i in grad_idx) for i, a in enumerate(arrays)]
    oe, ot = fn_e(*te), fn_t(*tt)
    assert_close(oe, ot, atol=atol, rtol=rtol, msg="value")
    assert oe.dtype.name == str(ot.dtype).replace("torch.", "")
    seed = np.random.default_rng(1).standard_normal(tuple(ot.shape)).astype(np.float32)
    oe.backward(ember.tensor(seed))
    ot.backward(torch.tensor(seed))
    for i in grad_idx:
        assert_close(te[i].grad, tt[i].grad, atol=atol * 10, rtol=rtol * 10, msg=f"grad {i}")


def stateless_layer_parity(make, shape):
    """A layer without parameters or buffers (``make(lib.nn)``): same repr, an empty
    state_dict, and PyTorch's output and input gradient."""
    tm, em = make(torch.nn), make(ember.nn)
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict()) == []
    xa = make_inputs([shape])[0]
    xt = torch.tensor(xa, requires_grad=True)
    xe = ember.tensor(xa, requires_grad=True)
    ot, oe = tm(xt), em(xe)
    assert_close(oe, ot)
    seed = np.random.default_rng(1).standard_normal(tuple(ot.shape)).astype(np.float32)
    ot.backward(torch.tensor(seed))
    oe.backward(ember.tensor(seed))
    assert_close(xe.grad, xt.grad, atol=1e-4)


def raises_like_torch(call) -> None:
    """``call(lib)`` raises under PyTorch, and ember raises the same exception type."""
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(expected.type):
        call(ember)

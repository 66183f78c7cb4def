"""autograd.functional: jacobian/hessian/vjp/hvp/vhp values, shapes and nesting as torch."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import assert_close, torch

rng = np.random.default_rng(0)
X = rng.normal(size=(3,)).astype(np.float64)
W = rng.normal(size=(2, 3)).astype(np.float64)


def _same(got, want):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            _same(g, w)
    else:
        assert tuple(got.shape) == tuple(want.shape)
        assert_close(got, want, atol=1e-10, rtol=1e-8)


CASES = {
    "vector": (lambda L, x: L.tanh(x) * x.sum(), (X,)),
    "matrix_out": (lambda L, x: L.outer(x, x.sin()), (X,)),
    "two_inputs": (lambda L, w, x: (w @ x).exp(), (W, X)),
    "tuple_out": (lambda L, x: (x ** 2, x.sum()), (X,)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_jacobian_matches_torch(name):
    fn, arrays = CASES[name]
    results = []
    for lib in (torch, ember):
        args = tuple(lib.tensor(a) for a in arrays)
        inputs = args if len(args) > 1 else args[0]
        results.append(lib.autograd.functional.jacobian(lambda *xs, lib=lib: fn(lib, *xs),
                                                         inputs))
    _same(results[1], results[0])


@pytest.mark.parametrize("tuple_input", [False, True])
def test_hessian_matches_torch(tuple_input):
    results = []
    for lib in (torch, ember):
        if tuple_input:
            res = lib.autograd.functional.hessian(lambda w, x: ((w @ x).tanh() ** 2).sum(),
                                                  (lib.tensor(W), lib.tensor(X)))
        else:
            res = lib.autograd.functional.hessian(lambda x: (x.exp() * x.sin()).sum(),
                                                  lib.tensor(X))
        results.append(res)
    _same(results[1], results[0])


@pytest.mark.parametrize("name", ["vjp", "vhp", "hvp"])
def test_vector_products_match_torch(name):
    v = rng.normal(size=(3,))
    results = []
    for lib in (torch, ember):
        fn = getattr(lib.autograd.functional, name)
        if name == "vjp":
            results.append(fn(lambda x: x.sin() * x, lib.tensor(X), lib.tensor(v)))
        else:
            results.append(fn(lambda x: (x ** 3).sum() * x.prod(), lib.tensor(X), lib.tensor(v)))
    _same(results[1], results[0])


def test_jacobian_create_graph_is_differentiable():
    x = ember.tensor(X, requires_grad=True)
    jac = ember.autograd.functional.jacobian(lambda t: t ** 3, x, create_graph=True)
    assert jac.requires_grad
    jac.trace().backward()  # d/dx sum(3 x^2) = 6x
    assert_close(x.grad, 6 * X)
    plain = ember.autograd.functional.jacobian(lambda t: t ** 3, x)
    assert not plain.requires_grad

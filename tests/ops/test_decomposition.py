"""eigh, svd, qr, matrix_exp: values and gradients against PyTorch, gradcheck in float64."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import assert_close, torch


def _weights(shape, seed=3):
    return np.random.default_rng(seed).standard_normal(shape)


def _grad_parity(loss, a, atol=1e-8):
    """Run ``loss(lib, A)`` on both libraries (float64) and compare values and dL/dA."""
    te = ember.tensor(a, requires_grad=True)
    tt = torch.tensor(a, requires_grad=True)
    le, lt = loss(ember, te), loss(torch, tt)
    assert_close(le, lt, atol=atol, rtol=1e-7)
    le.backward()
    lt.backward()
    assert_close(te.grad, tt.grad, atol=atol, rtol=1e-6)


def _symmetric(shape, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape)
    return a + np.swapaxes(a, -1, -2)


@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3)])
def test_eigh_values_vectors_and_gradient_match_torch(shape):
    w_vals, w_vecs = _weights(shape[:-1]), _weights(shape)

    def loss(lib, a):
        values, vectors = lib.linalg.eigh(a)
        # vectors**2 is invariant to each eigenvector's sign, which LAPACK picks freely
        return (values * lib.tensor(w_vals)).sum() + (vectors ** 2 * lib.tensor(w_vecs)).sum()

    _grad_parity(loss, _symmetric(shape))


def test_eigh_upper_triangle_and_eigvalsh_match_torch():
    a = np.random.default_rng(1).standard_normal((3, 3))
    assert_close(ember.linalg.eigvalsh(ember.tensor(a), UPLO="U"),
                 torch.linalg.eigvalsh(torch.tensor(a), UPLO="U"))


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4), (2, 4, 3)])
@pytest.mark.parametrize("full_matrices", [False, True])
def test_svd_gradient_matches_torch(shape, full_matrices):
    k = min(shape[-2:])
    lead = shape[:-2]
    w_u, w_s, w_v = _weights(lead + (shape[-2], k)), _weights(lead + (k,)), \
        _weights(lead + (k, shape[-1]))

    def loss(lib, a):
        u, s, vh = lib.linalg.svd(a, full_matrices=full_matrices)
        return ((u[..., :k] ** 2 * lib.tensor(w_u)).sum() + (s * lib.tensor(w_s)).sum()
                + (vh[..., :k, :] ** 2 * lib.tensor(w_v)).sum())

    _grad_parity(loss, np.random.default_rng(2).standard_normal(shape))


def test_svd_shapes_and_reconstruction():
    a = ember.randn(2, 5, 3, dtype=ember.float64)
    u, s, vh = ember.linalg.svd(a)
    assert (tuple(u.shape), tuple(s.shape), tuple(vh.shape)) == ((2, 5, 5), (2, 3), (2, 3, 3))
    u, s, vh = ember.linalg.svd(a, full_matrices=False)
    assert_close((u * s.unsqueeze(-2)) @ vh, a, atol=1e-12)


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4), (2, 4, 3)])
def test_qr_values_and_gradient_match_torch(shape):
    w_q = _weights(shape[:-1] + (min(shape[-2:]),))
    w_r = _weights(shape[:-2] + (min(shape[-2:]), shape[-1]), seed=4)

    def loss(lib, a):
        q, r = lib.linalg.qr(a)
        return (q * lib.tensor(w_q)).sum() + (r * lib.tensor(w_r)).sum()

    _grad_parity(loss, np.random.default_rng(5).standard_normal(shape))


def test_qr_modes_and_errors_match_torch():
    a = np.random.default_rng(6).standard_normal((5, 3))
    for mode in ("complete", "r"):
        qe, re = ember.linalg.qr(ember.tensor(a), mode=mode)
        qt, rt = torch.linalg.qr(torch.tensor(a), mode=mode)
        assert tuple(qe.shape) == tuple(qt.shape)
        assert_close(re, rt, atol=1e-12)
    for mode in ("complete", "r"):
        for lib in (torch, ember):
            x = lib.tensor(a, requires_grad=True)
            with pytest.raises(RuntimeError):
                lib.linalg.qr(x, mode=mode)[1].sum().backward()
    with pytest.raises(RuntimeError, match="unrecognized mode"):
        ember.linalg.qr(ember.tensor(a), mode="full")


def test_matrix_exp_value_and_gradient_match_torch():
    w = _weights((2, 3, 3))
    _grad_parity(lambda lib, a: (lib.linalg.matrix_exp(a) * lib.tensor(w)).sum(),
                 np.random.default_rng(7).standard_normal((2, 3, 3)) * 2)
    assert_close(ember.linalg.matrix_exp(ember.zeros(2, 2)), np.eye(2, dtype=np.float32))


@pytest.mark.parametrize("name", ["eigh", "svd", "qr", "matrix_exp"])
def test_decomposition_gradcheck(name):
    fns = {
        "eigh": lambda a: ember.linalg.eigh(a + a.mT)[0],
        "svd": lambda a: ember.linalg.svdvals(a),
        "qr": lambda a: ember.linalg.qr(a)[1],
        "matrix_exp": ember.linalg.matrix_exp,
    }
    a = ember.tensor(np.random.default_rng(8).standard_normal((3, 3)), requires_grad=True)
    assert ember.autograd.gradcheck(fns[name], [a])

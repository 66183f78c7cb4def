"""LU family, triangular and Cholesky solves, Householder products: values and gradients as
PyTorch's, gradcheck in float64, PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

rng = np.random.default_rng(0)
pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated:UserWarning")


def _pair(a: np.ndarray):
    return (ember.tensor(a.copy(), requires_grad=True),
            torch.tensor(a.copy(), requires_grad=True))


def _backward_both(e_out, t_out):
    """Weight the outputs by one random tensor each and backpropagate in both libraries."""
    e_out = e_out if isinstance(e_out, (tuple, list)) else (e_out,)
    t_out = t_out if isinstance(t_out, (tuple, list)) else (t_out,)
    e_total, t_total = 0, 0
    for e, t in zip(e_out, t_out, strict=True):
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-9, atol=1e-9)
        if t.requires_grad:
            w = rng.standard_normal(tuple(t.shape))
            e_total = e_total + (e * ember.tensor(w)).sum()
            t_total = t_total + (t * torch.tensor(w)).sum()
    e_total.backward()
    t_total.backward()


def _close_grads(pairs):
    for e, t in pairs:
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-8, atol=1e-9)


# ======================================================================== LU


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (3, 5), (5, 3), (2, 1, 2, 4), (6, 2)])
def test_lu_matches_pytorch_values_pivots_and_gradients(shape):
    a = rng.standard_normal(shape)
    lu, piv, info = ember.linalg.lu_factor_ex(ember.tensor(a))
    t = torch.linalg.lu_factor_ex(torch.tensor(a))
    np.testing.assert_allclose(lu.numpy(), t.LU.numpy(), rtol=1e-12)
    assert piv.dtype == ember.int32 and info.dtype == ember.int32
    assert (piv.numpy() == t.pivots.numpy()).all() and (info.numpy() == 0).all()
    ea, ta = _pair(a)
    _backward_both(ember.linalg.lu(ea), torch.linalg.lu(ta))
    _close_grads([(ea, ta)])


@pytest.mark.parametrize("shape", [(3, 3), (2, 4), (4, 2)])
def test_lu_factor_gradcheck_and_gradgradcheck(shape):
    a = ember.tensor(rng.standard_normal(shape), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x: ember.linalg.lu_factor(x).LU, [a])
    assert ember.autograd.gradgradcheck(lambda x: ember.linalg.lu_factor(x).LU, [a])


def test_lu_factor_ex_reports_the_first_zero_pivot_and_lu_factor_raises():
    a = np.array([[[1.0, 2.0], [2.0, 4.0]], [[2.0, 0.0], [0.0, 1.0]]])
    e = ember.linalg.lu_factor_ex(ember.tensor(a))
    t = torch.linalg.lu_factor_ex(torch.tensor(a))
    np.testing.assert_array_equal(e.info.numpy(), t.info.numpy())
    np.testing.assert_allclose(e.LU.numpy(), t.LU.numpy())
    with pytest.raises(ember.linalg.LinAlgError, match=r"U\[2,2\] is zero"):
        ember.linalg.lu_factor(ember.tensor(a))
    with pytest.raises(RuntimeError, match=r"U\[2,2\] is zero"):
        ember.linalg.lu_factor_ex(ember.tensor(a), check_errors=True)
    P, L, U = ember.linalg.lu(ember.tensor(a))  # noqa: N806 - a singular matrix factors too
    np.testing.assert_allclose((P @ L @ U).numpy(), a)


def test_lu_without_pivoting_is_refused_as_on_pytorchs_cpu():
    with pytest.raises(RuntimeError, match="without pivoting is not implemented on the CPU"):
        ember.linalg.lu_factor(ember.eye(2), pivot=False)


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [True, False])
def test_lu_solve_matches_pytorch_in_every_mode(left, adjoint):
    a = rng.standard_normal((2, 4, 4))
    b = rng.standard_normal((2, 4, 3) if left else (2, 3, 4))
    (ea, ta), (eb, tb) = _pair(a), _pair(b)
    e = ember.linalg.lu_solve(*ember.linalg.lu_factor(ea), eb, left=left, adjoint=adjoint)
    t = torch.linalg.lu_solve(*torch.linalg.lu_factor(ta), tb, left=left, adjoint=adjoint)
    _backward_both(e, t)
    _close_grads([(ea, ta), (eb, tb)])


def test_lu_solve_rejects_a_vector_right_hand_side():
    lu, piv = ember.linalg.lu_factor(ember.eye(2))
    with pytest.raises(RuntimeError, match="B must have at least 2 dimensions"):
        ember.linalg.lu_solve(lu, piv, ember.ones(2))


def test_legacy_lu_and_lu_unpack_agree_with_pytorch():
    a = rng.standard_normal((3, 3))
    lu, piv = ember.lu(ember.tensor(a))
    t_lu, t_piv = torch.lu(torch.tensor(a))
    np.testing.assert_allclose(lu.numpy(), t_lu.numpy())
    info = ember.lu(ember.tensor(a), get_infos=True).info
    assert info.item() == 0
    for e, t in zip(ember.lu_unpack(lu, piv), torch.lu_unpack(t_lu, t_piv), strict=True):
        np.testing.assert_allclose(e.numpy(), t.numpy())
    b = rng.standard_normal((3, 2))
    np.testing.assert_allclose(ember.lu_solve(ember.tensor(b), lu, piv).numpy(),
                               torch.lu_solve(torch.tensor(b), t_lu, t_piv).numpy())
    with pytest.raises(RuntimeError, match="int32"):
        ember.lu_unpack(lu, piv.long())


# ======================================================================== triangular solves


@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("transpose", [True, False])
@pytest.mark.parametrize("unitriangular", [True, False])
def test_triangular_solve_matches_pytorch(upper, transpose, unitriangular):
    (ea, ta) = _pair(rng.standard_normal((2, 3, 3)) + 3 * np.eye(3))
    (eb, tb) = _pair(rng.standard_normal((3, 2)))  # batch broadcast from A
    e = ember.triangular_solve(eb, ea, upper, transpose, unitriangular)
    t = torch.triangular_solve(tb, ta, upper, transpose, unitriangular)
    _backward_both(e.solution, t.solution)
    _close_grads([(ea, ta), (eb, tb)])
    np.testing.assert_allclose(e.cloned_coefficient.detach().numpy(), ta.detach().numpy())


def test_triangular_solve_gradgradcheck():
    a = ember.tensor(rng.standard_normal((3, 3)) + 3 * np.eye(3), requires_grad=True)
    b = ember.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    assert ember.autograd.gradgradcheck(
        lambda a, b: ember.triangular_solve(b, a, upper=False).solution, [a, b])


def test_triangular_solve_with_a_zero_on_the_diagonal_gives_infinities_as_pytorch():
    a = np.array([[0.0, 1.0], [0.0, 0.0]])
    e = ember.triangular_solve(ember.ones(2, 1, dtype=ember.float64), ember.tensor(a))
    t = torch.triangular_solve(torch.ones(2, 1, dtype=torch.float64), torch.tensor(a))
    np.testing.assert_array_equal(e.solution.numpy(), t.solution.numpy())


def test_triangular_solve_size_mismatch_raises():
    with pytest.raises(RuntimeError, match="Incompatible matrix sizes"):
        ember.triangular_solve(ember.ones(2, 1), ember.eye(3))


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_solve_and_inverse_match_pytorch_gradients(upper):
    m = rng.standard_normal((2, 3, 3))
    factor = np.linalg.cholesky(m @ m.transpose(0, 2, 1) + np.eye(3))
    factor = factor.transpose(0, 2, 1) if upper else factor
    (el, tl), (eb, tb) = _pair(factor), _pair(rng.standard_normal((2, 3, 2)))
    _backward_both(ember.cholesky_solve(eb, el, upper), torch.cholesky_solve(tb, tl, upper))
    _close_grads([(el, tl), (eb, tb)])
    (el, tl) = _pair(factor)
    _backward_both(ember.cholesky_inverse(el, upper), torch.cholesky_inverse(tl, upper))
    _close_grads([(el, tl)])


def test_cholesky_solve_gradgradcheck():
    factor = ember.tensor(np.tril(rng.standard_normal((3, 3)), -1) + 2 * np.eye(3),
                          requires_grad=True)
    b = ember.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    # the factor's gradient is a full matrix (as PyTorch's) while only its triangle is read:
    # check the map from the triangle, as PyTorch's own OpInfo does
    assert ember.autograd.gradgradcheck(lambda b, f: ember.cholesky_solve(b, f.tril()),
                                        [b, factor])


# ======================================================================== Householder


def test_geqrf_ormqr_orgqr_match_pytorch():
    a = rng.standard_normal((2, 5, 3))
    e_a, e_tau = ember.geqrf(ember.tensor(a))
    t_a, t_tau = torch.geqrf(torch.tensor(a))
    np.testing.assert_allclose(e_a.numpy(), t_a.numpy(), atol=1e-12)
    np.testing.assert_allclose(e_tau.numpy(), t_tau.numpy(), atol=1e-12)
    for left, shape in ((True, (2, 5, 4)), (False, (2, 4, 5))):
        c = rng.standard_normal(shape)
        for transpose in (True, False):
            np.testing.assert_allclose(
                ember.ormqr(e_a, e_tau, ember.tensor(c), left, transpose).numpy(),
                torch.ormqr(t_a, t_tau, torch.tensor(c), left, transpose).numpy(), atol=1e-12)
    (ea, ta), (et, tt) = _pair(a), _pair(t_tau.numpy())
    _backward_both(ember.orgqr(ea, et), torch.orgqr(ta, tt))
    _close_grads([(ea, ta), (et, tt)])


# ======================================================================== older product names


def test_addr_addbmm_chain_matmul_dist_gradcheck():
    x = [ember.tensor(rng.standard_normal(s), requires_grad=True)
         for s in [(3, 4), (3,), (4,), (2, 3, 5), (2, 5, 4)]]
    assert ember.autograd.gradcheck(
        lambda i, u, v: ember.addr(i, u, v, beta=0.5, alpha=2.0), x[:3])
    assert ember.autograd.gradcheck(lambda i, b1, b2: ember.addbmm(i, b1, b2, alpha=0.5),
                                    [x[0], x[3], x[4]])
    other = ember.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    assert ember.autograd.gradcheck(lambda a, b: ember.dist(a, b, 3), [x[0], other])


def test_addbmm_and_chain_matmul_errors_as_pytorch():
    with pytest.raises(RuntimeError, match="same number of batches, got 2 and 3"):
        ember.addbmm(ember.ones(2, 3), ember.ones(2, 2, 4), ember.ones(3, 4, 3))
    with pytest.raises(RuntimeError, match="Tensor dimension is 1, expected 2"):
        ember.chain_matmul(ember.ones(2))
    with pytest.raises(RuntimeError, match="floating point"):
        ember.dist(ember.ones(3, dtype=ember.int64), ember.zeros(3, dtype=ember.int64))


def test_addmv_in_place_at_the_top_level():
    out = ember.zeros(2)
    assert ember.addmv_(out, ember.ones(2, 3), ember.ones(3)) is out
    assert out.tolist() == [3.0, 3.0]


def test_linalg_eig_names_complex_support_as_missing():
    for fn in (ember.linalg.eig, ember.linalg.eigvals):
        with pytest.raises(NotImplementedError, match="complex"):
            fn(ember.eye(2))

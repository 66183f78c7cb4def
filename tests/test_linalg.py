"""``ember.linalg`` composites (pinv, lstsq, cond, matrix_rank, ...) against torch.linalg."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import assert_close, torch


def _arr(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _parity(fn, arrays, grad=True, atol=1e-8):
    te = [ember.tensor(a, requires_grad=grad) for a in arrays]
    tt = [torch.tensor(a, requires_grad=grad) for a in arrays]
    oe, ot = fn(ember, *te), fn(torch, *tt)
    assert_close(oe, ot, atol=atol, rtol=1e-6)
    assert oe.dtype.name == str(ot.dtype).replace("torch.", "")
    if grad:
        w = _arr(tuple(ot.shape), seed=9)
        (oe * ember.tensor(w)).sum().backward()
        (ot * torch.tensor(w)).sum().backward()
        for a, b in zip(te, tt, strict=True):
            assert_close(a.grad, b.grad, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("fn, shapes", [
    (lambda lib, a: lib.linalg.pinv(a), [(5, 3)]),
    (lambda lib, a: lib.linalg.pinv(a), [(2, 3, 4)]),
    (lambda lib, a: lib.linalg.pinv(a + a.mT, hermitian=True), [(4, 4)]),
    (lambda lib, a: lib.linalg.svdvals(a), [(4, 6)]),
    (lambda lib, a: lib.linalg.cond(a), [(4, 4)]),
    (lambda lib, a: lib.linalg.cond(a, -2), [(3, 3)]),
    (lambda lib, a: lib.linalg.matrix_norm(a, 2), [(2, 3, 4)]),
    (lambda lib, a: lib.linalg.matrix_norm(a, "nuc", keepdim=True), [(3, 4)]),
    (lambda lib, a: lib.linalg.matrix_power(a, 3), [(2, 3, 3)]),
    (lambda lib, a, b: lib.linalg.lstsq(a, b).solution, [(6, 3), (6, 2)]),
    (lambda lib, a, b: lib.linalg.lstsq(a, b).solution, [(2, 5, 3), (2, 5)]),
    (lambda lib, a, b, c: lib.linalg.multi_dot([a, b, c]), [(3,), (3, 4), (4, 2)]),
    (lambda lib, a, b: lib.linalg.vecdot(a, b), [(3, 4), (4,)]),
    (lambda lib, a, b: lib.linalg.cross(a, b), [(4, 3), (1, 3)]),
    (lambda lib, a, b: lib.linalg.cross(a, b, dim=0), [(3, 2), (3, 2)]),
    (lambda lib, a: lib.linalg.diagonal(a, offset=1), [(2, 3, 4)]),
    (lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=True), [(3, 3), (3, 2)]),
    (lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=False, left=False,
                                                   unitriangular=True), [(3, 3), (2, 3)]),
    (lambda lib, a, t: lib.linalg.householder_product(a, t), [(5, 3), (2,)]),
    (lambda lib, a: lib.linalg.tensorinv(a, ind=1), [(6, 2, 3)]),
    (lambda lib, a, b: lib.linalg.tensorsolve(a, b), [(2, 3, 6), (2, 3)]),
    (lambda lib, a: lib.linalg.vander(a), [(2, 4)]),
    (lambda lib, a: lib.linalg.vander(a, N=2), [(3,)]),
])
def test_linalg_composites_match_torch(fn, shapes):
    arrays = [_arr(s, seed=i) + (2 * np.eye(s[-1]) if len(s) > 1 and s[-1] == s[-2] else 0)
              for i, s in enumerate(shapes)]
    _parity(fn, arrays)


def test_matrix_power_negative_and_cond_other_norms_match_torch():
    # values only: torch's own backward of a negative power fails (in-place on inv_ex's output)
    a = _arr((2, 3, 3)) + 2 * np.eye(3)
    for n in (-2, 0):
        assert_close(ember.linalg.matrix_power(ember.tensor(a), n),
                     torch.linalg.matrix_power(torch.tensor(a), n), atol=1e-10)
    for p in ("fro", 1, float("inf")):
        assert_close(ember.linalg.cond(ember.tensor(a), p), torch.linalg.cond(torch.tensor(a), p),
                     atol=1e-10)


def test_matrix_rank_and_lstsq_fields_match_torch():
    a = _arr((5, 4))
    a[:, 3] = a[:, 0] + a[:, 1]  # rank 3
    for kwargs in ({}, dict(hermitian=False, atol=1e-3), dict(rtol=0.5)):
        re = ember.linalg.matrix_rank(ember.tensor(a), **kwargs)
        rt = torch.linalg.matrix_rank(torch.tensor(a), **kwargs)
        assert int(re) == int(rt) and re.dtype == ember.int64
    le = ember.linalg.lstsq(ember.tensor(a), ember.tensor(_arr((5, 2))))
    lt = torch.linalg.lstsq(torch.tensor(a), torch.tensor(_arr((5, 2))))
    assert int(le.rank) == int(lt.rank)
    assert tuple(le.residuals.shape) == tuple(lt.residuals.shape)
    assert tuple(le.singular_values.shape) == tuple(lt.singular_values.shape)


def test_ex_variants_report_info_as_torch():
    spd = _arr((3, 3))
    spd = spd @ spd.T + np.eye(3)
    for name, args in (("inv_ex", (spd,)), ("cholesky_ex", (spd,)),
                       ("solve_ex", (spd, _arr((3, 2))))):
        oe = getattr(ember.linalg, name)(*[ember.tensor(a) for a in args])
        ot = getattr(torch.linalg, name)(*[torch.tensor(a) for a in args])
        assert_close(oe[0], ot[0], atol=1e-10)
        assert int(oe.info) == int(ot.info) == 0
    bad = np.diag([1.0, -1.0, 2.0])
    assert int(ember.linalg.cholesky_ex(ember.tensor(bad)).info) == \
        int(torch.linalg.cholesky_ex(torch.tensor(bad)).info)
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.cholesky_ex(ember.tensor(bad), check_errors=True)
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.inv_ex(ember.zeros(2, 2, dtype=ember.float64), check_errors=True)


@pytest.mark.parametrize("call", [
    lambda lib: lib.linalg.cross(lib.ones(4), lib.ones(4)),
    lambda lib: lib.linalg.multi_dot([lib.ones(2, 2)]),
    lambda lib: lib.linalg.matrix_power(lib.ones(2, 3), 2),
    lambda lib: lib.linalg.eigh(lib.ones(2, 3)),
    lambda lib: lib.linalg.tensorinv(lib.ones(2, 3), ind=1),
])
def test_linalg_errors_match_torch(call):
    with pytest.raises(RuntimeError) as expected:
        call(torch)
    with pytest.raises(RuntimeError) as got:
        call(ember)
    assert type(got.value).__name__ == type(expected.value).__name__ or \
        isinstance(got.value, RuntimeError)

"""Linear algebra: matmul in every rank case, mm/bmm/mv/dot/outer, einsum; errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import assert_close, check_op, check_parity, gradcheck64, torch

MATMUL_SHAPES = [
    [(3,), (3,)],
    [(3,), (3, 4)],
    [(2, 3), (3,)],
    [(2, 3), (3, 4)],
    [(5, 2, 3), (3, 4)],
    [(2, 3), (5, 3, 4)],
    [(5, 2, 3), (5, 3, 4)],
    [(3,), (5, 3, 4)],
    [(5, 2, 3), (3,)],
    [(2, 1, 2, 3), (5, 3, 4)],
    [(1, 2, 3), (4, 3, 2)],
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_matches_torch(shapes):
    check_op(shapes, lambda lib, a, b: lib.matmul(a, b))
    check_op(shapes, lambda lib, a, b: a @ b)


@pytest.mark.parametrize("shapes", MATMUL_SHAPES[:7], ids=str)
def test_matmul_gradcheck(shapes):
    gradcheck64(lambda a, b: a @ b, shapes)


@pytest.mark.parametrize("name,shapes", [
    ("mm", [(2, 3), (3, 4)]), ("bmm", [(5, 2, 3), (5, 3, 4)]), ("mv", [(2, 3), (3,)]),
    ("dot", [(3,), (3,)]), ("outer", [(3,), (4,)]), ("inner", [(3,), (3,)]),
])
def test_products_match_torch(name, shapes):
    check_op(shapes, lambda lib, a, b: getattr(lib, name)(a, b))
    check_op(shapes, lambda lib, a, b: getattr(a, name)(b))
    gradcheck64(lambda a, b: getattr(ember, name)(a, b), shapes)


def test_rmatmul_with_numpy_array():
    a = np.ones((2, 3), np.float32)
    out = a @ ember.ones(3, 4)
    assert isinstance(out, ember.Tensor)
    assert out.shape == (2, 4)


def test_matmul_shape_mismatch_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"2x3 and 4x5"):
        ember.ones(2, 3) @ ember.ones(4, 5)
    with pytest.raises(RuntimeError, match=r"2x3 and 4x5"):
        ember.mm(ember.ones(2, 3), ember.ones(4, 5))


def test_matmul_of_zero_dim_raises():
    with pytest.raises(RuntimeError, match="at least 1D"):
        ember.matmul(ember.tensor(2.0), ember.ones(3))


def test_matmul_of_mismatched_vectors_raises():
    with pytest.raises(RuntimeError, match="3.*4"):
        ember.ones(3) @ ember.ones(4)


def test_matmul_of_mixed_dtypes_raises_naming_dtypes():
    with pytest.raises(RuntimeError, match="float32.*float64|Float.*Double"):
        ember.ones(2, 2) @ ember.ones(2, 2, dtype=ember.float64)


def test_matmul_batch_mismatch_raises():
    with pytest.raises(RuntimeError, match=r"\(2, 2, 3\).*\(3, 3, 4\)"):
        ember.ones(2, 2, 3) @ ember.ones(3, 3, 4)


def test_mm_bmm_mv_dot_reject_wrong_ranks():
    with pytest.raises(RuntimeError):
        ember.mm(ember.ones(2, 3, 4), ember.ones(4, 2))
    with pytest.raises(RuntimeError):
        ember.bmm(ember.ones(2, 3), ember.ones(3, 2))
    with pytest.raises(RuntimeError):
        ember.mv(ember.ones(2, 3), ember.ones(3, 1))
    with pytest.raises(RuntimeError, match="1D"):
        ember.dot(ember.ones(2, 3), ember.ones(3))


def test_integer_matmul_matches_torch():
    a, b = np.arange(6).reshape(2, 3), np.arange(12).reshape(3, 4)
    e, t = ember.tensor(a) @ ember.tensor(b), torch.tensor(a) @ torch.tensor(b)
    assert e.tolist() == t.tolist()
    assert e.dtype == ember.int64


# ---------------------------------------------------------------------- einsum
EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)]),
    ("i,i->", [(3,), (3,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ij->j", [(2, 3)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("iij->ij", [(3, 3, 2)]),
    ("ij,ij->ij", [(2, 3), (2, 3)]),
    ("ij,ij", [(2, 3), (2, 3)]),
    ("ba", [(2, 3)]),
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("...ij,...jk->...ik", [(5, 2, 3), (5, 3, 4)]),
    ("...ij,...jk", [(2, 1, 2, 3), (5, 3, 4)]),
    ("i...->...", [(3, 2, 4)]),
    ("...i,i", [(2, 3, 4), (4,)]),
    ("b i d, b j d -> b i j", [(2, 3, 4), (2, 5, 4)]),
    ("ij,kj->ikj", [(1, 3), (4, 3)]),
    ("Ab,bC->AC", [(2, 3), (3, 4)]),
    ("i,i,i->i", [(3,), (3,), (3,)]),
]


@pytest.mark.parametrize("equation,shapes", EINSUM, ids=[e for e, _ in EINSUM])
def test_einsum_matches_torch(equation, shapes):
    check_op(shapes, lambda lib, *ops: lib.einsum(equation, *ops))


@pytest.mark.parametrize("equation,shapes", EINSUM, ids=[e for e, _ in EINSUM])
def test_einsum_gradcheck(equation, shapes):
    gradcheck64(lambda *ops: ember.einsum(equation, *ops), shapes)


def test_einsum_accepts_a_list_of_operands():
    a, b = ember.ones(2, 3), ember.ones(3, 4)
    assert_close(ember.einsum("ij,jk->ik", [a, b]), np.full((2, 4), 3.0))


def test_einsum_result_does_not_alias_its_input():
    a = ember.zeros(2, 3)
    out = ember.einsum("ij->ji", a)
    out[0, 0] = 1.0
    assert a[0, 0].item() == 0.0


def test_einsum_records_a_graph_node():
    a = ember.ones(2, 3, requires_grad=True)
    assert ember.einsum("ij->i", a).grad_fn.name() == "EinsumBackward0"


@pytest.mark.parametrize("equation,shapes,match", [
    ("ij,jk->ik", [(2, 3), (4, 5)], r"subscript j has size 3 and 4"),
    ("ij,jk->ik", [(2, 3)], "fewer operands"),
    ("ij->ik", [(2, 3)], "output subscript k"),
    ("ijk->ij", [(2, 3)], "number of subscripts"),
    ("ij->ii", [(2, 2)], "more than once"),
    ("i1->i", [(2, 2)], "invalid subscript"),
])
def test_einsum_errors(equation, shapes, match):
    with pytest.raises(RuntimeError, match=match):
        ember.einsum(equation, *[ember.ones(*s) for s in shapes])


@pytest.mark.parametrize("beta,alpha", [(1, 1), (0.5, 2.0), (0, 1)])
def test_addmm_baddbmm_addmv_match_torch(beta, alpha):
    kw = {"beta": beta, "alpha": alpha}
    check_op([(4,), (3, 5), (5, 4)], lambda lib, b, x, w: lib.addmm(b, x, w, **kw))
    check_op([(3, 4), (3, 5), (5, 4)], lambda lib, b, x, w: b.addmm(x, w, **kw))
    check_op([(2, 3, 3), (2, 3, 4), (2, 4, 3)], lambda lib, c, q, k: lib.baddbmm(c, q, k, **kw))
    check_op([(3,), (3, 4), (4,)], lambda lib, b, m, v: lib.addmv(b, m, v, **kw))
    gradcheck64(lambda b, x, w: ember.addmm(b, x, w, **kw), [(4,), (3, 5), (5, 4)])


def test_addmm_with_zero_beta_ignores_nan_input():
    nan = ember.full((2, 2), float("nan"))
    out = ember.addmm(nan, ember.ones(2, 3), ember.ones(3, 2), beta=0)
    assert out.tolist() == [[3.0, 3.0], [3.0, 3.0]]


def test_addmm_shape_error_matches_torch():
    with pytest.raises(RuntimeError, match="cannot be multiplied"):
        torch.addmm(torch.zeros(2), torch.ones(2, 3), torch.ones(4, 2))
    with pytest.raises(RuntimeError, match="cannot be multiplied"):
        ember.addmm(ember.zeros(2), ember.ones(2, 3), ember.ones(4, 2))


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, float("inf")])
def test_cdist_matches_torch(p):
    check_op([(4, 3), (5, 3)], lambda lib, a, b: lib.cdist(a, b, p=p))
    check_op([(2, 4, 3), (2, 5, 3)], lambda lib, a, b: lib.cdist(a, b, p=p))


def test_cdist_zero_distance_has_zero_gradient_as_torch():
    pts = np.array([[0.0, 0.0], [3.0, 4.0]], dtype=np.float32)
    check_op([pts.shape], lambda lib, x: lib.cdist(x, x), arrays=[pts])
    with pytest.raises(RuntimeError, match="same number of columns"):
        ember.cdist(ember.ones(2, 3), ember.ones(2, 4))


def _spd(shape, seed=0):
    """Well-conditioned symmetric positive-definite matrices (batched)."""
    rng = np.random.default_rng(seed)
    m = rng.normal(size=shape).astype(np.float64)
    n = shape[-1]
    return (m @ np.swapaxes(m, -1, -2) + n * np.eye(n)).astype(np.float32)


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4)])
def test_inv_det_slogdet_logdet_match_torch(shape):
    a = _spd(shape)
    check_op([shape], lambda lib, x: lib.linalg.inv(x), arrays=[a], rtol=1e-3, atol=1e-5)
    check_op([shape], lambda lib, x: lib.inverse(x), arrays=[a], rtol=1e-3, atol=1e-5)
    check_op([shape], lambda lib, x: lib.linalg.det(x), arrays=[a], rtol=1e-3)
    check_op([shape], lambda lib, x: lib.det(x), arrays=[a], rtol=1e-3)
    check_op([shape], lambda lib, x: lib.linalg.slogdet(x).logabsdet, arrays=[a], rtol=1e-3)
    check_op([shape], lambda lib, x: lib.logdet(x), arrays=[a], rtol=1e-3)
    gradcheck64(lambda x: ember.linalg.inv(x @ x.transpose(-2, -1) + 3 * ember.eye(shape[-1],
                                                                                   dtype=x.dtype)),
                [shape])
    gradcheck64(lambda x: ember.linalg.det(x), [shape])


def test_slogdet_sign_and_logdet_of_negative_determinant_as_torch():
    a = np.array([[-2.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    got, want = ember.linalg.slogdet(ember.tensor(a)), torch.linalg.slogdet(torch.tensor(a))
    assert got.sign.item() == want.sign.item() == -1.0
    assert_close(got.logabsdet, want.logabsdet)
    assert np.isnan(ember.logdet(ember.tensor(a)).item())


@pytest.mark.parametrize("a_shape,b_shape", [((3, 3), (3,)), ((3, 3), (3, 2)),
                                             ((2, 3, 3), (2, 3, 4))])
def test_solve_matches_torch(a_shape, b_shape):
    a = _spd(a_shape)
    b = np.random.default_rng(1).normal(size=b_shape).astype(np.float32)
    check_op([a_shape, b_shape], lambda lib, x, y: lib.linalg.solve(x, y), arrays=[a, b],
             rtol=1e-3, atol=1e-5)
    gradcheck64(lambda x, y: ember.linalg.solve(x @ x.transpose(-2, -1) + 3 * ember.eye(
        a_shape[-1], dtype=x.dtype), y), [a_shape, b_shape])


@pytest.mark.parametrize("shape,upper", [((3, 3), False), ((2, 4, 4), True)])
def test_cholesky_matches_torch(shape, upper):
    a = _spd(shape)
    check_op([shape], lambda lib, x: lib.linalg.cholesky(x, upper=upper), arrays=[a],
             rtol=1e-3, atol=1e-5)

    def sym_chol(x):  # symmetric input, as the Cholesky gradient assumes
        return ember.linalg.cholesky(x @ x.transpose(-2, -1) + 3 * ember.eye(
            shape[-1], dtype=x.dtype))

    gradcheck64(sym_chol, [shape])


@pytest.mark.parametrize("call", [
    lambda L: L.linalg.inv(L.zeros(2, 3)),
    lambda L: L.linalg.inv(L.zeros(2, 2)),
    lambda L: L.linalg.cholesky(L.tensor([[1.0, 2.0], [2.0, 1.0]])),
    lambda L: L.linalg.solve(L.zeros(2, 2), L.ones(2)),
])
def test_linalg_errors_are_runtime_errors_as_torch(call):
    with pytest.raises(RuntimeError) as want:
        call(torch)
    with pytest.raises(RuntimeError) as got:
        call(ember)
    assert str(got.value).split(":")[0] == str(want.value).split(":")[0]
    assert isinstance(got.value, ember.linalg.LinAlgError) == isinstance(
        want.value, torch.linalg.LinAlgError)


def test_cross_defaults_to_the_first_dim_of_size_3_with_pytorchs_warning():
    a = np.random.default_rng(0).standard_normal((1, 3, 1))
    b = np.random.default_rng(1).standard_normal((3, 3, 4))  # broadcast against a
    with pytest.warns(UserWarning, match="dim"):
        e = ember.cross(ember.tensor(a), ember.tensor(b))
    with pytest.warns(UserWarning):
        t = torch.cross(torch.tensor(a), torch.tensor(b))
    np.testing.assert_allclose(e.numpy(), t.numpy())
    assert ember.autograd.gradcheck(lambda x, y: ember.cross(x, y, dim=1), [
        ember.tensor(a, requires_grad=True), ember.tensor(b, requires_grad=True)])


def test_cross_errors_as_pytorch():
    with pytest.raises(RuntimeError, match="no dimension of size 3"):
        ember.cross(ember.ones(2, 4), ember.ones(2, 4))
    with pytest.raises(RuntimeError, match="dimension 1 must have length 3. Got 4 and 4"):
        ember.cross(ember.ones(3, 4), ember.ones(3, 4), dim=1)
    # the default dim is the input's first of size 3, even where the other has size 1 there
    with pytest.warns(UserWarning), pytest.raises(RuntimeError, match="Got 3 and 1"):
        ember.cross(ember.ones(3, 3, 1), ember.ones(1, 3, 4))


def test_frobenius_norm_takes_at_most_two_dims():
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    np.testing.assert_allclose(ember.frobenius_norm(ember.tensor(x), (1, 2)).numpy(),
                               torch.frobenius_norm(torch.tensor(x), (1, 2)).numpy())
    with pytest.raises(RuntimeError, match="at most 2 dimensions, but got 3"):
        ember.frobenius_norm(ember.tensor(x), (0, 1, 2))
def test_einsum_sums_integers_to_int64_and_checks_diagonals():
    check_parity(lambda lib: lib.einsum("ij->", lib.tensor([[True, False]])))
    check_parity(lambda lib: lib.einsum("...i->...", lib.ones(2, 1, 3, dtype=lib.uint8)))
    check_parity(lambda lib: lib.einsum("ij->ji", lib.tensor([[True, False]])))
    for shape in ((2, 3), (1, 3), (3, 1)):  # a diagonal of a non-square operand raises
        check_parity(lambda lib, shape=shape: lib.einsum("ii->i", lib.ones(*shape)))
    check_parity(lambda lib: lib.einsum("ij,jk->ik", lib.ones(2, 2, dtype=lib.bool),
                                        lib.ones(2, 2, dtype=lib.bool)))


def test_mixed_dtype_matmul_raises_as_torch():
    # torch 2.13 does not promote matmul/bmm/einsum operands (it raises RuntimeError)
    check_parity(lambda lib: lib.matmul(lib.ones(2, 2), lib.ones(2, 2).double()))
    check_parity(lambda lib: lib.bmm(lib.ones(1, 2, 2), lib.ones(1, 2, 2).double()))
    check_parity(lambda lib: lib.einsum("ij,jk->ik", lib.ones(2, 2),
                                        lib.ones(2, 2, dtype=lib.int64)))


def test_outer_needs_vectors():
    check_parity(lambda lib: lib.outer(lib.ones(2, 2), lib.ones(2)))
    check_parity(lambda lib: lib.outer(lib.ones(2), lib.ones(())))
    check_parity(lambda lib: lib.outer(lib.ones(2, dtype=lib.int32), lib.ones(3)))


def test_bool_matmul_raises_not_implemented():
    check_parity(lambda lib: lib.ones(4, 1, dtype=lib.bool) @ lib.ones(1, 2, dtype=lib.bool))


def test_einsum_promotes_when_nothing_larger_than_one_is_contracted():
    # torch 2.13 multiplies elementwise then (promoting), and uses bmm (same dtype) otherwise
    i64, u8 = "int64", "uint8"
    cases = [("i,iz->z", (1,), (1, 2)), ("i,j->ij", (3,), (3,)), ("i,i->i", (3,), (3,)),
             ("i,i->", (3,), (3,)), ("i,iz->z", (3,), (3, 2))]
    for spec, sa, sb in cases:
        check_parity(lambda lib, spec=spec, sa=sa, sb=sb: lib.einsum(
            spec, lib.ones(sa, dtype=getattr(lib, i64)), lib.ones(sb, dtype=getattr(lib, u8))))
    check_parity(lambda lib: lib.einsum("i,j->ij", lib.ones(2, dtype=lib.bool),
                                        lib.ones(2, dtype=lib.bool)))

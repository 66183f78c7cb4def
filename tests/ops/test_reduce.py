"""Reductions: values and gradients against PyTorch (dim as int/tuple/negative, keepdim)."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import assert_close, check_op, check_parity, gradcheck64, torch

DIMS = [None, 0, -1, (0, 2), (-1, 1), 1]
KEEP = [False, True]


def _dim_kw(dim):
    return {} if dim is None else {"dim": dim}


@pytest.mark.parametrize("keepdim", KEEP)
@pytest.mark.parametrize("dim", DIMS, ids=str)
@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "logsumexp", "norm"])
def test_reduction_matches_torch(name, dim, keepdim):
    if dim is None and (keepdim or name == "logsumexp"):
        pytest.skip("torch has no keepdim without dim for this op")
    kw = {} if dim is None else {"dim": dim, "keepdim": keepdim}
    check_op([(2, 3, 4)], lambda lib, a: getattr(lib, name)(a, **kw))


@pytest.mark.parametrize("keepdim", KEEP)
@pytest.mark.parametrize("dim", DIMS, ids=str)
@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("correction", [None, 0, 2])
def test_var_std_match_torch(name, dim, keepdim, correction):
    kw = {} if correction is None else {"correction": correction}
    if dim is None and keepdim:
        pytest.skip("no keepdim without dim")
    check_op([(3, 4, 5)], lambda lib, a: getattr(lib, name)(a, **_dim_kw(dim), keepdim=keepdim,
                                                           **kw))


@pytest.mark.parametrize("unbiased", [True, False])
def test_var_unbiased_flag_matches_torch(unbiased):
    check_op([(4, 5)], lambda lib, a: a.var(unbiased=unbiased))
    check_op([(4, 5)], lambda lib, a: a.std(1, unbiased=unbiased))
    check_op([(4, 5)], lambda lib, a: lib.var(a, 0, unbiased))


@pytest.mark.parametrize("keepdim", KEEP)
@pytest.mark.parametrize("dim", [None, 0, -1, 1])
def test_prod_matches_torch(dim, keepdim):
    if dim is None and keepdim:
        pytest.skip("no keepdim without dim")
    kw = {} if dim is None else {"dim": dim, "keepdim": keepdim}
    check_op([(2, 3, 4)], lambda lib, a: lib.prod(a, **kw))


@pytest.mark.parametrize("dim", [None, 0, 1])
def test_prod_gradient_with_zeros_matches_torch(dim):
    a = np.array([[0.0, 2.0, 3.0], [1.0, 0.0, 0.0], [1.5, 2.0, -1.0]], np.float32)
    check_op(None, lambda lib, x: lib.prod(x, **_dim_kw(dim)), arrays=[a])


@pytest.mark.parametrize("keepdim", KEEP)
@pytest.mark.parametrize("dim", [0, -1, 1])
@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_with_dim_return_values_and_indices(name, dim, keepdim):
    e, t = check_op([(2, 3, 4)],
                    lambda lib, a: getattr(lib, name)(a, dim, keepdim=keepdim).values)
    a = np.random.default_rng(3).standard_normal((2, 3, 4)).astype(np.float32)
    er = getattr(ember.tensor(a), name)(dim=dim, keepdim=keepdim)
    tr = getattr(torch.tensor(a), name)(dim=dim, keepdim=keepdim)
    assert er.indices.tolist() == tr.indices.tolist()
    assert er.indices.dtype == ember.int64
    values, indices = er
    assert_close(values, tr.values)
    assert er[1] is er.indices


@pytest.mark.parametrize("name", ["max", "min"])
def test_full_max_min_matches_torch_including_ties(name):
    check_op([(3, 4)], lambda lib, a: getattr(lib, name)(a))
    tied = np.array([[1.0, 3.0], [3.0, 0.0]], np.float32)
    check_op(None, lambda lib, a: getattr(a, name)(), arrays=[tied])
    check_op(None, lambda lib, a: lib.amax(a, 1), arrays=[tied])


def test_max_of_two_tensors_is_elementwise():
    check_op([(3, 4), (4,)], lambda lib, a, b: lib.max(a, b))
    check_op([(3, 4), (4,)], lambda lib, a, b: a.min(b))


@pytest.mark.parametrize("keepdim", KEEP)
@pytest.mark.parametrize("dim", [None, 0, -1])
@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_argmin_match_torch(name, dim, keepdim):
    a = np.random.default_rng(4).standard_normal((3, 4)).astype(np.float32)
    e = getattr(ember, name)(ember.tensor(a), dim=dim, keepdim=keepdim)
    t = getattr(torch, name)(torch.tensor(a), dim=dim, keepdim=keepdim)
    assert e.tolist() == t.tolist()
    assert e.dtype == ember.int64


@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1)])
@pytest.mark.parametrize("name", ["all", "any"])
def test_all_any_match_torch(name, dim):
    a = np.array([[True, False, True], [True, True, True]])
    e = getattr(ember.tensor(a), name)(**({} if dim is None else {"dim": dim}))
    t = getattr(torch.tensor(a), name)(**({} if dim is None else {"dim": dim}))
    assert e.tolist() == t.tolist()
    assert e.dtype == ember.bool


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumsum_matches_torch(dim):
    check_op([(3, 4)], lambda lib, a: lib.cumsum(a, dim))
    check_op([(3, 4)], lambda lib, a: a.cumsum(dim=dim))


def test_cumsum_of_ints_is_int64():
    assert ember.tensor([1, 2, 3], dtype=ember.int32).cumsum(0).dtype == ember.int64


@pytest.mark.parametrize("p", [1, 2, 3, float("inf"), float("-inf"), "fro"])
@pytest.mark.parametrize("dim", [None, 1, (0, 1)])
def test_norm_orders_match_torch(p, dim):
    if p == "fro" and dim == 1:
        pytest.skip("fro over one dim is the 2-norm; covered")
    check_op([(3, 4)], lambda lib, a: lib.norm(a, p=p, dim=dim))


@pytest.mark.parametrize("ord_", [None, 1, 2, float("inf")])
@pytest.mark.parametrize("dim", [None, 0, -1])
def test_linalg_norm_of_vectors_matches_torch(ord_, dim):
    check_op([(5,)], lambda lib, a: lib.linalg.norm(a, ord=ord_, dim=dim))


@pytest.mark.parametrize("ord_", [None, 2, 3])
def test_linalg_vector_norm_matches_torch(ord_):
    kw = {} if ord_ is None else {"ord": ord_}
    check_op([(3, 4)], lambda lib, a: lib.linalg.vector_norm(a, **kw))
    check_op([(3, 4)], lambda lib, a: lib.linalg.vector_norm(a, dim=1, **kw))


def test_linalg_norm_of_matrix_is_frobenius_like_torch():
    check_op([(3, 4)], lambda lib, a: lib.linalg.norm(a))
    check_op([(2, 3, 4)], lambda lib, a: lib.linalg.norm(a, dim=(1, 2)))


def test_norm_gradient_at_zero_is_zero():
    x = ember.zeros(3, requires_grad=True)
    x.norm().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_logsumexp_is_stable_and_handles_minus_inf():
    x = ember.tensor([[1000.0, 1000.0], [-float("inf"), -float("inf")]])
    out = x.logsumexp(1)
    assert abs(out[0].item() - (1000 + np.log(2))) < 1e-3
    assert out[1].item() == -float("inf")


@pytest.mark.parametrize("dtype", ["int64", "int32", "bool", "uint8"])
def test_sum_of_integers_and_bools_is_int64_like_torch(dtype):
    a = np.array([[1, 0, 1], [1, 1, 0]]).astype(dtype)
    e, t = ember.from_numpy(a.copy()).sum(0), torch.from_numpy(a.copy()).sum(0)
    assert e.dtype.name == str(t.dtype).replace("torch.", "")
    assert e.tolist() == t.tolist()


def test_sum_with_dtype_argument():
    x = ember.tensor([1, 2, 3])
    assert x.sum(dtype=ember.float64).dtype == ember.float64


def test_mean_of_integers_raises_runtime_error_naming_dtype():
    with pytest.raises(RuntimeError, match="Long"):
        ember.tensor([1, 2]).mean()


def test_reduction_with_out_of_range_dim_raises_index_error():
    with pytest.raises(IndexError, match="Dimension out of range"):
        ember.ones(2, 3).sum(2)
    with pytest.raises(IndexError, match="Dimension out of range"):
        ember.ones(2, 3).max(dim=-3)


def test_repeated_dims_raise():
    with pytest.raises(RuntimeError, match="multiple times"):
        ember.ones(2, 3).sum((0, 0))


def test_max_of_empty_tensor_raises():
    with pytest.raises(RuntimeError, match="numel"):
        ember.ones(0).max()


def test_reductions_of_zero_dim_tensor():
    x = ember.tensor(3.0, requires_grad=True)
    assert x.sum().item() == 3.0
    assert x.max(dim=0).values.item() == 3.0
    assert x.mean(dim=0).item() == 3.0
    x.sum(0).backward()
    assert x.grad.item() == 1.0


GRADCHECK = {
    "sum": (lambda a: a.sum(), [(2, 3)]),
    "sum_dim_keepdim": (lambda a: a.sum(-1, keepdim=True), [(2, 3)]),
    "sum_tuple": (lambda a: a.sum((0, 2)), [(2, 3, 2)]),
    "mean": (lambda a: a.mean(1), [(2, 3)]),
    "mean_keepdim": (lambda a: a.mean((0, -1), keepdim=True), [(2, 3, 2)]),
    "prod": (lambda a: a.prod(1), [(2, 3)]),
    "prod_all": (lambda a: a.prod(), [(2, 3)]),
    "var": (lambda a: a.var(0), [(3, 2)]),
    "var_keepdim": (lambda a: a.var(-1, keepdim=True, correction=0), [(2, 3)]),
    "std": (lambda a: a.std(), [(2, 3)]),
    "max_dim": (lambda a: a.max(1).values, [(2, 3)]),
    "min_dim_keepdim": (lambda a: a.min(0, keepdim=True).values, [(2, 3)]),
    "max": (lambda a: a.max(), [(2, 3)]),
    "amax": (lambda a: a.amax((0, 1)), [(2, 3, 2)]),
    "amin": (lambda a: a.amin(-1), [(2, 3)]),
    "logsumexp": (lambda a: a.logsumexp(1), [(2, 3)]),
    "logsumexp_keepdim": (lambda a: a.logsumexp((0, 1), keepdim=True), [(2, 3)]),
    "norm": (lambda a: a.norm(), [(2, 3)]),
    "norm_dim": (lambda a: a.norm(dim=1, keepdim=True), [(2, 3)]),
    "norm_p3": (lambda a: a.norm(p=3, dim=0), [(2, 3)]),
    "norm_p1": (lambda a: a.norm(p=1), [(2, 3)]),
    "linalg_norm": (lambda a: ember.linalg.norm(a, dim=-1), [(2, 3)]),
    "cumsum": (lambda a: a.cumsum(1), [(2, 3)]),
    "cumsum_neg": (lambda a: a.cumsum(-2), [(2, 3)]),
}


@pytest.mark.parametrize("name", list(GRADCHECK))
def test_gradcheck(name):
    fn, shapes = GRADCHECK[name]
    gradcheck64(fn, shapes, seed=5)


@pytest.mark.parametrize("keepdim", KEEP)
@pytest.mark.parametrize("ord_", ["fro", 1, -1, float("inf"), float("-inf")])
def test_linalg_matrix_norms_match_torch(ord_, keepdim):
    check_op([(3, 4)], lambda lib, a: lib.linalg.norm(a, ord=ord_, keepdim=keepdim))
    check_op([(2, 3, 4)], lambda lib, a: lib.linalg.matrix_norm(a, ord=ord_, keepdim=keepdim))
    check_op([(2, 3, 4)], lambda lib, a: lib.linalg.norm(a, ord=ord_, dim=(2, 0),
                                                         keepdim=keepdim))


def test_linalg_matrix_norm_gradcheck():
    gradcheck64(lambda a: ember.linalg.matrix_norm(a, ord=1), [(3, 4)], seed=2)
    gradcheck64(lambda a: ember.linalg.norm(a, ord=float("inf"), dim=(0, 1)), [(3, 4)], seed=2)


def test_linalg_norm_with_ord_of_3d_input_without_dim_raises():
    with pytest.raises(RuntimeError, match="1D or 2D"):
        ember.linalg.norm(ember.ones(2, 2, 2), ord=1)


def test_var_of_integers_raises():
    with pytest.raises(RuntimeError, match="floating point"):
        ember.tensor([1, 2]).var()


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("dim", [0, -1])
def test_sort_argsort_match_torch(dim, descending):
    check_op([(4, 5)], lambda lib, a: lib.sort(a, dim, descending=descending).values)
    a = np.array([[3, 1, 2, 1], [0, 5, 5, 2]], np.float32)
    e = ember.sort(ember.tensor(a), dim, descending=descending)
    t = torch.sort(torch.tensor(a), dim=dim, descending=descending, stable=True)
    assert e.indices.tolist() == t.indices.tolist()
    assert ember.tensor(a).argsort(dim, descending).tolist() == \
        torch.tensor(a).argsort(dim=dim, descending=descending, stable=True).tolist()


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_topk_matches_torch(dim, largest):
    check_op([(4, 5)], lambda lib, a: lib.topk(a, 2, dim, largest=largest).values)
    a = np.random.default_rng(7).standard_normal((4, 5)).astype(np.float32)
    e = ember.tensor(a).topk(3, dim=dim, largest=largest)
    t = torch.tensor(a).topk(3, dim=dim, largest=largest)
    assert e.indices.tolist() == t.indices.tolist()
    values, indices = e
    assert values.shape == tuple(t.values.shape)


def test_topk_with_k_too_large_raises():
    with pytest.raises(RuntimeError, match="out of range"):
        ember.ones(3).topk(4)


def test_sort_gradcheck():
    gradcheck64(lambda a: a.sort(1, descending=True).values, [(2, 4)])
    gradcheck64(lambda a: a.topk(2, 0).values, [(4, 3)])


def test_count_nonzero_matches_torch():
    a = np.array([[0, 1, 2], [0, 0, 3]])
    assert ember.count_nonzero(ember.tensor(a)).tolist() == \
        torch.count_nonzero(torch.tensor(a)).tolist()
    assert ember.tensor(a).count_nonzero(dim=0).tolist() == [0, 1, 2]


@pytest.mark.parametrize("dtype", ["float64", "float16"])
@pytest.mark.parametrize("name", ["sum", "mean", "prod", "var", "std", "amax", "amin", "norm",
                                  "logsumexp", "cumsum"])
def test_reductions_preserve_float_dtype_like_torch(name, dtype):
    a = np.random.default_rng(0).uniform(0.5, 1.5, (3, 4)).astype(dtype)
    e = getattr(ember.from_numpy(a.copy()), name)(dim=1)
    t = getattr(torch.from_numpy(a.copy()), name)(dim=1)
    assert e.dtype.name == str(t.dtype).replace("torch.", "")
    assert_close(e, t.float(), atol=1e-2, rtol=1e-2)


@pytest.mark.parametrize("expr", ["x.max(0)", "x.min(dim=1)", "x.sort(0)", "x.topk(1)",
                                  "ember_or_torch.max(x, 1, keepdim=True)"])
def test_values_indices_results_print_like_torch(expr):
    a = np.array([[1.0, 3.0], [2.0, 0.0]], np.float32)
    e = eval(expr, {"x": ember.tensor(a), "ember_or_torch": ember})
    t = eval(expr, {"x": torch.tensor(a), "ember_or_torch": torch})
    assert repr(e) == repr(t).replace("torch.", "ember.")


def test_zero_dim_cumsum_and_flip_are_identity():
    x = ember.tensor(5.0)
    assert x.cumsum(0).shape == () and x.flip(0).shape == ()


@pytest.mark.parametrize("dtype", ["int32", "bool", "uint8"])
def test_prod_of_integers_is_int64_like_torch(dtype):
    a = np.array([[1, 1], [1, 0]]).astype(dtype)
    e, t = ember.from_numpy(a.copy()).prod(1), torch.from_numpy(a.copy()).prod(1)
    assert e.dtype.name == str(t.dtype).replace("torch.", "") and e.tolist() == t.tolist()


@pytest.mark.parametrize("kw", [{}, {"minlength": 7}, {"weights": [0.5, 1.0, 2.0, 1.5]}])
def test_bincount_matches_torch(kw):
    idx = [1, 1, 3, 0]
    got = ember.bincount(ember.tensor(idx), **{k: ember.tensor(v) if k == "weights" else v
                                               for k, v in kw.items()})
    want = torch.bincount(torch.tensor(idx), **{k: torch.tensor(v) if k == "weights" else v
                                                for k, v in kw.items()})
    assert got.tolist() == want.tolist() and got.dtype.name == str(want.dtype).split(".")[-1]
    assert ember.tensor(idx).bincount().tolist() == torch.tensor(idx).bincount().tolist()


def test_bincount_errors_match_torch():
    for lib in (torch, ember):
        with pytest.raises(RuntimeError, match="non-negative integral"):
            lib.bincount(lib.tensor([-1, 2]))
        with pytest.raises(NotImplementedError, match="Float"):
            lib.bincount(lib.tensor([1.0]))


@pytest.mark.parametrize("shape,dim,keepdim", [((7,), None, False), ((3, 4), None, False),
                                               ((3, 4), 1, False), ((3, 4), 0, True),
                                               ((2, 3, 5), -1, False)])
def test_median_matches_torch(shape, dim, keepdim):
    # distinct values so that the selected index is unambiguous
    a = np.random.default_rng(0).permutation(int(np.prod(shape))).reshape(shape)
    a = a.astype(np.float32)
    if dim is None:
        check_op([shape], lambda lib, x: x.median(), arrays=[a])
    else:
        check_op([shape], lambda lib, x: lib.median(x, dim, keepdim=keepdim).values, arrays=[a])
        got = ember.tensor(a).median(dim, keepdim).indices
        want = torch.tensor(a).median(dim, keepdim).indices
        assert got.tolist() == want.tolist() and got.dtype == ember.int64


def test_median_of_integers_and_ties_as_torch():
    assert ember.tensor([1, 3, 2, 2]).median().item() == torch.tensor([1, 3, 2, 2]).median().item()
    x = [[1.0, 1.0, 5.0, 0.0]]
    assert (ember.tensor(x).median(1).indices.tolist()
            == torch.tensor(x).median(1).indices.tolist())


def test_isclose_matches_torch():
    a, b = [1.0, float("nan"), 2.0, 1e-9], [1.00001, float("nan"), 2.1, 0.0]
    for kw in ({}, {"equal_nan": True}, {"rtol": 0.1, "atol": 0.0}):
        assert (ember.isclose(ember.tensor(a), ember.tensor(b), **kw).tolist()
                == torch.isclose(torch.tensor(a), torch.tensor(b), **kw).tolist())


@pytest.mark.parametrize("shape,dim", [((5,), 0), ((3, 4), 1), ((3, 4), 0), ((2, 3, 4), -1)])
def test_cumprod_matches_torch(shape, dim):
    check_op([shape], lambda lib, x: lib.cumprod(x, dim), low=0.5, high=1.5)
    check_op([shape], lambda lib, x: x.cumprod(dim=dim), low=-1.5, high=1.5)
    gradcheck64(lambda x: ember.cumprod(x, dim), [shape], low=0.5, high=1.5)


def test_cumprod_gradient_with_zeros_matches_torch():
    a = np.array([[2.0, 0.0, 3.0, 0.0, 5.0], [1.5, -2.0, 0.0, 4.0, 1.0]], dtype=np.float32)
    check_op([a.shape], lambda lib, x: lib.cumprod(x, 1), arrays=[a])
    check_op([a.shape], lambda lib, x: lib.cumprod(x, 0), arrays=[a])
    assert ember.cumprod(ember.tensor([1, 2, 3]), 0).dtype == ember.int64


@pytest.mark.parametrize("name", ["nansum", "nanmean"])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (1, False), (0, True)])
def test_nan_reductions_match_torch(name, dim, keepdim):
    a = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32)
    a[0, 1] = a[2, 3] = np.nan
    kw = {} if dim is None else {"dim": dim, "keepdim": keepdim}
    check_op([a.shape], lambda lib, x: getattr(lib, name)(x, **kw), arrays=[a])
    check_op([a.shape], lambda lib, x: getattr(x, name)(**kw), arrays=[a])


@pytest.mark.parametrize("values,dtype", [
    ([3.0, float("nan"), 1.0, float("inf"), 2.0, float("nan")], "float32"),
    ([0, 1, 2, 255, 7], "uint8"),
    ([-128, 5, 127, 0, -1], "int8"),
    ([True, False, True], "bool"),
])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_matches_torch_with_nan_unsigned_and_extremes(values, dtype, descending):
    import torch

    e = ember.tensor(values, dtype=getattr(ember, dtype if dtype != "bool" else "bool"))
    t = torch.tensor(values, dtype=getattr(torch, dtype))
    ev, ei = ember.sort(e, descending=descending, stable=True)
    tv, ti = torch.sort(t, descending=descending, stable=True)
    np.testing.assert_array_equal(ev.numpy(), tv.numpy())
    assert ei.tolist() == ti.tolist()


def test_topk_counts_nan_as_largest_like_torch():
    import torch

    vals = [1.0, float("nan"), 3.0, 2.0]
    ev, ei = ember.topk(ember.tensor(vals), 2)
    tv, ti = torch.topk(torch.tensor(vals), 2)
    np.testing.assert_array_equal(ev.numpy(), tv.numpy())
    assert ei.tolist() == ti.tolist()


def test_median_propagates_nan_like_torch():
    import torch

    flat = [3.0, float("nan"), 1.0, 2.0]
    assert np.isnan(ember.median(ember.tensor(flat)).item())
    rows = [[1.0, float("nan"), 0.0], [3.0, 2.0, 1.0]]
    ev, ei = ember.median(ember.tensor(rows), 1)
    tv, ti = torch.median(torch.tensor(rows), 1)
    np.testing.assert_array_equal(ev.numpy(), tv.numpy())
    assert ei.tolist() == ti.tolist()


def test_all_any_keep_uint8_like_torch():
    import torch

    data = [1, 0, 2]
    for fn in ("all", "any"):
        ours = getattr(ember.tensor(data, dtype=ember.uint8), fn)()
        theirs = getattr(torch.tensor(data, dtype=torch.uint8), fn)()
        assert ours.dtype.name == "uint8" and ours.item() == theirs.item()
    assert ember.tensor([1.0, 0.0]).all().dtype == ember.bool


# ----------------------------------------------------- NumPy keyword names, running ops
@pytest.mark.parametrize("name", ["sum", "mean", "std", "var", "amax", "amin", "prod", "all",
                                  "any", "logsumexp", "nansum", "argmax"])
def test_axis_and_keepdims_aliases_match_torch(name):
    kw = {"axis": 1, "keepdims": True}
    if name in ("all", "any", "argmax"):
        check_op([(3, 4)], lambda lib, a: getattr(lib, name)(a, **kw), grad=False)
    else:
        check_op([(3, 4)], lambda lib, a: getattr(lib, name)(a, **kw))
        check_op([(3, 4)], lambda lib, a: getattr(a, name)(**kw))


def test_axis_alias_on_max_returns_values_and_indices():
    a = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    e, t = ember.tensor(a).max(axis=0), torch.tensor(a).max(axis=0)
    assert_close(e.values, t.values)
    assert (e.indices.numpy() == t.indices.numpy()).all()


def test_dim_and_axis_together_raise_type_error():
    with pytest.raises(TypeError):
        ember.ones(2, 3).sum(dim=0, axis=1)


@pytest.mark.parametrize("name", ["cummax", "cummin"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cummax_cummin_match_torch(name, dim):
    check_op([(4, 5)], lambda lib, a: getattr(lib, name)(a, dim).values)
    a = np.array([[1.0, 3.0, 3.0, np.nan, 2.0], [2.0, 2.0, 0.0, 5.0, 5.0]], np.float32)
    e, t = getattr(ember, name)(ember.tensor(a), 1), getattr(torch, name)(torch.tensor(a), 1)
    assert_close(e.values, t.values)
    np.testing.assert_array_equal(e.indices.numpy(), t.indices.numpy())  # ties take the later
    assert type(e).__name__ == f"{name}_return" and e.indices.dtype == ember.int64


def test_cummax_of_int_and_0d_match_torch():
    for m in (ember, torch):
        out = m.cummax(m.tensor([[3, 1, 4, 1, 5]], dtype=m.int32), 1)
        assert str(out.values.dtype).endswith("int32")
    assert ember.cummin(ember.tensor(2.0), 0).indices.item() == 0


def test_cummax_logcumsumexp_gradcheck():
    gradcheck64(lambda a: ember.cummax(a, 1).values, [(3, 5)])
    gradcheck64(lambda a: ember.logcumsumexp(a, 0), [(4, 3)])


def test_logcumsumexp_matches_torch_and_is_stable():
    check_op([(4, 6)], lambda lib, a: lib.logcumsumexp(a, 1))
    check_op([(5,)], lambda lib, a: (a * 1000).logcumsumexp(0))  # exp would overflow
    with pytest.raises(NotImplementedError):  # integers are refused, as PyTorch
        ember.logcumsumexp(ember.tensor([1, 2, 3]), 0)
@pytest.mark.parametrize("p", [2, "fro", 1, float("inf"), 3, 0.5, 1.5, -1])
def test_norm_gradient_at_zero_is_zero_as_pytorch(p):
    check_op(None, lambda lib, x: lib.norm(x, p=p), arrays=[np.zeros(3)])
    check_op(None, lambda lib, x: lib.linalg.vector_norm(x, ord=p if p != "fro" else 2, dim=1),
             arrays=[np.array([[0.0, 0.0], [3.0, 4.0]])])


def test_float16_norm_accumulates_in_float32_as_pytorch():
    for data in ([300.0, 400.0], [[1000.0, 2000.0], [60000.0, 30000.0]]):
        for lib_call in (lambda lib, x: lib.norm(x), lambda lib, x: lib.linalg.vector_norm(x)):
            e = lib_call(ember, ember.tensor(data, dtype=ember.float16))
            t = lib_call(torch, torch.tensor(data, dtype=torch.float16))
            assert e.dtype == ember.float16
            assert_close(e, t, rtol=1e-3)


def test_float16_cumsum_accumulates_in_float32_as_pytorch():
    data = [60000.0, 60000.0, -60000.0, 1e-3, 1.0]
    e = ember.tensor(data, dtype=ember.float16).cumsum(0)
    t = torch.tensor(data, dtype=torch.float16).cumsum(0)
    assert e.dtype == ember.float16
    assert e.tolist() == t.tolist()


@pytest.mark.parametrize("p", [3, 0.5, 1.5, 4])
def test_general_p_norm_matches_pytorch_and_gradchecks(p):
    check_op([(3, 4)], lambda lib, x: lib.linalg.vector_norm(x, p, 1), dtype=np.float64)
    check_op(None, lambda lib, x: lib.norm(x, p), arrays=[np.array([0.0, 1.0, -2.0])])
    gradcheck64(lambda t: t.norm(p, 1), [(3, 4)])
    e = ember.linalg.vector_norm(ember.tensor([300.0, 400.0, 500.0], dtype=ember.float16), p)
    t = torch.linalg.vector_norm(torch.tensor([300.0, 400.0, 500.0], dtype=torch.float16), p)
    assert e.item() == t.item()
def test_nansum_of_integers_is_an_integer_sum_and_nanmean_refuses_them():
    check_parity(lambda lib: lib.nansum(lib.tensor([[1, 2, 3]])))
    check_parity(lambda lib: lib.tensor([True, True]).nansum(dim=0))
    check_parity(lambda lib: lib.nanmean(lib.tensor([1, 2])))


def test_norm_refuses_integers_and_logsumexp_computes_them_in_float():
    check_parity(lambda lib: lib.norm(lib.tensor([1, 2])))
    check_parity(lambda lib: lib.tensor([1, 2]).norm(p=1))
    check_parity(lambda lib: lib.logsumexp(lib.tensor([1, -2**31], dtype=lib.int32), 0))
    check_parity(lambda lib: lib.logsumexp(lib.tensor([True, False]), 0))


def test_topk_refuses_bool():
    check_parity(lambda lib: lib.topk(lib.tensor([True, False]), 1))


def test_argmax_argmin_refuse_bool():
    check_parity(lambda lib: lib.argmax(lib.tensor([True, False])))
    check_parity(lambda lib: lib.tensor([True, False]).argmin(0))

"""Shape ops: values and gradients against PyTorch, view semantics, error messages."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import assert_close, check_op, check_parity, gradcheck64, torch

SHAPE_OPS = {
    "reshape": ([(2, 3, 4)], lambda lib, a: a.reshape(4, -1)),
    "reshape_tuple": ([(2, 3, 4)], lambda lib, a: lib.reshape(a, (6, 4))),
    "reshape_0d": ([()], lambda lib, a: a.reshape(1, 1)),
    "view": ([(2, 3, 4)], lambda lib, a: a.view(-1)),
    "view_as": ([(2, 6), (3, 4)], lambda lib, a, b: a.view_as(b) * b),
    "flatten": ([(2, 3, 4)], lambda lib, a: lib.flatten(a)),
    "flatten_range": ([(2, 3, 4, 5)], lambda lib, a: a.flatten(1, 2)),
    "flatten_neg": ([(2, 3, 4)], lambda lib, a: a.flatten(-2)),
    "unflatten": ([(2, 12)], lambda lib, a: a.unflatten(1, (3, 4))),
    "unflatten_infer": ([(2, 12)], lambda lib, a: lib.unflatten(a, -1, (3, -1))),
    "squeeze": ([(2, 1, 3, 1)], lambda lib, a: a.squeeze()),
    "squeeze_dim": ([(2, 1, 3, 1)], lambda lib, a: a.squeeze(1)),
    "squeeze_neg": ([(2, 1, 3, 1)], lambda lib, a: lib.squeeze(a, -1)),
    "squeeze_noop": ([(2, 3)], lambda lib, a: a.squeeze(0)),
    "squeeze_tuple": ([(2, 1, 3, 1)], lambda lib, a: a.squeeze((1, 3))),
    "unsqueeze": ([(2, 3)], lambda lib, a: a.unsqueeze(0)),
    "unsqueeze_neg": ([(2, 3)], lambda lib, a: lib.unsqueeze(a, -1)),
    "transpose": ([(2, 3, 4)], lambda lib, a: a.transpose(0, 2)),
    "transpose_neg": ([(2, 3, 4)], lambda lib, a: lib.transpose(a, -1, -2)),
    "permute": ([(2, 3, 4)], lambda lib, a: a.permute(2, 0, 1)),
    "permute_tuple": ([(2, 3, 4)], lambda lib, a: lib.permute(a, (1, -1, 0))),
    "t": ([(2, 3)], lambda lib, a: a.t()),
    "t_1d": ([(3,)], lambda lib, a: lib.t(a)),
    "T": ([(2, 3, 4)], lambda lib, a: a.T if lib is not torch else a.permute(2, 1, 0)),
    "mT": ([(2, 3, 4)], lambda lib, a: a.mT),
    "expand": ([(3, 1)], lambda lib, a: a.expand(2, 3, 4)),
    "expand_minus1": ([(3, 1)], lambda lib, a: a.expand(-1, 5)),
    "expand_as": ([(1, 4), (3, 4)], lambda lib, a, b: a.expand_as(b) * b),
    "broadcast_to": ([(4,)], lambda lib, a: lib.broadcast_to(a, (2, 4))),
    "repeat": ([(2, 3)], lambda lib, a: a.repeat(2, 3)),
    "repeat_more_dims": ([(2, 3)], lambda lib, a: a.repeat(2, 1, 2)),
    "cat": ([(2, 3), (4, 3)], lambda lib, a, b: lib.cat([a, b])),
    "cat_dim1": ([(2, 3), (2, 1)], lambda lib, a, b: lib.cat((a, b), dim=1)),
    "cat_neg": ([(2, 3), (2, 2)], lambda lib, a, b: lib.cat([a, b, a], -1)),
    "stack": ([(2, 3), (2, 3)], lambda lib, a, b: lib.stack([a, b])),
    "stack_dim": ([(2, 3), (2, 3)], lambda lib, a, b: lib.stack([a, b], dim=2)),
    "stack_neg": ([(2, 3), (2, 3)], lambda lib, a, b: lib.stack([a, b], -2)),
    "split": ([(5, 3)], lambda lib, a: lib.split(a, 2)[2]),
    "split_sizes": ([(5, 3)], lambda lib, a: a.split([1, 4])[1] * 2),
    "split_dim": ([(3, 5)], lambda lib, a: lib.cat(a.split(2, dim=1)[::-1], 1)),
    "chunk": ([(7, 2)], lambda lib, a: lib.cat(a.chunk(3)[1:])),
    "chunk_dim": ([(2, 6)], lambda lib, a: a.chunk(2, -1)[0]),
    "flip": ([(2, 3, 4)], lambda lib, a: a.flip(0)),
    "flip_dims": ([(2, 3, 4)], lambda lib, a: lib.flip(a, (0, -1))),
    "narrow": ([(4, 5)], lambda lib, a: a.narrow(1, 1, 3)),
    "narrow_neg": ([(4, 5)], lambda lib, a: lib.narrow(a, 0, -2, 2)),
    "tril": ([(4, 4)], lambda lib, a: a.tril()),
    "tril_k": ([(3, 5)], lambda lib, a: lib.tril(a, -1)),
    "triu": ([(4, 4)], lambda lib, a: lib.triu(a)),
    "triu_k": ([(2, 3, 4)], lambda lib, a: a.triu(1)),
    "unbind": ([(3, 2)], lambda lib, a: a.unbind(0)[1]),
    "movedim": ([(2, 3, 4)], lambda lib, a: lib.movedim(a, 0, -1)),
    "contiguous": ([(2, 3)], lambda lib, a: a.t().contiguous()),
}


@pytest.mark.parametrize("name", list(SHAPE_OPS))
def test_shape_op_matches_torch(name):
    shapes, fn = SHAPE_OPS[name]
    check_op(shapes, fn)


GRADCHECK = {
    "reshape": (lambda a: a.reshape(3, 2) * a.reshape(3, 2), [(2, 3)]),
    "permute": (lambda a: a.permute(1, 2, 0) ** 2, [(2, 3, 2)]),
    "transpose": (lambda a: a.transpose(-1, 0) ** 2, [(2, 3)]),
    "expand": (lambda a: a.expand(2, 3, 2) ** 2, [(3, 1)]),
    "repeat": (lambda a: a.repeat(2, 2) ** 2, [(2, 3)]),
    "cat": (lambda a, b: ember.cat([a, b], 1) ** 2, [(2, 3), (2, 1)]),
    "stack": (lambda a, b: ember.stack([a, b], -1) ** 2, [(2, 3), (2, 3)]),
    "split": (lambda a: a.split(2, 1)[1] ** 2, [(2, 3)]),
    "flip": (lambda a: a.flip(-1) * a, [(2, 3)]),
    "squeeze": (lambda a: a.squeeze(0).unsqueeze(-1) ** 2, [(1, 3)]),
    "tril": (lambda a: a.tril(-1) ** 2, [(3, 3)]),
    "triu": (lambda a: a.triu() ** 2, [(3, 3)]),
    "narrow": (lambda a: a.narrow(0, 1, 2) ** 2, [(3, 2)]),
}


@pytest.mark.parametrize("name", list(GRADCHECK))
def test_gradcheck(name):
    fn, shapes = GRADCHECK[name]
    gradcheck64(fn, shapes)


# ---------------------------------------------------------------------- views share memory
def test_view_shares_storage_with_base():
    x = ember.zeros(2, 3)
    v = x.view(6)
    v[0] = 5.0
    assert x[0, 0].item() == 5.0
    x.transpose(0, 1)[2, 1] = 7.0
    assert x[1, 2].item() == 7.0


def test_view_of_non_contiguous_tensor_raises():
    x = ember.zeros(2, 3).t()
    with pytest.raises(RuntimeError, match="reshape"):
        x.view(6)
    assert x.reshape(6).shape == (6,)
    assert not x.is_contiguous()
    assert x.contiguous().is_contiguous()


def test_in_place_write_through_view_bumps_the_shared_version():
    x = ember.zeros(4)
    v = x[1:3]
    before = x._version
    v.add_(1)
    assert x._version > before
    assert x.tolist() == [0.0, 1.0, 1.0, 0.0]


# ---------------------------------------------------------------------- errors
def test_reshape_invalid_size_raises_runtime_error_naming_shape():
    with pytest.raises(RuntimeError, match=r"shape '\[4, 4\]' is invalid for input of size 6"):
        ember.ones(2, 3).reshape(4, 4)
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        ember.ones(2, 3).reshape(-1, -1)


def test_cat_mismatched_shapes_raise():
    with pytest.raises(RuntimeError, match="Sizes of tensors must match except in dimension 0"):
        ember.cat([ember.ones(2, 3), ember.ones(2, 4)])
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        ember.cat([ember.ones(2, 3), ember.ones(3)])


def test_cat_promotes_dtypes_like_torch():
    e = ember.cat([ember.ones(2, dtype=ember.int64), ember.ones(2)])
    t = torch.cat([torch.ones(2, dtype=torch.int64), torch.ones(2)])
    assert e.dtype.name == str(t.dtype).replace("torch.", "")


def test_stack_mismatched_shapes_raise():
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size"):
        ember.stack([ember.ones(2, 3), ember.ones(3, 2)])


def test_expand_incompatible_raises_naming_sizes():
    with pytest.raises(RuntimeError, match=r"expanded size of the tensor \(4\) must match the "
                                           r"existing size \(3\)"):
        ember.ones(3, 1).expand(4, 2)


def test_permute_wrong_length_raises():
    with pytest.raises(RuntimeError, match="number of dimensions"):
        ember.ones(2, 3).permute(0)
    with pytest.raises(RuntimeError, match="duplicate"):
        ember.ones(2, 3).permute(0, 0)


def test_dim_out_of_range_raises_index_error():
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of "
                                         r"\[-2, 1\], but got 2\)"):
        ember.ones(2, 3).transpose(0, 2)
    with pytest.raises(IndexError):
        ember.ones(2, 3).unsqueeze(4)


def test_split_and_chunk_sizes_match_torch():
    for args in [(3,), ([2, 5],)]:
        e = [p.shape for p in ember.ones(7, 2).split(*args)]
        t = [tuple(p.shape) for p in torch.ones(7, 2).split(*args)]
        assert [tuple(s) for s in e] == t
    for n in (1, 2, 3, 4, 7, 8):
        e = [tuple(p.shape) for p in ember.ones(7).chunk(n)]
        t = [tuple(p.shape) for p in torch.ones(7).chunk(n)]
        assert e == t, n


def test_repeat_with_fewer_dims_raises():
    with pytest.raises(RuntimeError, match="repeat dims"):
        ember.ones(2, 3).repeat(2)


def test_t_of_3d_raises():
    with pytest.raises(RuntimeError, match="<= 2 dimensions"):
        ember.ones(2, 3, 4).t()


def test_size_of_results_is_ember_size():
    x = ember.ones(2, 3).unsqueeze(0)
    assert isinstance(x.shape, ember.Size)
    assert x.shape == (1, 2, 3)
    assert x.size(-1) == 3
    assert repr(x.shape) == "ember.Size([1, 2, 3])"


def test_expand_result_matches_torch_values():
    a = np.arange(3, dtype=np.float32).reshape(3, 1)
    assert_close(ember.tensor(a).expand(3, 4), torch.tensor(a).expand(3, 4))


MORE = {
    "roll": ([(3, 4)], lambda lib, a: lib.roll(a, 1, 0)),
    "roll_multi": ([(3, 4)], lambda lib, a: a.roll((1, -2), (0, 1))),
    "roll_flat": ([(3, 4)], lambda lib, a: lib.roll(a, 5)),
    "repeat_interleave": ([(2, 3)], lambda lib, a: a.repeat_interleave(2, dim=1)),
    "repeat_interleave_flat": ([(2, 3)], lambda lib, a: lib.repeat_interleave(a, 3)),
    "repeat_interleave_tensor": ([(3,)], lambda lib, a: a.repeat_interleave(
        lib.tensor([1, 0, 2]), dim=0)),
    "diff": ([(3, 5)], lambda lib, a: lib.diff(a)),
    "diff_n": ([(4, 5)], lambda lib, a: a.diff(n=2, dim=0)),
    "diagonal": ([(3, 4)], lambda lib, a: lib.diagonal(a)),
    "diagonal_offset": ([(3, 4)], lambda lib, a: a.diagonal(1)),
    "diagonal_neg": ([(4, 3)], lambda lib, a: a.diagonal(-1)),
    "diagonal_3d": ([(2, 3, 3)], lambda lib, a: a.diagonal(0, 1, 2)),
    "diag_matrix": ([(3, 3)], lambda lib, a: lib.diag(a)),
    "diag_vector": ([(3,)], lambda lib, a: lib.diag(a)),
    "diag_vector_offset": ([(3,)], lambda lib, a: lib.diag(a, -1)),
    "trace": ([(3, 4)], lambda lib, a: lib.trace(a)),
    "meshgrid_ij": ([(3,), (4,)], lambda lib, a, b: lib.stack(
        lib.meshgrid(a, b, indexing="ij")) * 1),
    "meshgrid_xy": ([(3,), (4,)], lambda lib, a, b: lib.stack(
        lib.meshgrid(a, b, indexing="xy")) * 1),
    "broadcast_tensors": ([(3, 1), (4,)], lambda lib, a, b: lib.stack(
        lib.broadcast_tensors(a, b)) * 1),
}


@pytest.mark.parametrize("name", list(MORE))
def test_more_shape_ops_match_torch(name):
    shapes, fn = MORE[name]
    check_op(shapes, fn)


MORE_GRADCHECK = {
    "flatten": (lambda a: a.flatten(1) ** 2, [(2, 2, 3)]),
    "unflatten": (lambda a: a.unflatten(-1, (2, 2)) ** 2, [(3, 4)]),
    "view": (lambda a: a.view(6) ** 2, [(2, 3)]),
    "chunk": (lambda a: a.chunk(2, -1)[1] ** 2, [(2, 4)]),
    "unbind": (lambda a: a.unbind(1)[2] ** 2, [(2, 3)]),
    "movedim": (lambda a: ember.movedim(a, 0, 2) ** 2, [(2, 3, 2)]),
    "expand_as": (lambda a, b: a.expand_as(b) * b, [(3, 1), (3, 2)]),
    "t": (lambda a: a.t() ** 2, [(2, 3)]),
    "roll": (lambda a: a.roll(1, 1) * a, [(2, 3)]),
    "repeat_interleave": (lambda a: a.repeat_interleave(2, 0) ** 2, [(2, 3)]),
    "diagonal": (lambda a: a.diagonal(1) ** 2, [(3, 4)]),
    "diag": (lambda a: ember.diag(a, 1) ** 2, [(3,)]),
    "trace": (lambda a: (a * a).trace(), [(3, 3)]),
    "diff": (lambda a: a.diff(dim=0) ** 2, [(3, 2)]),
}


@pytest.mark.parametrize("name", list(MORE_GRADCHECK))
def test_more_gradcheck(name):
    fn, shapes = MORE_GRADCHECK[name]
    gradcheck64(fn, shapes)


@pytest.mark.parametrize("shape,dims", [((2, 3), (2,)), ((3,), (2, 2)), ((2, 1, 3), (1, 2, 1))])
def test_tile_matches_torch(shape, dims):
    check_op([shape], lambda lib, x: lib.tile(x, dims))
    check_op([shape], lambda lib, x: x.tile(dims))


@pytest.mark.parametrize("shape,dim,size,step", [((10,), 0, 4, 3), ((2, 7), 1, 3, 2),
                                                 ((5, 3), 0, 2, 1), ((2, 6, 3), -2, 6, 1)])
def test_unfold_sliding_windows_match_torch(shape, dim, size, step):
    check_op([shape], lambda lib, x: x.unfold(dim, size, step))
    gradcheck64(lambda x: x.unfold(dim, size, step), [shape])


def test_unfold_errors_match_torch():
    for lib in (torch, ember):
        with pytest.raises(RuntimeError, match="maximum size for tensor at dimension 0 is 3"):
            lib.ones(3).unfold(0, 4, 1)


def test_flip_returns_a_copy_like_torch():
    x = ember.arange(4.0)
    y = x.flip(0)
    y[0] = 100.0
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert y.tolist() == [100.0, 2.0, 1.0, 0.0]


def test_movedim_with_unequal_lengths_names_both():
    with pytest.raises(RuntimeError, match="same number of dims"):
        ember.movedim(ember.zeros(2, 3, 4), (0, 1), (0,))


def test_hstack_accepts_zero_dim_tensors_like_torch():
    out = ember.hstack([ember.tensor(1.0), ember.tensor(2.0)])
    assert out.tolist() == [1.0, 2.0]


def test_flip_with_repeated_dims_raises_runtime_error():
    with pytest.raises(RuntimeError, match="duplicates"):
        ember.ones(2, 3).flip((0, 0))


@pytest.mark.parametrize("dtype", ["int32", "int16", "uint8", "float32", "int64"])
def test_view_dtype_reinterprets_bytes_as_torch(dtype):
    a = np.arange(12, dtype=np.float32).reshape(3, 4) + 0.5
    e = ember.tensor(a).view(getattr(ember, dtype))
    t = torch.tensor(a).view(getattr(torch, dtype))
    assert tuple(e.shape) == tuple(t.shape) and e.dtype == getattr(ember, dtype)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_view_dtype_shares_storage_and_checks_sizes():
    x = ember.zeros(2, 2)
    x.view(ember.int32)[0, 0] = 1
    assert x[0, 0].item() != 0
    with pytest.raises(RuntimeError):
        ember.zeros(3).view(ember.float64)
    with pytest.raises(RuntimeError):
        ember.tensor(1.0).view(ember.int16)
@pytest.mark.parametrize("fn", ["cat", "stack"])
def test_cat_and_stack_reject_non_tensors_with_pytorchs_type_error(fn):
    from error_parity import raises_like_torch

    raises_like_torch(lambda lib: getattr(lib, fn)([lib.ones(2), [1.0, 2.0]]), "element 1", "list")
    raises_like_torch(lambda lib: getattr(lib, fn)([lib.ones(2), 3.0]), "element 1", "float")


def test_diff_order_beyond_the_size_is_empty_and_negative_raises_as_pytorch():
    from error_parity import raises_like_torch

    for n in (3, 5):
        expected = tuple(torch.diff(torch.ones(2, 3), n).shape)
        assert tuple(ember.diff(ember.ones(2, 3), n).shape) == expected
    raises_like_torch(lambda lib: lib.diff(lib.ones(2, 3), -1), "-1")
def test_diagonal_is_a_view_that_writes_reach():
    # issue 10 (fuzzer): diagonal copied, so in-place ops on it left the base unchanged
    def fn(lib):
        a = lib.arange(12.0).reshape(3, 4).requires_grad_()
        b = a * 1
        b.diagonal(1).mul_(10)
        e = b.diagonal(-1, 1, 0)
        (b.sum() + (e * e).sum()).backward()
        return b.detach(), a.grad

    check_parity(fn)
    check_parity(lambda lib: lib.ones(2, 3, 3).diagonal(0, 1, 2))
    check_parity(lambda lib: lib.ones(2, 3).diagonal(5))


def test_cat_promotes_like_torch_and_refuses_zero_dim_tensors():
    check_parity(lambda lib: lib.cat([lib.ones(2, dtype=lib.int32), lib.ones(2)]))
    check_parity(lambda lib: lib.cat([lib.ones(2, dtype=lib.uint8), lib.ones(2, dtype=lib.int8)]))
    check_parity(lambda lib: lib.stack([lib.tensor(1.0), lib.tensor(2.0).double()]))
    check_parity(lambda lib: lib.cat([lib.tensor(1.0), lib.tensor(2.0)]))  # RuntimeError


def test_tril_triu_need_matrices():
    for name in ("tril", "triu"):
        check_parity(lambda lib, name=name: getattr(lib, name)(lib.ones(3)))
        check_parity(lambda lib, name=name: getattr(lib, name)(lib.tensor(True)))


def test_cast_of_an_expanded_tensor_is_contiguous():
    def fn(lib):
        v1 = lib.tensor([1, 1], dtype=lib.uint8).reshape(1, 1, 2).unsqueeze(0).expand(2, 1, 1, 2)
        return lib.true_divide(v1, lib.tensor(-1.5).double()).view(-1)

    check_parity(fn)


def test_shape_methods_without_their_shape_raise_type_error():
    check_parity(lambda lib: lib.ones(2).reshape())
    check_parity(lambda lib: lib.ones(2).permute())
    check_parity(lambda lib: lib.ones(2).view())
    check_parity(lambda lib: lib.ones(()).reshape(()))

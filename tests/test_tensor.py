"""Tensor attributes and methods, conversions, in-place ops and version-counter semantics."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import assert_close, check_op, torch


# ---------------------------------------------------------------------- attributes
def test_shape_attributes():
    x = ember.zeros(2, 3, 4)
    assert x.shape == (2, 3, 4) and isinstance(x.shape, ember.Size)
    assert x.size() == (2, 3, 4) and x.size(1) == 3 and x.size(-1) == 4
    assert x.dim() == x.ndim == 3
    assert x.numel() == 24 and ember.numel(x) == 24
    assert x.dtype == ember.float32
    assert x.device == ember.device("cpu") and str(x.device) == "cpu"
    assert len(x) == 2


def test_autograd_attributes_of_leaf_and_result():
    x = ember.ones(2, requires_grad=True)
    assert x.requires_grad and x.is_leaf and x.grad_fn is None and x.grad is None
    y = x * 2
    assert y.requires_grad and not y.is_leaf and y.grad_fn is not None
    assert y.grad_fn.name() == "MulBackward0"
    z = ember.ones(2)
    assert not z.requires_grad and z.is_leaf


def test_grad_of_non_leaf_warns():
    x = ember.ones(2, requires_grad=True)
    with pytest.warns(UserWarning, match="retain_grad"):
        assert (x * 2).grad is None


def test_T_reverses_dims():
    x = ember.zeros(2, 3, 4)
    assert x.T.shape == (4, 3, 2)
    assert ember.zeros(3).T.shape == (3,)


def test_item_and_tolist():
    assert ember.tensor([[2.5]]).item() == 2.5
    assert isinstance(ember.tensor(3).item(), int)
    assert isinstance(ember.tensor(True).item(), bool)
    assert ember.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert ember.tensor(1.5).tolist() == 1.5
    with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
        ember.ones(2).item()


def test_python_number_conversions():
    assert float(ember.tensor([2.5])) == 2.5
    assert int(ember.tensor(3.7)) == 3
    assert bool(ember.tensor([1]))
    assert [10, 20, 30][ember.tensor(1)] == 20
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(ember.ones(2))


def test_numpy_shares_memory_and_refuses_when_requiring_grad():
    x = ember.zeros(3)
    a = x.numpy()
    a[0] = 1
    assert x[0].item() == 1
    y = ember.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"detach\(\)\.numpy\(\)"):
        y.numpy()
    assert y.detach().numpy().shape == (3,)
    assert np.asarray(ember.ones(2)).tolist() == [1.0, 1.0]


def test_detach_shares_storage_and_drops_history():
    x = ember.ones(3, requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf
    d[0] = 10.0
    assert y[0].item() == 10.0


def test_detach_in_place():
    x = ember.ones(3, requires_grad=True)
    y = x * 2
    assert y.detach_() is y
    assert not y.requires_grad and y.grad_fn is None


def test_data_is_detached_and_shares_storage():
    x = ember.ones(2, requires_grad=True)
    d = x.data
    assert not d.requires_grad
    d.mul_(3)
    assert x.tolist() == [3.0, 3.0]


def test_clone_copies_and_is_differentiable():
    check_op([(2, 3)], lambda lib, a: a.clone() * a)
    x = ember.zeros(2)
    c = x.clone()
    c[0] = 1
    assert x[0].item() == 0


def test_contiguous_returns_self_when_contiguous():
    x = ember.ones(2, 3)
    assert x.contiguous() is x
    assert x.t().contiguous().is_contiguous()


def test_requires_grad_setter_and_method():
    x = ember.ones(2)
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad = False
    assert not x.requires_grad
    y = ember.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad = False


def test_retain_grad_populates_non_leaf_grad():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    (y * y).sum().backward()
    assert y.retains_grad
    assert_close(y.grad, np.array([6.0, 12.0]))


def test_register_hook_can_replace_the_gradient():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.tolist()) or g * 10)
    (x * 2).sum().backward()
    assert seen == [[2.0, 2.0]]
    assert x.grad.tolist() == [20.0, 20.0]
    handle.remove()
    x.grad = None
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_register_hook_on_non_leaf():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: g * 0)
    (y * y).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]
    with pytest.raises(RuntimeError, match="doesn't require"):
        ember.ones(1).register_hook(lambda g: g)


# ---------------------------------------------------------------------- in-place ops
INPLACE = {
    "add_": (lambda a, b: a.add_(b), lambda a, b: a + b),
    "add_alpha": (lambda a, b: a.add_(b, alpha=2), lambda a, b: a + 2 * b),
    "sub_": (lambda a, b: a.sub_(b), lambda a, b: a - b),
    "mul_": (lambda a, b: a.mul_(b), lambda a, b: a * b),
    "div_": (lambda a, b: a.div_(b + 3), lambda a, b: a / (b + 3)),
    "pow_": (lambda a, b: a.pow_(2), lambda a, b: a**2),
    "clamp_": (lambda a, b: a.clamp_(-0.5, 0.5), lambda a, b: a.clamp(-0.5, 0.5)),
    "masked_fill_": (lambda a, b: a.masked_fill_(b > 0, 0.0),
                     lambda a, b: a.masked_fill(b > 0, 0.0)),
    "iadd": (lambda a, b: a.__iadd__(b), lambda a, b: a + b),
    "isub": (lambda a, b: a.__isub__(b), lambda a, b: a - b),
    "imul": (lambda a, b: a.__imul__(b), lambda a, b: a * b),
    "itruediv": (lambda a, b: a.__itruediv__(b + 3), lambda a, b: a / (b + 3)),
    "zero_": (lambda a, b: a.zero_(), lambda a, b: a * 0),
    "fill_": (lambda a, b: a.fill_(1.5), lambda a, b: a * 0 + 1.5),
    "copy_": (lambda a, b: a.copy_(b), lambda a, b: b + 0 * a),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_in_place_op_matches_out_of_place(name):
    inplace, reference = INPLACE[name]

    def fn(lib, a, b):
        out = a * 1  # non-leaf, so in-place is allowed
        result = inplace(out, b)
        assert result is out
        return out

    check_op([(3, 4), (4,)], fn)
    a = ember.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4))
    b = ember.tensor(np.linspace(-2, 2, 4, dtype=np.float32))
    expected = reference(a, b)
    inplace(a, b)
    assert_close(a, expected)


@pytest.mark.parametrize("name", list(INPLACE))
def test_in_place_on_leaf_requiring_grad_raises(name):
    inplace = INPLACE[name][0]
    a = ember.ones(3, 4, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        inplace(a, ember.ones(4))


@pytest.mark.parametrize("name", list(INPLACE))
def test_in_place_on_leaf_is_allowed_under_no_grad(name):
    inplace, reference = INPLACE[name]
    a = ember.ones(3, 4, requires_grad=True)
    with ember.no_grad():
        expected = reference(a, ember.ones(4))
        inplace(a, ember.ones(4))
    assert a.requires_grad and a.is_leaf and a.grad_fn is None
    assert_close(a.detach(), expected)


@pytest.mark.parametrize("name", list(INPLACE))
def test_in_place_bumps_version(name):
    a = ember.ones(3, 4)
    before = a._version
    INPLACE[name][0](a, ember.ones(4))
    assert a._version > before


def test_backward_raises_when_saved_tensor_was_modified_in_place():
    x = ember.ones(3, requires_grad=True)
    y = x * 2
    z = y * y  # saves y
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_backward_raises_when_saved_output_was_modified_in_place():
    x = ember.ones(3, requires_grad=True)
    y = x.exp()  # saves its output
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_in_place_through_a_view_invalidates_saved_base():
    x = ember.ones(4, requires_grad=True)
    y = x * 1
    z = (y * y).sum()
    y[1:3].mul_(2)
    with pytest.raises(RuntimeError, match="inplace"):
        z.backward()


def test_in_place_on_unused_tensor_keeps_backward_valid():
    x = ember.ones(3, requires_grad=True)
    y = x * 2
    z = y + 1  # Add saves nothing
    y.add_(1)
    z.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_in_place_history_matches_torch():
    def fn(lib, a, b):
        y = a * 1
        y.mul_(b)
        y.add_(a)
        y.sub_(1)
        y.div_(2)
        y *= a
        return y

    check_op([(3,), (3,)], fn)


def test_augmented_assignment_keeps_identity():
    x = ember.ones(3)
    y = x
    y += 1
    assert y is x and x.tolist() == [2.0, 2.0, 2.0]


def test_in_place_shape_mismatch_raises():
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        ember.ones(3).add_(ember.ones(2, 3))


def test_in_place_float_into_int_raises():
    with pytest.raises(RuntimeError, match="Float can't be cast"):
        ember.ones(3, dtype=ember.int64).add_(1.5)


def test_copy_casts_and_broadcasts_like_torch():
    e = ember.zeros(2, 3, dtype=ember.int64).copy_(ember.tensor([1.7, 2.2, -3.9]))
    t = torch.zeros(2, 3, dtype=torch.int64).copy_(torch.tensor([1.7, 2.2, -3.9]))
    assert e.tolist() == t.tolist()
    assert e.dtype == ember.int64


def test_copy_is_differentiable_in_its_source():
    src = ember.tensor([1.0, 2.0], requires_grad=True)
    dst = ember.zeros(2)
    dst.copy_(src)
    (dst * 3).sum().backward()
    assert src.grad.tolist() == [3.0, 3.0]


def test_fill_with_tensor_value():
    assert ember.zeros(2).fill_(ember.tensor(4.0)).tolist() == [4.0, 4.0]


# ---------------------------------------------------------------------- misc behaviour
def test_equal_and_allclose():
    assert ember.equal(ember.ones(2), ember.ones(2))
    assert not ember.ones(2).equal(ember.ones(3))
    assert ember.allclose(ember.ones(2), ember.ones(2) + 1e-9)


def test_hash_is_identity_and_eq_is_elementwise():
    x = ember.ones(2)
    d = {x: 1}
    assert d[x] == 1
    assert (x == x).tolist() == [True, True]


def test_deepcopy_and_pickle_preserve_values_and_requires_grad():
    import copy
    import pickle

    x = ember.tensor([1.0, 2.0], requires_grad=True)
    for y in (copy.deepcopy(x), pickle.loads(pickle.dumps(x))):
        assert y.tolist() == [1.0, 2.0] and y.requires_grad and y is not x


def test_len_and_iter_of_zero_dim_raise_type_error():
    with pytest.raises(TypeError):
        len(ember.tensor(1.0))
    with pytest.raises(TypeError):
        iter(ember.tensor(1.0))


def test_cuda_is_unavailable():
    with pytest.raises(RuntimeError, match="CPU"):
        ember.ones(1).to("cuda")
    assert ember.ones(1).to("cpu").device == "cpu"


# ---------------------------------------------------------------------- writes through views
VIEW_WRITES = {
    "slice_mul_": lambda y, v: y[0:2].mul_(2),
    "row_add_": lambda y, v: y[1].add_(v[0]),
    "nested_setitem": lambda y, v: y[0].__setitem__(1, v[1, 1] * 3),
    "view_add_": lambda y, v: y.view(-1).add_(v.reshape(-1)),
    "transpose_copy_": lambda y, v: y.t().copy_(v.t() * 2),
    "chained_views": lambda y, v: y[1:][:, 1:].mul_(v[1:, 1:]),
    "unsqueeze_zero_": lambda y, v: y.unsqueeze(0)[0, 0].zero_(),
    "int_index_fill_": lambda y, v: y[0, 1].fill_(5.0),
    "iadd_on_slice": lambda y, v: y[:, 0].__iadd__(v[:, 0]),
}


@pytest.mark.parametrize("name", list(VIEW_WRITES))
def test_in_place_write_through_view_updates_base_history_like_torch(name):
    def fn(lib, a, v):
        y = a * 1
        VIEW_WRITES[name](y, v)
        return y * a

    check_op([(3, 3), (3, 3)], fn)


def test_in_place_on_view_of_leaf_requiring_grad_raises():
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="view of a leaf Variable"):
        x[0:2].mul_(2)
    with pytest.raises(RuntimeError, match="view of a leaf Variable"):
        x.view(3, 1)[0] = 5.0
    with ember.no_grad():
        x[0:2].mul_(2)
    assert x.tolist() == [2.0, 2.0, 1.0]


def test_copy_into_view_of_buffer_makes_buffer_require_grad():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    buf = ember.zeros(2, 2)
    buf[0].copy_(x)
    assert buf.requires_grad and buf.grad_fn.name() == "CopySlices"
    (buf * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_scalar_index_is_a_view():
    x = ember.zeros(2, 2)
    x[0, 1].add_(3)
    assert x.tolist() == [[0.0, 3.0], [0.0, 0.0]]


def test_expand_is_a_read_only_view():
    x = ember.zeros(3, 1)
    y = x.expand(3, 4)
    x.fill_(1)
    assert y.tolist() == [[1.0] * 4] * 3
    with pytest.raises(RuntimeError, match="single memory location"):
        y.add_(1)


def test_cast_to_integer_carries_no_gradient():
    x = ember.tensor([1.5, 2.5], requires_grad=True)
    y = x.int()
    assert not y.requires_grad and y.grad_fn is None


def test_std_gradient_of_constant_rows_is_zero_like_torch():
    a = np.array([[0.0, 0.0], [1.0, 2.0]], np.float32)
    check_op(None, lambda lib, x: x.std(1), arrays=[a])


def test_setitem_shape_mismatch_raises_runtime_error():
    with pytest.raises(RuntimeError, match=r"\[2\].*\[3\]"):
        ember.zeros(2, 3)[0] = ember.tensor([5.0, 6.0])


def test_negative_slice_step_raises_value_error():
    with pytest.raises(ValueError, match="step must be greater than zero"):
        ember.arange(4)[::-1]


def test_too_many_indices_raises_index_error():
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 2"):
        ember.zeros(2, 2)[0, 0, 0]
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 0 with size 3"):
        ember.zeros(3)[ember.tensor([3])]


def test_legacy_tensor_constructor_matches_torch():
    assert repr(ember.Tensor([1, 2])) == repr(torch.Tensor([1, 2]))
    assert ember.Tensor(2, 3).shape == (2, 3) and ember.Tensor(2, 3).dtype == ember.float32
    assert ember.Tensor(ember.Size([4])).shape == (4,)
    assert ember.Tensor().shape == (0,)
    assert ember.Tensor(np.array([1, 2])).dtype == ember.int64  # arrays keep their dtype


def test_comparison_with_none_and_mismatched_shapes():
    assert (ember.ones(2) == None) is False  # noqa: E711
    assert (ember.ones(2) != None) is True  # noqa: E711
    with pytest.raises(RuntimeError, match="must match the size"):
        _ = ember.ones(2) == ember.ones(3)


@pytest.mark.parametrize("kw", [{}, {"return_inverse": True}, {"return_counts": True},
                                {"return_inverse": True, "return_counts": True}, {"dim": 0}])
def test_unique_matches_torch(kw):
    a = np.array([[3, 1], [1, 2], [3, 1]])
    e, t = ember.unique(ember.tensor(a), **kw), torch.unique(torch.tensor(a), **kw)
    e, t = (e, t) if isinstance(t, tuple) else ((e,), (t,))
    assert [x.tolist() for x in e] == [x.tolist() for x in t]


def test_writes_through_data_bypass_the_version_check_like_torch():
    for lib in (torch, ember):
        x = lib.ones(3, requires_grad=True)
        y = (x * x).sum()
        x.data.add_(1)
        y.backward()  # no error: .data has its own version counter (the saved x is stale)
        assert x.grad.tolist() == [4.0, 4.0, 4.0]


def test_writes_through_detach_are_seen_by_the_version_check():
    x = ember.ones(3, requires_grad=True)
    y = (x * x).sum()
    x.detach().add_(1)
    with pytest.raises(RuntimeError, match="inplace"):
        y.backward()


def test_setitem_with_value_requiring_grad_makes_buffer_require_grad():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    buf = ember.zeros(3)
    buf[1:] = x * 2
    assert buf.requires_grad
    (buf * buf).sum().backward()
    assert x.grad.tolist() == [8.0, 16.0]


@pytest.mark.parametrize("expr", ["x.div_(2)", "x.pow_(0.5)", "x.clamp_(0.5)", "x.exp_()",
                                  "x.sqrt_()", "x.sigmoid_()", "x.add_(1.5)", "x.__itruediv__(2)"])
def test_in_place_float_result_into_integer_tensor_raises(expr):
    x = ember.tensor([1, 4])
    with pytest.raises(RuntimeError, match="Float can't be cast to the desired output type Long"):
        eval(expr)
    assert x.tolist() == [1, 4]


@pytest.mark.parametrize("expr", ["x.mul_(2)", "x.fill_(2.7)", "x.abs_()", "x.clamp_(2, 3)",
                                  "x.copy_(ember.tensor([0.5, 9.9]))"])
def test_in_place_results_castable_to_integer_match_torch(expr):
    e = eval(expr, {"x": ember.tensor([1, 4]), "ember": ember})
    t = eval(expr, {"x": torch.tensor([1, 4]), "ember": torch})
    assert e.tolist() == t.tolist() and e.dtype == ember.int64


def test_augmented_assignment_on_indexed_region_matches_torch():
    def fn(lib, a, b):
        y = a * 1
        y[0:2] += b[0:2]
        y[[0, 2]] *= b[1:]
        y[:, 1] -= 1
        return y * a

    check_op([(3, 2), (3, 2)], fn)


@pytest.mark.parametrize("target", ["torch.FloatTensor", "torch.LongTensor", "torch.DoubleTensor"])
def test_type_with_a_legacy_type_name_or_class_converts(target):
    from helpers import torch

    want = torch.tensor([1.5, 2.0]).type(target)
    got = ember.tensor([1.5, 2.0]).type(target)
    assert got.dtype.name == str(want.dtype).split(".")[-1] and got.tolist() == want.tolist()
    cls = getattr(ember, target.split(".")[-1])
    assert ember.tensor([1.5]).type(cls).dtype == got.dtype
    with pytest.raises(ValueError, match="invalid type"):
        ember.tensor([1.0]).type("float")


@pytest.mark.parametrize("shape,wrap", [((3, 3), False), ((3, 2), False), ((5, 2), True),
                                        ((2, 5), False), ((2, 2, 2), False)])
def test_fill_diagonal_matches_torch(shape, wrap):
    from helpers import torch

    got = ember.zeros(*shape).fill_diagonal_(2.5, wrap=wrap)
    want = torch.zeros(*shape).fill_diagonal_(2.5, wrap=wrap)
    assert got.tolist() == want.tolist()


def test_fill_diagonal_is_differentiable_and_checks_shapes():
    x = ember.ones(3, 3, requires_grad=True)
    (x * 2).fill_diagonal_(0.0).sum().backward()
    assert x.grad.tolist() == [[0, 2, 2], [2, 0, 2], [2, 2, 0]]
    with pytest.raises(RuntimeError, match="equal length"):
        ember.zeros(2, 3, 4).fill_diagonal_(1.0)
    with pytest.raises(RuntimeError, match="larger than 1"):
        ember.zeros(3).fill_diagonal_(1.0)


def test_device_predicates_are_false_on_cpu_as_torch():
    t = ember.zeros(2)
    assert t.is_xpu is torch.zeros(2).is_xpu is False
    assert t.is_cuda is False

"""Property tests (hypothesis): broadcasting, reductions over any dims, shape-op round trips."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
from helpers import assert_close, torch

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

SETTINGS = settings(max_examples=40, deadline=None)


def _array(shape, seed=0):
    return np.random.default_rng(seed).uniform(-2, 2, size=shape).astype(np.float32)


BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1),
    "maximum": lambda a, b: (ember if isinstance(a, ember.Tensor) else torch).maximum(a, b),
    "where": lambda a, b: (ember if isinstance(a, ember.Tensor) else torch).where(a > b, a, b),
}


@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=4),
       op=st.sampled_from(sorted(BINARY)))
def test_binary_ops_broadcast_like_torch(shapes, op):
    sa, sb = shapes.input_shapes
    a, b = _array(sa, 1), _array(sb, 2)
    ea, eb = ember.tensor(a, requires_grad=True), ember.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    oe, ot = BINARY[op](ea, eb), BINARY[op](ta, tb)
    assert oe.shape == shapes.result_shape == tuple(ot.shape)
    assert_close(oe, ot)
    oe.sum().backward()
    ot.sum().backward()
    assert ea.grad.shape == sa and eb.grad.shape == sb
    assert_close(ea.grad, ta.grad)
    assert_close(eb.grad, tb.grad)


@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
def test_incompatible_shapes_never_silently_broadcast(shapes):
    sa, sb = shapes.input_shapes
    bad = sb + (5,) if sa[-1:] != (5,) and sa[-1:] != (1,) and sa else None
    if bad is None:
        return
    with pytest.raises(RuntimeError):
        ember.ones(*sa) + ember.ones(*bad)


@st.composite
def shape_and_dims(draw, max_dims=4):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=max_dims, min_side=1, max_side=4))
    n = len(shape)
    dims = draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=n,
                         unique_by=lambda d: d % n))
    as_int = len(dims) == 1 and draw(st.booleans())
    return shape, dims[0] if as_int else tuple(dims), draw(st.booleans())


REDUCTIONS = ["sum", "mean", "amax", "amin", "logsumexp", "var", "std", "vector_norm"]


def _reduce(x, name, dim, keepdim):
    if name == "vector_norm":  # torch.norm treats 2+ dims as a matrix norm; linalg does not
        lib = ember if isinstance(x, ember.Tensor) else torch
        return lib.linalg.vector_norm(x, dim=dim, keepdim=keepdim)
    return getattr(x, name)(dim=dim, keepdim=keepdim)


@SETTINGS
@given(args=shape_and_dims(), name=st.sampled_from(REDUCTIONS))
def test_reductions_over_any_dims_match_torch(args, name):
    shape, dim, keepdim = args
    a = _array(shape, 3)
    ea, ta = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    oe = _reduce(ea, name, dim, keepdim)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns when var has <= 0 degrees of freedom
        ot = _reduce(ta, name, dim, keepdim)
    assert oe.shape == tuple(ot.shape)
    assert_close(oe, ot, atol=1e-4)
    if name in ("var", "std") and not np.all(np.isfinite(ot.detach().numpy())):
        return  # a single element per group: torch and ember both give nan
    oe.sum().backward()
    ot.sum().backward()
    assert ea.grad.shape == shape
    assert_close(ea.grad, ta.grad, atol=1e-4)


@SETTINGS
@given(args=shape_and_dims(), name=st.sampled_from(["max", "min"]))
def test_max_min_along_a_dim_match_torch(args, name):
    shape, dim, keepdim = args
    dim = dim if isinstance(dim, int) else dim[0]
    a = _array(shape, 4)
    oe = getattr(ember.tensor(a), name)(dim, keepdim)
    ot = getattr(torch.tensor(a), name)(dim, keepdim)
    assert_close(oe.values, ot.values)
    assert oe.indices.tolist() == ot.indices.tolist()


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=0, max_dims=4, max_side=4), data=st.data())
def test_reshape_round_trip(shape, data):
    a = _array(shape, 5)
    x = ember.tensor(a, requires_grad=True)
    n = a.size
    first = data.draw(st.sampled_from([d for d in range(1, n + 1) if n % d == 0]))
    y = x.reshape(first, -1)
    assert y.shape == (first, n // first)
    back = y.reshape(shape)
    assert back.tolist() == x.tolist()
    (back * 2).sum().backward()
    assert x.grad.shape == shape


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, max_side=4), data=st.data())
def test_permute_and_inverse_round_trip(shape, data):
    a = _array(shape, 6)
    perm = data.draw(st.permutations(range(len(shape))))
    x = ember.tensor(a)
    y = x.permute(*perm)
    np.testing.assert_array_equal(y.numpy(), np.transpose(a, perm))
    np.testing.assert_array_equal(y.permute(*np.argsort(perm).tolist()).numpy(), a)


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=2, max_dims=4, max_side=4), data=st.data())
def test_transpose_is_an_involution(shape, data):
    n = len(shape)
    d0 = data.draw(st.integers(-n, n - 1))
    d1 = data.draw(st.integers(-n, n - 1))
    a = _array(shape, 7)
    x = ember.tensor(a)
    np.testing.assert_array_equal(x.transpose(d0, d1).numpy(), np.swapaxes(a, d0, d1))
    np.testing.assert_array_equal(x.transpose(d0, d1).transpose(d0, d1).numpy(), a)


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=0, max_dims=4, max_side=3), data=st.data())
def test_unsqueeze_then_squeeze_round_trip(shape, data):
    d = data.draw(st.integers(-len(shape) - 1, len(shape)))
    x = ember.tensor(_array(shape, 8))
    y = x.unsqueeze(d)
    assert y.shape == tuple(torch.zeros(shape).unsqueeze(d).shape)
    assert y.squeeze(d).shape == shape


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), data=st.data())
def test_split_then_cat_round_trip(shape, data):
    n = len(shape)
    dim = data.draw(st.integers(-n, n - 1))
    size = data.draw(st.integers(1, shape[dim]))
    x = ember.tensor(_array(shape, 9), requires_grad=True)
    parts = x.split(size, dim)
    assert [p.shape for p in parts] == [tuple(p.shape) for p in
                                        torch.zeros(shape).split(size, dim)]
    y = ember.cat(parts, dim)
    assert y.tolist() == x.tolist()
    (y * y).sum().backward()
    assert_close(x.grad, 2 * x.detach())


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), k=st.integers(1, 3),
       data=st.data())
def test_stack_then_unbind_round_trip(shape, k, data):
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    xs = [ember.tensor(_array(shape, i)) for i in range(k)]
    s = ember.stack(xs, dim)
    assert s.shape == tuple(torch.stack([torch.zeros(shape)] * k, dim).shape)
    for x, y in zip(xs, s.unbind(dim), strict=False):
        assert x.tolist() == y.tolist()


@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=4,
                                                max_side=3),
       m=st.integers(1, 3), k=st.integers(1, 3), n=st.integers(1, 3))
def test_batched_matmul_broadcasts_like_torch(shapes, m, k, n):
    ba, bb = shapes.input_shapes
    a, b = _array(ba[:-1] + (m, k), 1), _array(bb[:-1] + (k, n), 2)
    ea, eb = ember.tensor(a, requires_grad=True), ember.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    oe, ot = ea @ eb, ta @ tb
    assert_close(oe, ot, atol=1e-4)
    oe.sum().backward()
    ot.sum().backward()
    assert_close(ea.grad, ta.grad, atol=1e-4)
    assert_close(eb.grad, tb.grad, atol=1e-4)


@st.composite
def einsum_problems(draw):
    letters = "abcd"
    sizes = {c: draw(st.integers(1, 3)) for c in letters}
    n_ops = draw(st.integers(1, 3))
    subs = [draw(st.text(alphabet=letters, min_size=0, max_size=3)) for _ in range(n_ops)]
    used = sorted(set("".join(subs)))
    out = draw(st.permutations(used)) if used else []
    out = "".join(out[: draw(st.integers(0, len(out)))])
    explicit = draw(st.booleans())
    eq = ",".join(subs) + ("->" + out if explicit else "")
    shapes = [tuple(sizes[c] for c in s) for s in subs]
    return eq, shapes


@SETTINGS
@given(problem=einsum_problems())
def test_einsum_matches_torch_on_random_equations(problem):
    eq, shapes = problem
    arrays = [_array(s, i) for i, s in enumerate(shapes)]
    es = [ember.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    oe, ot = ember.einsum(eq, *es), torch.einsum(eq, *ts)
    assert_close(oe, ot, atol=1e-4)
    (oe * oe).sum().backward()
    (ot * ot).sum().backward()
    for e, t in zip(es, ts, strict=True):
        assert_close(e.grad, t.grad, atol=1e-3)

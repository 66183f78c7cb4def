"""The op registry: every entry's forms exist, agree with each other and with PyTorch.

For each op in ``ember.ops.registry.OPS`` the function, method and in-place forms are called on
the same inputs; their values, dtypes, ``requires_grad`` and gradients must match each other and
PyTorch's for the same call.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember.ops.registry import INPLACE_OPERATORS, OPERATORS, OPS

rng = np.random.default_rng(0)
ARRAYS = {
    "x": rng.standard_normal((3, 4)),
    "y": rng.standard_normal((3, 4)) + 2.5,  # away from zero: a divisor
    "p": np.abs(rng.standard_normal((3, 4))) + 0.5,  # positive: log, sqrt, pow base
    "u": np.tanh(rng.standard_normal((3, 4))) * 0.9,  # inside (-1, 1): asin, atanh
    "pr": rng.uniform(0.1, 0.9, (3, 4)),  # probabilities: logit
    "row": rng.standard_normal(4),
    "col": rng.standard_normal(3),
    "sq": rng.standard_normal((3, 3)) + 3 * np.eye(3),  # well-conditioned square matrix
    "m43": rng.standard_normal((4, 3)),
    "b": rng.standard_normal((2, 3, 4)),
    "b2": rng.standard_normal((2, 4, 3)),
    "bsq": rng.standard_normal((2, 3, 3)),
    "spd": np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]]),  # positive-definite
    "lowf": np.tril(rng.standard_normal((3, 3)), -1) + np.diag([2.0, 1.5, 3.0]),  # Cholesky L
    "piv": np.array([2, 3, 3], np.int32),  # LAPACK row swaps, 1-based
    "src23": rng.standard_normal((2, 3)),
    "src32": rng.standard_normal((3, 2)),
    "i": rng.integers(0, 8, (3, 4)),
    "j": rng.integers(1, 5, (3, 4)),
    "mask": rng.random((3, 4)) > 0.5,
    "idx": rng.integers(0, 4, (3, 2)),
    "sel": np.array([2, 0]),
    "bins": np.array([0, 1, 1, 3, 2, 1]),
    "x0": np.array(1.5),
    "srt": np.array([-1.0, -0.2, 0.0, 0.7, 1.5]),  # sorted: searchsorted's boundaries
    "ge1": np.abs(rng.standard_normal((3, 4))) + 1.5,  # acosh's domain
}
FLOATS = {k for k, v in ARRAYS.items() if v.dtype.kind == "f"}

# name -> positional arguments (names of ARRAYS become tensors) and keyword arguments; an op
# whose first argument is listed gets method and in-place forms called on that tensor
CASES: dict[str, tuple] = {
    **{n: (("x", "y"), {}) for n in [
        "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide",
        "maximum", "minimum", "atan2", "arctan2", "logaddexp", "remainder", "fmod",
        "floor_divide", "eq", "ne", "lt", "le", "gt", "ge", "not_equal", "less", "less_equal",
        "greater", "greater_equal", "isclose", "allclose", "equal"]},
    **{n: (("x",), {}) for n in [
        "neg", "negative", "positive", "square", "abs", "absolute", "sign", "floor", "ceil",
        "round", "trunc", "frac", "exp", "exp2", "expm1", "sin", "cos", "tan", "atan", "arctan",
        "sinh", "cosh", "tanh", "sigmoid", "relu", "erf", "erfc", "clone", "isnan", "isinf",
        "isfinite", "logical_not", "sum", "nansum", "mean", "nanmean", "prod", "var", "std",
        "var_mean", "std_mean", "max", "min", "amax", "amin", "argmax", "argmin", "norm", "all",
        "any", "median", "count_nonzero", "t", "trace", "fliplr", "flipud", "tril", "triu",
        "nonzero", "diagonal", "detach", "numel", "is_floating_point", "nan_to_num",
        "zero_"]},
    **{n: (("p",), {}) for n in ["log", "log1p", "log2", "log10", "sqrt", "rsqrt",
                                 "reciprocal"]},
    **{n: (("u",), {}) for n in ["asin", "acos", "arcsin", "arccos"]},
    **{n: (("u",), {}) for n in ["asinh", "atanh", "arcsinh", "arctanh"]},
    **{n: (("ge1",), {}) for n in ["acosh", "arccosh"]},
    "copysign": (("x", "y"), {}),
    "bitwise_left_shift": (("i", "j"), {}),
    "bitwise_right_shift": (("i", "j"), {}),
    "cummax": (("x", 1), {}),
    "cummin": (("x", 0), {}),
    "logcumsumexp": (("x", 1), {}),
    "scatter_reduce": (("x", 1, "idx", "src32", "amax"), {}),
    # NumPy-style breadth
    **{n: (("x", "y"), {}) for n in ["hypot", "logaddexp2", "fmax", "fmin", "xlogy"]},
    **{n: (("x",), {}) for n in ["deg2rad", "rad2deg", "sinc", "signbit", "isneginf", "isposinf",
                                 "isreal", "is_signed", "sgn", "fix", "ravel", "msort",
                                 "atleast_1d", "atleast_2d", "atleast_3d", "diagflat"]},
    "float_power": (("p", "y"), {}),
    "heaviside": (("x", "y"), {}),
    "gcd": (("i", "j"), {}),
    "lcm": (("i", "j"), {}),
    "is_nonzero": (("x0",), {}),
    "is_same_size": (("x", "y"), {}),
    "moveaxis": (("b", 0, 2), {}),
    "tensor_split": (("x", 3, 1), {}),
    "hsplit": (("x", 2), {}),
    "vsplit": (("x", [1]), {}),
    "dsplit": (("b", 2), {}),
    "column_stack": ((["x", "y"],), {}),
    "dstack": ((["x", "y"],), {}),
    "row_stack": ((["x", "y"],), {}),
    "rot90": (("b", 1, (1, 2)), {}),
    "select": (("b", 1, -1), {}),
    "vdot": (("row", "row"), {}),
    "kron": (("x", "src23"), {}),
    "tensordot": (("b", "b2"), {"dims": ([1, 2], [2, 1])}),
    "trapezoid": (("x",), {"dx": 0.5}),
    "trapz": (("x", "y"), {"dim": 0}),
    "cumulative_trapezoid": (("x",), {"dim": 0}),
    "take": (("x", "idx"), {}),
    "argwhere": (("mask",), {}),
    "isin": (("i", "j"), {}),
    "searchsorted": (("srt", "x"), {}),
    "bucketize": (("x", "srt"), {"right": True}),
    "cartesian_prod": (("col", "row"), {}),
    "broadcast_shapes": (((3, 1), (4,)), {}),
    "logit": (("pr",), {}),
    "pow": (("p", "y"), {}),
    "lerp": (("x", "y", 0.3), {}),
    "addcmul": (("x", "y", "p"), {"value": 0.5}),
    "addcdiv": (("x", "y", "p"), {"value": 0.5}),
    "clamp": (("x", -0.5, 0.5), {}),
    "clip": (("x", -0.5, 0.5), {}),
    "clamp_min": (("x", -0.2), {}),
    "clamp_max": (("x", 0.2), {}),
    "where": (("mask", "x", "y"), {}),
    "softmax": (("x", 1), {}),
    "log_softmax": (("x", 0), {}),
    "logical_and": (("x", "mask"), {}),
    "logical_or": (("x", "mask"), {}),
    "logical_xor": (("x", "mask"), {}),
    "bitwise_and": (("i", "j"), {}),
    "bitwise_or": (("i", "j"), {}),
    "bitwise_xor": (("i", "j"), {}),
    "bitwise_not": (("i",), {}),
    "__invert__": (("i",), {}),
    "logsumexp": (("x", 1), {}),
    "cumsum": (("x", 1), {}),
    "cumprod": (("x", 0), {}),
    "sort": (("x", 1), {}),
    "argsort": (("x", 1), {}),
    "topk": (("x", 2), {}),
    "unique": (("i",), {}),
    "bincount": (("bins",), {}),
    "matmul": (("x", "m43"), {}),
    "mm": (("x", "m43"), {}),
    "bmm": (("b", "b2"), {}),
    "mv": (("x", "row"), {}),
    "dot": (("row", "row"), {}),
    "inner": (("x", "x"), {}),
    "outer": (("col", "row"), {}),
    "ger": (("col", "row"), {}),
    "addmm": (("sq", "x", "m43"), {}),
    "addmv": (("col", "x", "row"), {}),
    "baddbmm": (("bsq", "b", "b2"), {}),
    "einsum": (("ij,jk->ik", "x", "m43"), {}),
    "cdist": (("x", "x"), {}),
    "det": (("sq",), {}),
    "logdet": (("sq",), {}),
    "slogdet": (("sq",), {}),
    "inverse": (("sq",), {}),
    "addr": (("x", "col", "row"), {"beta": 0.5, "alpha": 2.0}),
    "addbmm": (("sq", "b", "b2"), {}),
    "chain_matmul": (("x", "m43", "sq"), {}),
    "dist": (("x", "y", 3), {}),
    "cross": (("x", "y", 0), {}),
    "frobenius_norm": (("b", (1, 2)), {}),
    "cholesky": (("spd",), {}),
    "cholesky_solve": (("x", "lowf"), {}),
    "cholesky_inverse": (("lowf",), {}),
    "triangular_solve": (("x", "sq"), {}),
    "lu": (("sq",), {}),
    "lu_solve": (("x", "sq", "piv"), {}),
    "lu_unpack": (("sq", "piv"), {}),
    "geqrf": (("m43",), {}),
    "orgqr": (("m43", "col"), {}),
    "ormqr": (("m43", "col", "m43"), {}),
    **{n: (("sq", "sq"), {}) for n in ["lstsq", "symeig", "eig", "matrix_rank", "solve"]},
    "reshape": (("x", (4, 3)), {}),
    "view": (("x", 2, 6), {}),
    "view_as": (("x", "m43"), {}),
    "reshape_as": (("x", "m43"), {}),
    "flatten": (("b", 1), {}),
    "unflatten": (("x", 1, (2, 2)), {}),
    "squeeze": (("x0",), {}),
    "unsqueeze": (("x", 1), {}),
    "permute": (("b", (2, 0, 1)), {}),
    "transpose": (("b", 0, 2), {}),
    "swapaxes": (("b", 0, 2), {}),
    "swapdims": (("b", 0, 2), {}),
    "movedim": (("b", 0, 2), {}),
    "expand": (("row", 3, 4), {}),
    "expand_as": (("row", "x"), {}),
    "broadcast_to": (("row", (3, 4)), {}),
    "sum_to_size": (("x", 1, 4), {}),
    "repeat": (("x", 2, 1), {}),
    "repeat_interleave": (("x", 2), {"dim": 0}),
    "tile": (("x", (2,)), {}),
    "unfold": (("x", 1, 2, 1), {}),
    "split": (("x", 2, 1), {}),
    "chunk": (("x", 2, 1), {}),
    "unbind": (("x", 1), {}),
    "narrow": (("x", 1, 1, 2), {}),
    "flip": (("x", (0,)), {}),
    "roll": (("x", 1, 1), {}),
    "diff": (("x",), {"dim": 1}),
    "diag": (("row",), {}),
    "gather": (("x", 1, "idx"), {}),
    "take_along_dim": (("x", "idx", 1), {}),
    "index_select": (("x", 1, "sel"), {}),
    "masked_select": (("x", "mask"), {}),
    "masked_fill": (("x", "mask", 0.5), {}),
    "scatter": (("x", 1, "idx", "src32"), {}),
    "scatter_add": (("x", 1, "idx", "src32"), {}),
    "index_add": (("m43", 0, "sel", "src23"), {}),
    "fill_": (("x", 0.25), {}),
    "copy_": (("x", "row"), {}),
    "fill_diagonal_": (("x", 3.0), {}),
    "cat": ((["x", "y"], 1), {}),
    "concat": ((["x", "y"], 0), {}),
    "concatenate": ((["x", "y"], 0), {}),
    "stack": ((["x", "y"], 1), {}),
    "hstack": ((["x", "y"],), {}),
    "vstack": ((["x", "y"],), {}),
    "meshgrid": (("col", "row"), {"indexing": "ij"}),
    "broadcast_tensors": (("x", "row"), {}),
    "detach_": (("x",), {}),
}
# random ops: shapes and dtypes only (the generators differ)
RANDOM = {"uniform_", "normal_", "bernoulli_", "bernoulli", "multinomial"}
RANDOM_CASES = {"uniform_": ("x",), "normal_": ("x",), "bernoulli_": ("x",), "bernoulli": ("pr",),
                "multinomial": ("p", 2)}
# in-place forms applied where PyTorch gives the result a different dtype than self's
NO_INPLACE_VALUE = {"eq", "ne", "lt", "le", "gt", "ge", "not_equal", "less", "less_equal",
                    "greater", "greater_equal", "logical_not", "logical_and", "logical_or",
                    "logical_xor", "floor_divide"}

# PyTorch records these but its backward raises "derivative ... is not implemented"; ember's
# floor_divide is div(rounding_mode="floor"), whose gradient is zero
NO_GRAD_IN_TORCH = {"floor_divide", "heaviside", "sgn"}  # heaviside: no derivative; sgn: ZeroTensor
# PyTorch has no derivative for these in-place forms ("not implemented"); ember's is the
# out-of-place one, checked by the other forms
NO_INPLACE_GRAD_IN_TORCH = {"asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh"}
# PyTorch's slogdet keeps the sign output in the graph (zero gradient); ember's sign is a
# constant, which changes nothing but its requires_grad flag
SIGN_IN_GRAPH = {"slogdet"}
# geqrf: PyTorch records it, but its backward raises "not implemented"
NO_GRAD_IN_TORCH = NO_GRAD_IN_TORCH | {"geqrf"}
# removed from PyTorch: the names remain and raise RuntimeError (tested apart)
REMOVED = {"lstsq", "symeig", "eig", "matrix_rank", "solve"}


def _convert(lib, value, grad: bool):
    if isinstance(value, list):
        return [_convert(lib, v, grad) for v in value]
    if isinstance(value, str) and value in ARRAYS:
        arr = ARRAYS[value]
        t = lib.tensor(arr.copy())
        if grad and value in FLOATS:
            t.requires_grad_(True)
        return t
    return value


def _leaves(args) -> list:
    out = []
    for a in args:
        if isinstance(a, list):
            out += _leaves(a)
        elif hasattr(a, "requires_grad") and a.requires_grad:
            out.append(a)
    return out


def _outputs(result) -> list:
    if isinstance(result, (tuple, list)):
        return [r for x in result for r in _outputs(x)]
    return [result]


def _check_same(e, t, what: str) -> None:
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), what
        assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], what
        assert tuple(e.shape) == tuple(t.shape), what
        if what.split()[0] not in SIGN_IN_GRAPH:
            assert e.requires_grad == t.requires_grad, what
        np.testing.assert_allclose(e.detach().numpy().astype(np.float64),
                                   t.detach().numpy().astype(np.float64),
                                   rtol=1e-6, atol=1e-8, err_msg=what)
    else:
        assert e == t or (isinstance(t, float) and np.isclose(e, t)), what


def _run(lib, name: str, form: str, grad: bool):
    """Call one form of ``name``; return (outputs, gradients of the float leaves)."""
    args, kwargs = CASES[name]
    args = [_convert(lib, a, grad) for a in args]
    leaves = _leaves(args)
    if name.endswith("_") and grad and args[0].requires_grad:
        args[0] = args[0].clone()  # an in-place op: on a copy, so that leaves stay leaves
    if form == "f":
        result = getattr(lib, name)(*args, **kwargs)
    elif form == "m" and name == "where":  # x.where(condition, y)
        result = args[1].where(args[0], *args[2:])
    elif form == "m":
        result = getattr(args[0], name)(*args[1:], **kwargs)
    else:  # in-place on a copy, so that leaves stay leaves
        target = args[0].clone() if grad and args[0].requires_grad else args[0]
        result = getattr(target, name + "_")(*args[1:], **kwargs)
        assert result is target
    outs = _outputs(result)
    grads = None
    # outputs weighted by position, so that a gradient routed to the wrong output shows
    diff = [(k, o) for k, o in enumerate(outs) if isinstance(o, lib.Tensor) and o.requires_grad]
    if grad and diff and leaves:
        total = sum((o.double() * (k + 1)).sum() for k, o in diff)
        grads = lib.autograd.grad(total, leaves, allow_unused=True)
    return outs, grads


def _compare(name: str, form: str, grad: bool) -> None:
    e_out, e_grads = _run(ember, name, form, grad)
    t_out, t_grads = _run(torch, name, form, grad)
    assert len(e_out) == len(t_out)
    for e, t in zip(e_out, t_out):
        _check_same(e, t, f"{name} [{form}]")
    assert (e_grads is None) == (t_grads is None), f"{name} [{form}] gradients"
    for e, t in zip(e_grads or (), t_grads or ()):
        if t is None:
            assert e is None or not e.detach().numpy().any(), name
        else:
            _check_same(e, t, f"{name} [{form}] gradient")


def test_every_entry_has_a_case():
    assert set(OPS) <= set(CASES) | RANDOM


def test_every_form_exists_in_pytorch_and_in_ember():
    for name, entry in OPS.items():
        if "f" in entry.forms:
            assert hasattr(torch, name), name
            assert getattr(ember, name) is entry.fn, name
        if "m" in entry.forms:
            assert hasattr(torch.Tensor, name), name
            assert getattr(ember.Tensor, name) is (entry.method or entry.fn), name
        if "i" in entry.forms:
            assert hasattr(torch.Tensor, name + "_"), name
            assert hasattr(ember.Tensor, name + "_"), name
        if "I" in entry.forms:
            assert hasattr(torch, name + "_") and hasattr(ember, name + "_"), name
    for dunder in list(OPERATORS) + list(INPLACE_OPERATORS):
        assert hasattr(torch.Tensor, dunder) and dunder in vars(ember.Tensor), dunder


FORMS = [(name, form) for name, entry in OPS.items() if name not in RANDOM | REMOVED
         for form in "fmi" if form in entry.forms]


@pytest.mark.parametrize(("name", "form"), FORMS, ids=[f"{n}-{f}" for n, f in FORMS])
def test_form_agrees_with_pytorch_values_dtypes_and_gradients(name, form):
    if form == "i" and name in NO_INPLACE_VALUE:
        pytest.skip("in-place result cast back to self's dtype; covered by the value forms")
    _compare(name, form, grad=False)
    if name not in NO_GRAD_IN_TORCH and not (form == "i" and name in NO_INPLACE_GRAD_IN_TORCH):
        _compare(name, form, grad=True)


@pytest.mark.parametrize("name", sorted(REMOVED))
def test_removed_names_raise_runtime_error_in_every_form(name):
    for lib in (ember, torch):
        a = lib.tensor(ARRAYS["sq"])
        with pytest.raises(RuntimeError, match="removed"):
            getattr(lib, name)(a, a)
        if "m" in OPS[name].forms:
            with pytest.raises(RuntimeError, match="removed"):
                getattr(a, name)(a)


@pytest.mark.parametrize("name", sorted(RANDOM))
def test_random_forms_give_pytorchs_shapes_and_dtypes(name):
    outs = []
    for lib in (ember, torch):
        args = [_convert(lib, a, False) for a in RANDOM_CASES[name]]
        outs.append(getattr(args[0], name)(*args[1:]))
    assert tuple(outs[0].shape) == tuple(outs[1].shape)
    assert str(outs[0].dtype).split(".")[-1] == str(outs[1].dtype).split(".")[-1]


def _modulo(lib, name: str, form: str, a, b):
    fn = getattr(lib, name)
    if form == "operator":
        return a % b if name == "remainder" else fn(a, b)
    if form == "scalar operator":
        return a % 2.0 if name == "remainder" else fn(a, 2.0)
    if form == "function":
        return fn(a, b)
    if form == "method":
        return getattr(a, name)(b)
    if form == "scalar method":
        return getattr(a, name)(-2.5)
    return getattr(a * 1, name + "_")(b)


@pytest.mark.parametrize("form", ["operator", "scalar operator", "function", "method",
                                  "scalar method", "inplace"])
@pytest.mark.parametrize("name", ["remainder", "fmod"])
def test_remainder_and_fmod_differentiate_in_every_form(name, form):
    grads = []
    for lib in (ember, torch):
        a = lib.tensor([5.3, -5.3, 2.0, -7.5], dtype=lib.float64, requires_grad=True)
        b = lib.tensor([2.0, 2.0, -3.0, 2.5], dtype=lib.float64, requires_grad=True)
        out = _modulo(lib, name, form, a, b)
        (out * lib.arange(1, 5, dtype=lib.float64)).sum().backward()
        grads.append((out.detach().numpy().copy(), a.grad, b.grad))
    (e_out, e_ga, e_gb), (t_out, t_ga, t_gb) = grads
    np.testing.assert_allclose(e_out, t_out, rtol=1e-12)
    for e, t in ((e_ga, t_ga), (e_gb, t_gb)):
        assert (e is None) == (t is None)
        if t is not None:
            np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-12)


def test_modulo_of_a_scalar_keeps_the_tensor_dtype_as_torch():
    for x in (ember.tensor([5, -3]), ember.tensor([5.5, -3.0])):
        xt = torch.tensor(x.numpy())
        for other in (2, 2.5):
            assert str((x % other).dtype)[-5:] == str((xt % other).dtype)[-5:]
            assert str((other % x).dtype)[-5:] == str((other % xt).dtype)[-5:]

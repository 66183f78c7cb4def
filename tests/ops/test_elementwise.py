"""Elementwise ops: values and gradients against PyTorch, gradcheck in float64, promotion."""

from __future__ import annotations

import operator

import numpy as np
import pytest

import ember
from helpers import assert_close, check_op, check_parity, gradcheck64, torch

BINARY_SHAPES = [
    [(3, 4), (3, 4)],
    [(3, 4), (4,)],
    [(2, 1, 4), (3, 1)],
    [(), (2, 3)],
    [(5,), ()],
]

BINARY = {
    "add": lambda lib, a, b: lib.add(a, b),
    "sub": lambda lib, a, b: lib.sub(a, b),
    "mul": lambda lib, a, b: lib.mul(a, b),
    "div": lambda lib, a, b: lib.div(a, b + 3),
    "maximum": lambda lib, a, b: lib.maximum(a, b),
    "minimum": lambda lib, a, b: lib.minimum(a, b),
    "add_op": lambda lib, a, b: a + b,
    "sub_op": lambda lib, a, b: a - b,
    "mul_op": lambda lib, a, b: a * b,
    "div_op": lambda lib, a, b: a / (b + 3),
    "add_alpha": lambda lib, a, b: lib.add(a, b, alpha=2),
    "sub_alpha": lambda lib, a, b: a.sub(b, alpha=0.5),
    "lerp": lambda lib, a, b: lib.lerp(a, b, 0.3),
    "where": lambda lib, a, b: lib.where(a > b, a, b),
}


@pytest.mark.parametrize("shapes", BINARY_SHAPES, ids=str)
@pytest.mark.parametrize("name", list(BINARY))
def test_binary_matches_torch(name, shapes):
    check_op(shapes, BINARY[name])


def test_pow_matches_torch():
    check_op([(3, 4), (3, 4)], lambda lib, a, b: lib.pow(a, b), positive=True)
    check_op([(3, 4), (4,)], lambda lib, a, b: a**b, positive=True)
    check_op([(3, 4)], lambda lib, a: a**2)
    check_op([(3, 4)], lambda lib, a: a**0.5, positive=True)
    check_op([(3, 4)], lambda lib, a: a**-1.5, positive=True)
    check_op([(3, 4)], lambda lib, a: 2.0**a)
    check_op([(3, 4)], lambda lib, a: a.pow(3))
    check_op([(3,)], lambda lib, a: a**0)


def test_pow_gradient_at_zero_base_matches_torch():
    arrays = [np.array([0.0, 1.0, 2.0], np.float32), np.array([2.0, 0.0, 1.5], np.float32)]
    check_op(None, lambda lib, a, b: a**b, arrays=arrays)


UNARY = {
    "neg": (lambda lib, a: lib.neg(a), False),
    "neg_op": (lambda lib, a: -a, False),
    "exp": (lambda lib, a: lib.exp(a), False),
    "log": (lambda lib, a: lib.log(a), True),
    "log1p": (lambda lib, a: lib.log1p(a), True),
    "expm1": (lambda lib, a: lib.expm1(a), False),
    "sqrt": (lambda lib, a: lib.sqrt(a), True),
    "rsqrt": (lambda lib, a: lib.rsqrt(a), True),
    "abs": (lambda lib, a: lib.abs(a), False),
    "abs_op": (lambda lib, a: abs(a), False),
    "sign": (lambda lib, a: lib.sign(a), False),
    "sin": (lambda lib, a: lib.sin(a), False),
    "cos": (lambda lib, a: lib.cos(a), False),
    "tan": (lambda lib, a: lib.tan(a * 0.5), False),
    "tanh": (lambda lib, a: lib.tanh(a), False),
    "sigmoid": (lambda lib, a: lib.sigmoid(a), False),
    "relu": (lambda lib, a: lib.relu(a), False),
    "clamp": (lambda lib, a: lib.clamp(a, -0.5, 0.7), False),
    "clamp_min": (lambda lib, a: lib.clamp(a, min=-0.5), False),
    "clamp_max": (lambda lib, a: a.clamp(max=0.5), False),
    "clip": (lambda lib, a: lib.clip(a, -1, 1), False),
    "floor": (lambda lib, a: lib.floor(a), False),
    "ceil": (lambda lib, a: lib.ceil(a), False),
    "round": (lambda lib, a: lib.round(a), False),
    "trunc": (lambda lib, a: lib.trunc(a), False),
    "frac": (lambda lib, a: lib.frac(a), False),
    "reciprocal": (lambda lib, a: lib.reciprocal(a), True),
    "square": (lambda lib, a: lib.square(a), False),
    "maximum_scalar_tensor": (lambda lib, a: lib.maximum(a, lib.tensor(0.0)), False),
}


@pytest.mark.parametrize("shape", [(3, 4), (), (2, 3, 2)], ids=str)
@pytest.mark.parametrize("name", list(UNARY))
def test_unary_matches_torch(name, shape):
    fn, positive = UNARY[name]
    check_op([shape], fn, positive=positive)


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_method_form_matches_function(name):
    method = {"neg_op": None, "abs_op": None, "maximum_scalar_tensor": None}
    if name in method or name.startswith("clamp") or name == "clip":
        pytest.skip("no plain method form")
    x = ember.tensor([[0.3, 1.2], [2.5, 0.7]])
    assert_close(getattr(x, name)(), getattr(ember, name)(x))


GRADCHECK = {
    "add": (lambda a, b: a + b, [(2, 3), (3,)]),
    "sub": (lambda a, b: a - b, [(2, 3), ()]),
    "mul": (lambda a, b: a * b, [(2, 1, 3), (2, 3)]),
    "div": (lambda a, b: a / (b * b + 1), [(2, 3), (2, 3)]),
    "pow": (lambda a, b: (a * a + 0.5) ** b, [(2, 3), (3,)]),
    "pow_scalar": (lambda a: a**3, [(4,)]),
    "rpow": (lambda a: 1.5**a, [(4,)]),
    "exp": (lambda a: a.exp(), [(2, 3)]),
    "log": (lambda a: (a * a + 1).log(), [(2, 3)]),
    "log1p": (lambda a: (a * a).log1p(), [(2, 3)]),
    "expm1": (lambda a: a.expm1(), [(2, 3)]),
    "sqrt": (lambda a: (a * a + 1).sqrt(), [(2, 3)]),
    "rsqrt": (lambda a: (a * a + 1).rsqrt(), [(2, 3)]),
    "abs": (lambda a: a.abs(), [(2, 3)]),
    "sin": (lambda a: a.sin(), [(2, 3)]),
    "cos": (lambda a: a.cos(), [(2, 3)]),
    "tan": (lambda a: (a * 0.5).tan(), [(2, 3)]),
    "tanh": (lambda a: a.tanh(), [(2, 3)]),
    "sigmoid": (lambda a: a.sigmoid(), [(2, 3)]),
    "relu": (lambda a: a.relu(), [(2, 3)]),
    "clamp": (lambda a: a.clamp(-0.5, 0.5), [(2, 3)]),
    "maximum": (lambda a, b: ember.maximum(a, b), [(2, 3), (3,)]),
    "minimum": (lambda a, b: ember.minimum(a, b), [(2, 3), (2, 1)]),
    "where": (lambda a, b: ember.where(a > 0, a, b), [(2, 3), (3,)]),
    "reciprocal": (lambda a: (a * a + 1).reciprocal(), [(2, 3)]),
    "square": (lambda a: a.square(), [(2, 3)]),
    "lerp": (lambda a, b: ember.lerp(a, b, 0.25), [(2, 3), (3,)]),
    "neg": (lambda a: -a, [(2, 3)]),
    "rsub": (lambda a: 1.0 - a, [(2, 3)]),
    "rdiv": (lambda a: 1.0 / (a * a + 1), [(2, 3)]),
}


@pytest.mark.parametrize("name", list(GRADCHECK))
def test_gradcheck(name):
    fn, shapes = GRADCHECK[name]
    gradcheck64(fn, shapes)


# ---------------------------------------------------------------------- dtype promotion
def test_int_tensor_plus_float_scalar_is_float32():
    x = ember.tensor([1, 2, 3])
    assert (x + 1.5).dtype == ember.float32
    assert (1.5 + x).dtype == ember.float32
    assert (x * 2.0).dtype == ember.float32
    assert (x + 1).dtype == ember.int64


def test_int_true_division_is_float32():
    x = ember.tensor([1, 2, 3])
    y = ember.tensor([2, 2, 2])
    assert (x / y).dtype == ember.float32
    assert (x / 2).dtype == ember.float32
    assert (2 / x).dtype == ember.float32
    assert_close(x / y, np.array([0.5, 1.0, 1.5]))


def test_float32_plus_float64_zero_dim_stays_float32():
    x = ember.ones(3)
    assert (x + ember.tensor(2.0, dtype=ember.float64)).dtype == ember.float32
    assert (x + ember.ones(3, dtype=ember.float64)).dtype == ember.float64


def test_int32_plus_int64_zero_dim_stays_int32():
    x = ember.ones(3, dtype=ember.int32)
    assert (x + ember.tensor(2)).dtype == ember.int32
    assert (x + ember.ones(3, dtype=ember.int64)).dtype == ember.int64


@pytest.mark.parametrize("a_dtype,b_dtype", [
    ("float32", "float64"), ("int64", "float32"), ("int32", "int64"), ("bool", "int64"),
    ("uint8", "int8"), ("bool", "float32"), ("int16", "float64"), ("float16", "float32"),
])
def test_binary_promotion_matches_torch(a_dtype, b_dtype):
    a = np.array([1, 0, 1]).astype(a_dtype)
    b = np.array([2, 1, 1]).astype(b_dtype)
    for fn in (lambda x, y: x + y, lambda x, y: x * y, lambda x, y: x / (y + 1)):
        e = fn(ember.from_numpy(a.copy()), ember.from_numpy(b.copy()))
        t = fn(torch.from_numpy(a.copy()), torch.from_numpy(b.copy()))
        assert e.dtype.name == str(t.dtype).replace("torch.", "")
        assert_close(e, t)


@pytest.mark.parametrize("scalar", [2, 2.5, True])
@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "float32", "float64", "bool"])
def test_scalar_promotion_matches_torch(dtype, scalar):
    a = np.array([1, 0, 1]).astype(dtype)
    for fn in (lambda x: x + scalar, lambda x: scalar * x, lambda x: x - scalar):
        try:
            t = fn(torch.from_numpy(a.copy()))
        except RuntimeError:  # torch refuses subtraction involving bools: so must ember
            with pytest.raises(RuntimeError, match="bool"):
                fn(ember.from_numpy(a.copy()))
            continue
        e = fn(ember.from_numpy(a.copy()))
        assert e.dtype.name == str(t.dtype).replace("torch.", ""), (dtype, scalar)
        assert_close(e, t)


@pytest.mark.parametrize("fn", ["exp", "sqrt", "sin", "sigmoid", "tanh", "log1p"])
def test_float_functions_of_int_tensors_give_float32(fn):
    x = ember.tensor([1, 2, 3])
    t = torch.tensor([1, 2, 3])
    e_out, t_out = getattr(ember, fn)(x), getattr(torch, fn)(t)
    assert e_out.dtype == ember.float32
    assert_close(e_out, t_out)


def test_integer_ops_keep_integer_dtype():
    x = ember.tensor([-2, 3])
    assert x.abs().dtype == ember.int64
    assert (-x).dtype == ember.int64
    assert x.clamp(0, 2).dtype == ember.int64
    assert x.sign().dtype == ember.int64
    assert (x**2).dtype == ember.int64
    assert ember.maximum(x, ember.tensor([0, 5])).tolist() == [0, 5]


def test_floor_division_and_remainder_match_torch():
    a = np.array([-7, 7, 5, -5])
    b = np.array([2, -2, 3, 3])
    ea, eb = ember.tensor(a), ember.tensor(b)
    ta, tb = torch.tensor(a), torch.tensor(b)
    assert (ea // eb).tolist() == (ta // tb).tolist()
    assert (ea % eb).tolist() == (ta % tb).tolist()
    assert ember.div(ea, eb, rounding_mode="trunc").tolist() == \
        torch.div(ta, tb, rounding_mode="trunc").tolist()
    assert ember.div(ea, eb, rounding_mode="floor").tolist() == \
        torch.div(ta, tb, rounding_mode="floor").tolist()


# ---------------------------------------------------------------------- reflected operators
@pytest.mark.parametrize("op", [
    lambda x: 2 + x, lambda x: 2 - x, lambda x: 2 * x, lambda x: 2 / x, lambda x: 2**x,
    lambda x: 2.5 - x, lambda x: 3 // x, lambda x: np.float32(2) * x,
])
def test_reflected_operators_match_torch(op):
    e, t = op(ember.tensor([1.0, 2.0, 4.0])), op(torch.tensor([1.0, 2.0, 4.0]))
    assert isinstance(e, ember.Tensor)
    assert_close(e, t)


def test_reflected_sub_and_div_gradients():
    check_op([(3,)], lambda lib, a: 1 - a)
    check_op([(3,)], lambda lib, a: 1 / (a + 3))


# ---------------------------------------------------------------------- comparisons, logic
@pytest.mark.parametrize("op", ["__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"])
def test_comparisons_match_torch(op):
    a = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]], np.float32)
    b = np.array([2.0, 2.0, 2.0], np.float32)
    e = getattr(ember.tensor(a), op)(ember.tensor(b))
    t = getattr(torch.tensor(a), op)(torch.tensor(b))
    assert e.dtype == ember.bool
    assert e.tolist() == t.tolist()
    assert getattr(ember.tensor(a), op)(2.0).tolist() == getattr(torch.tensor(a), op)(2.0).tolist()


def test_comparison_functions_and_methods():
    a, b = ember.tensor([1, 2, 3]), ember.tensor([3, 2, 1])
    assert ember.eq(a, b).tolist() == [False, True, False]
    assert a.gt(b).tolist() == [False, False, True]
    assert ember.le(a, 2).tolist() == [True, True, False]
    assert (2 < a).tolist() == [False, False, True]


def test_comparison_result_does_not_require_grad():
    x = ember.ones(3, requires_grad=True)
    assert not (x > 0).requires_grad


@pytest.mark.parametrize("op", [
    lambda a, b: a & b, lambda a, b: a | b, lambda a, b: a ^ b, lambda a, b: ~a,
])
@pytest.mark.parametrize("dtype", ["bool", "int64", "uint8"])
def test_bitwise_operators_match_torch(op, dtype):
    a = np.array([1, 0, 1, 0]).astype(dtype) if dtype == "bool" else np.array([5, 0, 3, 12],
                                                                               dtype=dtype)
    b = np.array([1, 1, 0, 0]).astype(dtype) if dtype == "bool" else np.array([3, 1, 6, 10],
                                                                              dtype=dtype)
    e = op(ember.from_numpy(a.copy()), ember.from_numpy(b.copy()))
    t = op(torch.from_numpy(a.copy()), torch.from_numpy(b.copy()))
    assert e.tolist() == t.tolist()
    assert e.dtype.name == str(t.dtype).replace("torch.", "")


def test_bitwise_on_float_raises_as_torch():
    with pytest.raises(NotImplementedError, match="bitwise_and"):
        ember.ones(2) & ember.ones(2)
    with pytest.raises(TypeError, match="invert"):  # the operator: Python's protocol error
        ~ember.ones(2)


# ---------------------------------------------------------------------- edge behaviour
def test_relu_gradient_at_zero_is_zero():
    x = ember.tensor([0.0, 1.0, -1.0], requires_grad=True)
    x.relu().sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]


def test_abs_gradient_at_zero_is_zero():
    x = ember.tensor([0.0, 2.0, -2.0], requires_grad=True)
    x.abs().sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, -1.0]


def test_clamp_gradient_passes_at_bounds_like_torch():
    arrays = [np.array([-1.0, -0.5, 0.0, 0.5, 1.0], np.float32)]
    check_op(None, lambda lib, a: a.clamp(-0.5, 0.5), arrays=arrays)


def test_maximum_ties_split_the_gradient_like_torch():
    arrays = [np.array([1.0, 2.0, 3.0], np.float32), np.array([1.0, 1.0, 3.0], np.float32)]
    check_op(None, lambda lib, a, b: lib.maximum(a, b), arrays=arrays)
    check_op(None, lambda lib, a, b: lib.minimum(a, b), arrays=arrays)


def test_clamp_with_tensor_bounds_matches_torch():
    check_op([(3, 4), (4,), (4,)], lambda lib, a, lo, hi: lib.clamp(a, lo - 1, hi + 1))


def test_clamp_without_bounds_raises():
    with pytest.raises(RuntimeError, match="min"):
        ember.clamp(ember.ones(2))


def test_sigmoid_is_stable_for_large_inputs():
    x = ember.tensor([-1000.0, 0.0, 1000.0])
    assert x.sigmoid().tolist() == [0.0, 0.5, 1.0]


def test_where_with_scalars_matches_torch():
    a = np.array([-1.0, 2.0, -3.0], np.float32)
    e = ember.where(ember.tensor(a) > 0, ember.tensor(a), 0.0)
    t = torch.where(torch.tensor(a) > 0, torch.tensor(a), 0.0)
    assert_close(e, t)
    assert e.dtype == ember.float32
    assert ember.tensor(a).where(ember.tensor(a) > 0, 1.0).tolist() == [1.0, 2.0, 1.0]


def test_where_with_one_argument_returns_nonzero_tuple():
    (idx,) = ember.where(ember.tensor([0, 3, 0, 5]))
    assert idx.tolist() == [1, 3]


def test_lerp_with_tensor_weight_matches_torch():
    check_op([(3, 4), (3, 4), (4,)], lambda lib, a, b, w: lib.lerp(a, b, w))


def test_binary_broadcast_failure_raises_runtime_error_naming_sizes():
    with pytest.raises(RuntimeError, match=r"3.*4|4.*3"):
        ember.ones(2, 3) + ember.ones(2, 4)


def test_second_derivative_of_tanh_matches_torch():
    xe = ember.tensor([0.3, -1.2], requires_grad=True)
    xt = torch.tensor([0.3, -1.2], requires_grad=True)
    (ge,) = ember.autograd.grad(xe.tanh().sum(), xe, create_graph=True)
    (gt,) = torch.autograd.grad(xt.tanh().sum(), xt, create_graph=True)
    ge.sum().backward()
    gt.sum().backward()
    assert_close(xe.grad, xt.grad)


@pytest.mark.parametrize("expr", [
    "2 ** L.tensor([1, 2])",
    "2.5 ** L.tensor([1, 2])",
    "2 ** L.tensor([1.0, 2.0], dtype=L.float64)",
    "L.tensor([1, 2]) ** 2.0",
    "L.tensor([1, 2]) // 2.0",
    "L.tensor([1.5, 2.5]) // 1",
    "L.tensor([5, 7]) % 3.0",
    "L.tensor([-5.5, 7.0]) % 3",
    "3 % L.tensor([2, 4])",
    "3 // L.tensor([2, 4])",
    "L.div(3.5, L.tensor([2, 4]), rounding_mode='trunc')",
    "L.tensor([1., 2.]).div(L.tensor([2, 3]), rounding_mode='trunc')",
    "L.tensor([-7]) // L.tensor([2.0])",
    "L.where(L.tensor([True, False]), L.tensor([1, 2]), 0.5)",
    "L.where(L.tensor([True, False]), 1.0, 0)",
    "L.where(L.tensor([True, False]), 1, 0)",
    "L.where(L.tensor([True, False]), 2, L.tensor([1.5, 2.5], dtype=L.float64))",
    "L.tensor([1, 2], dtype=L.int32) * L.tensor(2.0, dtype=L.float64)",
    "L.tensor([1.0], dtype=L.float16) + L.tensor(2.0)",
    "L.tensor(2.5) + L.tensor([1, 2], dtype=L.uint8)",
    "L.tensor([True, False]) * 2.5",
])
def test_scalar_and_mixed_promotion_cases_match_torch(expr):
    e = eval(expr, {"L": ember})
    t = eval(expr, {"L": torch})
    assert e.dtype.name == str(t.dtype).replace("torch.", ""), expr
    assert_close(e, t)


def test_div_with_unknown_rounding_mode_raises():
    with pytest.raises(RuntimeError, match="rounding_mode"):
        ember.div(ember.ones(2), 2, rounding_mode="round")


# ---------------------------------------------------------------------- beyond the core set
MORE_UNARY = {
    "asin": lambda lib, a: lib.asin(a * 0.4),
    "acos": lambda lib, a: lib.acos(a * 0.4),
    "atan": lambda lib, a: lib.atan(a),
    "sinh": lambda lib, a: lib.sinh(a),
    "cosh": lambda lib, a: a.cosh(),
    "log2": lambda lib, a: lib.log2(a.abs() + 0.1),
    "log10": lambda lib, a: (a.abs() + 0.1).log10(),
    "exp2": lambda lib, a: lib.exp2(a),
    "clamp_min": lambda lib, a: lib.clamp_min(a, 0.2),
    "clamp_max": lambda lib, a: a.clamp_max(0.2),
    "fmod": lambda lib, a: lib.fmod(a * 3, 1.5),
    "remainder": lambda lib, a: lib.remainder(a * 3, 1.5),
    "atan2": lambda lib, a: lib.atan2(a, a.flip(0) + 0.1),
}


@pytest.mark.parametrize("name", list(MORE_UNARY))
def test_more_math_matches_torch(name):
    check_op([(4, 3)], MORE_UNARY[name])
    gradcheck64(lambda a: MORE_UNARY[name](ember, a), [(2, 3)], seed=3)


def test_nan_to_num_and_floor_divide_match_torch():
    a = np.array([np.nan, np.inf, -np.inf, 1.5], np.float32)
    assert_close(ember.nan_to_num(ember.tensor(a)), torch.nan_to_num(torch.tensor(a)))
    assert_close(ember.tensor(a).nan_to_num(0.0, 9.0, -9.0),
                 torch.tensor(a).nan_to_num(0.0, 9.0, -9.0))
    assert ember.floor_divide(ember.tensor([7, -7]), 2).tolist() == [3, -4]


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor", "bitwise_and",
                                  "bitwise_or", "bitwise_xor"])
def test_logical_and_bitwise_functions_match_torch(name):
    a, b = np.array([True, True, False]), np.array([True, False, False])
    e = getattr(ember, name)(ember.tensor(a), ember.tensor(b))
    assert e.tolist() == getattr(torch, name)(torch.tensor(a), torch.tensor(b)).tolist()
    assert ember.bitwise_not(ember.tensor(a)).tolist() == [False, False, True]


@pytest.mark.parametrize("dtype", ["float64", "float16"])
@pytest.mark.parametrize("name", list(UNARY) + list(MORE_UNARY))
def test_unary_ops_preserve_float_dtype_like_torch(name, dtype):
    fn = UNARY[name][0] if name in UNARY else MORE_UNARY[name]
    a = np.abs(np.random.default_rng(0).uniform(0.2, 0.9, (2, 3))).astype(dtype)
    e, t = fn(ember, ember.from_numpy(a.copy())), fn(torch, torch.from_numpy(a.copy()))
    assert e.dtype.name == str(t.dtype).replace("torch.", "")
    tol = 1e-2 if dtype == "float16" else 1e-6
    assert_close(e, t.float(), atol=tol, rtol=tol)


@pytest.mark.parametrize("dtype", ["float64", "float16"])
@pytest.mark.parametrize("name", list(BINARY))
def test_binary_ops_preserve_float_dtype_like_torch(name, dtype):
    a, b = (np.random.default_rng(i).uniform(-1, 1, (2, 3)).astype(dtype) for i in (0, 1))
    e = BINARY[name](ember, ember.from_numpy(a.copy()), ember.from_numpy(b.copy()))
    t = BINARY[name](torch, torch.from_numpy(a.copy()), torch.from_numpy(b.copy()))
    assert e.dtype.name == str(t.dtype).replace("torch.", "")


# erf/erfc/logit (GELU written by hand, special.*) and addcmul/addcdiv (optimizers by hand)
@pytest.mark.parametrize("name", ["erf", "erfc"])
def test_erf_family_matches_torch(name):
    check_op([(3, 4)], lambda lib, a: getattr(lib, name)(a))
    check_op([(3, 4)], lambda lib, a: getattr(a, name)())
    gradcheck64(lambda a: getattr(ember, name)(a), [(3, 4)])


def test_gelu_written_with_erf_matches_f_gelu():
    import math

    check_op([(5,)], lambda lib, a: 0.5 * a * (1 + lib.erf(a / math.sqrt(2.0))))
    x = ember.randn(7)
    assert_close(0.5 * x * (1 + ember.erf(x / math.sqrt(2.0))), ember.nn.functional.gelu(x))


@pytest.mark.parametrize("eps", [None, 1e-3])
def test_logit_matches_torch(eps):
    check_op([(3, 4)], lambda lib, a: lib.logit(a, eps=eps), low=0.05, high=0.95)
    check_op([(3, 4)], lambda lib, a: lib.special.logit(a), low=0.05, high=0.95)
    gradcheck64(lambda a: ember.logit(a), [(3,)], low=0.1, high=0.9)


@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
@pytest.mark.parametrize("value", [1, 0.5])
def test_addcmul_addcdiv_match_torch(name, value):
    check_op([(3, 4), (3, 4), (4,)], lambda lib, a, b, c: getattr(lib, name)(a, b, c, value=value),
             positive=True)
    check_op([(3, 4), (3, 4), (4,)], lambda lib, a, b, c: getattr(a, name)(b, c, value=value),
             positive=True)
    gradcheck64(lambda a, b, c: getattr(ember, name)(a, b, c, value=value),
                [(3, 4), (3, 4), (4,)], positive=True)


@pytest.mark.parametrize("name", ["addcmul_", "addcdiv_", "erf_"])
def test_inplace_forms_match_torch(name):
    a = np.random.default_rng(0).uniform(0.5, 2, size=(2, 3)).astype(np.float32)
    args = [] if name == "erf_" else [np.full((2, 3), 2.0, np.float32), np.ones(3, np.float32)]
    got = getattr(ember.tensor(a), name)(*[ember.tensor(x) for x in args])
    want = getattr(torch.tensor(a), name)(*[torch.tensor(x) for x in args])
    assert_close(got, want)


def test_special_namespace_matches_torch():
    check_op([(2, 3)], lambda lib, a: lib.special.expit(a))
    check_op([(2, 3)], lambda lib, a: lib.special.erf(a))
    check_op([(2, 3)], lambda lib, a: lib.special.logsumexp(a, 1))
    check_op([(2, 3)], lambda lib, a: lib.special.softmax(a, 1))


@pytest.mark.parametrize("scalar", [np.float64(0.5), np.float32(0.5), np.int64(2)])
@pytest.mark.parametrize("fn", [
    lambda lib, x, s: x ** s, lambda lib, x, s: s ** x, lambda lib, x, s: x.clamp(min=s),
    lambda lib, x, s: x.clamp(max=s), lambda lib, x, s: lib.clamp(x, -s, s),
    lambda lib, x, s: x * s,
    lambda lib, x, s: lib.where(x > 0, x, s),
])
def test_numpy_scalars_act_as_python_scalars_for_dtype(fn, scalar):
    # mixup's `lam = np.random.beta(...)` or a NumPy-computed exponent must not turn float32
    # activations into float64 (NumPy promotes with its own scalars; PyTorch does not)
    for dtype in (np.float32, np.int64):
        x = np.array([0.5, 1.0, 2.0]).astype(dtype)
        got, want = fn(ember, ember.tensor(x), scalar), fn(torch, torch.tensor(x), scalar)
        assert got.dtype.name == str(want.dtype).split(".")[-1], (dtype, scalar)
        assert_close(got, want)


def test_logaddexp_matches_torch_and_is_stable():
    check_op([(3, 4), (4,)], lambda lib, a, b: lib.logaddexp(a, b))
    check_op([(3, 4), (3, 4)], lambda lib, a, b: a.logaddexp(b))
    gradcheck64(lambda a, b: ember.logaddexp(a, b), [(3,), (3,)])
    big = ember.logaddexp(ember.tensor([1000.0, -1000.0]), ember.tensor([1000.0, -1000.0]))
    assert_close(big, torch.logaddexp(torch.tensor([1000.0, -1000.0]),
                                      torch.tensor([1000.0, -1000.0])))


def test_sinh_cosh_stay_finite_near_float32_limit_like_torch():
    x = ember.tensor([89.0, -89.0])
    t = torch.tensor([89.0, -89.0])
    assert_close(ember.sinh(x), torch.sinh(t), rtol=1e-6)
    assert_close(ember.cosh(x), torch.cosh(t), rtol=1e-6)


def test_rounded_division_stays_in_graph_with_zero_gradient():
    x = ember.tensor([3.5, -2.5], requires_grad=True)
    y = ember.div(x, 2, rounding_mode="floor")
    assert y.requires_grad and y.tolist() == [1.0, -2.0]
    (y.sum() + x.sum()).backward()
    assert x.grad.tolist() == [1.0, 1.0]


# ---------------------------------------------------------------- inverse hyperbolic, copysign
@pytest.mark.parametrize("name", ["asinh", "atanh", "arcsinh", "arctanh"])
def test_inverse_hyperbolic_matches_torch(name):
    check_op([(3, 4)], lambda lib, a: getattr(lib, name)(a), low=-0.9, high=0.9)


def test_acosh_matches_torch_and_gradcheck():
    check_op([(3, 4)], lambda lib, a: lib.acosh(a), low=1.1, high=4.0)
    check_op([(3, 4)], lambda lib, a: lib.arccosh(a), low=-1.0, high=0.9, grad=False)  # nan
    gradcheck64(ember.acosh, [(3,)], low=1.2, high=3.0)
    gradcheck64(ember.asinh, [(3,)])
    gradcheck64(ember.atanh, [(3,)], low=-0.8, high=0.8)


def test_copysign_matches_torch():
    check_op([(3, 4), (3, 4)], lambda lib, a, b: lib.copysign(a, b))
    check_op([(3, 4), (4,)], lambda lib, a, b: a.copysign(b))
    check_op([(3, 4)], lambda lib, a: lib.copysign(a, -1))
    for m in (ember, torch):
        z = m.copysign(m.tensor([1, -2, 0]), m.tensor([-0.0, 1.0, -1.0]))
        np.testing.assert_array_equal(z.numpy(), [-1.0, 2.0, -0.0])
        assert str(z.dtype).endswith("float32")
    gradcheck64(lambda a, b: ember.copysign(a, b), [(4,), (4,)], second_order=False)


def test_copysign_gradient_is_zero_at_zero_as_torch():
    check_op(None, lambda lib, a, b: lib.copysign(a, b),
             arrays=[np.array([0.0, 1.0, -2.0], np.float32), np.array([-1.0, -1.0, 1.0],
                                                                       np.float32)])


# ---------------------------------------------------------------- shifts, promotion
@pytest.mark.parametrize("op", [operator.lshift, operator.rshift])
def test_shifts_match_torch(op):
    data = [[-1, -3, 1, 7], [0, -2**31, 2**31 - 1, -1]]
    for count in (0, 2, 31, 32, 40, -1):
        e = op(ember.tensor(data, dtype=ember.int32), count)
        t = op(torch.tensor(data, dtype=torch.int32), count)
        np.testing.assert_array_equal(e.numpy(), t.numpy())
        assert e.dtype == ember.int32
    e = ember.tensor([1, 2, 3]).bitwise_left_shift(ember.tensor([0, 2, 4]))
    np.testing.assert_array_equal(e.numpy(), [1, 8, 48])
    with pytest.raises(RuntimeError):
        op(ember.tensor([1.0]), 2)
    with pytest.raises(RuntimeError):
        op(ember.tensor([1]), ember.tensor([1.0]))


def test_inplace_shift_operator():
    x = ember.tensor([1, 2], dtype=ember.int32)
    x <<= 3
    np.testing.assert_array_equal(x.numpy(), [8, 16])


def test_maximum_of_bool_and_int_promotes_as_torch():
    for a, b in [([True, False], 3), ([1, 2], True)]:
        e = ember.maximum(ember.tensor(a), ember.tensor(b))
        t = torch.maximum(torch.tensor(a), torch.tensor(b))
        assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        np.testing.assert_array_equal(e.numpy(), t.numpy())
    assert (ember.tensor([True]) + ember.tensor(2)).dtype == ember.int64


def test_pow_tensor_zero_exponent_gradient_is_zero_at_zero_base():
    check_op(None, lambda lib, a, b: a ** b,
             arrays=[np.array([0.0, 2.0, 0.0], np.float32), np.array([0.0, 0.0, 2.0],
                                                                      np.float32)])
def test_erf_fallback_without_scipy_is_float32_accurate():
    from ember.ops.transcendental import _erf_rational

    x = np.linspace(-6, 6, 4001).astype(np.float32)
    ref = torch.erf(torch.tensor(x)).numpy()
    np.testing.assert_allclose(_erf_rational(x), ref, atol=1e-6)
    tail = np.array([-5.0, -4.0, -3.0])  # 1 + erf keeps its relative precision in the tail
    rel = (1 + _erf_rational(tail)) / (1 + torch.erf(torch.tensor(tail)).numpy())
    np.testing.assert_allclose(rel, 1.0, rtol=1e-6)
# ---------------------------------------------------------------- promotion (issue 10, fuzzer)
def test_number_first_is_not_cast_to_a_bool_tensors_dtype():
    b = [True, False]
    check_parity(lambda lib: -3 / lib.tensor(b))
    check_parity(lambda lib: lib.mul(-3, lib.tensor(b)))
    check_parity(lambda lib: lib.add(lib.tensor(-3), lib.tensor(b)))
    check_parity(lambda lib: 2 - lib.tensor([1, 2], dtype=lib.int32))
    check_parity(lambda lib: 2.5 ** lib.tensor([1, 2]))


def test_numpy_scalars_promote_as_python_numbers():
    x = [1.0, 2.0]
    check_parity(lambda lib: lib.tensor(x, dtype=lib.float64) + np.float64(0.1))
    check_parity(lambda lib: lib.tensor(x) * np.float64(0.1))
    check_parity(lambda lib: lib.tensor([1, 2]) + np.float16(0.5))
    check_parity(lambda lib: lib.tensor([1, 2], dtype=lib.uint8) + np.int64(3))
    check_parity(lambda lib: np.bool_(True) + lib.tensor([True, False]))


def test_zero_dim_tensors_lift_only_across_categories():
    check_parity(lambda lib: lib.tensor([1, 2], dtype=lib.int32) + lib.tensor(1.5).double())
    check_parity(lambda lib: lib.tensor([1.0], dtype=lib.float16) + lib.tensor(1.5).double())
    check_parity(lambda lib: lib.tensor(1, dtype=lib.int32) + lib.tensor(200, dtype=lib.uint8))


def test_mixed_float_rounded_division_promotes():
    a, b = [7.0, -7.0], [2.0, 2.0]
    check_parity(lambda lib: lib.tensor(a) // lib.tensor(b, dtype=lib.float64))
    check_parity(lambda lib: lib.tensor(a) % lib.tensor(b, dtype=lib.float64))
    for mode in ("floor", "trunc"):
        check_parity(lambda lib, mode=mode: lib.div(lib.tensor(a), lib.tensor(b).double(),
                                                    rounding_mode=mode))


def test_integer_floor_division_by_zero_raises():
    check_parity(lambda lib: lib.tensor([1, 2]) // 0)
    check_parity(lambda lib: lib.tensor([1, 2]) // lib.tensor([1, 0]))
    check_parity(lambda lib: lib.div(lib.tensor([1, 2]), 0, rounding_mode="trunc"))
    check_parity(lambda lib: lib.tensor([1.0, -1.0]) // 0)  # floats divide to +-inf


def test_add_alpha_scales_in_the_promoted_dtype():
    check_parity(lambda lib: lib.add(lib.tensor(1, dtype=lib.int32),
                                     lib.tensor(200, dtype=lib.uint8), alpha=2))
    check_parity(lambda lib: lib.sub(lib.tensor([1, 2]), lib.tensor([1, 1]), alpha=1.5))


def test_none_operand_raises_type_error():
    check_parity(lambda lib: lib.tensor([1.0]) + None)
    check_parity(lambda lib: lib.add(lib.tensor([1.0]), None))


def test_integer_pow_with_negative_integer_tensor_exponents():
    base, exp = [1, -1, 2, 0, -1, 3], [-1, -3, -2, 2, -2, 0]
    check_parity(lambda lib: lib.tensor(base) ** lib.tensor(exp))
    check_parity(lambda lib: lib.tensor([True, False]) ** lib.tensor([-2, 1]))
    check_parity(lambda lib: lib.tensor([2]) ** -1)  # a negative scalar exponent raises


def test_pow_promotes_like_torch():
    check_parity(lambda lib: 2 ** lib.tensor([1, 2], dtype=lib.int32))
    check_parity(lambda lib: 2.5 ** lib.tensor([1, 2]))
    check_parity(lambda lib: lib.tensor([1, 2]) ** 0.5)
    check_parity(lambda lib: lib.tensor([1.0, 2.0]) ** np.float64(2.0))


def test_square_and_sign_of_bool():
    check_parity(lambda lib: lib.square(lib.tensor([True, False])))
    check_parity(lambda lib: lib.sign(lib.tensor([True, False])))


def test_floor_divide_backward_raises_but_rounded_div_has_zero_gradient():
    def floor_divide(lib):
        x = lib.tensor([3.5, -2.5], requires_grad=True)
        y = x // 2
        assert y.requires_grad
        y.sum().backward()

    check_parity(floor_divide)

    def rounded(lib):
        x = lib.tensor([3.5, float("inf")], requires_grad=True)
        lib.div(x, 2, rounding_mode="trunc").sum().backward()
        return x.grad

    check_parity(rounded)


def test_integer_trunc_division_is_exact():
    check_parity(lambda lib: lib.div(lib.tensor([2**62 + 1, -7]), lib.tensor([3, 2]),
                                     rounding_mode="trunc"))


def test_where_promotes_its_values_like_a_binary_op():
    cond = [True, False]
    check_parity(lambda lib: lib.where(lib.tensor(cond), np.float16(0.25),
                                       lib.tensor([1, 2], dtype=lib.int32)))
    check_parity(lambda lib: lib.where(lib.tensor(cond), -3, lib.tensor(cond)))
    check_parity(lambda lib: lib.where(lib.tensor(cond), 1, 2.5))
    check_parity(lambda lib: lib.where(lib.tensor(cond), lib.tensor(1.5).double(),
                                       lib.tensor([1.0, 2.0])))


def test_atan2_promotes_integers_with_a_float64_zero_dim_tensor():
    check_parity(lambda lib: lib.atan2(lib.tensor([1, 2], dtype=lib.uint8),
                                       lib.tensor(1.0).double()), rtol=1e-7)


def test_lerp_checks_dtypes_and_sign_of_nan_is_zero():
    check_parity(lambda lib: lib.lerp(lib.ones(2), lib.ones(2).double(), 0.5))
    check_parity(lambda lib: lib.lerp(lib.ones(2, dtype=lib.int64), lib.ones(2, dtype=lib.int64),
                                      0.5))
    check_parity(lambda lib: lib.sign(lib.tensor([float("nan"), -2.0, 0.0])))


def test_tensor_only_arguments_refuse_numbers():
    t = [1.0, 2.0]
    check_parity(lambda lib: lib.maximum(lib.tensor(t), 2))
    check_parity(lambda lib: lib.minimum(2, lib.tensor(t)))
    check_parity(lambda lib: lib.maximum(lib.tensor(t), np.float64(2)))
    check_parity(lambda lib: lib.atan2(lib.tensor(t), 2))
    check_parity(lambda lib: lib.addcmul(lib.tensor(t), lib.tensor(t), 2))
    check_parity(lambda lib: lib.lerp(lib.tensor(t), 2, 0.5))


def test_piecewise_constant_ops_have_zero_gradients_even_for_infinite_upstream():
    def fn(lib):
        x = lib.tensor([1.5, -2.5], requires_grad=True)
        y = lib.floor(x) + lib.sign(x)
        (y * float("inf")).sum().backward()
        return x.grad

    check_parity(fn)


def test_negating_a_bool_tensor_raises_runtime_error():
    check_parity(lambda lib: -lib.tensor([True, False]))
    check_parity(lambda lib: lib.neg(lib.tensor(True)))


def test_bool_pow_and_alpha_keep_bool():
    b = [True, False]
    check_parity(lambda lib: lib.tensor(b) ** True)
    check_parity(lambda lib: lib.tensor(b) ** False)
    check_parity(lambda lib: lib.tensor(b) ** lib.tensor(b))  # NotImplementedError
    check_parity(lambda lib: lib.pow(True, lib.tensor(b)))
    check_parity(lambda lib: lib.add(lib.tensor(b), lib.tensor(b), alpha=2))


def test_rounding_and_abs_refuse_bool_and_frac_refuses_integers():
    for name in ("floor", "ceil", "trunc", "round", "frac", "abs"):
        check_parity(lambda lib, name=name: getattr(lib, name)(lib.tensor([True, False])))
    check_parity(lambda lib: lib.frac(lib.tensor([1, 2])))
    check_parity(lambda lib: lib.floor(lib.tensor([1, 2])))


def test_addcmul_promotes_its_three_tensors_together():
    check_parity(lambda lib: lib.addcmul(lib.ones(2, 3, dtype=lib.float16),
                                         lib.ones(2, 1, dtype=lib.int64), lib.tensor(6.0),
                                         value=2))


def test_integer_division_by_zero_of_an_empty_tensor_does_not_raise():
    check_parity(lambda lib: lib.div(lib.ones(0, dtype=lib.bool), 0, rounding_mode="floor"))
    check_parity(lambda lib: lib.ones(0, dtype=lib.int64) % 0)

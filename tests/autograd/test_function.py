"""User-defined autograd.Function and gradcheck, compared with PyTorch where useful."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember import autograd


class Cube(autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x


class ScaleBy(autograd.Function):
    @staticmethod
    def forward(ctx, x, factor):
        ctx.factor = factor
        return x * factor

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.factor, None


class SplitTwo(autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2, x * 3

    @staticmethod
    def backward(ctx, ga, gb):
        return ga * 2 + gb * 3


def test_custom_function_forward_and_backward():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x)
    assert y.tolist() == [1.0, 8.0]
    assert y.grad_fn is not None
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 12.0]


def test_custom_function_needs_input_grad_and_non_tensor_args():
    x = ember.tensor([1.0], requires_grad=True)
    y = ScaleBy.apply(x, 4.0)
    y.sum().backward()
    assert x.grad.tolist() == [4.0]


def test_custom_function_multiple_outputs():
    x = ember.tensor([1.0], requires_grad=True)
    a, b = SplitTwo.apply(x)
    (a + b).sum().backward()
    assert x.grad.tolist() == [5.0]


def test_custom_function_one_output_used():
    x = ember.tensor([1.0], requires_grad=True)
    a, _ = SplitTwo.apply(x)
    a.sum().backward()
    assert x.grad.tolist() == [2.0]


def test_custom_function_without_grad_builds_no_graph():
    x = ember.tensor([1.0], requires_grad=True)
    with ember.no_grad():
        y = Cube.apply(x)
    assert y.grad_fn is None


def test_custom_function_wrong_number_of_gradients():
    class Bad(autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    x = ember.ones(1, requires_grad=True)
    y = ember.ones(1, requires_grad=True)
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        Bad.apply(x, y).sum().backward()


def test_custom_function_gradcheck():
    x = ember.tensor(np.array([0.3, -1.2]), dtype=ember.float64, requires_grad=True)
    assert autograd.gradcheck(Cube.apply, (x,))


def test_gradcheck_catches_wrong_gradient():
    class Wrong(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * x

        @staticmethod
        def backward(ctx, g):
            return g  # should be 2x * g

    x = ember.tensor([0.7], dtype=ember.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        autograd.gradcheck(Wrong.apply, (x,))
    assert autograd.gradcheck(Wrong.apply, (x,), raise_exception=False) is False


def test_gradgradcheck_on_builtin_ops():
    x = ember.tensor(np.array([0.3, 1.1, -0.4]), dtype=ember.float64, requires_grad=True)
    assert autograd.gradgradcheck(lambda t: (t.tanh() * t.exp()).sum(), (x,))


def test_grad_fn_names_match_pytorch_style():
    x = ember.ones(2, requires_grad=True)
    assert (x * 2).grad_fn.name() == "MulBackward0"
    assert (x * 2).sum().grad_fn.name() == "SumBackward0"


def test_next_functions_reach_accumulate_grad():
    x = ember.ones(2, requires_grad=True)
    y = x * 2
    (fn, nr) = y.grad_fn.next_functions[0]
    assert fn.name() == "AccumulateGrad" and fn.variable is x


def test_unused_output_gets_zero_gradient_of_its_dtype():
    x = ember.ones(2, dtype=ember.float64, requires_grad=True)
    a, _ = SplitTwo.apply(x)
    a.sum().backward()
    assert x.grad.dtype == ember.float64 and x.grad.tolist() == [2.0, 2.0]


def test_inputs_saved_only_for_unrequested_gradients_may_be_written_in_place():
    # issue 10 (fuzzer): as PyTorch, mul/div/matmul/linear keep an operand for the other's
    # gradient only; when that other needs no gradient, writing it in place is allowed
    from helpers import check_parity

    def program(lib, op, modify_leaf_operand):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        x = a * 1
        c = lib.tensor([3.0, 4.0])
        y = op(lib, x, c)
        (c if modify_leaf_operand else x).mul_(2)
        y.sum().backward()
        return a.grad

    ops = [lambda lib, x, c: x * c, lambda lib, x, c: x / c, lambda lib, x, c: lib.dot(x, c),
           lambda lib, x, c: lib.nn.functional.linear(x, c.reshape(1, 2))]
    for op in ops:
        check_parity(lambda lib, op=op: program(lib, op, False))  # x not needed: allowed
        check_parity(lambda lib, op=op: program(lib, op, True))  # c needed: RuntimeError

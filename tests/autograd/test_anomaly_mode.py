"""detect_anomaly: PyTorch's NaN-gradient error and warning, plus the module path and the
forward check ember adds."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
from ember.autograd.function import Function, Op
from helpers import torch

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _nan_backward(lib):
    x = lib.zeros(2, requires_grad=True)
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        mode = lib.autograd.detect_anomaly()
    with mode:
        assert lib.is_anomaly_enabled()
        y = (x / x).sum()  # the forward line the warning must show
        with pytest.warns(UserWarning, match="Error detected in DivBackward0") as rec:
            with pytest.raises(RuntimeError) as err:
                y.backward()
    assert not lib.is_anomaly_enabled()
    stack = [str(w.message) for w in rec if "Error detected" in str(w.message)][0]
    return str(err.value), stack


def test_nan_gradient_error_and_warning_as_torch():
    (msg_e, stack_e), (msg_t, stack_t) = _nan_backward(ember), _nan_backward(torch)
    assert msg_e == msg_t == "Function 'DivBackward0' returned nan values in its 1th output."
    assert "y = (x / x).sum()" in stack_e
    for stack in (stack_e, stack_t):  # both point at the forward line, in this function
        assert "test_anomaly_mode.py" in stack and "in _nan_backward" in stack
    assert "ember/ops" not in stack_e  # ember's own frames left out, as PyTorch's C++ ones


class _Root(ember.nn.Module):
    def forward(self, x):
        return x.sqrt()


def _model():
    model = ember.nn.Module()
    model.encoder = ember.nn.Sequential(ember.nn.Linear(2, 2), _Root())
    with ember.no_grad():
        model.encoder[0].weight.copy_(ember.tensor([[1.0, 0.0], [0.0, -1.0]]))
        model.encoder[0].bias.zero_()
    return model


def test_error_names_the_module_the_op_ran_in():
    model = _model()
    x = ember.tensor([[1.0, 2.0]], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ember.autograd.detect_anomaly():
            out = model.encoder(x).sum()  # sqrt(-2) is NaN: its backward returns NaN
            with pytest.raises(RuntimeError, match=r"'SqrtBackward0' returned nan values in its "
                               r"0th output\. The op ran in model\.1 \(_Root\)\."):
                out.backward()


def test_nested_module_path():
    model = _model()
    outer = ember.nn.Sequential(model.encoder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ember.autograd.detect_anomaly(check_forward=True):
            with pytest.raises(RuntimeError, match=r"'Sqrt' produced nan values in its output "
                               r"from finite inputs in model\.0\.1 \(_Root\)\. Input ranges: "
                               r"\[-2, 1\]"):
                outer(ember.tensor([[1.0, 2.0]]))


def test_forward_check_ignores_nan_that_came_in_and_catches_overflow():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ember.autograd.detect_anomaly(check_forward=True):
            ember.tensor([float("nan"), 1.0]).exp()  # NaN in, NaN out: not this op's doing
            with pytest.raises(RuntimeError, match="'Exp' produced inf values"):
                ember.tensor([100.0, 1.0], requires_grad=True).exp()
            with pytest.raises(RuntimeError, match="'Log' produced inf"):
                ember.log(ember.zeros(3))


def test_off_by_default_and_restored_without_cost():
    plain_op, plain_fn = Op.__dict__["apply"], Function.__dict__["apply"]
    assert not ember.is_anomaly_enabled() and ember.is_anomaly_check_nan_enabled()
    ember.autograd.set_detect_anomaly(True)
    try:
        assert ember.is_anomaly_enabled() and Op.__dict__["apply"] is not plain_op
    finally:
        ember.autograd.set_detect_anomaly(False)
    with ember.autograd.set_detect_anomaly(True, check_nan=False):
        assert not ember.is_anomaly_check_nan_enabled()
        x = ember.zeros(2, requires_grad=True)
        (x / x).sum().backward()  # check_nan=False: no error, as PyTorch
        assert np.isnan(x.grad.numpy()).all()
    # off again: the plain apply (no per-op cost), the module stack empty
    assert Op.__dict__["apply"] is plain_op and Function.__dict__["apply"] is plain_fn
    assert not ember.is_anomaly_enabled() and ember.is_anomaly_check_nan_enabled()


def test_user_function_nodes_are_checked():
    class Bad(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")

    x = ember.ones(2, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ember.autograd.detect_anomaly():
            with pytest.raises(RuntimeError, match="'BadBackward0?' returned nan values"):
                Bad.apply(x).sum().backward()

"""The fused recurrent layer op (ops/recurrent.py): values and every gradient against PyTorch
in float32 and float64, gradcheck and gradgradcheck in float64, one graph node per layer."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from ember.ops.recurrent import recurrent_layer
from helpers import assert_close, torch

MODES = ["RNN_TANH", "RNN_RELU", "LSTM", "GRU"]
GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _arrays(mode, steps=4, batch=3, inp=5, hid=6, dtype=np.float64, bias=True, seed=0):
    rng = np.random.default_rng(seed)
    g = GATES[mode] * hid
    shapes = [(steps, batch, inp), (batch, hid), (batch, hid) if mode == "LSTM" else None,
              (g, inp), (g, hid), (g,) if bias else None, (g,) if bias else None]
    return [None if s is None else (rng.standard_normal(s) * 0.6).astype(dtype) for s in shapes]


def _torch_layer(mode, x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse):
    """PyTorch's single-layer module with these weights (reverse via the flipped sequence)."""
    cls = {"LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU}.get(mode, torch.nn.RNN)
    kwargs = {"nonlinearity": "relu" if mode == "RNN_RELU" else "tanh"} if "RNN" in mode else {}
    m = cls(x.shape[-1], w_hh.shape[1], bias=b_ih is not None, **kwargs).to(x.dtype)
    params = {"weight_ih_l0": w_ih, "weight_hh_l0": w_hh}
    if b_ih is not None:
        params.update(bias_ih_l0=b_ih, bias_hh_l0=b_hh)
    xs = x.flip(0) if reverse else x
    hx = (h0[None], c0[None]) if mode == "LSTM" else h0[None]
    out, hn = torch.func.functional_call(m, params, (xs, hx))
    out = out.flip(0) if reverse else out
    finals = [s[0] for s in hn] if mode == "LSTM" else [hn[0]]
    return [out, *finals]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_values_and_all_gradients_match_pytorch(mode, reverse, dtype):
    arrays = _arrays(mode, dtype=dtype, seed=1)
    ours = [None if a is None else ember.tensor(a, requires_grad=True) for a in arrays]
    theirs = [None if a is None else torch.tensor(a, requires_grad=True) for a in arrays]
    out_e = recurrent_layer(mode, *ours, reverse=reverse)
    out_t = _torch_layer(mode, *theirs, reverse)
    rng = np.random.default_rng(2)
    weights = [rng.standard_normal(o.shape).astype(dtype) for o in out_t]
    tol = {"atol": 1e-5, "rtol": 1e-4} if dtype == np.float32 else {"atol": 1e-10, "rtol": 1e-9}
    for e, t in zip(out_e, out_t, strict=True):
        assert_close(e, t, **tol)
    sum(((o * ember.tensor(w)).sum() for o, w in zip(out_e, weights, strict=True)),
        start=ember.tensor(0.0, dtype=out_e[0].dtype)).backward()
    sum((o * torch.tensor(w)).sum() for o, w in zip(out_t, weights, strict=True)).backward()
    for e, t in zip(ours, theirs, strict=True):
        if e is not None:
            assert_close(e.grad, t.grad, **tol)


@pytest.mark.parametrize("which", [0, 1])
def test_gradient_of_only_the_output_or_only_the_final_state(which):
    arrays = _arrays("LSTM")
    ours = [None if a is None else ember.tensor(a, requires_grad=True) for a in arrays]
    theirs = [None if a is None else torch.tensor(a, requires_grad=True) for a in arrays]
    recurrent_layer("LSTM", *ours)[which].sum().backward()
    _torch_layer("LSTM", *theirs, False)[which].sum().backward()
    for e, t in zip(ours, theirs, strict=True):
        if e is not None:
            assert_close(e.grad, t.grad, atol=1e-10, rtol=1e-9)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("reverse", [False, True])
def test_gradcheck_float64(mode, reverse):
    arrays = _arrays(mode, steps=3, batch=2, inp=2, hid=3)
    inputs = [ember.tensor(a, requires_grad=True) for a in arrays if a is not None]
    has_c = mode == "LSTM"

    def fn(*ts):
        x, h0, *rest = ts
        c0 = rest.pop(0) if has_c else None
        return recurrent_layer(mode, x, h0, c0, *rest, reverse=reverse)

    assert gradcheck(fn, inputs)


@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN_TANH"])
def test_double_backward_replays_the_composed_steps(mode):
    arrays = _arrays(mode, steps=2, batch=2, inp=2, hid=2, bias=False)
    inputs = [ember.tensor(a, requires_grad=True) for a in arrays if a is not None]
    has_c = mode == "LSTM"

    def fn(*ts):
        x, h0, *rest = ts
        c0 = rest.pop(0) if has_c else None
        return recurrent_layer(mode, x, h0, c0, *rest, None, None)

    assert gradgradcheck(fn, inputs)


def test_a_layer_is_one_graph_node_and_weights_modified_in_place_are_caught():
    m = ember.nn.LSTM(3, 4, num_layers=2)
    out, _ = m(ember.randn(5, 2, 3))
    assert out.grad_fn.name() == "RecurrentLayerBackward0"
    with ember.no_grad():
        m.weight_hh_l1.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def test_dtype_mismatches_raise_like_pytorch():
    m = ember.nn.GRU(3, 4)
    with pytest.raises(RuntimeError, match="mat1 and mat2 must have the same dtype"):
        m(ember.randn(5, 2, 3), ember.zeros(1, 2, 4, dtype=ember.float64))
    with pytest.raises(ValueError, match="RNN input dtype"):
        m.double()(ember.randn(5, 2, 3))
    with pytest.raises(RuntimeError, match="mat1 and mat2 must have the same dtype"):
        ember.nn.LSTMCell(3, 4)(ember.randn(2, 3), (ember.zeros(2, 4, dtype=ember.float64),
                                                     ember.zeros(2, 4)))

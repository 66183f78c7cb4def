"""RNN, LSTM, GRU and cells: parity with PyTorch (outputs, final states, gradients of inputs
and every weight), keys, repr, gradcheck."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn as enn
from helpers import assert_close, gradcheck64, torch

from ._parity import copy_torch_weights, module_parity

CONFIGS = [
    {},
    {"num_layers": 2},
    {"bidirectional": True},
    {"num_layers": 2, "bidirectional": True, "batch_first": True},
    {"bias": False},
]


def _flat(out):
    """Concatenate output and final state(s) into one tensor, so one backward checks all."""
    lib = torch if isinstance(out[0], torch.Tensor) else ember
    o, h = out
    parts = [o.reshape(-1)] + ([s.reshape(-1) for s in h] if isinstance(h, tuple)
                               else [h.reshape(-1)])
    return lib.cat(parts)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("kwargs", CONFIGS)
def test_recurrent_layers_match_pytorch(cls, kwargs):
    shape = (3, 5, 4) if not kwargs.get("batch_first") else (5, 3, 4)
    module_parity(lambda nn: getattr(nn, cls)(4, 6, **kwargs), [shape],
                  call=lambda m, x: _flat(m(x)))
    e, t = getattr(enn, cls)(4, 6, **kwargs), getattr(torch.nn, cls)(4, 6, **kwargs)
    assert list(e.state_dict()) == list(t.state_dict())
    assert repr(e) == repr(t)


def test_relu_rnn_and_unbatched_input_match_pytorch():
    module_parity(lambda nn: nn.RNN(4, 6, nonlinearity="relu"), [(5, 4)],
                  call=lambda m, x: _flat(m(x)))
    module_parity(lambda nn: nn.LSTM(4, 6, num_layers=2), [(5, 4)],
                  call=lambda m, x: _flat(m(x)))


@pytest.mark.parametrize("cls", ["RNN", "GRU", "LSTM"])
def test_initial_state_is_used_and_differentiated(cls):
    t, e = getattr(torch.nn, cls)(3, 4, num_layers=2), getattr(enn, cls)(3, 4, num_layers=2)
    copy_torch_weights(t, e)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 2, 3)).astype(np.float32)
    h0 = rng.standard_normal((2, 2, 4)).astype(np.float32)
    c0 = rng.standard_normal((2, 2, 4)).astype(np.float32)
    he, ht = ember.tensor(h0, requires_grad=True), torch.tensor(h0, requires_grad=True)
    ce, ct = ember.tensor(c0, requires_grad=True), torch.tensor(c0, requires_grad=True)
    oe = e(ember.tensor(x), (he, ce) if cls == "LSTM" else he)
    ot = t(torch.tensor(x), (ht, ct) if cls == "LSTM" else ht)
    _flat(oe).sum().backward()
    _flat(ot).sum().backward()
    assert_close(_flat(oe), _flat(ot))
    assert_close(he.grad, ht.grad, atol=1e-4)
    if cls == "LSTM":
        assert_close(ce.grad, ct.grad, atol=1e-4)


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_match_pytorch(cls):
    module_parity(lambda nn: getattr(nn, cls)(4, 5), [(3, 4)],
                  call=lambda m, x: _flat((x[:, :1] * 0, m(x))) if cls == "LSTMCell"
                  else m(x))
    module_parity(lambda nn: getattr(nn, cls)(4, 5), [(4,)],
                  call=lambda m, x: m(x)[0] if cls == "LSTMCell" else m(x))
    assert repr(getattr(enn, cls)(4, 5, bias=False)) == repr(getattr(torch.nn, cls)(4, 5,
                                                                                   bias=False))
    assert list(getattr(enn, cls)(4, 5).state_dict()) == list(
        getattr(torch.nn, cls)(4, 5).state_dict())


def test_rnn_cell_repr_shows_nonlinearity():
    assert repr(enn.RNNCell(3, 4, nonlinearity="relu")) == repr(
        torch.nn.RNNCell(3, 4, nonlinearity="relu"))


def test_recurrent_init_bounds():
    m = enn.LSTM(10, 25)
    for p in m.parameters():
        assert np.abs(p.detach().numpy()).max() <= 1 / 5


def test_lstm_gradcheck():
    m = enn.LSTM(2, 3, bidirectional=True).double()
    gradcheck64(lambda x: _flat(m(x)), [(3, 2, 2)], second_order=False)
    g = enn.GRU(2, 3).double()
    gradcheck64(lambda x: _flat(g(x)), [(3, 1, 2)], second_order=False)


def test_dropout_between_layers_only_in_training():
    m = enn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = ember.randn(5, 2, 3)
    m.eval()
    a = m(x)[0].detach().numpy().copy()
    b = m(x)[0].detach().numpy()
    np.testing.assert_array_equal(a, b)
    m.train()
    ember.manual_seed(1)
    c = m(x)[0].detach().numpy()
    assert not np.allclose(a, c)

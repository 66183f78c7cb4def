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


@pytest.mark.parametrize("mode", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("layers,with_hx", [(1, False), (2, True)])
@pytest.mark.parametrize("lengths,enforce_sorted", [([5, 3, 3, 1], True), ([3, 5, 1, 3], False)])
def test_packed_sequence_input_matches_torch(mode, bidirectional, layers, with_hx, lengths,
                                             enforce_sorted):
    # each sequence stops at its own length (final states, reverse direction start, zero
    # outputs past the end); unsorted batches come back in the caller's order
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 5, 3)).astype(np.float32)
    h0 = rng.normal(size=(layers * (2 if bidirectional else 1), 4, 4)).astype(np.float32)
    res = []
    for lib in (torch, ember):
        rnn = getattr(lib.nn, mode)(3, 4, num_layers=layers, bidirectional=bidirectional,
                                    batch_first=True)
        with lib.no_grad():
            for p in rnn.parameters():
                p.copy_(lib.tensor(np.linspace(-0.5, 0.5, p.numel(),
                                               dtype=np.float32).reshape(p.shape)))
        xt = lib.tensor(x, requires_grad=True)
        packed = lib.nn.utils.rnn.pack_padded_sequence(xt, lib.tensor(lengths), batch_first=True,
                                                       enforce_sorted=enforce_sorted)
        hx = lib.tensor(h0) if with_hx else None
        if mode == "LSTM" and hx is not None:
            hx = (hx, hx * 0.5)
        out, h = rnn(packed, hx)
        padded, out_lengths = lib.nn.utils.rnn.pad_packed_sequence(out, batch_first=True)
        h_n = h[0] if mode == "LSTM" else h
        (padded.pow(2).sum() + h_n.sum()).backward()
        res.append((padded, h_n, xt.grad, out.data, out_lengths, out.batch_sizes))
    for got, want in zip(res[1], res[0], strict=True):
        assert_close(got, want)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_flatten_parameters_is_a_no_op_as_on_cpu_torch(cls):
    layer = getattr(ember.nn, cls)(3, 4, num_layers=2)
    before = {k: v.detach().numpy().copy() for k, v in layer.state_dict().items()}
    assert layer.flatten_parameters() is None
    after = layer.state_dict()
    assert before.keys() == after.keys()
    for key, value in before.items():
        np.testing.assert_array_equal(after[key].numpy(), value)

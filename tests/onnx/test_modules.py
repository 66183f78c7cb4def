"""Module-level mappings (ember.onnx._modules): LSTM/GRU as ONNX's operators,
MultiheadAttention and the Transformer layers, batch norm from the module's statistics."""

from __future__ import annotations

import io

import pytest
from _onnx_check import export_and_compare, onnx
from test_ops import Lambda

import ember
from ember import nn


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("options", [
    {}, {"num_layers": 2}, {"bidirectional": True}, {"batch_first": True, "num_layers": 2},
    {"bias": False, "bidirectional": True, "num_layers": 2},
], ids=repr)
def test_recurrent_layers(kind, options):
    rnn = getattr(nn, kind)(5, 7, **options)
    batch_first = options.get("batch_first", False)
    shape = (2, 4, 5) if batch_first else (4, 2, 5)
    other = (3, 6, 5) if batch_first else (6, 3, 5)
    axes = {0: "b", 1: "t"} if batch_first else {0: "t", 1: "b"}
    proto = export_and_compare(rnn, ember.randn(*shape), ["x"], {"x": axes},
                               others=[ember.randn(*other)])
    assert [n.op_type for n in proto.graph.node].count(kind) == options.get("num_layers", 1)


def test_relu_rnn():
    rnn = nn.RNN(5, 7, nonlinearity="relu", num_layers=2, bidirectional=True)
    export_and_compare(rnn, ember.randn(4, 2, 5), ["x"], {"x": {0: "t", 1: "b"}},
                       others=[ember.randn(6, 3, 5)])


def test_lstm_with_initial_state_and_unbatched_input():
    lstm = nn.LSTM(5, 7, num_layers=2)
    model = Lambda(lambda x, h, c: lstm(x, (h, c)), lstm)
    export_and_compare(model, (ember.randn(4, 2, 5), ember.randn(2, 2, 7), ember.randn(2, 2, 7)),
                       ["x", "h", "c"], {"x": {0: "t", 1: "b"}, "h": {1: "b"}, "c": {1: "b"}},
                       others=[(ember.randn(6, 3, 5), ember.randn(2, 3, 7),
                                ember.randn(2, 3, 7))])
    export_and_compare(nn.GRU(5, 7), ember.randn(4, 5), ["x"], {"x": {0: "t"}},
                       others=[ember.randn(9, 5)])


def test_recurrent_weights_keep_their_state_dict_names():
    lstm = nn.LSTM(3, 4, bidirectional=True)
    f = io.BytesIO()
    ember.onnx.export(lstm, ember.randn(2, 1, 3), f)
    names = {i.name for i in onnx.load_from_string(f.getvalue()).graph.initializer}
    assert set(lstm.state_dict()) <= names


def test_multihead_attention_with_masks_and_weights():
    mha = nn.MultiheadAttention(16, 4, batch_first=True)
    model = Lambda(lambda q, kv, kpm: mha(q, kv, kv, key_padding_mask=kpm), mha)
    kpm = ember.zeros(2, 6, dtype=ember.bool)
    kpm[0, 4:] = True
    export_and_compare(model, (ember.randn(2, 5, 16), ember.randn(2, 6, 16), kpm),
                       ["q", "kv", "kpm"], {"q": {0: "b", 1: "t"}, "kv": {0: "b", 1: "s"},
                                            "kpm": {0: "b", 1: "s"}},
                       others=[(ember.randn(3, 2, 16), ember.randn(3, 7, 16),
                                ember.zeros(3, 7, dtype=ember.bool))])


def test_multihead_attention_sequence_first_causal_and_unaveraged():
    mha = nn.MultiheadAttention(8, 2, kdim=6, vdim=5)
    model = Lambda(lambda q, k, v: mha(q, k, v, is_causal=True, average_attn_weights=False),
                   mha)
    export_and_compare(model, (ember.randn(4, 2, 8), ember.randn(4, 2, 6), ember.randn(4, 2, 5)),
                       ["q", "k", "v"], {n: {0: "t", 1: "b"} for n in "qkv"},
                       others=[(ember.randn(7, 3, 8), ember.randn(7, 3, 6),
                                ember.randn(7, 3, 5))])


def test_multihead_attention_float_and_3d_masks():
    mha = nn.MultiheadAttention(8, 2)
    mask = ember.randn(4, 4)
    per_head = ember.rand(2 * 2, 4, 4) > 0.8
    model = Lambda(lambda x: mha(x, x, x, attn_mask=mask, need_weights=False)[0] +
                   mha(x, x, x, attn_mask=per_head)[0], mha)
    export_and_compare(model, ember.randn(4, 2, 8), ["x"])


@pytest.mark.parametrize("options", [
    {"batch_first": True, "activation": "gelu"}, {"norm_first": True},
], ids=repr)
def test_transformer_encoder(options):
    layer = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.1, **options)
    encoder = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(16))
    model = Lambda(lambda x: encoder(x, is_causal=True), encoder)
    batch_first = options.get("batch_first", False)
    axes = {0: "b", 1: "t"} if batch_first else {0: "t", 1: "b"}
    export_and_compare(model, ember.randn(2, 5, 16), ["x"], {"x": axes},
                       others=[ember.randn(3, 9, 16)])


def test_batch_norm_without_affine_and_in_3d():
    bn = nn.BatchNorm1d(3, affine=False)
    bn3 = nn.BatchNorm3d(2)
    with ember.no_grad():
        bn(ember.randn(8, 3, 5) * 3 + 1)
        bn3(ember.randn(4, 2, 3, 3, 3) + 2)
    export_and_compare(bn, ember.randn(2, 3, 5), ["x"], {"x": {0: "b", 2: "t"}},
                       others=[ember.randn(4, 3, 7)])
    export_and_compare(bn3, ember.randn(2, 2, 3, 3, 3), ["x"], {"x": {0: "b"}},
                       others=[ember.randn(1, 2, 3, 3, 3)])


def test_batch_norm_without_running_stats_is_refused():
    bn = nn.BatchNorm1d(3, track_running_stats=False)
    with pytest.raises(ember.onnx.UnsupportedOperatorError, match="BatchNorm1d"):
        ember.onnx.export(bn, ember.randn(4, 3), io.BytesIO())

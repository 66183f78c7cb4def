"""Module-level mappings: a whole module call becomes one ONNX subgraph.

LSTM and GRU become ONNX's LSTM/GRU operators and MultiheadAttention one attention block,
whatever ops ember runs inside them (so a later fused implementation exports the same way);
batch norm reads the module's running statistics directly.
"""

from __future__ import annotations

import math

import numpy as np

from ._attention import attend, causal_bias, mask_bias
from ._emit import EventView
from ._trace import Const, Value

MODULES: dict = {}


def module(*names: str):
    def register(fn):
        for name in names:
            MODULES[name] = (fn, frozenset())
        return fn

    return register


def _param(e: EventView, tensor) -> str:
    """The initializer name (state_dict name) of a module's parameter or buffer."""
    return e.x(e.em.a.ref(tensor))


# ======================================================================== recurrent


def _gate_blocks(e: EventView, weight: str, order: list, hidden: int) -> str:
    """Rows of a PyTorch gate-stacked weight reordered into ONNX's gate order."""
    n = len(order)
    if n == 1:  # a plain RNN has one gate
        return weight
    parts = e.node("Split", [weight, e.ints([hidden] * n)], n_out=n, axis=0)
    return e.node("Concat", [parts[i] for i in order], axis=0)


def _recurrent(e: EventView, op_type: str, order: list, n_states: int, **extra) -> None:
    m = e.target
    x_ref = e.param(0, "input")
    hx = e.param(1, "hx")
    if not isinstance(x_ref, (Value, Const)):
        e.fail("packed sequences cannot be exported")
    hidden, layers = m.hidden_size, m.num_layers
    dirs = 2 if m.bidirectional else 1
    batched = len(e.shape(x_ref)) == 3
    x = e.x(x_ref)
    if not batched:
        x = e.node("Unsqueeze", [x, e.ints([1])])
    elif m.batch_first:
        x = e.node("Transpose", [x], perm=[1, 0, 2])
    states = []  # initial states, each (layers * dirs, N, H) or None
    if hx is None:
        states = [None] * n_states
    else:
        refs = list(hx) if n_states > 1 else [hx]
        for r in refs:
            s = e.x(r)
            states.append(e.node("Unsqueeze", [s, e.ints([1])]) if not batched else s)
    finals = [[] for _ in range(n_states)]
    for layer in range(layers):
        ws, rs, bs = [], [], []
        for d in range(dirs):
            w_ih, w_hh, b_ih, b_hh = m._weights(layer, d)
            ws.append(_gate_blocks(e, _param(e, w_ih), order, hidden))
            rs.append(_gate_blocks(e, _param(e, w_hh), order, hidden))
            if b_ih is not None:
                bs.append(e.node("Concat", [_gate_blocks(e, _param(e, b_ih), order, hidden),
                                            _gate_blocks(e, _param(e, b_hh), order, hidden)],
                                 axis=0))

        def stacked(blocks):
            return e.node("Concat", [e.node("Unsqueeze", [b, e.ints([0])]) for b in blocks],
                          axis=0)

        inputs = [x, stacked(ws), stacked(rs), stacked(bs) if bs else "", ""]
        for s in states:  # this layer's slice of each initial state
            inputs.append("" if s is None else e.node(
                "Slice", [s, e.ints([layer * dirs]), e.ints([(layer + 1) * dirs]),
                          e.ints([0])]))
        attrs = {"hidden_size": hidden, "direction": "bidirectional" if dirs == 2 else "forward",
                 **extra}
        if op_type == "GRU":
            attrs["linear_before_reset"] = 1  # ember/PyTorch apply the reset gate after W_hn
        outs = e.node(op_type, inputs, n_out=1 + n_states, **attrs)
        y = outs[0]  # (L, dirs, N, H)
        for i in range(n_states):
            finals[i].append(outs[1 + i])
        x = e.node("Reshape", [e.node("Transpose", [y], perm=[0, 2, 1, 3]), e.ints([0, 0, -1])])
        # dropout between layers is training-only: export is in eval mode
    out = x
    if not batched:
        out = e.node("Squeeze", [out, e.ints([1])])
    elif m.batch_first:
        out = e.node("Transpose", [out], perm=[1, 0, 2])
    e.node("Identity", [out], outputs=[e.outputs[0]])
    for i in range(n_states):
        h = finals[i][0] if layers == 1 else e.node("Concat", finals[i], axis=0)
        if not batched:
            h = e.node("Squeeze", [h, e.ints([1])])
        e.node("Identity", [h], outputs=[e.outputs[1 + i]])


@module("LSTM")
def _lstm(e: EventView) -> None:
    if getattr(e.target, "proj_size", 0):
        e.fail("LSTM with proj_size")
    _recurrent(e, "LSTM", [0, 3, 1, 2], 2)  # PyTorch i, f, g, o -> ONNX i, o, f, c


@module("GRU")
def _gru(e: EventView) -> None:
    _recurrent(e, "GRU", [1, 0, 2], 1)  # PyTorch r, z, n -> ONNX z, r, h


@module("RNN")
def _rnn(e: EventView) -> None:
    act = "Relu" if e.target.nonlinearity == "relu" else "Tanh"
    dirs = 2 if e.target.bidirectional else 1
    _recurrent(e, "RNN", [0], 1, activations=[act] * dirs)


# ======================================================================== attention


@module("MultiheadAttention")
def _multihead_attention(e: EventView) -> None:
    m = e.target
    q_ref, k_ref, v_ref = e.param(0, "query"), e.param(1, "key"), e.param(2, "value")
    kpm = e.param(3, "key_padding_mask")
    need_weights = e.param(4, "need_weights", True)
    attn_mask = e.param(5, "attn_mask")
    average = e.param(6, "average_attn_weights", True)
    is_causal = e.param(7, "is_causal", False)
    if m.dropout > 0.0 and m.training:
        e.fail("attention dropout in training mode")
    batched = len(e.shape(q_ref)) == 3
    dt = e.dtype(q_ref)
    big_e, heads, hd = m.embed_dim, m.num_heads, m.head_dim

    def seq_first(ref):
        t = e.x(ref)
        if not batched:
            return e.node("Unsqueeze", [t, e.ints([1])])
        return e.node("Transpose", [t], perm=[1, 0, 2]) if m.batch_first else t

    q, k, v = seq_first(q_ref), seq_first(k_ref), seq_first(v_ref)
    bias = None if m.in_proj_bias is None else _param(e, m.in_proj_bias)
    projected = []
    for i, (t, own) in enumerate(zip((q, k, v), ("q_proj_weight", "k_proj_weight",
                                                 "v_proj_weight"))):
        if m._qkv_same_embed_dim:
            w = e.node("Slice", [_param(e, m.in_proj_weight), e.ints([i * big_e]),
                                 e.ints([(i + 1) * big_e]), e.ints([0])])
        else:
            w = _param(e, getattr(m, own))
        p = e.node("MatMul", [t, e.node("Transpose", [w], perm=[1, 0])])
        if bias is not None:
            b = e.node("Slice", [bias, e.ints([i * big_e]), e.ints([(i + 1) * big_e]),
                                 e.ints([0])])
            p = e.node("Add", [p, b])
        # (L, N, E) -> (N, heads, L, hd)
        p = e.node("Reshape", [p, e.ints([0, 0, heads, hd])])
        projected.append(e.node("Transpose", [p], perm=[1, 2, 0, 3]))
    qh, kh, vh = projected
    biases = []
    if attn_mask is None and is_causal:
        biases.append(causal_bias(e, qh, kh, dt))
    if attn_mask is not None:
        mb = mask_bias(e, e.x(attn_mask), e.dtype(attn_mask), True, dt)
        if len(e.shape(attn_mask)) == 3:  # (N * heads, L, S) -> (N, heads, L, S)
            tail = e.node("Slice", [e.node("Shape", [mb]), e.ints([1]), e.ints([3]),
                                    e.ints([0])])
            mb = e.node("Reshape", [mb, e.node("Concat", [e.ints([-1, heads]), tail], axis=0)])
        biases.append(mb)
    if kpm is not None:
        kb = mask_bias(e, e.x(kpm), e.dtype(kpm), True, dt)
        biases.append(e.node("Unsqueeze", [kb, e.ints([1, 2])]))
    out, weights = attend(e, qh, kh, vh, 4, 1.0 / math.sqrt(hd), biases, dt)
    out = e.node("Reshape", [e.node("Transpose", [out], perm=[2, 0, 1, 3]),
                             e.ints([0, 0, big_e])])
    out = e.node("MatMul", [out, e.node("Transpose", [_param(e, m.out_proj.weight)],
                                        perm=[1, 0])])
    if m.out_proj.bias is not None:
        out = e.node("Add", [out, _param(e, m.out_proj.bias)])
    if not batched:
        out = e.node("Squeeze", [out, e.ints([1])])
    elif m.batch_first:
        out = e.node("Transpose", [out], perm=[1, 0, 2])
    e.node("Identity", [out], outputs=[e.outputs[0]])
    if need_weights:
        if average:
            weights = e.node("ReduceMean", [weights, e.ints([1])], keepdims=0) \
                if e.opset >= 18 else e.node("ReduceMean", [weights], axes=[1], keepdims=0)
        if not batched:
            weights = e.node("Squeeze", [weights, e.ints([0])])
        e.node("Identity", [weights], outputs=[e.outputs[1]])


# ======================================================================== normalisation


def batch_norm_node(e: EventView, x_ref, mean, var, weight, bias, eps: float) -> None:
    """ONNX BatchNormalization in inference mode; missing affine terms are 1 and 0."""
    c = e.shape(x_ref)[1]
    dt = e.dtype(x_ref)
    scale = e.const(np.ones(c, dt)) if weight is None else weight
    shift = e.const(np.zeros(c, dt)) if bias is None else bias
    e.emit("BatchNormalization", [e.x(x_ref), scale, shift, mean, var], epsilon=float(eps))


@module("BatchNorm1d", "BatchNorm2d", "BatchNorm3d")
def _batch_norm_module(e: EventView) -> None:
    m = e.target
    if m.training or m.running_mean is None:
        e.fail("batch norm with batch statistics (training mode or track_running_stats=False)")
    batch_norm_node(e, e.param(0, "input"), _param(e, m.running_mean), _param(e, m.running_var),
                    None if m.weight is None else _param(e, m.weight),
                    None if m.bias is None else _param(e, m.bias), m.eps)

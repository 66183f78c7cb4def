"""Recurrent layers as one op per layer and direction: Elman RNN (tanh/relu), LSTM, GRU.

Composed step by step from ember ops, a 35-step LSTM layer is ~20 graph nodes per step and
as many small NumPy temporaries. Here the whole sequence is one node: the input projection
of every time step is one GEMM, each step is one GEMM for the recurrence plus in-place
gate arithmetic in preallocated ``(T, N, gates)`` buffers, and backward runs through time
in NumPy from the saved activated gates (one GEMM per step for the hidden gradient; the
weight gradients are one GEMM each over all steps).

The step functions (``lstm_step`` etc.) are the same maths composed of ember ops: the cells
and packed sequences use them, and this op's backward replays them when a double backward
(``create_graph=True``) needs a differentiable graph.
"""

from __future__ import annotations

import numpy as np

from .._core import Tensor, _from_array
from .._grad_mode import state as _grad_state
from ..autograd.differentiate import grad as _autograd_grad
from ..autograd.function import Function
from ._util import const
from .fused import Linear, Unbind
from .selection import relu
from .shape import stack
from .transcendental import sigmoid, tanh

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# ======================================================================== composed steps


def rnn_step(x_proj: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None, use_relu: bool
             ) -> Tensor:
    """One Elman step from the input projection ``x_proj``."""
    pre = x_proj + Linear.apply(h, w_hh, b_hh)
    return relu(pre) if use_relu else tanh(pre)


def lstm_step(x_proj: Tensor, state: tuple, w_hh: Tensor, b_hh: Tensor | None) -> tuple:
    """One LSTM step; ``state`` is ``(h, c)``."""
    h, c = state
    gates = x_proj + Linear.apply(h, w_hh, b_hh)
    i, f, g, o = gates.chunk(4, -1)  # PyTorch's gate order: input, forget, cell, output
    c = sigmoid(f) * c + sigmoid(i) * tanh(g)
    h = sigmoid(o) * tanh(c)
    return h, c


def gru_step(x_proj: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    """One GRU step (PyTorch's variant: the reset gate scales ``W_hn h + b_hn``)."""
    xr, xz, xn = x_proj.chunk(3, -1)  # gate order: reset, update, new
    hr, hz, hn = Linear.apply(h, w_hh, b_hh).chunk(3, -1)
    r = sigmoid(xr + hr)
    z = sigmoid(xz + hz)
    n = tanh(xn + r * hn)
    return (1 - z) * n + z * h


def _composed(mode: str, x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse: bool) -> tuple:
    """The layer composed of step ops: ``(output, h_n[, c_n])`` (the double-backward path)."""
    x_proj = Unbind.apply(Linear.apply(x, w_ih, b_ih), 0)
    state = (h0, c0) if mode == "LSTM" else h0
    seq = [None] * len(x_proj)
    steps = range(len(x_proj))
    for t in (reversed(steps) if reverse else steps):
        if mode == "LSTM":
            state = lstm_step(x_proj[t], state, w_hh, b_hh)
            seq[t] = state[0]
        else:
            state = (gru_step(x_proj[t], state, w_hh, b_hh) if mode == "GRU"
                     else rnn_step(x_proj[t], state, w_hh, b_hh, mode == "RNN_RELU"))
            seq[t] = state
    out = stack(seq, 0)
    return (out, *state) if mode == "LSTM" else (out, state)


# ======================================================================== NumPy kernels


def _sigmoid_(a: np.ndarray) -> np.ndarray:
    """In-place logistic as ``0.5 * tanh(0.5 a) + 0.5``: one transcendental, never overflows."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5
    return a


def _lstm_order(hid: int) -> np.ndarray:
    """Rows of PyTorch's (i, f, g, o) gate blocks in the kernels' order (i, f, o, g): the three
    sigmoid gates side by side, so a step activates all four with one tanh and one affine."""
    return np.concatenate([np.arange(0, 2 * hid), np.arange(3 * hid, 4 * hid),
                           np.arange(2 * hid, 3 * hid)])


def _lstm_forward(xp, h0, c0, w_hh_t):
    """Steps over ``xp`` (T, N, 4H in (i, f, o, g) order, biases included), ``w_hh_t`` (H, 4H)
    likewise; returns activated gates, cells, tanh(cells), hidden states.

    The sigmoid gates' pre-activations are halved once up front (exact: a power of two), so
    each step's ``sigmoid(a) = 0.5 * tanh(a / 2) + 0.5`` shares one tanh call with the g gate.
    """
    steps, batch, h4 = xp.shape
    hid = h4 // 4
    gates = xp  # activated in place, step by step
    gates[..., :3 * hid] *= 0.5
    w_hh_t[:, :3 * hid] *= 0.5
    cells = np.empty((steps, batch, hid), xp.dtype)
    tanh_c = np.empty_like(cells)
    hs = np.empty_like(cells)
    rec = np.empty((batch, h4), xp.dtype)
    ig = np.empty((batch, hid), xp.dtype)
    h, c = h0, c0
    for t in range(steps):
        a = gates[t]
        np.matmul(h, w_hh_t, out=rec)
        a += rec
        np.tanh(a, out=a)
        sig = a[:, :3 * hid]
        sig *= 0.5
        sig += 0.5
        c_new = cells[t]
        np.multiply(a[:, hid:2 * hid], c, out=c_new)
        np.multiply(a[:, :hid], a[:, 3 * hid:], out=ig)
        c_new += ig
        np.tanh(c_new, out=tanh_c[t])
        np.multiply(a[:, 2 * hid:3 * hid], tanh_c[t], out=hs[t])
        h, c = hs[t], c_new
    return gates, cells, tanh_c, hs


def _lstm_backward(ctx, g_out, g_h, g_c, w_hh):
    """Backward through time (kernel gate order); returns pre-activation gate gradients
    (T, N, 4H), dh0, dc0. Derivative factors that do not depend on the incoming gradient are
    computed for all steps at once; a step is then ten NumPy calls and one GEMM."""
    gates, cells, tanh_c = ctx.gates, ctx.cells, ctx.tanh_c
    steps, batch, h4 = gates.shape
    hid = h4 // 4
    local = np.empty_like(gates)  # d(activation)/d(pre-activation) of every gate
    sig = gates[..., :3 * hid]
    np.subtract(1, sig, out=local[..., :3 * hid])
    local[..., :3 * hid] *= sig
    g = gates[..., 3 * hid:]
    np.multiply(g, g, out=local[..., 3 * hid:])
    np.subtract(1, local[..., 3 * hid:], out=local[..., 3 * hid:])
    out_to_cell = 1 - tanh_c * tanh_c  # dh -> dc through h = o * tanh(c)
    out_to_cell *= gates[..., 2 * hid:3 * hid]
    c_prev = np.concatenate([ctx.c0[None], cells[:-1]], 0)
    d_pre = np.empty_like(gates)
    dh = g_h.copy()
    dc = g_c.copy()
    tmp = np.empty((batch, hid), gates.dtype)
    for t in range(steps - 1, -1, -1):
        if g_out is not None:
            dh += g_out[t]
        a = gates[t]
        np.multiply(dh, out_to_cell[t], out=tmp)
        dc += tmp
        d = d_pre[t]
        np.multiply(dc, a[:, 3 * hid:], out=d[:, :hid])  # input gate: dc * g
        np.multiply(dc, c_prev[t], out=d[:, hid:2 * hid])  # forget gate: dc * c_prev
        np.multiply(dh, tanh_c[t], out=d[:, 2 * hid:3 * hid])  # output gate: dh * tanh(c)
        np.multiply(dc, a[:, :hid], out=d[:, 3 * hid:])  # cell candidate: dc * i
        d *= local[t]
        dc *= a[:, hid:2 * hid]
        dh = d @ w_hh
    return d_pre, dh, dc


def _gru_forward(xp, h0, w_hh_t, b_hn):
    """Steps over ``xp`` (T, N, 3H; r/z biases of both sides and b_in included)."""
    steps, batch, h3 = xp.shape
    hid = h3 // 3
    gates = xp  # r, z, n activated in place
    hn = np.empty((steps, batch, hid), xp.dtype)  # W_hn h + b_hn, read by the reset gradient
    hs = np.empty_like(hn)
    h = h0
    for t in range(steps):
        a = gates[t]
        hp = h @ w_hh_t
        a[:, :2 * hid] += hp[:, :2 * hid]
        _sigmoid_(a[:, :2 * hid])
        np.add(hp[:, 2 * hid:], b_hn, out=hn[t])
        n = a[:, 2 * hid:]
        n += a[:, :hid] * hn[t]
        np.tanh(n, out=n)
        z = a[:, hid:2 * hid]
        h_new = hs[t]
        np.subtract(h, n, out=h_new)  # h' = n + z * (h - n)
        h_new *= z
        h_new += n
        h = h_new
    return gates, hn, hs


def _gru_backward(ctx, g_out, g_h, w_hh):
    """Backward through time: input-side and hidden-side pre-activation gradients, dh0."""
    gates, hn, hs = ctx.gates, ctx.hn, ctx.hs
    steps, _, h3 = gates.shape
    hid = h3 // 3
    d_x = np.empty_like(gates)
    d_h = np.empty_like(gates)
    dh = g_h.copy()
    for t in range(steps - 1, -1, -1):
        if g_out is not None:
            dh += g_out[t]
        a = gates[t]
        r, z, n = a[:, :hid], a[:, hid:2 * hid], a[:, 2 * hid:]
        h_prev = hs[t - 1] if t else ctx.h0
        dx, dhp = d_x[t], d_h[t]
        dn = dx[:, 2 * hid:]
        np.multiply(dh * (1 - z), 1 - n * n, out=dn)
        np.multiply(dn, r, out=dhp[:, 2 * hid:])
        np.multiply(dn * hn[t], r * (1 - r), out=dx[:, :hid])
        np.multiply(dh * (h_prev - n), z * (1 - z), out=dx[:, hid:2 * hid])
        dhp[:, :2 * hid] = dx[:, :2 * hid]
        dh = dh * z
        dh += dhp @ w_hh
    return d_x, d_h, dh


def _rnn_forward(xp, h0, w_hh_t, use_relu: bool):
    steps = xp.shape[0]
    hs = xp  # activated in place
    h = h0
    for t in range(steps):
        a = hs[t]
        a += h @ w_hh_t
        if use_relu:
            np.maximum(a, 0, out=a)
        else:
            np.tanh(a, out=a)
        h = a
    return hs


def _rnn_backward(ctx, g_out, g_h, w_hh, use_relu: bool):
    hs = ctx.hs
    d_pre = np.empty_like(hs)
    dh = g_h.copy()
    for t in range(hs.shape[0] - 1, -1, -1):
        if g_out is not None:
            dh += g_out[t]
        d = d_pre[t]
        if use_relu:
            np.multiply(dh, hs[t] > 0, out=d)
        else:
            np.multiply(dh, 1 - hs[t] * hs[t], out=d)
        dh = d @ w_hh
    return d_pre, dh


# ======================================================================== the op


def _flat(a: np.ndarray) -> np.ndarray:
    return a.reshape(-1, a.shape[-1])


class RecurrentLayer(Function):
    """One recurrent layer in one direction over a (T, N, I) sequence, as one graph node.

    Inputs ``(x, h0, c0, w_ih, w_hh, b_ih, b_hh)`` (``c0`` only for LSTM, biases may be None),
    options ``mode`` (``RNN_TANH``, ``RNN_RELU``, ``LSTM``, ``GRU``) and ``reverse`` (the
    backward direction of a bidirectional layer). Outputs ``(output, h_n)``, plus ``c_n`` for
    LSTM. A reverse layer runs the same kernels on the time-flipped sequence.
    """

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, mode, reverse):
        ctx.mode, ctx.reverse = mode, reverse
        ctx.save_for_backward(x, h0, c0, w_ih, w_hh, b_ih, b_hh)
        xa = x._data[::-1] if reverse else x._data
        steps, batch = xa.shape[:2]
        hid = w_hh.shape[1]
        # OpenBLAS runs the small per-step GEMM ~1.7x slower on a transposed view than on a
        # contiguous copy of W_hh^T (made once per call, not per step)
        order = ctx.order = _lstm_order(hid) if mode == "LSTM" else slice(None)
        whh_t = np.ascontiguousarray(w_hh._data[order].T)
        xp = (_flat(xa) @ w_ih._data[order].T).reshape(steps, batch, -1)
        if b_ih is not None:
            xp += b_ih._data[order]
            if mode == "GRU":  # b_hn stays inside the reset gate's product
                xp[..., :2 * hid] += b_hh._data[:2 * hid]
            else:
                xp += b_hh._data[order]
        ctx.h0 = h0._data
        if mode == "LSTM":
            ctx.c0 = c0._data
            ctx.gates, ctx.cells, ctx.tanh_c, hs = _lstm_forward(xp, h0._data, c0._data,
                                                                  whh_t)
            ctx.hs = hs
            finals = (hs[-1], ctx.cells[-1]) if steps else (h0._data, c0._data)
        elif mode == "GRU":
            b_hn = b_hh._data[2 * hid:] if b_hh is not None else np.zeros(hid, xa.dtype)
            ctx.gates, ctx.hn, hs = _gru_forward(xp, h0._data, whh_t, b_hn)
            ctx.hs = hs
            finals = (hs[-1] if steps else h0._data,)
        else:
            hs = ctx.hs = _rnn_forward(xp, h0._data, whh_t, mode == "RNN_RELU")
            finals = (hs[-1] if steps else h0._data,)
        out = hs[::-1] if reverse else hs
        return (_from_array(np.ascontiguousarray(out)),
                *(_from_array(f.copy()) for f in finals))

    @staticmethod
    def backward(ctx, g_out, g_h, g_c=None):
        if _grad_state.enabled:  # create_graph: replay the composed steps differentiably
            return RecurrentLayer._backward_composed(ctx, g_out, g_h, g_c)
        x, h0, c0, w_ih, w_hh, b_ih, b_hh = ctx.saved_tensors
        need = ctx.needs_input_grad
        mode, reverse = ctx.mode, ctx.reverse
        go = None if g_out is None else g_out._data
        if go is not None and reverse:
            go = go[::-1]
        gh = g_h._data if g_h is not None else np.zeros_like(ctx.h0)
        order = ctx.order
        whh = w_hh._data[order]
        dc0 = None
        if mode == "LSTM":
            gc = g_c._data if g_c is not None else np.zeros_like(ctx.c0)
            d_x, dh0, dc0 = _lstm_backward(ctx, go, gh, gc, whh)
            d_h = d_x
        elif mode == "GRU":
            d_x, d_h, dh0 = _gru_backward(ctx, go, gh, whh)
        else:
            d_x, dh0 = _rnn_backward(ctx, go, gh, whh, mode == "RNN_RELU")
            d_h = d_x
        # the gate axis stays in the kernels' order; the (small) weight and bias gradients
        # are put back in PyTorch's order, never the (T*N, gates) gradient itself
        dxf, dhf = _flat(d_x), _flat(d_h)
        back = np.argsort(order) if mode == "LSTM" else order
        xa = x._data[::-1] if reverse else x._data
        grads = [None] * 7
        if need[0]:
            dx = (dxf @ w_ih._data[order]).reshape(xa.shape)
            grads[0] = const(np.ascontiguousarray(dx[::-1]) if reverse else dx)
        if need[1]:
            grads[1] = const(dh0)
        if need[2]:
            grads[2] = const(dc0)
        if need[3]:
            grads[3] = const((dxf.T @ _flat(xa))[back])
        if need[4]:
            hs = ctx.hs
            h_prev = np.concatenate([ctx.h0[None], hs[:-1]], 0) if len(hs) else hs
            grads[4] = const((dhf.T @ _flat(h_prev))[back])
        if need[5]:
            grads[5] = const(dxf.sum(0)[back])
        if need[6]:
            grads[6] = const(dhf.sum(0)[back])
        return tuple(grads) + (None, None)

    @staticmethod
    def _backward_composed(ctx, g_out, g_h, g_c):
        saved = ctx.saved_tensors
        need = ctx.needs_input_grad
        wanted = [t for t, n in zip(saved, need, strict=False) if n]
        outs = _composed(ctx.mode, *saved, ctx.reverse)
        grad_outs = (g_out, g_h, g_c)[:len(outs)]
        pairs = [(o, g) for o, g in zip(outs, grad_outs, strict=True) if g is not None]
        found = iter(_autograd_grad([o for o, _ in pairs], wanted, [g for _, g in pairs],
                                    create_graph=True, allow_unused=True))
        return tuple(next(found) if n else None for n in need[:7]) + (None, None)


def recurrent_layer(mode: str, x: Tensor, h0: Tensor, c0: Tensor | None, w_ih: Tensor,
                    w_hh: Tensor, b_ih: Tensor | None, b_hh: Tensor | None,
                    reverse: bool = False) -> tuple:
    """Run one layer and direction: ``(output, h_n)`` (``(output, h_n, c_n)`` for LSTM)."""
    return RecurrentLayer.apply(x, h0, c0, w_ih, w_hh, b_ih, b_hh, mode, reverse)

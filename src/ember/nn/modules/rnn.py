"""Recurrent layers: RNN, LSTM, GRU and their single-step cells.

Each time step is a few ember ops, so gradients (through time) come from autograd. The input
projection of a whole sequence is one matmul per layer and direction; only the hidden-state
recurrence runs step by step.
"""

from __future__ import annotations

import math

from ... import _creation
from ...ops import elementwise as ew
from ...ops._util import const
from ...ops.elementwise import where
from ...ops.fused import Unbind
from ...ops.shape import cat, stack
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter
from ..utils.rnn import PackedSequence, _padded_time_major

__all__ = ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _rnn_step(x_proj: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None, relu: bool
              ) -> Tensor:
    pre = x_proj + F.linear(h, w_hh, b_hh)
    return ew.relu(pre) if relu else ew.tanh(pre)


def _lstm_step(x_proj: Tensor, state: tuple, w_hh: Tensor, b_hh: Tensor | None) -> tuple:
    h, c = state
    gates = x_proj + F.linear(h, w_hh, b_hh)
    i, f, g, o = gates.chunk(4, -1)  # PyTorch's gate order: input, forget, cell, output
    c = ew.sigmoid(f) * c + ew.sigmoid(i) * ew.tanh(g)
    h = ew.sigmoid(o) * ew.tanh(c)
    return h, c


def _gru_step(x_proj: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    xr, xz, xn = x_proj.chunk(3, -1)  # gate order: reset, update, new
    hr, hz, hn = F.linear(h, w_hh, b_hh).chunk(3, -1)
    r = ew.sigmoid(xr + hr)
    z = ew.sigmoid(xz + hz)
    n = ew.tanh(xn + r * hn)  # the reset gate scales the hidden projection including its bias
    return (1 - z) * n + z * h


class RNNBase(Module):
    """Shared machinery: parameters named ``weight_ih_l{k}[_reverse]`` etc., as PyTorch."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__()
        if not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if proj_size:
            raise NotImplementedError("ember's LSTM does not support proj_size")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        self._flat_weights_names = []
        for layer in range(num_layers):
            for direction in range(directions):
                layer_in = input_size if layer == 0 else hidden_size * directions
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                names = [f"weight_ih{suffix}", f"weight_hh{suffix}"]
                shapes = [(gate_size, layer_in), (gate_size, hidden_size)]
                if bias:
                    names += [f"bias_ih{suffix}", f"bias_hh{suffix}"]
                    shapes += [(gate_size,), (gate_size,)]
                for name, shape in zip(names, shapes, strict=True):
                    setattr(self, name, Parameter(_creation.empty(*shape, dtype=dtype)))
                self._flat_weights_names.extend(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias uniform in ``+-1/sqrt(hidden_size)``, as PyTorch."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _weights(self, layer: int, direction: int) -> tuple:
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        get = self._parameters.get
        return (get(f"weight_ih{suffix}"), get(f"weight_hh{suffix}"), get(f"bias_ih{suffix}"),
                get(f"bias_hh{suffix}"))

    def _initial_state(self, input: Tensor, batch: int, hx):
        directions = 2 if self.bidirectional else 1
        shape = (self.num_layers * directions, batch, self.hidden_size)
        if hx is None:
            return _creation.zeros(*shape, dtype=input.dtype)
        if tuple(hx.shape) != shape:
            raise RuntimeError(f"Expected hidden size {shape}, got {list(hx.shape)}")
        return hx

    def _run(self, input: Tensor, states: list, step, masks: list | None = None) -> tuple:
        """Run every layer and direction; ``states[k]`` is the initial state of stream k.

        ``masks[t]`` (packed input) marks the sequences still running at step t: the others
        keep their state, so each forward stream ends on its own last step and each reverse
        stream starts on it, and their outputs there are zeros (as PyTorch's).
        """
        directions = 2 if self.bidirectional else 1
        finals = []
        layer_input = input  # (L, N, H)
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                w_ih, w_hh, b_ih, b_hh = self._weights(layer, direction)
                # the input projection of every time step in one matmul
                x_proj = Unbind.apply(F.linear(layer_input, w_ih, b_ih), 0)
                state = states[layer * directions + direction]
                steps = range(len(x_proj))
                seq = [None] * len(x_proj)
                for t in (reversed(steps) if direction else steps):
                    new = step(x_proj[t], state, w_hh, b_hh)
                    if masks is not None:
                        m = masks[t]
                        if isinstance(new, tuple):
                            new = tuple(where(m, a, b) for a, b in zip(new, state, strict=True))
                        else:
                            new = where(m, new, state)
                    state = new
                    seq[t] = state[0] if isinstance(state, tuple) else state
                    if masks is not None:
                        seq[t] = where(masks[t], seq[t], 0.0)
                outputs.append(stack(seq, 0))
                finals.append(state)
            layer_input = outputs[0] if directions == 1 else cat(outputs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        return layer_input, finals

    def _unpack(self, packed: PackedSequence) -> tuple:
        """Packed input as a padded (T, B, H) tensor in sorted order, with per-step masks."""
        x, lengths = _padded_time_major(packed)
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {x.shape[-1]}")
        masks = [const((lengths > t)[:, None]) for t in range(x.shape[0])]
        return x, masks

    @staticmethod
    def _repack(output: Tensor, packed: PackedSequence) -> PackedSequence:
        rows = [output[t, :n] for t, n in enumerate(packed.batch_sizes.tolist())]
        return packed._replace(data=cat(rows, 0))

    @staticmethod
    def _permute(hidden: Tensor, indices: Tensor | None) -> Tensor:
        return hidden if indices is None else hidden.index_select(1, indices)

    def _prepare(self, input: Tensor):
        if input.ndim not in (2, 3):
            raise ValueError(f"{type(self).__name__}: Expected input to be 2D or 3D, got "
                             f"{input.ndim}D instead")
        batched = input.ndim == 3
        if not batched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")
        return input, batched

    def _finish(self, output: Tensor, batched: bool) -> Tensor:
        if not batched:
            return output.squeeze(1)
        return output.transpose(0, 1) if self.batch_first else output

    def _forward_hidden_only(self, input: Tensor | PackedSequence, hx: Tensor | None,
                             step) -> tuple:
        """``(output, h_n)`` of RNN and GRU, whose state is one hidden tensor per layer and
        direction (LSTM's also has a cell state)."""
        if isinstance(input, PackedSequence):
            x, masks = self._unpack(input)
            hx = None if hx is None else self._permute(hx, input.sorted_indices)
            batched = True
        else:
            (x, batched), masks = self._prepare(input), None
        if hx is not None and not batched:
            hx = hx.unsqueeze(1)
        h0 = self._initial_state(x, x.shape[1], hx)
        output, finals = self._run(x, list(h0.unbind(0)), step, masks)
        h_n = stack(finals, 0)
        if masks is not None:
            return self._repack(output, input), self._permute(h_n, input.unsorted_indices)
        return self._finish(output, batched), (h_n if batched else h_n.squeeze(1))

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(RNNBase):
    """Elman RNN: ``h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``, act tanh or relu.

    Returns ``(output, h_n)`` with PyTorch's shapes (``batch_first`` and unbatched input
    supported).
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device=None,
                 dtype=None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         dtype=dtype)

    def forward(self, input: Tensor | PackedSequence, hx: Tensor | None = None) -> tuple:
        """Run the Elman RNN over a sequence.

        Args:
            input: ``(L, N, H_in)`` (``(N, L, H_in)`` if ``batch_first``), unbatched ``(L, H_in)``,
                or a PackedSequence.
            hx: the initial hidden state ``(num_layers * num_directions, N, H_out)``; zeros if None.

        Returns:
            ``(output, h_n)``: the last layer's hidden state at every step (packed if the input was)
            and the final hidden state of every layer and direction.
        """
        relu = self.nonlinearity == "relu"
        return self._forward_hidden_only(
            input, hx, lambda xp, h, w, b: _rnn_step(xp, h, w, b, relu))


class LSTM(RNNBase):
    """Long short-term memory; returns ``(output, (h_n, c_n))`` with PyTorch's shapes."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, dtype=dtype)

    def forward(self, input: Tensor | PackedSequence, hx: tuple | None = None) -> tuple:
        """Run the LSTM over a sequence.

        Args:
            input: ``(L, N, H_in)`` (``(N, L, H_in)`` if ``batch_first``), unbatched ``(L, H_in)``,
                or a PackedSequence.
            hx: ``(h_0, c_0)``, each ``(num_layers * num_directions, N, H)``; zeros if None.

        Returns:
            ``(output, (h_n, c_n))``: the last layer's hidden state at every step (packed if the
            input was) and the final hidden and cell states of every layer and direction.
        """
        if isinstance(input, PackedSequence):
            x, masks = self._unpack(input)
            if hx is not None:
                hx = tuple(self._permute(h, input.sorted_indices) for h in hx)
            batched = True
        else:
            (x, batched), masks = self._prepare(input), None
        if hx is None:
            h0 = self._initial_state(x, x.shape[1], None)
            c0 = h0
        else:
            h0, c0 = hx
            if not batched:
                h0, c0 = h0.unsqueeze(1), c0.unsqueeze(1)
            h0 = self._initial_state(x, x.shape[1], h0)
            c0 = self._initial_state(x, x.shape[1], c0)
        states = list(zip(h0.unbind(0), c0.unbind(0), strict=True))
        output, finals = self._run(x, states, _lstm_step, masks)
        h_n = stack([h for h, _ in finals], 0)
        c_n = stack([c for _, c in finals], 0)
        if masks is not None:
            order = input.unsorted_indices
            return self._repack(output, input), (self._permute(h_n, order),
                                                 self._permute(c_n, order))
        if not batched:
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return self._finish(output, batched), (h_n, c_n)


class GRU(RNNBase):
    """Gated recurrent unit; returns ``(output, h_n)`` with PyTorch's shapes."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device=None, dtype=None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, dtype=dtype)

    def forward(self, input: Tensor | PackedSequence, hx: Tensor | None = None) -> tuple:
        """Run the GRU over a sequence.

        Args:
            input: ``(L, N, H_in)`` (``(N, L, H_in)`` if ``batch_first``), unbatched ``(L, H_in)``,
                or a PackedSequence.
            hx: the initial hidden state ``(num_layers * num_directions, N, H_out)``; zeros if None.

        Returns:
            ``(output, h_n)``: the last layer's hidden state at every step (packed if the input was)
            and the final hidden state of every layer and direction.
        """
        return self._forward_hidden_only(input, hx, _gru_step)


class RNNCellBase(Module):
    """One time step: ``weight_ih`` (chunks * hidden, input), ``weight_hh`` (chunks * hidden,
    hidden) and biases, all ~ U(-1/sqrt(hidden), 1/sqrt(hidden)) as PyTorch."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(_creation.empty(num_chunks * hidden_size, input_size,
                                                   dtype=dtype))
        self.weight_hh = Parameter(_creation.empty(num_chunks * hidden_size, hidden_size,
                                                   dtype=dtype))
        if bias:
            self.bias_ih = Parameter(_creation.empty(num_chunks * hidden_size, dtype=dtype))
            self.bias_hh = Parameter(_creation.empty(num_chunks * hidden_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias uniform in ``+-1/sqrt(hidden_size)``, as PyTorch."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _hidden(self, input: Tensor, hx):
        if input.ndim not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected input to be 1D or 2D, got "
                             f"{input.ndim}D instead")
        batched = input.ndim == 2
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            hx = _creation.zeros(input.shape[0], self.hidden_size, dtype=input.dtype)
        elif not batched:
            hx = hx.unsqueeze(0)
        return input, hx, batched

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


class RNNCell(RNNCellBase):
    """One Elman step ``h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)``; returns ``h'``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 1, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        """One step: the next hidden state from ``(N, H_in)`` (or ``(H_in,)``) input and ``hx``
        (zeros if None).
        """
        x, h, batched = self._hidden(input, hx)
        out = _rnn_step(F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh,
                        self.bias_hh, self.nonlinearity == "relu")
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step; ``hx`` is ``(h, c)`` (zeros if None); returns ``(h', c')``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, dtype=dtype)

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple:
        """One step: ``(h, c)`` from ``(N, H_in)`` (or ``(H_in,)``) input and ``hx=(h, c)`` (zeros
        if None).
        """
        if hx is None:
            x, h, batched = self._hidden(input, None)
            c = h
        else:
            x, h, batched = self._hidden(input, hx[0])
            c = hx[1] if batched else hx[1].unsqueeze(0)
        h, c = _lstm_step(F.linear(x, self.weight_ih, self.bias_ih), (h, c), self.weight_hh,
                          self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step; returns ``h'``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        """One step: the next hidden state from ``(N, H_in)`` (or ``(H_in,)``) input and ``hx``
        (zeros if None).
        """
        x, h, batched = self._hidden(input, hx)
        out = _gru_step(F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh,
                        self.bias_hh)
        return out if batched else out.squeeze(0)

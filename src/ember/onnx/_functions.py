"""Function-level mappings: public functions recorded as one event.

``scaled_dot_product_attention`` builds its causal mask at run time (so any sequence length
works); activations whose ember implementation compares values (which is not an op) map
to their ONNX operators; tensor-creating functions (``arange``, ``zeros``...) become
``Range``/``ConstantOfShape`` when their sizes follow a dynamic axis.

``FUNCTIONS`` maps a function name to its mapping; ``PATCHED`` says where the exporter
wraps each public function while it traces (a namespace, by its module name).
"""

from __future__ import annotations

import math

import numpy as np

from ._attention import attend, causal_bias, mask_bias
from ._emit import EventView
from ._modules import batch_norm_node
from ._ops import reduce
from ._trace import Const, Value

FUNCTIONS: dict = {}
PATCHED: list = []  # (module name, function name)


def function(namespace: str, *names: str, shape_args=()):
    def register(fn):
        for name in names:
            FUNCTIONS[name] = (fn, frozenset(shape_args))
            PATCHED.append((namespace, name))
        return fn

    return register


_F = "ember.nn.functional"
_TOP = "ember"
_T = "ember.tensor:Tensor"  # Tensor methods and operators


# ======================================================================== attention, norms


@function(_F, "scaled_dot_product_attention")
def _sdpa(e: EventView) -> None:
    q, k, v = e.param(0, "query"), e.param(1, "key"), e.param(2, "value")
    mask = e.param(3, "attn_mask")
    if e.param(4, "dropout_p", 0.0) > 0.0:
        e.fail("attention dropout (dropout_p > 0) is random; pass dropout_p=0.0 when exporting")
    if e.param(7, "enable_gqa", False):
        e.fail("enable_gqa")
    dt = e.dtype(q)
    rank = len(e.shape(q))
    scale = e.param(6, "scale")
    scale = 1.0 / math.sqrt(e.shape(q)[-1]) if scale is None else float(scale)
    biases = []
    if e.param(5, "is_causal", False):
        biases.append(causal_bias(e, e.x(q), e.x(k), dt))
    if mask is not None:  # SDPA's boolean mask marks the positions that MAY be attended
        biases.append(mask_bias(e, e.x(mask), e.dtype(mask), False, dt))
    out, _ = attend(e, e.x(q), e.x(k), e.x(v), rank, scale, biases, dt)
    e.emit("Identity", [out])


@function(_F, "batch_norm")
def _batch_norm(e: EventView) -> None:
    if e.param(5, "training", False):
        e.fail("batch norm in training mode uses batch statistics")
    refs = [e.param(i, k) for i, k in enumerate(
        ("input", "running_mean", "running_var", "weight", "bias"))]
    names = [None if r is None else e.x(r) for r in refs[1:]]
    batch_norm_node(e, refs[0], names[0], names[1], names[2], names[3],
                    e.param(7, "eps", 1e-5))


# ======================================================================== activations


def _c(e: EventView, value) -> str:
    return e.const(np.asarray(value, e.out_dtype()))


@function(_F, "leaky_relu")
def _leaky_relu(e: EventView) -> None:
    e.emit("LeakyRelu", [e.inp(0)], alpha=float(e.param(1, "negative_slope", 0.01)))


@function(_F, "elu")
def _elu(e: EventView) -> None:
    e.emit("Elu", [e.inp(0)], alpha=float(e.param(1, "alpha", 1.0)))


@function(_F, "celu")
def _celu(e: EventView) -> None:
    e.emit("Celu", [e.inp(0)], alpha=float(e.param(1, "alpha", 1.0)))


@function(_F, "selu")
def _selu(e: EventView) -> None:
    e.emit("Selu", [e.inp(0)])  # ONNX's default alpha and gamma are SELU's constants


@function(_F, "hardtanh")
def _hardtanh(e: EventView) -> None:
    lo, hi = e.param(1, "min_val", -1.0), e.param(2, "max_val", 1.0)
    e.emit("Clip", [e.inp(0), _c(e, lo), _c(e, hi)])


@function(_F, "relu6")
def _relu6(e: EventView) -> None:
    e.emit("Clip", [e.inp(0), _c(e, 0.0), _c(e, 6.0)])


@function(_F, "softplus")
def _softplus(e: EventView) -> None:
    beta = float(e.param(1, "beta", 1.0))
    threshold = float(e.param(2, "threshold", 20.0))
    x = e.inp(0)
    scaled = e.node("Mul", [x, _c(e, beta)])
    soft = e.node("Div", [e.node("Softplus", [scaled]), _c(e, beta)])
    # above the threshold softplus is the identity (as PyTorch, for accuracy)
    e.emit("Where", [e.node("Greater", [scaled, _c(e, threshold)]), x, soft])


@function(_F, "mish")
def _mish(e: EventView) -> None:
    x = e.inp(0)
    e.emit("Mul", [x, e.node("Tanh", [e.node("Softplus", [x])])])


@function(_F, "hardsigmoid")
def _hardsigmoid(e: EventView) -> None:
    e.emit("HardSigmoid", [e.inp(0)], alpha=1.0 / 6.0, beta=0.5)


@function(_F, "hardswish")
def _hardswish(e: EventView) -> None:
    e.emit("HardSwish", [e.inp(0)])


@function(_F, "softsign")
def _softsign(e: EventView) -> None:
    e.emit("Softsign", [e.inp(0)])


@function(_F, "logsigmoid")
def _logsigmoid(e: EventView) -> None:
    e.emit("Neg", [e.node("Softplus", [e.node("Neg", [e.inp(0)])])])


@function(_F, "hardshrink")
def _hardshrink(e: EventView) -> None:
    e.emit("Shrink", [e.inp(0)], lambd=float(e.param(1, "lambd", 0.5)))


@function(_F, "softshrink")
def _softshrink(e: EventView) -> None:
    lambd = float(e.param(1, "lambd", 0.5))
    e.emit("Shrink", [e.inp(0)], lambd=lambd, bias=lambd)


@function(_F, "threshold")
def _threshold(e: EventView) -> None:
    x = e.inp(0)
    th, value = e.param(1, "threshold"), e.param(2, "value")
    e.emit("Where", [e.node("Greater", [x, _c(e, th)]), x, _c(e, value)])


@function(_F, "prelu")
def _prelu(e: EventView) -> None:
    x, w = e.param(0, "input"), e.param(1, "weight")
    rank = len(e.shape(x))
    slope = e.x(w)
    if rank > 2 and e.shape(w)[0] > 1:  # one slope per channel (dim 1)
        slope = e.node("Reshape", [slope, e.ints([-1] + [1] * (rank - 2))])
    e.emit("PRelu", [e.x(x), slope])


@function(_F, "glu")
def _glu(e: EventView) -> None:
    dim = int(e.param(1, "dim", -1))
    a, b = e.node("Split", [e.inp(0)], n_out=2, axis=dim, num_outputs=2) if e.opset >= 18 \
        else e.node("Split", [e.inp(0)], n_out=2, axis=dim)
    e.emit("Mul", [a, e.node("Sigmoid", [b])])


# ======================================================================== tensor creation


def _scalar(e: EventView, va, vb, dtype) -> str:
    """A 0-d value of ``dtype``, computed when it follows a dynamic axis."""
    if va == vb or not isinstance(va, (int, np.integer)):
        return e.const(np.asarray(va, dtype))
    size = e.node("Squeeze", [e.size(va, vb), e.ints([0])])
    return e.cast(size, np.int64, dtype)


def _plain(v):
    return v.array.item() if isinstance(v, Const) else v


@function(_TOP, "arange", shape_args=(0, 1, 2, "start", "end", "step"))
def _arange(e: EventView) -> None:
    if any(isinstance(a, Value) for a in e.ev.args + tuple(e.ev.kwargs.values())):
        e.fail("arange with a bound computed by a traced op")
    pa = [_plain(e.param(i, k)) for i, k in enumerate(("start", "end", "step"))]
    pb = [_plain(e.param_b(i, k)) for i, k in enumerate(("start", "end", "step"))]
    if pa[1] is None:  # arange(end)
        pa, pb = [0, pa[0], pa[2]], [0, pb[0], pb[2]]
    pa[2] = 1 if pa[2] is None else pa[2]
    pb[2] = 1 if pb[2] is None else pb[2]
    dt = e.out_dtype()
    e.emit("Range", [_scalar(e, x, y, dt) for x, y in zip(pa, pb)])


def _size_args(args) -> list:
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return list(args[0])
    return list(args)


def _filled(e: EventView, sizes_a, sizes_b, value) -> None:
    dt = e.out_dtype()
    e.emit("ConstantOfShape", [e.sizes(sizes_a, sizes_b)],
           value=np.asarray([value], dtype=dt))


@function(_TOP, "zeros", "ones", shape_args=(0, 1, 2, 3, 4, 5, 6, 7, "size"))
def _zeros_ones(e: EventView) -> None:
    sizes_a = _size_args(e.ev.args) or list(e.kw("size", ()))
    sizes_b = _size_args(e.evb.args) or list(e.kw_b("size", ()))
    _filled(e, sizes_a, sizes_b, 0 if e.ev.key == "zeros" else 1)


@function(_TOP, "full", shape_args=(0, "size"))
def _full(e: EventView) -> None:
    _filled(e, list(e.param(0, "size")), list(e.param_b(0, "size")),
            _plain(e.param(1, "fill_value")))




# ======================================================================== reductions with indices

def _reduce_axes(dim) -> list | None:
    if dim is None or dim == ():
        return None
    return [int(d) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))]


@function(_TOP, "logsumexp")
@function(_T, "logsumexp")
def _logsumexp(e: EventView) -> None:
    reduce(e, "ReduceLogSumExp", e.inp(0), _reduce_axes(e.param(1, "dim")),
           e.param(2, "keepdim", False), out=e.out)


def _arg_reduce(e: EventView, op_type: str, out: str) -> None:
    x = e.inp(0)
    dim, keepdim = e.param(1, "dim"), bool(e.param(2, "keepdim", False))
    if dim is None:  # over the flattened tensor
        flat = e.node(op_type, [e.node("Reshape", [x, e.ints([-1])])], axis=0, keepdims=0)
        rank = len(e.shape(e.arg(0)))
        if keepdim:
            flat = e.node("Reshape", [flat, e.ints([1] * rank)])
        e.node("Identity", [flat], outputs=[out])
        return
    e.node(op_type, [x], outputs=[out], axis=int(dim), keepdims=int(keepdim),
           select_last_index=0)


@function(_TOP, "argmax", "argmin")
@function(_T, "argmax", "argmin")
def _argmax(e: EventView) -> None:
    _arg_reduce(e, "ArgMax" if e.ev.key == "argmax" else "ArgMin", e.out)


@function(_TOP, "max", "min")
@function(_T, "max", "min")
def _max(e: EventView) -> None:
    biggest = e.ev.key == "max"
    dim = e.param(1, "dim")
    if isinstance(dim, (Value, Const)):  # max(a, b): the elementwise maximum
        dt = e.out_dtype()
        e.emit("Max" if biggest else "Min", [e.cast(e.inp(0), e.dtype(e.arg(0)), dt),
                                              e.cast(e.x(dim), e.dtype(dim), dt)])
        return
    keepdim = e.param(2, "keepdim", False)
    op_type = "ReduceMax" if biggest else "ReduceMin"
    reduce(e, op_type, e.inp(0), None if dim is None else [int(dim)], keepdim,
           out=e.outputs[0])
    if len(e.outputs) > 1:  # (values, indices)
        _arg_reduce(e, "ArgMax" if biggest else "ArgMin", e.outputs[1])


# ======================================================================== comparisons, logic

_COMPARE = {"eq": ("Equal", False), "ne": ("Equal", True), "lt": ("Less", False),
            "le": ("LessOrEqual", False), "gt": ("Greater", False),
            "ge": ("GreaterOrEqual", False)}


def _operands(e: EventView) -> tuple:
    a, b = e.arg(0), e.arg(1)
    dt_a = e.dtype(a)
    dt_b = e.dtype(b) if isinstance(b, (Value, Const)) else np.asarray(b).dtype
    dt = dt_a if not isinstance(b, (Value, Const)) else np.result_type(dt_a, dt_b)
    if not isinstance(b, (Value, Const)) and dt_a.kind in "iub" and np.asarray(b).dtype.kind \
            == "f":
        dt = np.dtype(np.float32)  # int tensor vs float scalar compares as float (as torch)
    first = e.cast(e.x(a), dt_a, dt)
    second = e.cast(e.x(b), dt_b, dt) if isinstance(b, (Value, Const)) else \
        e.const(np.asarray(b, dt))
    return first, second


@function(_T, *(f"__{k}__" for k in _COMPARE), *_COMPARE)
def _compare(e: EventView) -> None:
    op_type, negate = _COMPARE[e.ev.key.strip("_")]
    a, b = _operands(e)
    if negate:
        e.emit("Not", [e.node(op_type, [a, b])])
    else:
        e.emit(op_type, [a, b])


@function(_T, "__and__", "__or__", "__xor__", "logical_and", "logical_or", "logical_xor")
def _logical(e: EventView) -> None:
    kind = e.ev.key.strip("_").replace("logical_", "")
    if e.out_dtype() != np.bool_:
        e.fail("bitwise operations on integer tensors")
    a, b = (e.cast(x, dt, np.bool_) for x, dt in zip(_operands(e), (np.bool_, np.bool_)))
    e.emit({"and": "And", "or": "Or", "xor": "Xor"}[kind], [a, b])


@function(_T, "__invert__", "logical_not")
def _not(e: EventView) -> None:
    if e.dtype(e.arg(0)) != np.bool_ and e.ev.key == "__invert__":
        e.fail("bitwise not of an integer tensor")
    e.emit("Not", [e.cast(e.inp(0), e.dtype(e.arg(0)), np.bool_)])

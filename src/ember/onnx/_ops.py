"""ONNX mappings of ember's ops, keyed by op class name (files may move; names stay).

Each mapping receives an ``EventView`` (arguments as recorded, output names, helpers) and
adds the nodes that compute the op's output. ``shape_args`` names the arguments that may
legitimately change when the dynamic axes are resized; the mapping must express those
with ``e.sizes``/``e.size`` (any other argument that moves is an export error).
"""

from __future__ import annotations

import numpy as np

from ._emit import INT64_MAX, EventView, onnx_type
from ._trace import Const, Value

OPS: dict = {}


def op(*names: str, shape_args=()):
    """Register a mapping for the op classes ``names``."""

    def register(fn):
        for name in names:
            OPS[name] = (fn, frozenset(shape_args))
        return fn

    return register


def _operand(e: EventView, ref, dtype) -> str:
    """An input as a value of ``dtype`` (Python scalars become constants)."""
    if isinstance(ref, (Value, Const)):
        return e.cast(e.x(ref), e.dtype(ref), dtype)
    return e.const(np.asarray(ref, dtype=dtype))


def reduce(e: EventView, op_type: str, data: str, axes, keepdims: bool, out=None) -> str:
    """A Reduce* node; ``axes`` None reduces everything (axes moved to an input in opset 18)."""
    outputs = None if out is None else [out]
    keep = int(bool(keepdims))
    if axes is None:
        return e.node(op_type, [data], outputs=outputs, keepdims=keep)
    axes = [int(a) for a in (axes if isinstance(axes, (tuple, list)) else (axes,))]
    if op_type == "ReduceSum" or e.opset >= 18:
        return e.node(op_type, [data, e.ints(axes)], outputs=outputs, keepdims=keep)
    return e.node(op_type, [data], outputs=outputs, axes=axes, keepdims=keep)


# ======================================================================== elementwise

_BINARY = {"Add": "Add", "Sub": "Sub", "Mul": "Mul", "Div": "Div", "Maximum": "Max",
           "Minimum": "Min", "Pow": "Pow"}


@op(*_BINARY)
def _binary(e: EventView) -> None:
    dt = e.out_dtype()
    a, b = (_operand(e, e.arg(i), dt) for i in (0, 1))
    e.emit(_BINARY[e.ev.key], [a, b])


_UNARY = {name: name for name in ("Neg", "Exp", "Log", "Sqrt", "Abs", "Sin", "Cos", "Tan",
                                  "Tanh", "Sigmoid", "Relu", "Erf", "Asin", "Acos", "Atan",
                                  "Sinh", "Cosh")}


@op(*_UNARY)
def _unary(e: EventView) -> None:
    e.emit(_UNARY[e.ev.key], [e.inp(0)])


@op("Rsqrt")
def _rsqrt(e: EventView) -> None:
    e.emit("Reciprocal", [e.node("Sqrt", [e.inp(0)])])


@op("Log1p")
def _log1p(e: EventView) -> None:
    x = e.inp(0)
    e.emit("Log", [e.node("Add", [x, e.const(np.ones((), e.out_dtype()))])])


@op("Expm1")
def _expm1(e: EventView) -> None:
    e.emit("Sub", [e.node("Exp", [e.inp(0)]), e.const(np.ones((), e.out_dtype()))])


_ROUNDING = {"floor": "Floor", "ceil": "Ceil", "sign": "Sign", "rint": "Round", "round": "Round"}


@op("ZeroGrad")
def _rounding(e: EventView) -> None:
    fn = e.param(1, "fn")
    name = getattr(fn, "__name__", "")
    if name not in _ROUNDING:
        e.fail(f"the elementwise function {name or fn!r} has no ONNX mapping")
    e.emit(_ROUNDING[name], [e.inp(0)])


@op("Clamp")
def _clamp(e: EventView) -> None:
    dt = e.out_dtype()
    lo, hi = e.param(1, "lo"), e.param(2, "hi")
    bounds = ["" if v is None else _operand(e, v, dt) for v in (lo, hi)]
    e.emit("Clip", [e.inp(0)] + bounds)


@op("Where")
def _where(e: EventView) -> None:
    dt = e.out_dtype()
    cond = _operand(e, e.arg(0), np.bool_)
    e.emit("Where", [cond, _operand(e, e.arg(1), dt), _operand(e, e.arg(2), dt)])


@op("Cast", "_CastOut")
def _cast(e: EventView) -> None:
    e.emit("Cast", [e.inp(0)], to=onnx_type(e.out_dtype()))


@op("Clone")
def _clone(e: EventView) -> None:
    e.emit("Identity", [e.inp(0)])


# ======================================================================== nn


@op("Linear")
def _linear(e: EventView) -> None:
    x, w, b = e.arg(0), e.arg(1), e.arg(2)
    if len(e.shape(x)) == 2:
        inputs = [e.x(x), e.x(w)] + ([e.x(b)] if b is not None else [])
        e.emit("Gemm", inputs, transB=1)
        return
    wt = e.node("Transpose", [e.x(w)], perm=[1, 0] if len(e.shape(w)) == 2 else None)
    if b is None:
        e.emit("MatMul", [e.x(x), wt])
    else:
        e.emit("Add", [e.node("MatMul", [e.x(x), wt]), e.x(b)])


@op("Softmax", "LogSoftmax")
def _softmax(e: EventView) -> None:
    e.emit(e.ev.key, [e.inp(0)], axis=int(e.param(1, "axis")))


# ``stats``, when given, are by the op's contract the statistics of x over ``axes`` (computed
# by the caller to update running estimates): the graph recomputes them from x
@op("Normalize", shape_args=(5, "stats"))
def _normalize(e: EventView) -> None:
    x, w, b = e.arg(0), e.param(1, "w"), e.param(2, "b")
    axes = tuple(e.param(3, "axes"))
    eps = float(e.param(4, "eps"))
    affine_shape = e.param(6, "affine_shape")
    rank = len(e.shape(x))
    dt = e.out_dtype()
    if e.opset >= 17 and affine_shape is None and axes == tuple(range(rank - len(axes), rank)) \
            and \
            (w is None or e.shape(w) == e.shape(x)[rank - len(axes):]) and \
            (b is None or e.shape(b) == e.shape(x)[rank - len(axes):]):
        scale = e.x(w) if w is not None else e.const(np.ones(e.shape(x)[rank - len(axes):], dt))
        inputs = [e.x(x), scale] + ([e.x(b)] if b is not None else [])
        e.emit("LayerNormalization", inputs, axis=rank - len(axes), epsilon=eps)
        return
    # any other set of axes (instance/group norm), or before opset 17: the formula, with the
    # biased variance
    xv = e.x(x)
    xc = e.node("Sub", [xv, reduce(e, "ReduceMean", xv, axes, True)])
    var = reduce(e, "ReduceMean", e.node("Mul", [xc, xc]), axes, True)
    std = e.node("Sqrt", [e.node("Add", [var, e.const(np.asarray(eps, dt))])])
    out = e.node("Div", [xc, std])
    for ref, op_type in ((w, "Mul"), (b, "Add")):
        if ref is not None:
            term = e.x(ref)
            if affine_shape is not None:  # (C,) laid along dim 1
                term = e.node("Reshape", [term, e.ints(affine_shape)])
            out = e.node(op_type, [out, term])
    e.emit("Identity", [out])


@op("Embedding")
def _embedding(e: EventView) -> None:
    idx = _operand(e, e.arg(1), np.int64)
    e.emit("Gather", [e.inp(0), idx], axis=0)


@op("Gelu")
def _gelu(e: EventView) -> None:
    x = e.inp(0)
    approximate = e.param(1, "approximate", "none")
    if e.opset >= 20:
        e.emit("Gelu", [x], approximate=approximate)
        return
    dt = e.out_dtype()

    def c(v):
        return e.const(np.asarray(v, dt))

    if approximate == "tanh":
        cube = e.node("Mul", [e.node("Mul", [x, x]), x])
        inner = e.node("Mul", [c(np.sqrt(2.0 / np.pi)),
                               e.node("Add", [x, e.node("Mul", [c(0.044715), cube])])])
        gate = e.node("Tanh", [inner])
    else:
        gate = e.node("Erf", [e.node("Mul", [x, c(1.0 / np.sqrt(2.0))])])
    half_x = e.node("Mul", [x, c(0.5)])
    e.emit("Mul", [half_x, e.node("Add", [gate, c(1.0)])])


@op("ConstantPad")
def _constant_pad(e: EventView) -> None:
    pairs = e.param(1, "pads")
    value = e.param(2, "value")
    pads = [int(b) for b, _ in pairs] + [int(a) for _, a in pairs]
    e.emit("Pad", [e.inp(0), e.ints(pads), e.const(np.asarray(value, e.out_dtype()))],
           mode="constant")


@op("Unbind")
def _unbind(e: EventView) -> None:
    dim = int(e.param(1, "dim"))
    n = len(e.outputs)
    parts = e.node("Split", [e.inp(0), e.ints([1] * n)], n_out=n, axis=dim)
    for part, out in zip(parts if n > 1 else [parts], e.outputs):
        e.node("Squeeze", [part, e.ints([dim])], outputs=[out])


# ======================================================================== linear algebra


@op("MatMul")
def _matmul(e: EventView) -> None:
    e.emit("MatMul", [e.inp(0), e.inp(1)])


@op("Einsum")
def _einsum(e: EventView) -> None:
    subs, out = e.kw("subs"), e.kw("out")
    e.emit("Einsum", [e.x(a) for a in e.ev.args], equation=",".join(subs) + "->" + out)


# ======================================================================== reductions


@op("Sum", "Mean", "Prod", "Norm2")
def _reduce(e: EventView) -> None:
    op_type = {"Sum": "ReduceSum", "Mean": "ReduceMean", "Prod": "ReduceProd",
               "Norm2": "ReduceL2"}[e.ev.key]
    x = e.cast(e.inp(0), e.dtype(e.arg(0)), e.out_dtype())
    reduce(e, op_type, x, e.param(1, "axis"), e.param(2, "keepdim", False), out=e.out)


@op("Amax")
def _amax(e: EventView) -> None:
    fn = e.param(3, "fn")
    name = getattr(fn, "__name__", "")
    op_type = {"max": "ReduceMax", "amax": "ReduceMax", "min": "ReduceMin",
               "amin": "ReduceMin"}.get(name)
    if op_type is None:
        e.fail(f"reduction {name!r} has no ONNX mapping")
    reduce(e, op_type, e.inp(0), e.param(1, "axis"), e.param(2, "keepdim", False), out=e.out)


@op("Cumsum")
def _cumsum(e: EventView) -> None:
    axis = e.const(np.asarray(int(e.param(1, "axis")), np.int64))
    e.emit("CumSum", [e.inp(0), axis])


# ======================================================================== shape


@op("Reshape", shape_args=(1, "shape"))
def _reshape(e: EventView) -> None:
    x = e.arg(0)
    target_a, target_b = e.param(1, "shape"), e.param_b(1, "shape")
    in_a, in_b = e.shape(x), e.shape_b(x)
    spec = []
    unmatched = []
    for j, (ta, tb) in enumerate(zip(target_a, target_b)):
        if ta == tb:
            spec.append(int(ta))
        elif j < len(in_a) and (in_a[j], in_b[j]) == (ta, tb) and ta != 0:
            spec.append(0)  # ONNX Reshape: 0 copies the input's size at this position
        else:
            spec.append(None)
            unmatched.append(j)
    if len(unmatched) == 1:
        spec[unmatched[0]] = -1
    if None not in spec:
        e.emit("Reshape", [e.x(x), e.ints(spec)])
        return
    parts = [e.ints([v]) if v is not None and v > 0 else
             e.size(target_a[j], target_b[j]) if v is None else e.dim(x, j)
             for j, v in enumerate(spec)]
    e.emit("Reshape", [e.x(x), e.node("Concat", parts, axis=0)])


@op("Permute")
def _permute(e: EventView) -> None:
    e.emit("Transpose", [e.inp(0)], perm=[int(a) for a in e.param(1, "axes")])


@op("Expand", "BroadcastTo", shape_args=(1, "shape"))
def _expand(e: EventView) -> None:
    x = e.arg(0)
    ta, tb = list(e.param(1, "shape")), list(e.param_b(1, "shape"))
    in_a, in_b = e.shape(x), e.shape_b(x)
    lead = len(ta) - len(in_a)
    for j in range(lead, len(ta)):  # sizes the input already has: 1 keeps them in Expand
        if (in_a[j - lead], in_b[j - lead]) == (ta[j], tb[j]):
            ta[j] = tb[j] = 1
    e.emit("Expand", [e.x(x), e.sizes(ta, tb)])


@op("Flip")
def _flip(e: EventView) -> None:
    axes = [int(a) for a in e.param(1, "axes")]
    n = len(axes)
    e.emit("Slice", [e.inp(0), e.ints([-1] * n), e.ints([-INT64_MAX] * n), e.ints(axes),
                     e.ints([-1] * n)])


@op("Concat")
def _concat(e: EventView) -> None:
    dt = e.out_dtype()
    e.emit("Concat", [_operand(e, a, dt) for a in e.ev.args], axis=int(e.kw("axis")))


@op("Tile")
def _tile(e: EventView) -> None:
    reps = [int(r) for r in e.param(1, "reps")]
    x = e.inp(0)
    rank = len(e.shape(e.arg(0)))
    if len(reps) > rank:
        x = e.node("Unsqueeze", [x, e.ints(list(range(len(reps) - rank)))])
    reps = [1] * (rank - len(reps)) + reps
    e.emit("Tile", [x, e.ints(reps)])


@op("Triangle")
def _triangle(e: EventView) -> None:
    e.emit("Trilu", [e.inp(0), e.const(np.asarray(int(e.param(1, "k")), np.int64))],
           upper=int(bool(e.param(2, "upper"))))


@op("GetItem", shape_args=(1, "idx"))
def _getitem(e: EventView) -> None:
    x = e.arg(0)
    idx_a, idx_b = e.param(1, "idx"), e.param_b(1, "idx")
    rank = len(e.shape(x))
    idx_a, idx_b = _expand_ellipsis(idx_a, rank), _expand_ellipsis(idx_b, rank)
    arrays = [it for it in idx_a if isinstance(it, (Value, Const))]
    if len(arrays) > 1 or any(isinstance(it, bool) for it in idx_a):
        e.fail("indexing with more than one index tensor, or with a mask, has no ONNX mapping")
    slices, picks, news, arrays_at = [], [], [], []
    axis = out_pos = 0
    for ia, ib in zip(idx_a, idx_b):
        if ia is None:
            news.append(out_pos)
            out_pos += 1
        elif isinstance(ia, slice):
            if ia != slice(None):
                slices.append((axis, ia, ib))
            axis += 1
            out_pos += 1
        elif isinstance(ia, (Value, Const)):
            if e.dtype(ia) == np.bool_:
                e.fail("boolean-mask indexing has a data-dependent shape")
            arrays_at.append((axis, ia))
            axis += 1
            out_pos += len(e.shape(ia))
        else:
            picks.append((axis, int(ia), int(ib)))
            axis += 1
    out = e.x(x)
    if slices:
        starts, ends, steps = [], [], []
        for _, sa, sb in slices:
            starts.append(_bound(e, sa.start, sb.start, 0))
            ends.append(_bound(e, sa.stop, sb.stop, INT64_MAX))
            steps.append(sa.step or 1)
        out = e.node("Slice", [out, e.node("Concat", starts, axis=0),
                               e.node("Concat", ends, axis=0),
                               e.ints([ax for ax, _, _ in slices]), e.ints(steps)])
    for ax, ia, ib in sorted(picks, reverse=True):  # later axes first: numbers stay valid
        index = e.const(np.asarray(ia, np.int64)) if ia == ib else \
            e.node("Squeeze", [e.size(ia, ib), e.ints([0])])  # e.g. x[:, t - 1]
        out = e.node("Gather", [out, index], axis=ax)
        arrays_at = [(a - (a > ax), r) for a, r in arrays_at]
    for ax, ref in arrays_at:
        out = e.node("Gather", [out, _operand(e, ref, np.int64)], axis=ax)
    if news:
        out = e.node("Unsqueeze", [out, e.ints(news)])
    e.emit("Identity", [out])


def _expand_ellipsis(idx, rank: int) -> list:
    idx = list(idx)
    if Ellipsis in idx:
        k = idx.index(Ellipsis)
        used = sum(1 for it in idx if it is not None and it is not Ellipsis)
        idx[k:k + 1] = [slice(None)] * (rank - used)
    used = sum(1 for it in idx if it is not None)
    return idx + [slice(None)] * (rank - used)


def _bound(e: EventView, va, vb, default: int) -> str:
    if va is None and vb is None:
        return e.ints([default])
    if va is None or vb is None:
        e.fail("a slice bound that is None in one run and set in the other")
    if va == vb:
        return e.ints([int(va)])
    return e.size(va, vb)


@op("IndexPut", shape_args=(2, "idx"))
def _index_put(e: EventView) -> None:
    """``a[idx] = v`` (basic indexing): ScatterND over the grid of the indexed positions."""
    a, v = e.arg(0), e.param(1, "v")
    rank = len(e.shape(a))
    items_a = _expand_ellipsis(e.param(2, "idx"), rank)
    items_b = _expand_ellipsis(e.param_b(2, "idx"), rank)
    if e.param(3, "advanced") or any(it is None for it in items_a):
        e.fail("assignment through index tensors or None")
    shape_a, shape_b = e.shape(a), e.shape_b(a)
    zero = e.const(np.asarray(0, np.int64))
    coords, picked = [], []
    for axis, (ia, ib) in enumerate(zip(items_a, items_b)):
        if isinstance(ia, slice):
            sa, sb = ia.indices(shape_a[axis]), ib.indices(shape_b[axis])
            bounds = [e.node("Squeeze", [e.size(x, y), e.ints([0])]) for x, y in zip(sa, sb)]
            pos = e.node("Range", bounds)
        else:
            pos = e.size(int(ia) % shape_a[axis], int(ib) % shape_b[axis])
            picked.append(axis)
        others = [d for d in range(rank) if d != axis]
        coords.append(e.node("Unsqueeze", [pos, e.ints(others)]) if others else pos)
    grid_zero = e.node("Mul", [coords[0], zero])
    for c in coords[1:]:
        grid_zero = e.node("Add", [grid_zero, e.node("Mul", [c, zero])])
    indices = e.node("Concat", [e.node("Unsqueeze", [e.node("Add", [c, grid_zero]),
                                                     e.ints([-1])]) for c in coords], axis=-1)
    dt = e.out_dtype()
    updates = _operand(e, v, dt)
    v_rank = len(e.shape(v)) if isinstance(v, (Value, Const)) else 0
    lead = rank - len(picked) - v_rank  # v broadcasts against a[idx] from the right
    if lead > 0:
        updates = e.node("Unsqueeze", [updates, e.ints(list(range(lead)))])
    if picked:  # the int-indexed axes are size 1 in the grid
        updates = e.node("Unsqueeze", [updates, e.ints(picked)])
    updates = e.node("Add", [updates, e.cast(grid_zero, np.int64, dt)])
    e.emit("ScatterND", [_operand(e, a, dt), indices, updates])


# ======================================================================== convolution, pooling


@op("Conv2d")
def _conv(e: EventView) -> None:
    geo = e.kw("geo")
    if e.kw("out_hw") is not None:
        e.fail("convolution with a forced output size")
    inputs = [e.inp(0), e.inp(1)] + ([e.inp(2)] if e.arg(2) is not None else [])
    e.emit("Conv", inputs, kernel_shape=[geo.kh, geo.kw], strides=[geo.sh, geo.sw],
           pads=[geo.pt, geo.pl, geo.pb, geo.pr], dilations=[geo.dh, geo.dw], group=geo.groups)


@op("ConvInputGrad", shape_args=("hw",))
def _conv_transpose(e: EventView) -> None:
    geo = e.kw("geo")
    extra = [_output_padding(geo, e.shape(e.arg(0)), e.kw("hw")),
             _output_padding(geo, e.shape_b(e.arg(0)), e.kw_b("hw"))]
    if extra[0] != extra[1]:
        e.fail("a transposed convolution whose output padding depends on the input's size")
    inputs = [e.inp(0), e.inp(1)] + ([e.inp(2)] if e.arg(2) is not None else [])
    e.emit("ConvTranspose", inputs, kernel_shape=[geo.kh, geo.kw], strides=[geo.sh, geo.sw],
           pads=[geo.pt, geo.pl, geo.pb, geo.pr], dilations=[geo.dh, geo.dw], group=geo.groups,
           output_padding=extra[0])


def _output_padding(geo, in_shape: tuple, hw) -> list:
    """What ConvTranspose must add to its natural output size to give ``hw``."""
    h, w = in_shape[2:]
    natural = [(h - 1) * geo.sh - geo.pt - geo.pb + geo.dh * (geo.kh - 1) + 1,
               (w - 1) * geo.sw - geo.pl - geo.pr + geo.dw * (geo.kw - 1) + 1]
    return [int(hw[0]) - natural[0], int(hw[1]) - natural[1]]


def _pool_geo(e: EventView):
    """The pooling geometry; only the output size (ho, wo) may follow the dynamic axes."""
    geo, geo_b = e.kw("geo"), e.kw_b("geo")
    if geo[:-2] != geo_b[:-2]:
        e.fail("pooling whose window depends on the input's size")
    modes = {run: _ceil_mode(geo_, shape) for run, geo_, shape in (
        ("a", geo, e.shape(e.arg(0))), ("b", geo_b, e.shape_b(e.arg(0))))}
    if modes["a"] != modes["b"]:
        e.fail("pooling whose rounding mode cannot be told from the input sizes")
    return geo, modes["a"]


def _ceil_mode(geo, in_shape: tuple) -> int:
    h, w = in_shape[2:]
    floor = [(h + 2 * geo.ph - geo.dh * (geo.kh - 1) - 1) // geo.sh + 1,
             (w + 2 * geo.pw - geo.dw * (geo.kw - 1) - 1) // geo.sw + 1]
    return int(floor != [geo.ho, geo.wo])


def _pool_attrs(geo, ceil_mode: int) -> dict:
    return {"kernel_shape": [geo.kh, geo.kw], "strides": [geo.sh, geo.sw],
            "pads": [geo.ph, geo.pw, geo.ph, geo.pw], "ceil_mode": ceil_mode}


@op("MaxPool2d", shape_args=("geo",))
def _max_pool(e: EventView) -> None:
    geo, ceil_mode = _pool_geo(e)
    if e.kw("sink") is not None:
        e.fail("max pooling with return_indices=True")
    e.emit("MaxPool", [e.inp(0)], dilations=[geo.dh, geo.dw], **_pool_attrs(geo, ceil_mode))


@op("SumPool", shape_args=("geo", "scale"))
def _sum_pool(e: EventView) -> None:
    geo, ceil_mode = _pool_geo(e)
    if geo.dh != 1 or geo.dw != 1:
        e.fail("average pooling with dilation")
    dt = e.out_dtype()
    scales = [s.array if isinstance(s, Const) else np.asarray(s, dt)
              for s in (e.kw("scale"), e.kw_b("scale"))]
    attrs = _pool_attrs(geo, ceil_mode)
    full = 1.0 / (geo.kh * geo.kw)
    if all(s.ndim == 0 and np.isclose(s, full, rtol=1e-6) for s in scales) and not ceil_mode:
        e.emit("AveragePool", [e.inp(0)], count_include_pad=1, **attrs)
        return
    runs = zip(scales, (geo, e.kw_b("geo")), (e.shape(e.arg(0)), e.shape_b(e.arg(0))))
    if all(s.ndim and s.shape == (g.ho, g.wo) and np.allclose(s, _valid_scale(g, shape),
                                                               rtol=1e-6)
           for s, g, shape in runs) and not ceil_mode:
        e.emit("AveragePool", [e.inp(0)], count_include_pad=0, **attrs)
        return
    if not same_array(scales[0], scales[1]) or ceil_mode:
        e.fail("average pooling whose divisors depend on the input's size")
    # window sums (the average with the padding counted, times the window size), then ember's
    # per-window scale (divisor_override, or a fixed-size input's divisors)
    avg = e.node("AveragePool", [e.inp(0)], count_include_pad=1, **attrs)
    e.emit("Mul", [avg, e.const((scales[0] * (geo.kh * geo.kw)).astype(dt))])


def _valid_scale(geo, in_shape: tuple) -> np.ndarray:
    """1 / (the number of input, not padding, elements) of every window."""
    def counts(size, k, s, p, n):
        start = np.arange(n) * s - p
        return np.minimum(start + k, size) - np.maximum(start, 0)

    h, w = in_shape[2:]
    return 1.0 / np.outer(counts(h, geo.kh, geo.sh, geo.ph, geo.ho),
                          counts(w, geo.kw, geo.sw, geo.pw, geo.wo))


def same_array(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and np.array_equal(a, b)

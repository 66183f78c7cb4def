"""Turning two recorded runs into ONNX nodes.

The model is traced twice: with the user's arguments (run A) and with every dynamic axis
resized (run B). A dimension whose size differs between the runs depends on a dynamic axis;
mappings of shape-dependent ops (reshape, slicing, ``arange``...) ask ``dims`` for such sizes
and get a ``Shape``/``Gather`` computation from a traced value whose dimension moved the same
way, so the exported graph works at other batch sizes and sequence lengths. Any other
argument that differs between the runs (a constant computed outside ember's ops, a size
baked into a Python number) is an export error rather than a silently wrong file.
"""

from __future__ import annotations

import numpy as np

from ._graph import Graph
from ._trace import Const, Event, Recorder, Value
from .errors import OnnxExporterError, UnsupportedOperatorError

INT64_MAX = np.iinfo(np.int64).max


def same(a, b) -> bool:
    """Equality of recorded arguments (constants by value, values by name)."""
    if isinstance(a, Const) or isinstance(b, Const):
        return isinstance(a, Const) and isinstance(b, Const) and a.array.shape == b.array.shape \
            and a.array.dtype == b.array.dtype and np.array_equal(a.array, b.array, equal_nan=True)
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, slice):
        return isinstance(b, slice) and same((a.start, a.stop, a.step), (b.start, b.stop, b.step))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(a, b)
    try:
        return bool(a == b)
    except Exception:  # objects without a meaningful ==: compare identity
        return a is b


class Emitter:
    """Walks the events of run A beside run B and lets each mapping add its nodes."""

    def __init__(self, graph: Graph, run_a: Recorder, run_b: Recorder, opset: int,
                 available: list) -> None:
        self.g = graph
        self.a = run_a
        self.b = run_b
        self.opset = opset
        self.available = list(available)  # value names usable as dim sources, inputs first
        self._dim_cache: dict = {}

    # ------------------------------------------------------------------ the walk
    def run(self, ops: dict, modules: dict, functions: dict) -> None:
        pairs = list(zip(self.a.events, self.b.events))
        for i, (ea, eb) in enumerate(pairs + [(None, None)]):
            if ea is None and len(self.a.events) == len(self.b.events):
                break
            if ea is None or ea.key != eb.key:
                where = (f"after {len(pairs)} ops" if ea is None else
                         f"at op {i}: '{ea.key}' in '{ea.path}', then '{eb.key}' in '{eb.path}'")
                raise OnnxExporterError(
                    "ember.onnx.export: the model ran different ops when the dynamic axes were "
                    f"resized (or the inputs' values changed) ({where}): its control flow "
                    "depends on the input, which a traced graph cannot express (a Python loop "
                    "over a dynamic size, or a branch on tensor values)")
        for ea, eb in zip(self.a.events, self.b.events):
            table = ops if ea.kind == "op" else modules if ea.kind == "module" else functions
            entry = table.get(ea.key)
            if entry is None:
                raise UnsupportedOperatorError(ea.key, ea.path)
            fn, shape_args = entry
            self._check_static(ea, eb, shape_args)
            self.g.scope = "/" + ea.path.replace(".", "/") if ea.path else ""
            fn(EventView(self, ea, eb))
            self.available.extend(ea.outputs)

    def _check_static(self, ea: Event, eb: Event, shape_args) -> None:
        """Arguments other than the declared shape arguments must not move between runs."""
        for i, (x, y) in enumerate(zip(ea.args, eb.args)):
            if i not in shape_args and not same(x, y):
                self._moved(ea, f"argument {i}", x, y)
        for k, x in ea.kwargs.items():
            if k not in shape_args and not same(x, eb.kwargs.get(k)):
                self._moved(ea, f"argument '{k}'", x, eb.kwargs.get(k))

    @staticmethod
    def _moved(ev: Event, what: str, x, y) -> None:
        if _has_const(x) or _has_const(y):
            detail = (f"its {what} is a tensor that no traced ember op produced (computed in "
                      "NumPy or Python from the input?) and whose value depends on the input")
        else:
            detail = (f"its {what} depends on the input's size ({_short(x)} vs {_short(y)} when "
                      "the dynamic axes were resized); compute it with tensor ops, or leave "
                      "that axis static")
        raise UnsupportedOperatorError(ev.key, ev.path, detail)

    # ------------------------------------------------------------------ values
    def name(self, ref) -> str:
        if isinstance(ref, (Value, Const)):
            name = ref.name
            if name not in self.g.initializers:  # parameters and constants: stored when used
                arr = self.a.param_arrays.get(name)
                arr = self.a.const_arrays.get(name) if arr is None else arr
                if arr is not None:
                    self.g.initializer(name, arr)
            return name
        raise OnnxExporterError(f"ember.onnx.export: expected a tensor, got {ref!r}")

    def shape(self, ref, run: str = "a") -> tuple:
        return (self.a if run == "a" else self.b).shapes[ref.name]

    def dtype(self, ref) -> np.dtype:
        return self.a.dtypes[ref.name]

    def dim(self, name: str, axis: int) -> str:
        """Size ``axis`` of value ``name`` as a 1-D int64 tensor of one element."""
        key = (name, axis)
        if key not in self._dim_cache:
            shape = self.g.node("Shape", [name])
            self._dim_cache[key] = self.g.node("Gather", [shape, self.g.ints([axis])], axis=0)
        return self._dim_cache[key]

    def size(self, va: int, vb: int) -> str:
        """One size as a 1-D int64 tensor: a constant, or computed from a traced dimension."""
        va, vb = int(va), int(vb)
        if va == vb:
            return self.g.ints([va])
        found = self._find_dim(va, vb)
        if found is None:
            raise OnnxExporterError(
                f"ember.onnx.export: a size ({va}, or {vb} with the dynamic axes resized) "
                "depends on the dynamic axes but is none of their sizes (nor a multiple or "
                "an offset of one)")
        return found

    def _find_dim(self, va: int, vb: int):
        if (va, vb) in self._dim_cache:
            return self._dim_cache[(va, vb)]
        moving = []
        for name in self.available:
            sa, sb = self.a.shapes.get(name), self.b.shapes.get(name)
            if sa is None or sb is None or len(sa) != len(sb):
                continue
            for ax, (x, y) in enumerate(zip(sa, sb)):
                if x != y:
                    if (x, y) == (va, vb):
                        return self._remember(va, vb, self.dim(name, ax))
                    moving.append((x, y, name, ax))
        for x, y, name, ax in moving:  # a multiple, an offset, a product of two
            if x and va % x == 0 and vb == va // x * y:
                d = self.g.node("Mul", [self.dim(name, ax), self.g.ints([va // x])])
                return self._remember(va, vb, d)
            if va - x == vb - y:
                d = self.g.node("Add", [self.dim(name, ax), self.g.ints([va - x])])
                return self._remember(va, vb, d)
        for i, (x1, y1, n1, a1) in enumerate(moving):
            for x2, y2, n2, a2 in moving[i + 1:]:
                if x1 * x2 == va and y1 * y2 == vb:
                    d = self.g.node("Mul", [self.dim(n1, a1), self.dim(n2, a2)])
                    return self._remember(va, vb, d)
        return None

    def _remember(self, va: int, vb: int, name: str) -> str:
        self._dim_cache[(va, vb)] = name
        return name

    def sizes(self, values_a, values_b) -> str:
        """A 1-D int64 shape tensor for sizes that may depend on the dynamic axes."""
        values_a, values_b = [int(v) for v in values_a], [int(v) for v in values_b]
        if values_a == values_b:
            return self.g.ints(values_a)
        parts = [self.size(x, y) for x, y in zip(values_a, values_b)]
        return self.g.node("Concat", parts, axis=0)


class EventView:
    """What a mapping sees of one event: its arguments, outputs and graph helpers."""

    def __init__(self, em: Emitter, ev: Event, evb: Event) -> None:
        self.em = em
        self.g = em.g
        self.ev = ev
        self.evb = evb
        self.opset = em.opset

    @property
    def target(self):
        return self.ev.target

    def arg(self, i: int, default=None):
        return self.ev.args[i] if i < len(self.ev.args) else default

    def arg_b(self, i: int, default=None):
        return self.evb.args[i] if i < len(self.evb.args) else default

    def kw(self, key: str, default=None):
        return self.ev.kwargs.get(key, default)

    def kw_b(self, key: str, default=None):
        return self.evb.kwargs.get(key, default)

    def param(self, i: int, key: str, default=None):
        """An argument given by position ``i`` or keyword ``key``."""
        if i < len(self.ev.args):
            return self.ev.args[i]
        return self.ev.kwargs.get(key, default)

    def param_b(self, i: int, key: str, default=None):
        if i < len(self.evb.args):
            return self.evb.args[i]
        return self.evb.kwargs.get(key, default)

    def x(self, ref) -> str:
        return self.em.name(ref)

    def inp(self, i: int) -> str:
        return self.em.name(self.ev.args[i])

    @property
    def outputs(self) -> list:
        return self.ev.outputs

    @property
    def out(self) -> str:
        return self.ev.outputs[0]

    def shape(self, ref) -> tuple:
        return self.em.shape(ref)

    def shape_b(self, ref) -> tuple:
        return self.em.shape(ref, "b")

    def out_shape(self, i: int = 0) -> tuple:
        return self.em.a.shapes[self.ev.outputs[i]]

    def out_dtype(self, i: int = 0) -> np.dtype:
        return self.em.a.dtypes[self.ev.outputs[i]]

    def dtype(self, ref) -> np.dtype:
        return self.em.dtype(ref)

    def node(self, op_type: str, inputs, n_out: int = 1, outputs=None, **attrs):
        return self.g.node(op_type, inputs, n_out, outputs, **attrs)

    def emit(self, op_type: str, inputs, **attrs) -> str:
        """A node writing this event's (single) output."""
        return self.g.node(op_type, inputs, outputs=[self.out], **attrs)

    def const(self, value, dtype=None) -> str:
        return self.g.const(value, dtype)

    def ints(self, values) -> str:
        return self.g.ints(values)

    def sizes(self, values_a, values_b) -> str:
        return self.em.sizes(values_a, values_b)

    def size(self, va: int, vb: int) -> str:
        return self.em.size(va, vb)

    def dim(self, ref, axis: int) -> str:
        return self.em.dim(self.x(ref), axis)

    def cast(self, name: str, src: np.dtype, dst: np.dtype) -> str:
        if np.dtype(src) == np.dtype(dst):
            return name
        return self.g.node("Cast", [name], to=onnx_type(dst))

    def fail(self, detail: str):
        raise UnsupportedOperatorError(self.ev.key, self.ev.path, detail)


def _has_const(x) -> bool:
    if isinstance(x, (tuple, list)):
        return any(map(_has_const, x))
    return isinstance(x, Const)


def _short(x) -> str:
    text = repr(x)
    return text if len(text) < 80 else text[:77] + "..."


# ONNX TensorProto data types, by NumPy dtype (the numbers are fixed by the ONNX standard)
_ONNX_TYPES = {
    np.dtype(np.float32): 1, np.dtype(np.uint8): 2, np.dtype(np.int8): 3,
    np.dtype(np.uint16): 4, np.dtype(np.int16): 5, np.dtype(np.int32): 6,
    np.dtype(np.int64): 7, np.dtype(np.bool_): 9, np.dtype(np.float16): 10,
    np.dtype(np.float64): 11, np.dtype(np.uint32): 12, np.dtype(np.uint64): 13,
}


def onnx_type(dtype) -> int:
    dtype = np.dtype(dtype)
    if dtype not in _ONNX_TYPES:
        raise OnnxExporterError(f"ember.onnx.export: dtype {dtype} has no ONNX type here")
    return _ONNX_TYPES[dtype]

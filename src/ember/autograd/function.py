"""Function: the one way to define a differentiable op, and the graph node it becomes.

An op is a subclass with a ``forward`` and a ``backward``. ``apply`` runs ``forward``
and, only when grad mode is on and some input requires grad, turns the op instance into a
graph node: it records the edges to the inputs' nodes and what backward needs. Under
``no_grad`` nothing is kept, which is what makes evaluation cheap.

Two flavours share that node type and the engine:

* ``Op`` (ember's own ops): ``forward(ctx, *arrays, **options)`` works on NumPy arrays and
  returns one array. Inputs the backward needs are declared with ``save_inputs`` (indices)
  and ``save_output``; ``ctx.saved_tensors`` gives them back as Tensors, so backward
  formulas written with ember ops stay differentiable (``create_graph``).
* ``Function`` (PyTorch's user API): ``forward(ctx, *args)`` receives the Tensors and runs
  with grad disabled; ``ctx.save_for_backward``; any number of outputs.

``backward(ctx, *grads)`` returns one gradient (or None) per positional input.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy import ndarray

from .._core import (
    AccumulateGrad,
    Node,
    Tensor,
    _from_array,
    _init,
    _RemovableHandle,
    _Version,
    edge,
    zeros_for,
)
from .._grad_mode import state as _grad_state

_new = object.__new__

# The ONNX exporter's hook (ember.onnx._trace.Recorder), set only while an export runs: every
# Op.apply / Function.apply reports (cls, ctx, args, kwargs, result) after forward, and Op.apply
# skips its no-record shortcut so every op is seen. None otherwise: one global read per op.
_tracer = None

__all__ = ["AccumulateGrad", "Function", "Node", "Op", "_RemovableHandle", "once_differentiable"]


class Function(Node):
    """Base class of differentiable operations (PyTorch's ``torch.autograd.Function``)."""

    _saved = None
    _user = True  # Op sets False: forward on arrays, single output
    needs_input_grad: tuple = ()
    materialize_grads = True

    # ----- the ctx API used inside forward/backward -----
    def save_for_backward(self, *tensors) -> None:
        self._saved = tuple(
            (t, t._version) if t is not None and hasattr(t, "_version") else (t, None)
            for t in tensors
        )

    def mark_dirty(self, *tensors) -> None:
        """Accepted for PyTorch compatibility; in-place outputs bump versions themselves."""

    def mark_non_differentiable(self, *tensors) -> None:
        self._non_diff = {id(t) for t in tensors}

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = bool(value)

    @property
    def saved_tensors(self) -> tuple:
        if self._freed:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or "
                "if you need to access saved tensors after calling backward."
            )
        saved = self._saved
        if saved is None:
            return ()
        out = []
        for t, version in saved:
            if version is not None and t._version != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by "
                    f"an inplace operation: [{t.dtype_name()} {list(t.shape)}] is at version "
                    f"{t._version}; expected version {version} instead. Hint: the operation that "
                    f"failed was {self.name()}; avoid modifying its inputs in place."
                )
            out.append(t)
        return tuple(out)

    saved_variables = saved_tensors

    # ----- building the graph -----
    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run a user-defined Function: forward on Tensors under no_grad, then record a node."""
        ctx = cls.__new__(cls)
        record = _grad_state.enabled and any(
            isinstance(a, Tensor) and a._requires_grad for a in args
        )
        prev = _grad_state.enabled
        _grad_state.enabled = False
        try:
            result = cls.forward(ctx, *args, **kwargs)
        finally:
            _grad_state.enabled = prev
        if _tracer is not None:  # ember.onnx export: record this call (see _tracer above)
            _tracer.function(cls, ctx, args, kwargs, result)
        single = not isinstance(result, tuple)
        outputs = (result,) if single else result
        if not record:
            return result
        ctx.next_edges = tuple(edge(a) if isinstance(a, Tensor) else None for a in args)
        ctx.needs_input_grad = tuple(e is not None for e in ctx.next_edges)
        ctx._shapes = tuple(a.shape if isinstance(a, Tensor) else None for a in args)
        ctx._n_out = len(outputs)
        non_diff = getattr(ctx, "_non_diff", ())
        wrapped = []
        for nr, out in enumerate(outputs):
            if isinstance(out, Tensor) and id(out) not in non_diff and out.is_floating_point():
                if out._requires_grad or any(out is a for a in args):
                    out = _from_array(out._data)  # a fresh output, sharing the storage
                out._grad_fn = ctx
                out._output_nr = nr
                out._requires_grad = True
            wrapped.append(out)
        ctx._out_meta = tuple(
            (o._data.shape, o._data.dtype) if isinstance(o, Tensor) else ((), np.float32)
            for o in wrapped
        )
        return wrapped[0] if single else tuple(wrapped)

    def _call_backward(self, grads: list):
        if self.materialize_grads and any(g is None for g in grads):
            grads = [
                zeros_for(*meta) if g is None else g for g, meta in zip(grads, self._out_meta)
            ]
        result = type(self).backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        n = len(self.next_edges)
        if len(result) != n:
            # PyTorch allows trailing Nones for non-tensor inputs to be omitted only if
            # forward took exactly that many; be as strict as it is.
            if len(result) > n and all(r is None for r in result[n:]):
                result = result[:n]
            else:
                raise RuntimeError(
                    f"function {self.name()} returned an incorrect number of gradients "
                    f"(expected {n}, got {len(result)})"
                )
        return result

    def _release(self) -> None:
        """Free what backward saved (the graph is not retained)."""
        d = self.__dict__
        for v in d.values():  # common case: nothing array-valued, leave without allocating
            if type(v) is ndarray:
                break
        else:
            if self._saved is None:
                return
        self._saved = None
        for k in [k for k in d if type(d[k]) is ndarray]:
            del d[k]
        self._freed = True


class Op(Function):
    """Base of ember's built-in ops: forward on NumPy arrays, one output (see module doc)."""

    _user = False
    requires_grad = False  # set on the instance when apply records a node
    save_inputs: tuple = ()
    # for each saved input, the inputs whose gradients read it (None: every gradient does)
    saved_for: tuple | None = None
    save_output = False
    differentiable = True
    ufunc = None  # a NumPy ufunc equal to forward: called directly when nothing records

    @classmethod
    def apply(cls, *args, **kwargs):
        # the hot path of every op: kept flat on purpose (no helper calls, no generators)
        ufunc = cls.ufunc
        if ufunc is not None and _tracer is None:
            # the no-record shortcut: forward is one NumPy ufunc and no input will be recorded
            # (grad mode off, or none requires grad), so call it and wrap: no ctx, no node
            enabled = _grad_state.enabled
            if len(args) == 2 and type(args[0]) is Tensor and type(args[1]) is Tensor:
                a, b = args  # the arithmetic operators' case, without building a list
                vals = None if enabled and (a._requires_grad or b._requires_grad) else \
                    (a._data, b._data)
            else:
                vals = []
                for a in args:
                    if isinstance(a, Tensor):
                        if enabled and a._requires_grad:
                            vals = None
                            break
                        vals.append(a._data)
                    else:
                        vals.append(a)
            if vals is not None:
                out = ufunc(*vals)
                result = _new(Tensor)
                result._data = out if type(out) is ndarray else np.asarray(out)
                result._requires_grad = False
                result._grad_fn = None
                return result
        record = False
        vals = []
        push = vals.append
        for a in args:
            if isinstance(a, Tensor):
                push(a._data)
                if a._requires_grad:
                    record = True
            else:
                push(a)
        if record and not (_grad_state.enabled and cls.differentiable):
            record = False
        ctx = _new(cls)
        if record:
            ctx.requires_grad = True  # else the class default (False) answers
        out = cls.forward(ctx, *vals, **kwargs)
        if type(out) is not ndarray:
            out = np.asarray(out)
        result = _new(Tensor)
        result._data = out
        if _tracer is not None:  # ember.onnx export: record this op (see _tracer above)
            _tracer.op(cls, ctx, args, kwargs, result)
        if not record:
            result._requires_grad = False
            result._grad_fn = None
            return result
        edges = []
        needs = []
        shapes = []
        for a, v in zip(args, vals):
            if isinstance(a, Tensor) and a._requires_grad:
                fn = a._grad_fn
                if fn is not None:
                    edges.append((fn, a._output_nr))
                else:
                    acc = a._accum
                    if acc is None:
                        acc = a._accum = AccumulateGrad(a)
                    edges.append((acc, 0))
                needs.append(True)
                shapes.append(v.shape)
            else:
                edges.append(None)
                needs.append(False)
                shapes.append(None)
        ctx.next_edges = edges
        ctx.needs_input_grad = needs
        ctx._shapes = shapes
        if cls.save_inputs:
            saved = []
            used_by = cls.saved_for
            for k, i in enumerate(cls.save_inputs):
                a = args[i]
                # an input only the unrequested gradients read is kept but not version-checked:
                # writing it in place later is fine, as in PyTorch (which does not save it)
                if isinstance(a, Tensor) and (
                        used_by is None or any(needs[j] for j in used_by[k])):
                    vc = a._vc
                    saved.append((a, 0 if vc is None else vc.value))
                else:
                    saved.append((a, None))
            ctx._saved = saved
        if cls.save_output:
            ctx._out = out
            vc = result._vc = _Version()
            ctx._out_vc = vc
        result._grad_fn = ctx
        result._requires_grad = True
        return result

    @property
    def saved_tensors(self) -> tuple:
        saved = Function.saved_tensors.fget(self)
        if self.save_output:
            if self._out_vc.value != 0:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by "
                    f"an inplace operation: the output of {self.name()} is at version "
                    f"{self._out_vc.value}; expected version 0 instead."
                )
            out = _new(Tensor)
            _init(out, self._out)
            out._grad_fn = self
            out._requires_grad = True
            return saved + (out,)
        return saved

    def _call_backward(self, grads: list):
        result = type(self).backward(self, grads[0])
        return result if type(result) is tuple else (result,)




def once_differentiable(fn):
    """Decorator accepted for PyTorch compatibility: runs backward with grad disabled."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        prev = _grad_state.enabled
        _grad_state.enabled = False
        try:
            return fn(ctx, *args)
        finally:
            _grad_state.enabled = prev

    return wrapper

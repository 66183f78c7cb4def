"""Recording one run of a model: ember's op layer is the trace.

``Recorder`` is installed as ``ember.autograd.function._tracer`` while the model runs; every
``Op.apply`` / ``Function.apply`` reports its class, arguments and result. Each tensor that
flows through gets a value name; a tensor no traced op produced (a parameter, a buffer, or a
constant made inside ``forward``) is resolved by identity, or recorded as a constant.

Modules and functions with a mapping of their own (LSTM, MultiheadAttention, batch norm,
scaled_dot_product_attention, ``arange``...) are recorded as ONE event: their inner ops are
not recorded, so a later fusion of their internals cannot break the export.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from .._core import _Version
from ..tensor import Tensor
from .errors import UnsupportedOperatorError

# how many of the latest recorded outputs to search for the new value of a tensor written in
# place (``inplace()`` copies an op's result into the old storage: it is one of the last few)
_INPLACE_LOOKBACK = 8


@dataclass(frozen=True)
class Value:
    """A reference to a traced value (graph input, op output, parameter or buffer)."""

    name: str


@dataclass(frozen=True, eq=False)
class Const:
    """A tensor/array no traced op produced: it becomes a constant of the graph."""

    name: str
    array: np.ndarray


@dataclass
class Event:
    """One recorded call: an op, a mapped module or a mapped function."""

    kind: str  # "op", "module" or "call"
    key: str  # the op class name, module class name or function name
    args: tuple
    kwargs: dict
    outputs: list  # value names of the tensor outputs, in order
    path: str  # the module path it ran in
    target: object = None  # the op instance (ctx) or the module


@dataclass
class Recorder:
    """The tracer of one run: values, their shapes/dtypes and the events in order."""

    function_keys: frozenset  # autograd.Function classes with a mapping
    events: list = field(default_factory=list)
    shapes: dict = field(default_factory=dict)  # value name -> shape
    dtypes: dict = field(default_factory=dict)  # value name -> numpy dtype
    order: list = field(default_factory=list)  # value names in creation order
    # id(tensor) -> (name, tensor, version counter, its value when the value was recorded)
    _by_tensor: dict = field(default_factory=dict)
    _by_array: dict = field(default_factory=dict)  # id(ndarray) -> (name, array, tensor)
    _consts: dict = field(default_factory=dict)  # id(array) -> (array, Const)
    const_arrays: dict = field(default_factory=dict)  # constant name -> its values
    _keep: list = field(default_factory=list)  # keeps ids stable while the run lasts
    param_names: list = field(default_factory=list)  # state_dict names, in order
    param_arrays: dict = field(default_factory=dict)  # state_dict name -> array
    path: list = field(default_factory=list)
    suppress: int = 0
    _counter: int = 0

    # ------------------------------------------------------------------ values
    def define(self, tensor: Tensor, name: str | None = None, hint: str = "v") -> str:
        if name is None:
            self._counter += 1
            name = f"{hint}_{self._counter}"
        if tensor._vc is None:  # an own counter now: a later view shares it, a write bumps it
            tensor._vc = _Version()
        self._by_tensor[id(tensor)] = (name, tensor, tensor._vc, tensor._vc.value)
        self._by_array[id(tensor._data)] = (name, tensor._data, tensor)
        self._keep.append(tensor)
        self.shapes[name] = tuple(tensor._data.shape)
        self.dtypes[name] = tensor._data.dtype
        self.order.append(name)
        return name

    def ref(self, x):
        """The reference recorded for an argument: Value, Const, or the argument itself."""
        if isinstance(x, Tensor):
            return self._tensor_ref(x)
        if isinstance(x, np.ndarray):
            entry = self._by_array.get(id(x))
            if entry is not None and entry[1] is x:
                return Value(entry[0])
            return self._const(x)
        if type(x) is tuple:  # (a NamedTuple of sizes, like ConvGeom, stays as it is)
            return tuple(self.ref(v) for v in x)
        if type(x) is list:
            return [self.ref(v) for v in x]
        return x

    def _tensor_ref(self, t: Tensor):
        entry = self._by_tensor.get(id(t))
        if entry is not None and entry[1] is t:
            return Value(self._current(t, entry))
        entry = self._by_array.get(id(t._data))
        if entry is not None and entry[1] is t._data:  # another wrapper of a traced array
            owner = entry[2]
            return Value(self._current(owner, self._by_tensor[id(owner)]))
        # first sight of a tensor no traced op produced: a constant of the graph, tracked like
        # a value from now on (so an in-place write into it is seen)
        c = self._const(t._data)
        if t._vc is None:
            t._vc = _Version()
        self._by_tensor[id(t)] = (c.name, t, t._vc, t._vc.value)
        self._keep.append(t)
        return c

    def _current(self, t: Tensor, entry: tuple) -> str:
        name, _, vc, value = entry
        if t._vc is not vc:  # made a view after it was recorded: it shares its base's counter
            self._by_tensor[id(t)] = (name, t, t._vc, t._vc.value)
            return name
        return name if vc.value == value else self._rebind_written(t)

    def _rebind_written(self, t: Tensor) -> str:
        """The value a tensor holds after an in-place write: the recent op output it equals."""
        for event in reversed(self.events[-_INPLACE_LOOKBACK:]):
            for name in event.outputs:
                src = self._find_tensor(name)
                if src is not None and src is not t and src._data.shape == t._data.shape \
                        and src._data.dtype == t._data.dtype \
                        and np.array_equal(src._data, t._data, equal_nan=True):
                    self._by_tensor[id(t)] = (name, t, t._vc, t._vc.value)
                    return name
        raise UnsupportedOperatorError(
            "in-place write", self.current_path(),
            "a traced tensor was modified in place by code that is not an ember op")

    def _find_tensor(self, name: str):
        for n, tensor, _, _ in reversed(list(self._by_tensor.values())[-64:]):
            if n == name:
                return tensor
        return None

    def _const(self, array: np.ndarray) -> Const:
        """A constant with the array's values now (a later write to it makes a new one)."""
        entry = self._consts.get(id(array))
        if entry is not None and entry[0] is array and np.array_equal(
                entry[1].array, array, equal_nan=True):
            return entry[1]
        self._counter += 1
        c = Const(f"const_{self._counter}", array.copy())
        self._consts[id(array)] = (array, c)
        self._keep.append(array)
        self.const_arrays[c.name] = c.array
        self.shapes[c.name] = c.array.shape
        self.dtypes[c.name] = c.array.dtype
        return c

    def current_path(self) -> str:
        return self.path[-1] if self.path else ""

    # ------------------------------------------------------------------ the hooks
    def op(self, cls, ctx, args, kwargs, result) -> None:
        """Called by ``Op.apply`` after forward."""
        if self.suppress:
            return
        event = Event("op", cls.__name__, self.ref(tuple(args)),
                      {k: self.ref(v) for k, v in kwargs.items()}, [], self.current_path(), ctx)
        event.outputs.append(self.define(result, hint=cls.__name__))
        self.events.append(event)

    def function(self, cls, ctx, args, kwargs, result) -> None:
        """Called by ``Function.apply`` after forward (user-defined autograd Functions)."""
        if self.suppress:
            return
        outs = result if isinstance(result, tuple) else (result,)
        key = cls.__name__
        if key in self.function_keys:
            event = Event("op", key, self.ref(tuple(args)),
                          {k: self.ref(v) for k, v in kwargs.items()}, [],
                          self.current_path(), ctx)
            event.outputs.extend(self.define(o, hint=key) for o in outs if isinstance(o, Tensor))
            self.events.append(event)
            return
        for o in outs:  # the inner ember ops were traced: their results are known values
            if isinstance(o, Tensor) and not isinstance(self._tensor_ref(o), Value):
                raise UnsupportedOperatorError(
                    f"autograd.Function {key}", self.current_path(),
                    "its forward computes outside ember's ops")

    def call(self, kind: str, key: str, target, fn, args, kwargs):
        """Run a mapped module/function as one event; its inner ops are not recorded."""
        if self.suppress:
            return fn(*args, **kwargs)
        arg_refs = self.ref(tuple(args))
        kw_refs = {k: self.ref(v) for k, v in kwargs.items()}
        self.suppress += 1
        try:
            out = fn(*args, **kwargs)
        finally:
            self.suppress -= 1
        tensors = flatten_tensors(out)
        if tensors:  # (``t == None`` and friends return a bool: nothing to record)
            event = Event(kind, key, arg_refs, kw_refs, [], self.current_path(), target)
            event.outputs.extend(self.define(t, hint=key.strip("_")) for t in tensors)
            self.events.append(event)
        return out


def flatten_tensors(out) -> list:
    """The tensors of a (nested) output, depth first; None entries are skipped."""
    if isinstance(out, Tensor):
        return [out]
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in flatten_tensors(o)]
    if isinstance(out, dict):
        return [t for o in out.values() for t in flatten_tensors(o)]
    return []


def module_wrapper(recorder: Recorder, path: str, forward):
    """An instance's ``forward`` that keeps its module path current while it runs."""

    @functools.wraps(forward)
    def wrapped(*args, **kwargs):
        recorder.path.append(path)
        try:
            return forward(*args, **kwargs)
        finally:
            recorder.path.pop()

    return wrapped


def class_forward_wrapper(recorder: Recorder, mapped: frozenset, forward):
    """The ``forward`` of mapped module classes: each call is recorded as one event, under
    the nearest mapped class (a subclass calling it through ``super()`` included)."""

    @functools.wraps(forward)
    def wrapped(self, *args, **kwargs):
        key = next((k.__name__ for k in type(self).__mro__ if k in mapped), None)
        if key is None:  # a sibling class sharing the base's forward, without a mapping
            return forward(self, *args, **kwargs)
        return recorder.call("module", key, self, functools.partial(forward, self), args,
                             kwargs)

    return wrapped


def function_wrapper(recorder: Recorder, key: str, fn):
    """A public function recorded as one event (``scaled_dot_product_attention``, ``arange``)."""

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        return recorder.call("call", key, fn, fn, args, kwargs)

    return wrapped

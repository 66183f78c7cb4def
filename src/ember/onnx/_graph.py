"""The ONNX graph under construction, as plain Python data (no ``onnx`` import).

Keeping nodes as tuples lets ``import ember.onnx`` work without the optional ``onnx``
package; ``_writer`` turns this into protobuf once at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class NodeSpec:
    op_type: str
    inputs: list
    outputs: list
    attrs: dict
    name: str


@dataclass
class Graph:
    """Nodes in topological order (the trace order), initializers and fresh names."""

    nodes: list = field(default_factory=list)
    initializers: dict = field(default_factory=dict)  # name -> ndarray
    params: set = field(default_factory=set)  # initializer names that are model parameters
    counter: int = 0
    n_nodes: int = 0
    scope: str = ""

    def fresh(self, hint: str) -> str:
        self.counter += 1
        return f"_{hint}_{self.counter}"  # recorded values are named "{Op}_{n}": no clash

    def node(self, op_type: str, inputs, n_out: int = 1, outputs=None, **attrs):
        """Append a node; return its output name (or the list of names when ``n_out != 1``)."""
        if outputs is None:
            outputs = [self.fresh(op_type) for _ in range(n_out)]
        self.n_nodes += 1
        name = f"{self.scope}/{op_type}_{self.n_nodes}"
        attrs = {k: v for k, v in attrs.items() if v is not None}
        self.nodes.append(NodeSpec(op_type, list(inputs), list(outputs), attrs, name))
        return outputs[0] if len(outputs) == 1 and n_out == 1 else list(outputs)

    def initializer(self, name: str, array: np.ndarray) -> str:
        array = np.asarray(array)  # (np.ascontiguousarray would turn a 0-d array into 1-d)
        self.initializers[name] = array if array.flags.c_contiguous else array.copy()
        return name

    def const(self, value, dtype=None) -> str:
        """A constant as an initializer (small ones deduplicated by value)."""
        arr = np.asarray(value, dtype=dtype)
        if arr.dtype == np.float64 and dtype is None and not isinstance(value, np.ndarray):
            arr = arr.astype(np.float32)
        key = None
        if arr.size <= 16:
            key = (arr.dtype.str, arr.shape, arr.tobytes())
            cache = self.__dict__.setdefault("_small", {})
            if key in cache:
                return cache[key]
        name = self.initializer(self.fresh("const"), arr)
        if key is not None:
            self._small[key] = name
        return name

    def ints(self, values) -> str:
        """A 1-D int64 constant (shapes, axes, starts/ends)."""
        return self.const(np.asarray(list(values), dtype=np.int64))

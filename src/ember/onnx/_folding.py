"""``do_constant_folding``: nodes whose inputs are all generated constants are precomputed.

Parameters and buffers are never folded, so they stay initializers under their
``state_dict`` names (a derived weight, such as a transposed copy, is left to the runtime's
own folding at load time). Evaluation uses ONNX's reference implementation, one node at a
time, so the folded values are the standard's.
"""

from __future__ import annotations

import numpy as np

from ._graph import Graph
from ._writer import require_onnx

# nodes worth computing at export time: cheap shape arithmetic and constant elementwise maths
_FOLDABLE = {"Add", "Sub", "Mul", "Div", "Neg", "Cast", "Concat", "Reshape", "Squeeze",
             "Unsqueeze", "Sqrt", "Reciprocal", "Transpose", "Where", "Range",
             "Equal", "Greater", "Less", "Not", "ConstantOfShape", "Gather", "Slice"}


def fold_constants(graph: Graph) -> None:
    """Replace every foldable node with all-constant inputs by an initializer (in place)."""
    onnx = require_onnx()
    from onnx.reference import ReferenceEvaluator

    params = graph.params
    kept = []
    for spec in graph.nodes:
        inputs = [i for i in spec.inputs if i]
        if spec.op_type not in _FOLDABLE or not all(
                i in graph.initializers and i not in params for i in inputs):
            kept.append(spec)
            continue
        node = onnx.helper.make_node(spec.op_type, [f"in{k}" if i else "" for k, i in
                                                    enumerate(spec.inputs)],
                                     [f"out{k}" for k in range(len(spec.outputs))],
                                     **_attrs(onnx, spec.attrs))
        feeds = {f"in{k}": graph.initializers[i] for k, i in enumerate(spec.inputs) if i}
        results = ReferenceEvaluator(node).run(None, feeds)
        for name, value in zip(spec.outputs, results):
            graph.initializer(name, value)
    graph.nodes = kept
    _drop_unused(graph)


def _attrs(onnx, attrs: dict) -> dict:
    return {k: onnx.numpy_helper.from_array(v) if isinstance(v, np.ndarray) else v
            for k, v in attrs.items()}


def _drop_unused(graph: Graph) -> None:
    """Initializers no node reads any more (folded away); parameters are always kept."""
    used = {i for spec in graph.nodes for i in spec.inputs}
    params = graph.params
    for name in [n for n in graph.initializers if n not in used and n not in params]:
        del graph.initializers[name]

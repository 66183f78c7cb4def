"""Writing the recorded graph with the ``onnx`` package (imported only here)."""

from __future__ import annotations

import numpy as np

from ._emit import onnx_type
from ._graph import Graph


def require_onnx():
    """The ``onnx`` module, or an ImportError naming the extra to install."""
    try:
        import onnx.defs
        import onnx.helper
        import onnx.numpy_helper

        import onnx
    except ImportError as exc:
        raise ImportError(
            "ember.onnx.export needs the 'onnx' package: pip install ember[onnx]") from exc
    return onnx


def _value_info(onnx, name: str, dtype, dims: list):
    shape = [d if isinstance(d, (str, int)) or d is None else int(d) for d in dims]
    return onnx.helper.make_tensor_value_info(name, onnx_type(dtype), shape)


def build_model(graph: Graph, name: str, inputs: list, outputs: list, opset: int,
                export_params: bool, keep_initializers_as_inputs: bool):
    """A ModelProto; ``inputs``/``outputs`` are (name, dtype, dims) with dims int/str/None."""
    onnx = require_onnx()
    helper, numpy_helper = onnx.helper, onnx.numpy_helper
    nodes = []
    for spec in graph.nodes:
        attrs = {k: (numpy_helper.from_array(v) if isinstance(v, np.ndarray) else v)
                 for k, v in spec.attrs.items()}
        nodes.append(helper.make_node(spec.op_type, spec.inputs, spec.outputs, name=spec.name,
                                      **attrs))
    params = graph.params
    inits, extra_inputs = [], []
    for key, arr in graph.initializers.items():
        if key in params and not export_params:
            extra_inputs.append(_value_info(onnx, key, arr.dtype, list(arr.shape)))
            continue
        inits.append(numpy_helper.from_array(arr, key))
        if keep_initializers_as_inputs:
            extra_inputs.append(_value_info(onnx, key, arr.dtype, list(arr.shape)))
    g = helper.make_graph(
        nodes, name,
        [_value_info(onnx, n, dt, dims) for n, dt, dims in inputs] + extra_inputs,
        [_value_info(onnx, n, dt, dims) for n, dt, dims in outputs],
        inits)
    opset_id = helper.make_opsetid("", opset)
    model = helper.make_model(g, opset_imports=[opset_id], producer_name="ember")
    model.ir_version = helper.find_min_ir_version_for([opset_id])
    return model

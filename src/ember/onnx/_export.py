"""``ember.onnx.export``: trace the model twice, map the ops, write the file."""

from __future__ import annotations

import inspect
import sys

from .._grad_mode import enable_grad
from ..autograd import function as _function
from ..tensor import Tensor
from . import _dynamic, _folding, _writer
from ._emit import Emitter, same
from ._functions import FUNCTIONS, PATCHED
from ._graph import Graph
from ._modules import MODULES
from ._ops import OPS
from ._trace import (
    Const,
    Recorder,
    Value,
    class_forward_wrapper,
    flatten_tensors,
    function_wrapper,
    module_wrapper,
)
from .errors import OnnxExporterError

DEFAULT_OPSET = 20  # torch 2.13's default
MIN_OPSET = 14  # Trilu and HardSwish are operators from opset 14 on

_exporting = False


def is_in_onnx_export() -> bool:
    """True while ``export`` is running the model (as ``torch.onnx.is_in_onnx_export``)."""
    return _exporting


def export(model, args=(), f=None, *, kwargs: dict | None = None, export_params: bool = True,
           verbose: bool | None = None, input_names: list | None = None,
           output_names: list | None = None, opset_version: int | None = None,
           dynamic_axes: dict | None = None, keep_initializers_as_inputs: bool = False,
           do_constant_folding: bool = True, dynamo: bool = True) -> None:
    """Export ``model`` to an ONNX file by running it once in eval mode on ``args``.

    The ops ember executes are the trace: each maps to ONNX operators (LSTM, GRU,
    MultiheadAttention and scaled_dot_product_attention as whole blocks); parameters and
    buffers become initializers under their ``state_dict`` names. The model is run a second
    time with the ``dynamic_axes`` resized to find which sizes follow them.

    Args:
        model: an ``nn.Module`` (or a callable taking tensors).
        args: a Tensor or a tuple of positional arguments; a trailing dict is keyword arguments.
        f: a path or a binary file object to write to.
        kwargs: keyword arguments for the model.
        export_params: store the parameters in the file (else they become graph inputs).
        verbose: print the exported graph.
        input_names: names of the graph inputs (the tensor arguments, in order).
        output_names: names of the graph outputs (the tensors of the output, in order).
        opset_version: the ONNX opset (default 20, as torch 2.13; at least 14).
        dynamic_axes: ``{name: {axis: dim name}}`` or ``{name: [axes]}``: symbolic dims.
        keep_initializers_as_inputs: also list the initializers as graph inputs.
        do_constant_folding: precompute the nodes whose inputs are all constants (parameters
            are not folded: they stay initializers under their ``state_dict`` names).
        dynamo: accepted for PyTorch compatibility: ember has one exporter, a tracer (what
            ``dynamo=False`` selects in PyTorch); both values give the same file.

    Raises:
        ImportError: the ``onnx`` package is missing (``pip install ember[onnx]``).
        UnsupportedOperatorError: an op without an ONNX mapping (named with its module path).
        OnnxExporterError: the model cannot be expressed as a graph (e.g. control flow or a
            constant that depends on the input).
    """
    onnx = _writer.require_onnx()
    opset = DEFAULT_OPSET if opset_version is None else int(opset_version)
    if not MIN_OPSET <= opset <= onnx.defs.onnx_opset_version():
        raise ValueError(f"opset_version must be between {MIN_OPSET} and "
                         f"{onnx.defs.onnx_opset_version()}, got {opset}")
    if f is None:
        raise ValueError("ember.onnx.export: f (a path or a binary file) is required")
    args, kwargs = _split_args(args, kwargs)
    inputs = _named_inputs(model, args, input_names)
    modes = [(m, m.training) for m in _modules_of(model)]
    if hasattr(model, "train"):  # eval mode while tracing and mapping (mappings read it)
        model.train(False)
    try:
        proto = _export_eval(model, args, kwargs, inputs, opset, output_names, dynamic_axes,
                             export_params, keep_initializers_as_inputs, do_constant_folding)
    finally:
        for m, mode in modes:
            m.training = mode
    if verbose:
        print(onnx.helper.printable_graph(proto.graph))
    onnx.save_model(proto, f)


def _export_eval(model, args, kwargs, inputs, opset, output_names, dynamic_axes,
                 export_params, keep_initializers_as_inputs, do_constant_folding):
    out_a, out_b, run_a, run_b = _trace_twice(model, args, kwargs, inputs, dynamic_axes)
    outputs = flatten_tensors(out_a)
    if not outputs:
        raise OnnxExporterError("ember.onnx.export: the model returned no tensor")
    outputs_b = flatten_tensors(out_b)
    for i, (t, tb) in enumerate(zip(outputs, outputs_b)):
        ref, ref_b = run_a.ref(t), run_b.ref(tb)
        if isinstance(ref, Const) and not same(ref, ref_b):
            raise OnnxExporterError(
                f"ember.onnx.export: output {i} was computed outside ember's ops (in NumPy or "
                "Python?) from the input; the exported graph would return a constant")
    out_names = list(output_names or [])
    out_names += [f"output_{i}" if len(outputs) > 1 else "output"
                  for i in range(len(out_names), len(outputs))]
    axes = _dynamic.normalize(dynamic_axes, list(inputs) + out_names)

    graph = Graph()
    graph.params = set(run_a.param_names)
    emitter = Emitter(graph, run_a, run_b, opset, list(inputs))
    emitter.run(OPS, MODULES, FUNCTIONS)
    graph.scope = ""
    specs_out = []
    for name, t in zip(out_names, outputs):
        ref = run_a.ref(t)
        graph.node("Identity", [emitter.name(ref)], outputs=[name])
        dims = _dims(t.shape, run_b.shapes.get(getattr(ref, "name", None)), axes.get(name, {}))
        specs_out.append((name, t._data.dtype, dims))
    specs_in = [(name, t._data.dtype, _dims(t.shape, t.shape, axes.get(name, {})))
                for name, t in inputs.items()]
    if do_constant_folding:
        _folding.fold_constants(graph)
    return _writer.build_model(graph, type(model).__name__, specs_in, specs_out, opset,
                               export_params, keep_initializers_as_inputs)


def _split_args(args, kwargs) -> tuple:
    if isinstance(args, Tensor):
        args = (args,)
    args = tuple(args)
    kwargs = dict(kwargs or {})
    if args and isinstance(args[-1], dict):  # PyTorch: a trailing dict holds keyword args
        kwargs = {**args[-1], **kwargs}
        args = args[:-1]
    return args, kwargs


def _named_inputs(model, args: tuple, input_names) -> dict:
    """Graph input name -> tensor, for the tensor arguments in order."""
    try:
        params = [p.name for p in inspect.signature(model.forward if hasattr(model, "forward")
                                                    else model).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    tensors, defaults = [], []
    for i, a in enumerate(args):
        base = params[i] if i < len(params) else f"input_{i}"
        found = flatten_tensors(a)
        for j, t in enumerate(found):
            tensors.append(t)
            defaults.append(base if len(found) == 1 else f"{base}_{j}")
    names = list(input_names or [])
    if len(names) > len(tensors):
        raise ValueError(f"input_names has {len(names)} names for {len(tensors)} tensor inputs")
    names += defaults[len(names):]
    return dict(zip(names, tensors))


def _dims(shape_a, shape_b, named: dict) -> list:
    out = []
    for i, n in enumerate(shape_a):
        if i in named:
            out.append(named[i])
        elif shape_b is None or shape_b[i] == n:
            out.append(int(n))
        else:
            out.append(None)
    return out


def _trace_twice(model, args, kwargs, inputs: dict, dynamic_axes) -> tuple:
    # (output names are checked once the outputs are known)
    in_axes = _dynamic.normalize({k: v for k, v in (dynamic_axes or {}).items() if k in inputs},
                                 list(inputs))
    swap = {id(t): _dynamic.traced_copy(t) for t in inputs.values()}
    out_a, run_a = _trace(model, _swap(args, swap), _swap(kwargs, swap),
                          {n: swap[id(t)] for n, t in inputs.items()})
    error = None
    for attempt in (0, 1):
        sizes = _dynamic.resized_sizes(inputs, in_axes, attempt)
        swap = {id(t): _dynamic.resized_input(t, in_axes.get(n, {}), sizes, attempt)
                for n, t in inputs.items()}
        try:
            out_b, run_b = _trace(model, _swap(args, swap), _swap(kwargs, swap),
                                  {n: swap[id(t)] for n, t in inputs.items()})
            return out_a, out_b, run_a, run_b
        except OnnxExporterError:
            raise
        except Exception as exc:  # noqa: BLE001 - retried smaller, then reported
            error = exc
    raise OnnxExporterError(
        "ember.onnx.export: running the model again with the dynamic axes resized (to find "
        f"which sizes follow them) failed: {type(error).__name__}: {error}") from error


def _modules_of(model) -> list:
    return list(model.modules()) if hasattr(model, "modules") else []


def _swap(obj, swap: dict):
    if isinstance(obj, Tensor):
        return swap.get(id(obj), obj)
    if isinstance(obj, tuple):
        return tuple(_swap(o, swap) for o in obj)
    if isinstance(obj, list):
        return [_swap(o, swap) for o in obj]
    if isinstance(obj, dict):
        return {k: _swap(v, swap) for k, v in obj.items()}
    return obj


def _trace(model, args, kwargs, inputs: dict) -> tuple:
    """One run under the tracer: (output, Recorder).

    Grad mode is on and float inputs and parameters require grad, so every computation on
    them goes through ``Op.apply`` (some operators skip it when nothing records).
    """
    global _exporting
    rec = Recorder(frozenset({"Unbind"}))
    if hasattr(model, "state_dict"):
        for name, t in model.state_dict(keep_vars=True).items():
            if isinstance(t, Tensor) and not isinstance(rec.ref(t), Value):  # tied: first name
                rec.define(t, name)
                rec.param_names.append(name)
                rec.param_arrays[name] = t._data
    for name, t in inputs.items():
        rec.define(t, name)
    params = list(model.parameters()) if hasattr(model, "parameters") else []
    frozen = [p for p in params if not p._requires_grad and p._data.dtype.kind == "f"]
    undo = _install(rec, model)
    prev = _exporting
    _exporting = True
    try:
        for p in frozen:
            p._requires_grad = True
        with enable_grad():
            out = model(*args, **kwargs)
    finally:
        for p in frozen:
            p._requires_grad = False
        _exporting = prev
        undo()
    return out, rec


def _namespace(spec: str):
    """``"package.module"`` or ``"package.module:Class"`` -> that object (None if absent)."""
    module, _, attr = spec.partition(":")
    obj = sys.modules.get(module)
    return getattr(obj, attr, None) if attr and obj is not None else obj


def _install(rec: Recorder, model):
    """Hook the op layer, the modules and the mapped functions; return the undo."""
    if _function._tracer is not None:
        raise OnnxExporterError("ember.onnx.export: an export is already running")
    patched = []
    mapped = [c for c in (_namespace(f"ember.nn:{name}") for name in MODULES) if c is not None]
    for owner in {next(k for k in c.__mro__ if "forward" in k.__dict__) for c in mapped}:
        # at class level (where forward is defined), so every instance is caught
        orig = owner.__dict__["forward"]
        owner.forward = class_forward_wrapper(rec, frozenset(mapped), orig)
        patched.append((owner, "forward", orig))
    wrapped = []
    if hasattr(model, "named_modules"):
        for path, m in model.named_modules():  # the module path of every op (error messages)
            had = "forward" in m.__dict__
            old = m.__dict__.get("forward")
            m.__dict__["forward"] = module_wrapper(rec, path, m.forward)
            wrapped.append((m, had, old))
    for namespace, fname in PATCHED:
        ns = _namespace(namespace)
        if ns is not None and hasattr(ns, fname):
            orig = getattr(ns, fname)
            setattr(ns, fname, function_wrapper(rec, fname, orig))
            patched.append((ns, fname, orig))
    _function._tracer = rec

    def undo() -> None:
        _function._tracer = None
        for ns, fname, orig in reversed(patched):
            setattr(ns, fname, orig)
        for m, had, old in wrapped:
            if had:
                m.__dict__["forward"] = old
            else:
                del m.__dict__["forward"]

    return undo

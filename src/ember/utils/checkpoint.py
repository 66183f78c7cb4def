"""``ember.utils.checkpoint``: activation checkpointing (trade compute for memory).

A checkpointed segment keeps only its inputs. Its forward runs as usual, but the graph it
built is dropped at once and replaced by one node; that node's backward restores the RNG
state the forward started from (so Dropout draws the same masks), runs the segment again
with grad enabled and backpropagates through the recomputed graph. The gradients are the
plain call's, exactly: same ops, same inputs, same random numbers.

Peak memory: the activations of one segment plus the segment boundaries, instead of every
activation of the model (``bench/checkpoint_memory.py``).

The segment is recorded when an input requires grad or its forward reached a parameter, so
parameters get gradients even when no input requires grad (PyTorch's ``use_reentrant=False``
behaviour); the recomputation's backward accumulates into their ``.grad`` directly (as
PyTorch's reentrant variant). Limitation: a segment may not close over a non-leaf tensor that
requires grad (an activation computed outside it); pass it as an argument.
"""

from __future__ import annotations

import warnings

from .._core import AccumulateGrad, Tensor, _from_array, edge
from .._grad_mode import enable_grad, no_grad
from .._grad_mode import state as _grad_state
from .._random import get_rng_state, set_rng_state
from ..autograd.engine import run_backward
from ..autograd.function import Function

__all__ = ["checkpoint", "checkpoint_sequential"]


class _CheckpointNode(Function):
    """The single graph node standing for a checkpointed segment."""

    materialize_grads = False

    def name(self) -> str:
        return "CheckpointFunctionBackward"

    @staticmethod
    def backward(ctx, *grads):
        if ctx._freed:
            _ = ctx.saved_tensors  # raises PyTorch's "backward a second time" error
        current = get_rng_state()
        if ctx.rng_state is not None:
            set_rng_state(ctx.rng_state)
        try:
            inputs = _detach_inputs(ctx.args)
            with enable_grad():
                outputs = _as_tuple(ctx.function(*inputs, **ctx.kwargs))
        finally:
            if ctx.rng_state is not None:
                set_rng_state(current)
        roots, root_grads = [], []
        for out, g in zip(outputs, grads):
            if isinstance(out, Tensor) and out._requires_grad and g is not None:
                roots.append(out)
                root_grads.append(g)
        if roots:
            # an inner backward, as PyTorch's reentrant checkpoint: the parameters' gradients
            # go straight into their .grad (holding them all until the outer engine took
            # them would cost a segment's worth of gradients); the inputs' are read back
            run_backward(roots, root_grads, retain_graph=False,
                         create_graph=_grad_state.enabled)
        return tuple(inputs[i]._grad for i in ctx.input_positions)

    def _release(self) -> None:
        self.args = self.kwargs = self.function = None
        self._freed = True


def _as_tuple(x) -> tuple:
    return x if isinstance(x, tuple) else (x,)


def _detach_inputs(args: tuple) -> list:
    """Fresh leaves sharing the inputs' storage, requiring grad where the inputs do."""
    out = []
    for a in args:
        if isinstance(a, Tensor):
            d = a.detach()
            d._requires_grad = a._requires_grad
            a = d
        out.append(a)
    return out


def _reaches_a_leaf(outputs: tuple) -> bool:
    """Whether the outputs' graph reaches a leaf (a parameter that requires grad)."""
    stack = [o._grad_fn for o in outputs if isinstance(o, Tensor) and o._grad_fn is not None]
    seen = set(stack)
    while stack:
        node = stack.pop()
        for e in node.next_edges:
            if e is None or e[0] in seen:
                continue
            seen.add(e[0])
            if type(e[0]) is AccumulateGrad:
                return True
            else:
                stack.append(e[0])
    return False


def checkpoint(function, *args, use_reentrant: bool | None = None, context_fn=None,
               determinism_check: str = "default", debug: bool = False,
               preserve_rng_state: bool = True, **kwargs):
    """Run ``function(*args, **kwargs)`` keeping only its inputs; recompute it in backward.

    Args:
        function: the segment (a module or any callable of tensors).
        *args: its inputs.
        use_reentrant: as PyTorch: None warns and means True; True requires an input that
            requires grad (else, as PyTorch, nothing is recorded and keyword arguments are
            refused); False records the segment whatever its inputs.
        preserve_rng_state: restore the forward's RNG state for the recomputation.
        context_fn, determinism_check, debug: PyTorch's non-reentrant options; only their
            defaults are supported.

    Returns:
        ``function``'s outputs, whose gradients flow through one recomputing node.
    """
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "use_reentrant=False is recommended, but if you need to preserve the current "
            "default behavior, you can pass use_reentrant=True.", stacklevel=2)
        use_reentrant = True
    if context_fn is not None or determinism_check != "default" or debug:
        raise NotImplementedError("checkpoint: context_fn, determinism_check and debug are "
                                  "not supported by ember (leave them at their defaults)")
    if use_reentrant and kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if not _grad_state.enabled:
        return function(*args, **kwargs)  # nothing will be recorded: nothing to recompute
    needs_grad = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a._requires_grad]
    if use_reentrant and not needs_grad:
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                      stacklevel=2)
        with no_grad():
            return function(*args, **kwargs)
    rng_state = get_rng_state() if preserve_rng_state else None
    inputs = _detach_inputs(args)
    result = function(*inputs, **kwargs)
    outputs = _as_tuple(result)
    if not needs_grad and not _reaches_a_leaf(outputs):
        return result
    node = _CheckpointNode()
    node.function, node.args, node.kwargs, node.rng_state = function, args, kwargs, rng_state
    node.input_positions = needs_grad
    # edges to the inputs only: the parameters receive their gradients from the inner
    # backward, so a segment with no input requiring grad is a node without edges
    node.next_edges = [edge(args[i]) for i in needs_grad]
    node.needs_input_grad = (True,) * len(needs_grad)
    node._shapes = [args[i]._data.shape for i in needs_grad]
    node._n_out = len(outputs)
    wrapped = []
    for nr, out in enumerate(outputs):
        if isinstance(out, Tensor) and out._requires_grad:
            # the same values, without the segment's graph (freed when ``outputs`` goes)
            new = _from_array(out._data)
            new._grad_fn = node
            new._output_nr = nr
            new._requires_grad = True
            out = new
        wrapped.append(out)
    return tuple(wrapped) if isinstance(result, tuple) else wrapped[0]


def checkpoint_sequential(functions, segments: int, input, use_reentrant: bool | None = None,
                          **kwargs):
    """Split a ``Sequential`` (or list of modules) into ``segments`` and checkpoint each.

    As PyTorch, the last segment runs normally (its activations are needed at once).
    """
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should "
            "be passed explicitly. use_reentrant=False is recommended.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if hasattr(functions, "children") and not isinstance(functions, (list, tuple)):
        functions = list(functions.children())
    functions = list(functions)

    def run(start: int, end: int):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    size = len(functions) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run(end + 1, len(functions) - 1)(input)

"""Module backward hooks: ``hook(module, grad_input, grad_output)`` as PyTorch's full hooks.

Built on the forward hooks, so a module without backward hooks pays nothing: a forward
pre-hook routes each positional tensor input through an identity node and a forward hook
routes the output through another. In backward the output node sees ``grad_output`` (the
pre-hooks run there and may replace it); the input nodes see ``grad_input`` (the hooks run
once all have arrived and may replace it, for single-input modules). With no input
requiring grad, the hooks run at the output node with ``grad_input = (None, ...)``, as
PyTorch does.
"""

from __future__ import annotations

from ..autograd.function import Op
from ..tensor import Tensor


class _Call:
    """The gradients of one forward call, gathered as backward reaches its nodes."""

    def __init__(self, module, n_inputs: int, expected: int) -> None:
        self.module = module
        self.grad_input = [None] * n_inputs
        self.expected = expected
        self.grad_output = None


class _OutputNode(Op):
    @staticmethod
    def forward(ctx, a, call):
        ctx.call = call
        return a.copy()  # a new storage: in-place ops on the output must not reach the input

    @staticmethod
    def backward(ctx, g):
        call = ctx.call
        module = call.module
        grad_output = (g,)
        for hook in list(module._backward_pre_hooks.values()):
            result = hook(module, grad_output)
            if result is not None:
                grad_output = tuple(result) if isinstance(result, (tuple, list)) else (result,)
        call.grad_output = grad_output
        if call.expected == 0:
            _run_hooks(call)
        return grad_output[0]


class _InputNode(Op):
    @staticmethod
    def forward(ctx, a, call, position):
        ctx.call = call
        ctx.position = position
        return a.copy()

    @staticmethod
    def backward(ctx, g):
        call = ctx.call
        call.grad_input[ctx.position] = g
        call.expected -= 1
        if call.expected == 0:
            replaced = _run_hooks(call)
            if replaced is not None:
                return replaced[ctx.position]
        return g


def _run_hooks(call: _Call):
    """Call each backward hook; the last non-None return replaces grad_input."""
    module = call.module
    grad_input = tuple(call.grad_input)
    replaced = None
    for hook in list(module._backward_hooks.values()):
        result = hook(module, grad_input, call.grad_output or (None,))
        if result is not None:
            if sum(g is not None for g in call.grad_input) > 1:
                raise NotImplementedError(
                    "ember: a backward hook may replace grad_input only for modules with one "
                    "input that requires grad")
            grad_input = replaced = tuple(result)
    return replaced


def before_forward(module, args):
    """Forward pre-hook: route the positional tensor inputs through input nodes."""
    if not module._backward_hooks and not module._backward_pre_hooks:
        return None
    positions = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
    call = _Call(module, sum(isinstance(a, Tensor) for a in args) or 1, len(positions))
    module.__dict__["_backward_hook_call"] = call
    slot = {i: n for n, i in enumerate(i for i, a in enumerate(args) if isinstance(a, Tensor))}
    return tuple(_InputNode.apply(a, call=call, position=slot[i]) if i in positions else a
                 for i, a in enumerate(args))


def after_forward(module, args, output):
    """Forward hook: route the output through the output node."""
    call = module.__dict__.pop("_backward_hook_call", None)
    if call is None or not isinstance(output, Tensor) or not output.requires_grad:
        return None
    return _OutputNode.apply(output, call=call)

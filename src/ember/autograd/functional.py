"""``ember.autograd.functional``: Jacobians, Hessians and vector products of a function.

Each is built from ``autograd.grad`` (one backward pass per output element for Jacobians),
so it works wherever backward does, second order included. Shapes and tuple nesting follow
PyTorch: ``jacobian(f, x)`` has shape ``f(x).shape + x.shape``.
"""

from __future__ import annotations

import numpy as np

from .._core import Tensor, _from_array
from .._grad_mode import enable_grad
from ..ops.shape import stack
from .differentiate import grad


def _as_tuple(x) -> tuple[tuple, bool]:
    if isinstance(x, Tensor):
        return (x,), False
    return tuple(x), True


def _prepare(inputs: tuple, create_graph: bool) -> tuple:
    """Fresh leaves requiring grad (connected to the caller's graph only with create_graph)."""
    out = []
    for t in inputs:
        t = t if create_graph and t.requires_grad else t.detach()
        out.append(t if t.requires_grad else t.requires_grad_(True))
    return tuple(out)


def _grads(output: Tensor, inputs: tuple, grad_output, create_graph: bool) -> tuple:
    if not output.requires_grad:
        return tuple(_zeros(t) for t in inputs)
    gs = grad(output, inputs, grad_output, retain_graph=True, create_graph=create_graph,
              allow_unused=True)
    return tuple(_zeros(t) if g is None else g for g, t in zip(gs, inputs, strict=True))


def _zeros(t: Tensor) -> Tensor:
    return _from_array(np.zeros(t.shape, t._data.dtype))


def _finish(t: Tensor, create_graph: bool) -> Tensor:
    return t if create_graph else t.detach()


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """d func(inputs) / d inputs: for each output and input, ``out.shape + in.shape``.

    Returns a Tensor for one input and one output, a tuple over inputs (or outputs), or a
    tuple over outputs of tuples over inputs, as PyTorch.
    """
    inputs, tuple_in = _as_tuple(inputs)
    with enable_grad():
        inputs = _prepare(inputs, create_graph)
        outputs, tuple_out = _as_tuple(func(*inputs))
        rows = []
        for out in outputs:
            flat = out.reshape(-1)
            per_input = [[] for _ in inputs]
            for i in range(flat.numel()):
                gs = _grads(flat[i], inputs, None, create_graph)
                for k, g in enumerate(gs):
                    per_input[k].append(g)
            jac = []
            for k, t in enumerate(inputs):
                if per_input[k]:
                    j = stack(per_input[k], 0).reshape(tuple(out.shape) + tuple(t.shape))
                else:
                    j = _from_array(np.zeros(tuple(out.shape) + tuple(t.shape), t._data.dtype))
                jac.append(_finish(j, create_graph))
            rows.append(tuple(jac) if tuple_in else jac[0])
    return tuple(rows) if tuple_out else rows[0]


def hessian(func, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """Second derivatives of a scalar function: ``in.shape + in.shape`` per input pair."""
    inputs_t, tuple_in = _as_tuple(inputs)

    def gradient(*xs):
        with enable_grad():
            out = func(*xs)
            if out.numel() != 1:
                raise RuntimeError("The function given to hessian should return a single "
                                   "Tensor with a single element")
            return _grads(out.reshape(()), xs, None, True)

    jac = jacobian(gradient, inputs_t, create_graph=create_graph)
    if not tuple_in:
        return jac[0][0] if isinstance(jac[0], tuple) else jac[0]
    return jac


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T J)``."""
    inputs, tuple_in = _as_tuple(inputs)
    with enable_grad():
        inputs = _prepare(inputs, create_graph)
        out = func(*inputs)
        gs = _grads(out, inputs, v, create_graph)
    gs = tuple(_finish(g, create_graph) for g in gs)
    return _finish(out, create_graph), (gs if tuple_in else gs[0])


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T H)`` for a scalar function."""
    inputs, tuple_in = _as_tuple(inputs)
    vs, _ = _as_tuple(v)
    with enable_grad():
        inputs = _prepare(inputs, True)
        out = func(*inputs)
        first = _grads(out, inputs, None, True)
        dot = sum((g * w).sum() for g, w in zip(first, vs, strict=True))
        second = _grads(dot, inputs, None, create_graph)
    second = tuple(_finish(g, create_graph) for g in second)
    return _finish(out, create_graph), (second if tuple_in else second[0])


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), H v)``; the Hessian is symmetric, so the same as ``vhp``."""
    return vhp(func, inputs, v, create_graph, strict)

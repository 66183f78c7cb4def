"""The backward engine: walks the graph from the outputs, without recursion.

Dependencies are counted first (an explicit stack), then nodes run once all their
consumers have delivered gradients, so every node sees its fully summed gradient and
runs exactly once. Gradients of broadcast inputs are summed back to the input's shape
here, in one place, rather than in each op.
"""

from __future__ import annotations

import numpy as np

from .. import _loop_checks
from .._core import AccumulateGrad, _from_array, edge
from .._grad_mode import state as _grad_state
from .._loop_checks import config as _checks
from .broadcast import SumTo


def _count_dependencies(roots: list) -> dict:
    deps: dict = {}
    seen = set(roots)
    stack = list(roots)
    while stack:
        node = stack.pop()
        for next_edge in node.next_edges:
            if next_edge is None:
                continue
            target = next_edge[0]
            deps[target] = deps.get(target, 0) + 1
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return deps


def run_backward(
    tensors, grad_tensors, retain_graph: bool, create_graph: bool, capture=None
) -> dict | None:
    """Backpropagate ``grad_tensors`` from ``tensors``.

    With ``capture`` (a dict {(node, output_nr): None} for autograd.grad), the gradients
    reaching those edges are returned instead of being accumulated into leaves' ``.grad``.
    """
    buffers: dict = {}
    roots = []
    for t, g in zip(tensors, grad_tensors):
        node, nr = edge(t)
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._n_out
            roots.append(node)
        buf[nr] = g if buf[nr] is None else buf[nr] + g
    deps = _count_dependencies(roots)
    ready = [n for n in roots if deps.get(n, 0) == 0]
    results = {} if capture is not None else None

    prev_mode = _grad_state.enabled
    _grad_state.enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None)
            if grads is not None and node._pre_hooks:
                grads = _run_pre_hooks(node, grads)
            if capture is not None and grads is not None:
                for nr, g in enumerate(grads):
                    if (node, nr) in capture:
                        results[(node, nr)] = g
            if type(node) is AccumulateGrad:
                if grads is not None and grads[0] is not None and capture is None:
                    _accumulate(node, grads[0], create_graph)
                continue
            edges = node.next_edges
            if grads is None or (grads[0] is None and all(g is None for g in grads)):
                in_grads = (None,) * len(edges)
            else:
                if node._freed:
                    _ = node.saved_tensors  # raises the retain_graph error
                in_grads = node._call_backward(grads)
            for next_edge, g, shape in zip(edges, in_grads, node._shapes):
                if next_edge is None:
                    continue
                target, nr = next_edge
                if g is not None:
                    if g._data.shape != shape:
                        g = SumTo.apply(g, shape=shape)
                    buf = buffers.get(target)
                    if buf is None:
                        buf = buffers[target] = [None] * target._n_out
                    old = buf[nr]
                    if old is None:
                        buf[nr] = g
                    elif create_graph:
                        buf[nr] = old + g
                    else:  # first-order: sum the arrays directly, no graph to record
                        buf[nr] = _from_array(np.add(old._data, g._data))
                left = deps[target] - 1
                deps[target] = left
                if left == 0:
                    ready.append(target)
            if not retain_graph:
                node._release()
    finally:
        _grad_state.enabled = prev_mode
    return results


def _run_pre_hooks(node, grads: list) -> list:
    """Tensor hooks of the node's outputs; retain_grad's (keys -1 - nr) run last, as PyTorch."""
    grads = list(grads)
    for key, hooks in sorted(node._pre_hooks.items(), key=lambda kv: kv[0] < 0):
        nr = key if key >= 0 else -1 - key
        if grads[nr] is None:
            continue
        for hook in list(hooks):
            new = hook(grads[nr])
            if new is not None:
                grads[nr] = new
    return grads


def _accumulate(node: AccumulateGrad, grad, create_graph: bool) -> None:
    leaf = node._leaf()
    if leaf is None:
        return
    if grad._data.dtype != leaf._data.dtype:
        grad = grad.to(leaf.dtype)
    old = leaf._grad
    if old is None:
        # a private copy: the same gradient object may be delivered to several leaves
        leaf._grad = grad if create_graph else _from_array(grad._data.copy())
    else:
        # into gradients a step already used: forgot zero_grad()? (reported at the next step)
        stale = (_checks.warn and "_ember_step" in leaf.__dict__
                 and _loop_checks.accumulates_stale(leaf))
        if create_graph or old._requires_grad:
            leaf._grad = old + grad
        else:
            old._data += grad._data
            old._bump_version()
        if stale:
            _loop_checks.mark_stale(leaf)
    for hook in leaf._post_accumulate_hooks or ():
        hook(leaf)

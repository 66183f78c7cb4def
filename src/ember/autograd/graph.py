"""Looking at a graph: how much memory it holds (``graph_memory``) and its DOT picture (``to_dot``).

Both walk the backward graph from a tensor's ``grad_fn`` with an explicit stack.
"""

from __future__ import annotations

import numpy as np

from .function import AccumulateGrad, Function


def _nodes(tensor) -> list:
    """Every node reachable from ``tensor`` (grad_fn and leaf accumulators), each once."""
    fn = tensor.grad_fn
    if fn is None:
        return []
    seen = {id(fn): fn}
    stack = [fn]
    while stack:
        node = stack.pop()
        for edge in node.next_edges:
            if edge is not None and id(edge[0]) not in seen:
                seen[id(edge[0])] = edge[0]
                stack.append(edge[0])
    return list(seen.values())


def _held_arrays(node) -> list:
    """The arrays a node keeps alive for its backward: saved tensors, saved output, ctx arrays."""
    if not isinstance(node, Function):
        return []
    arrays = []
    for item, _version in node._saved or ():
        data = getattr(item, "_data", None)
        if isinstance(data, np.ndarray):
            arrays.append(data)
    for value in vars(node).values():
        if type(value) is np.ndarray:
            arrays.append(value)
    return arrays


def _storage_key(arr: np.ndarray) -> int:
    base = arr
    while base.base is not None and isinstance(base.base, np.ndarray):
        base = base.base
    return id(base)


def _storage_bytes(arr: np.ndarray) -> int:
    base = arr
    while base.base is not None and isinstance(base.base, np.ndarray):
        base = base.base
    return base.nbytes


def graph_memory(tensor) -> int:
    """Bytes of saved tensors and buffers held by the autograd graph reachable from ``tensor``.

    Each storage is counted once, even if several nodes save it (or views of it). A result
    computed under ``no_grad()`` has no graph and holds 0 bytes; after ``backward()`` without
    ``retain_graph`` the saved values are freed and this drops accordingly.
    """
    seen = {}
    for node in _nodes(tensor):
        for arr in _held_arrays(node):
            seen.setdefault(_storage_key(arr), _storage_bytes(arr))
    return sum(seen.values())


def _label_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _lines(*parts: str) -> str:
    """A DOT label of several lines (each part escaped, joined by DOT's \\n)."""
    return "\\n".join(_label_escape(p) for p in parts)


def to_dot(tensor, params: dict | None = None) -> str:
    """Graphviz DOT text of the backward graph of ``tensor``.

    Nodes are the ops (name, input shapes, bytes they hold for backward) and the leaves
    (named after ``params`` entries when given, e.g. ``dict(model.named_parameters())``).
    Edges point from an op to the nodes its gradient flows into. Render with the graphviz
    package where installed: ``graphviz.Source(to_dot(loss)).render(...)``.
    """
    names = {id(p): name for name, p in (params or {}).items()}
    nodes = _nodes(tensor)
    ids = {id(n): f"n{i}" for i, n in enumerate(nodes)}
    lines = ["digraph autograd {", '  node [shape=box, fontname="monospace", fontsize=10];']
    shape = tuple(tensor.shape)
    lines.append(f'  out [label="output {shape}", shape=oval, style=filled, fillcolor="#ffe3c4"];')
    for node in nodes:
        nid = ids[id(node)]
        if isinstance(node, AccumulateGrad):
            leaf = node.variable
            if leaf is None:
                label = _lines("leaf (freed)")
            else:
                name = names.get(id(leaf), "leaf")
                label = _lines(name, str(tuple(leaf.shape)))
            lines.append(f'  {nid} [label="{label}", style=filled, fillcolor="#cfe8ff"];')
            continue
        held = sum(a.nbytes for a in _held_arrays(node))
        shapes = ", ".join(str(tuple(s)) for s in getattr(node, "_shapes", ()) if s is not None)
        label = _lines(node.name(), f"in: {shapes}", f"saved: {_fmt_bytes(held)}")
        lines.append(f'  {nid} [label="{label}"];')
    if tensor.grad_fn is not None:
        lines.append(f"  out -> {ids[id(tensor.grad_fn)]};")
    for node in nodes:
        for edge in node.next_edges:
            if edge is not None:
                lines.append(f"  {ids[id(node)]} -> {ids[id(edge[0])]};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _fmt_bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def render_graph(tensor, path: str, format: str = "svg", params: dict | None = None) -> str:  # noqa: A002
    """Render ``to_dot(tensor, params)`` to ``path.<format>`` (svg, png, pdf, ...).

    Needs the ``graphviz`` Python package and Graphviz's ``dot`` program; ``to_dot`` alone
    needs neither.

    Returns:
        The path of the rendered file.

    Raises:
        ImportError: the ``graphviz`` package is not installed.
    """
    try:
        import graphviz
    except ImportError as exc:
        raise ImportError(
            "render_graph needs the graphviz package (pip install graphviz) and Graphviz's dot "
            "program; ember.autograd.to_dot(tensor) gives the DOT text without them"
        ) from exc
    source = graphviz.Source(to_dot(tensor, params))
    return source.render(path, format=format, cleanup=True)

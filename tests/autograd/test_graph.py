"""graph_memory and to_dot: what the graph holds, and its picture (parsed back with pydot)."""

from __future__ import annotations

import pytest

import ember
from ember import nn
from ember.autograd import graph_memory, to_dot


def test_graph_memory_counts_saved_tensors_once():
    x = ember.ones(1000, requires_grad=True)  # 4000 bytes
    y = x * x  # saves x twice: counted once
    assert graph_memory(y) == 4000


def test_graph_memory_zero_under_no_grad():
    x = ember.ones(1000, requires_grad=True)
    with ember.no_grad():
        y = (x * x).exp().sum()
    assert graph_memory(y) == 0


def test_graph_memory_drops_after_backward():
    x = ember.randn(256, requires_grad=True)
    y = (x.exp() * x).tanh().sum()
    held = graph_memory(y)
    assert held >= 256 * 4 * 2
    y.backward()
    assert graph_memory(y) == 0


def test_graph_memory_kept_with_retain_graph():
    x = ember.randn(256, requires_grad=True)
    y = (x.exp() * x).sum()
    held = graph_memory(y)
    y.backward(retain_graph=True)
    assert graph_memory(y) == held


def test_graph_memory_of_a_model_forward_vs_no_grad():
    model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 10))
    x = ember.randn(128, 32)
    recorded = model(x)
    with ember.no_grad():
        plain = model(x)
    assert graph_memory(recorded) > 0 and graph_memory(plain) == 0


def test_to_dot_parses_with_pydot_and_names_parameters():
    pydot = pytest.importorskip("pydot")
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    loss = model(ember.randn(5, 3)).pow(2).mean()
    text = to_dot(loss, params=dict(model.named_parameters()))
    (graph,) = pydot.graph_from_dot_data(text)
    labels = " ".join(n.get_label() or "" for n in graph.get_nodes())
    for name in ("0.weight", "0.bias", "2.weight", "2.bias"):
        assert name in labels
    assert "MeanBackward0" in labels or "DivBackward0" in labels
    assert len(graph.get_edges()) >= 6


def test_to_dot_of_leaf_only_graph():
    x = ember.ones(2, requires_grad=True)
    text = to_dot(x)
    assert text.startswith("digraph") and "output (2,)" in text


def test_render_graph_explains_what_it_needs_or_renders(tmp_path):
    from ember.autograd import render_graph

    x = ember.ones(2, requires_grad=True)
    loss = (x * 2).sum()
    try:
        import graphviz  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="to_dot"):
            render_graph(loss, str(tmp_path / "g"))
        return
    import shutil

    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot program is not installed")
    out = render_graph(loss, str(tmp_path / "g"), format="svg")
    assert open(out).read().lstrip().startswith("<?xml")

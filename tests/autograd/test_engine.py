"""The backward engine: accumulation, retain_graph, create_graph, hooks, errors, deep graphs."""

from __future__ import annotations

import sys
import threading
import warnings

import numpy as np
import pytest

import ember
from ember import autograd


def test_gradients_accumulate_over_two_backward_calls():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    assert x.grad.tolist() == [6.0, 6.0]


def test_grad_starts_as_none_and_can_be_cleared():
    x = ember.tensor([1.0], requires_grad=True)
    assert x.grad is None
    (x * 2).sum().backward()
    x.grad = None
    (x * 5).sum().backward()
    assert x.grad.tolist() == [5.0]


def test_non_scalar_backward_without_gradient_raises():
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="scalar outputs"):
        (x * 2).backward()


def test_non_scalar_backward_with_gradient():
    x = ember.ones(3, requires_grad=True)
    (x * 2).backward(ember.tensor([1.0, 2.0, 3.0]))
    assert x.grad.tolist() == [2.0, 4.0, 6.0]


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        ember.ones(2).sum().backward()


def test_second_backward_through_freed_graph_raises_with_hint():
    x = ember.ones(3, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = ember.ones(3, requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 4.0, 4.0]


def test_backward_frees_saved_tensors():
    x = ember.ones(1000, requires_grad=True)
    y = (x.exp() * x).sum()
    before = autograd.graph_memory(y)
    assert before > 0
    y.backward()
    assert autograd.graph_memory(y) < before


def test_broadcast_gradients_are_reduced_to_operand_shape():
    a = ember.ones(2, 3, requires_grad=True)
    b = ember.ones(3, requires_grad=True)
    c = ember.ones(2, 1, requires_grad=True)
    ((a * b) + c).sum().backward()
    assert a.grad.shape == (2, 3)
    assert b.grad.tolist() == [2.0, 2.0, 2.0]
    assert c.grad.tolist() == [[3.0], [3.0]]


def test_grad_dtype_matches_leaf_dtype():
    x = ember.ones(2, dtype=ember.float32, requires_grad=True)
    y = ember.ones(2, dtype=ember.float64)
    (x * y).sum().backward()
    assert x.grad.dtype == ember.float32


def test_non_leaf_grad_is_none_and_warns():
    x = ember.ones(2, requires_grad=True)
    y = x * 2
    y.sum().backward()
    with pytest.warns(UserWarning, match="not a leaf"):
        assert y.grad is None


def test_retain_grad_populates_non_leaf_grad():
    x = ember.ones(2, requires_grad=True)
    y = x * 2
    y.retain_grad()
    (y * 3).sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert y.grad.tolist() == [3.0, 3.0]


def test_hook_observes_and_replaces_gradient():
    x = ember.ones(2, requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    y = x * 2
    y.register_hook(lambda g: g * 10)
    y.sum().backward()
    assert seen == [[20.0, 20.0]]
    assert x.grad.tolist() == [20.0, 20.0]


def test_hook_handle_remove():
    x = ember.ones(2, requires_grad=True)
    h = x.register_hook(lambda g: g * 0)
    h.remove()
    x.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_leaf_hook_runs_once_on_summed_gradient():
    x = ember.ones(2, requires_grad=True)
    calls = []
    x.register_hook(lambda g: calls.append(g.tolist()))
    (x * 2 + x * 3).sum().backward()
    assert calls == [[5.0, 5.0]]


def test_create_graph_gives_second_derivative():
    x = ember.tensor([2.0], requires_grad=True)
    y = x**3
    (g,) = autograd.grad(y.sum(), x, create_graph=True)
    assert g.tolist() == [12.0]
    (gg,) = autograd.grad(g.sum(), x)
    assert gg.tolist() == [12.0]


def test_backward_create_graph_then_grad_of_grad():
    x = ember.tensor([1.5], requires_grad=True)
    y = (x * x.sin()).sum()
    y.backward(create_graph=True)
    gx = x.grad
    x.grad = None
    gx.sum().backward()
    expected = 2 * np.cos(1.5) - 1.5 * np.sin(1.5)
    assert np.isclose(x.grad.item(), expected, atol=1e-5)


def test_autograd_grad_does_not_touch_dot_grad():
    x = ember.ones(2, requires_grad=True)
    (g,) = autograd.grad((x * 4).sum(), [x])
    assert g.tolist() == [4.0, 4.0]
    assert x.grad is None


def test_autograd_grad_unused_input():
    x = ember.ones(2, requires_grad=True)
    z = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused"):
        autograd.grad((x * 2).sum(), [x, z])
    gx, gz = autograd.grad((x * 2).sum(), [x, z], allow_unused=True)
    assert gz is None


def test_autograd_grad_wrt_non_leaf():
    x = ember.ones(2, requires_grad=True)
    h = x * 3
    (gh,) = autograd.grad((h * h).sum(), h)
    assert gh.tolist() == [6.0, 6.0]


def test_autograd_grad_with_grad_outputs():
    x = ember.ones(2, requires_grad=True)
    (g,) = autograd.grad(x * 2, x, grad_outputs=ember.tensor([1.0, 3.0]))
    assert g.tolist() == [2.0, 6.0]


def test_deep_graph_does_not_recurse():
    x = ember.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.sum().backward()
    assert np.isclose(x.grad.item(), 1.0001**5000, rtol=1e-3)


def test_diamond_graph_sums_both_paths():
    x = ember.tensor([3.0], requires_grad=True)
    a = x * 2
    b = a * a + a  # d/dx = (2a + 1) * 2
    b.sum().backward()
    assert x.grad.item() == (2 * 6 + 1) * 2


def test_detach_cuts_the_graph():
    x = ember.ones(2, requires_grad=True)
    y = (x * 2).detach()
    assert not y.requires_grad and y.grad_fn is None
    z = (x * y).sum()
    z.backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_inplace_on_leaf_requiring_grad_raises():
    x = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x.add_(1)
    with ember.no_grad():
        x.add_(1)
    assert x.tolist() == [2.0, 2.0]


def test_modified_saved_tensor_is_detected():
    x = ember.ones(2, requires_grad=True)
    y = x * 2
    z = y * y
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_modified_saved_output_is_detected():
    x = ember.ones(2, requires_grad=True)
    y = x.exp()
    y.mul_(2)
    with pytest.raises(RuntimeError, match="inplace"):
        y.sum().backward()


def test_inplace_on_non_leaf_is_differentiable():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    y.mul_(3)
    y.add_(x)
    y.sum().backward()
    assert x.grad.tolist() == [4.0, 4.0]


def test_version_counter_increments_on_inplace():
    t = ember.zeros(3)
    v0 = t._version
    t.add_(1)
    t[0] = 5
    assert t._version == v0 + 2


def test_setitem_is_differentiable():
    x = ember.ones(4, requires_grad=True)
    v = ember.tensor([5.0], requires_grad=True)
    y = x * 2
    y[1:2] = v * 3
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 0.0, 2.0, 2.0]
    assert v.grad.tolist() == [3.0]


def test_requires_grad_on_integer_tensor_raises():
    with pytest.raises(RuntimeError, match="floating point"):
        ember.tensor([1, 2], requires_grad=True)


def test_numpy_on_tensor_requiring_grad_raises():
    with pytest.raises(RuntimeError, match="detach"):
        ember.ones(2, requires_grad=True).numpy()


def test_backward_with_inputs_accumulates_only_those():
    a = ember.ones(2, requires_grad=True)
    b = ember.ones(2, requires_grad=True)
    (a * b).sum().backward(inputs=[a])
    assert a.grad is not None and b.grad is None


def test_grad_of_unused_input_names_its_index_as_torch():
    x, unused = ember.ones(2, requires_grad=True), ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Tensor at index 1 appears to not have been used"):
        autograd.grad((x * 2).sum(), [x, unused])


def test_variable_is_a_new_leaf_sharing_storage():
    t = ember.ones(2)
    v = autograd.Variable(t, requires_grad=True)
    assert v is not t and v.requires_grad and v.is_leaf and not t.requires_grad
    t[0] = 5.0
    assert v.tolist() == [5.0, 1.0]
    with autograd.set_detect_anomaly(True), autograd.detect_anomaly():
        (v * 2).sum().backward()
    assert v.grad.tolist() == [2.0, 2.0]


def test_retain_grad_sees_gradient_after_other_hooks():
    x = ember.ones(3, requires_grad=True)
    w = x * 2
    w.retain_grad()
    w.register_hook(lambda g: g * 3)  # registered later, still runs before retain_grad
    w.sum().backward()
    assert w.grad.tolist() == [3.0, 3.0, 3.0]
    assert x.grad.tolist() == [6.0, 6.0, 6.0]


def _hogwild_grads(lib, threads=8, rounds=50):
    """Threads running backward into one shared model; integer data keeps every sum exact."""
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(512, 256), lib.nn.Linear(256, 1)).double()
    with lib.no_grad():
        for i, p in enumerate(model.parameters()):
            p.copy_(lib.tensor(np.arange(p.numel(), dtype=np.float64).reshape(p.shape) % 5 - i))
    inputs = [lib.tensor(np.full((4, 512), float(k % 3 + 1))) for k in range(threads)]
    start = threading.Barrier(threads)

    def work(x):
        start.wait()
        for _ in range(rounds):
            model(x).sum().backward()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, so an unlocked accumulation would race
    try:
        pool = [threading.Thread(target=work, args=(x,)) for x in inputs]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    return [p.grad.numpy().copy() for p in model.parameters()]


def test_concurrent_backward_into_a_shared_model_loses_no_contribution():
    torch = pytest.importorskip("torch")
    expected = _hogwild_grads(torch)
    for got, want in zip(_hogwild_grads(ember), expected):
        np.testing.assert_array_equal(got, want)

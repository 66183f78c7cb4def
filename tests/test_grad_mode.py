"""Grad modes: no_grad / enable_grad / set_grad_enabled / inference_mode semantics."""

from __future__ import annotations

import threading

import pytest

import ember


def test_no_grad_records_nothing():
    x = ember.ones(3, requires_grad=True)
    with ember.no_grad():
        y = x * 2
    assert not y.requires_grad
    assert y.grad_fn is None


def test_no_grad_keeps_no_saved_tensors():
    x = ember.ones(1000, requires_grad=True)
    with ember.no_grad():
        y = (x * x).exp()
    assert ember.autograd.graph_memory(y) == 0


def test_no_grad_restores_mode_on_exit():
    assert ember.is_grad_enabled()
    with ember.no_grad():
        assert not ember.is_grad_enabled()
    assert ember.is_grad_enabled()


def test_no_grad_restores_mode_after_exception():
    with pytest.raises(ValueError):
        with ember.no_grad():
            raise ValueError("boom")
    assert ember.is_grad_enabled()


def test_no_grad_as_decorator():
    x = ember.ones(2, requires_grad=True)

    @ember.no_grad()
    def f(t):
        assert not ember.is_grad_enabled()
        return t * 2

    assert not f(x).requires_grad
    assert ember.is_grad_enabled()


def test_no_grad_decorator_restores_after_exception():
    @ember.no_grad()
    def f():
        raise KeyError("x")

    with pytest.raises(KeyError):
        f()
    assert ember.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    x = ember.ones(2, requires_grad=True)
    with ember.no_grad():
        with ember.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad
    assert not z.requires_grad


def test_set_grad_enabled_as_plain_call():
    ember.set_grad_enabled(False)
    try:
        assert not ember.is_grad_enabled()
    finally:
        ember.set_grad_enabled(True)
    assert ember.is_grad_enabled()


def test_set_grad_enabled_as_context_manager_restores():
    with ember.set_grad_enabled(False):
        assert not ember.is_grad_enabled()
        with ember.set_grad_enabled(True):
            assert ember.is_grad_enabled()
        assert not ember.is_grad_enabled()
    assert ember.is_grad_enabled()


def test_set_grad_enabled_as_decorator():
    @ember.set_grad_enabled(False)
    def f():
        return ember.is_grad_enabled()

    assert ember.is_grad_enabled()
    assert f() is False
    assert ember.is_grad_enabled()


def test_inference_mode_disables_recording_and_restores():
    x = ember.ones(2, requires_grad=True)
    with ember.inference_mode():
        assert ember.is_inference_mode_enabled()
        assert not ember.is_grad_enabled()
        y = x * 2
    assert not y.requires_grad
    assert not ember.is_inference_mode_enabled()
    assert ember.is_grad_enabled()


def test_inference_mode_as_decorator():
    @ember.inference_mode()
    def f():
        return ember.is_inference_mode_enabled()

    assert f() is True
    assert not ember.is_inference_mode_enabled()


def test_inference_mode_false_is_a_no_op():
    with ember.inference_mode(False):
        assert ember.is_grad_enabled()


def test_creating_leaf_with_requires_grad_works_under_no_grad():
    with ember.no_grad():
        w = ember.zeros(3, requires_grad=True)
    assert w.requires_grad and w.is_leaf


def test_grad_mode_is_per_thread():
    seen = {}

    def worker():
        seen["worker"] = ember.is_grad_enabled()

    with ember.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert not ember.is_grad_enabled()
    assert seen["worker"] is True


def test_no_grad_does_not_change_dropout_style_randomness():
    # grad mode is orthogonal to train/eval: random ops still draw under no_grad
    ember.manual_seed(0)
    a = ember.rand(5)
    ember.manual_seed(0)
    with ember.no_grad():
        b = ember.rand(5)
    assert ember.equal(a, b)


def test_generator_function_decorated_with_no_grad():
    @ember.no_grad()
    def gen():
        yield ember.is_grad_enabled()
        yield ember.is_grad_enabled()

    values = list(gen())
    assert values == [False, False]
    assert ember.is_grad_enabled()

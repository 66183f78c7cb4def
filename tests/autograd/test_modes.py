"""Engine switches: the flags PyTorch reports, restored on exit, as PyTorch."""

from __future__ import annotations

import pytest
import torch

import ember


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_set_multithreading_enabled_sets_now_and_restores_on_exit(lib):
    assert lib.autograd.is_multithreading_enabled()
    with lib.autograd.set_multithreading_enabled(False):
        assert not lib.autograd.is_multithreading_enabled()
    assert lib.autograd.is_multithreading_enabled()


def test_set_multithreading_enabled_as_a_decorator_sets_the_flag_per_call():
    @ember.autograd.set_multithreading_enabled(False)
    def inner():
        return ember.autograd.is_multithreading_enabled()

    assert ember.autograd.is_multithreading_enabled()
    assert inner() is False
    assert ember.autograd.is_multithreading_enabled()


def test_backward_under_either_setting_gives_the_same_gradient():
    grads = []
    for mode in (True, False):
        x = ember.tensor([1.0, 2.0], requires_grad=True)
        with ember.autograd.set_multithreading_enabled(mode):
            (x * x).sum().backward()
        grads.append(x.grad.tolist())
    assert grads[0] == grads[1] == [2.0, 4.0]


def test_view_replay_is_off_and_variable_raises_as_pytorch():
    assert ember.autograd.is_view_replay_enabled() == torch.autograd.is_view_replay_enabled()
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="deprecated, use torch.tensor"):
            lib.autograd.variable(1.0)

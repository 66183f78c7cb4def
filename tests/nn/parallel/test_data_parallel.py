"""DataParallel without GPUs runs the module as is (as PyTorch's does on a CPU)."""

import numpy as np
import torch

import ember
import ember.nn as nn


def test_runs_the_module_and_keeps_its_gradients():
    inner = nn.Linear(3, 2)
    model = nn.DataParallel(inner)
    assert model.module is inner and model.device_ids == []
    x = ember.randn(4, 3)
    out = model(x)
    np.testing.assert_array_equal(out.detach().numpy(), inner(x).detach().numpy())
    out.sum().backward()
    assert inner.weight.grad is not None


def test_state_dict_keys_match_pytorch():
    keys = list(nn.DataParallel(nn.Sequential(nn.Linear(3, 2))).state_dict())
    expected = list(torch.nn.DataParallel(torch.nn.Sequential(torch.nn.Linear(3, 2)))
                    .state_dict())
    assert keys == expected == ["module.0.weight", "module.0.bias"]


def test_functional_form():
    lin = nn.Linear(3, 2)
    x = ember.randn(2, 3)
    out = nn.parallel.data_parallel(lin, x)
    np.testing.assert_array_equal(out.detach().numpy(), lin(x).detach().numpy())

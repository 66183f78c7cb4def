"""ember.nn.utils.convert_parameters: parameters to one vector and back."""

from __future__ import annotations

import pytest

import ember
import ember.nn as enn
from ember.nn.utils import (
    parameters_to_vector,
    vector_to_parameters,
)
from helpers import assert_close


def test_parameters_to_vector_and_back():
    m = enn.Sequential(enn.Linear(3, 2), enn.Linear(2, 1))
    vec = parameters_to_vector(m.parameters())
    assert vec.shape == (11,)
    assert_close(vec[:6], m[0].weight.reshape(-1))
    vector_to_parameters(ember.arange(11, dtype=ember.float32), m.parameters())
    assert m[0].weight.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert m[1].bias.tolist() == [10.0]
    assert isinstance(m[0].weight, enn.Parameter)
    with pytest.raises(TypeError, match="expected torch.Tensor"):
        vector_to_parameters([1.0], m.parameters())


def test_parameters_to_vector_is_differentiable():
    m = enn.Linear(2, 2)
    (parameters_to_vector(m.parameters()) ** 2).sum().backward()
    assert_close(m.weight.grad, 2 * m.weight.detach())

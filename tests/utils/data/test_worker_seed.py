"""Worker seeds: PyTorch's derivation from the base seed, applied to every generator."""

from __future__ import annotations

import random

import numpy as np
import pytest

import ember
from ember.utils.data._worker_seed import numpy_seed_words, seed_worker

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("base_seed", [0, 1, 12345, 2**32 + 7, 2**63 - 2])
@pytest.mark.parametrize("worker_id", [0, 1, 7])
def test_numpy_seed_words_are_pytorchs(base_seed, worker_id):
    from torch.utils.data._utils.worker import _generate_state

    assert numpy_seed_words(base_seed, worker_id) == _generate_state(base_seed, worker_id)


def test_seed_worker_reseeds_python_numpy_and_ember():
    assert seed_worker(100, 3) == 103
    drawn = (random.random(), np.random.rand(), ember.rand(1).item())
    random.seed(103)
    np.random.seed(numpy_seed_words(100, 3))
    ember.manual_seed(103)
    assert drawn == (random.random(), np.random.rand(), ember.rand(1).item())
    assert ember.initial_seed() == 103

"""ember repeats its own random scripts exactly under the same manual_seed."""

from __future__ import annotations

import numpy as np

import ember

from ._harness import Sync, compare, seeded_rng, torch
from .scripts import data, generative, sequence


def test_manual_seed_makes_random_scripts_reproducible_on_ember():
    # shuffling, dropout, randn_like and multinomial draws repeat exactly under the same seed
    rng = seeded_rng()
    vae_data = {"X": rng.uniform(size=(40, 16)).astype(np.float32)}
    ds_data = {"X": rng.normal(size=(36, 5)), "y": rng.integers(0, 4, size=36)}
    cases = ((generative.train_vae, vae_data), (data.custom_dataset_dicts, ds_data),
             (sequence.sample_chars, {}))
    for script, inputs in cases:
        sync = Sync()
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            script(torch, sync, dict(inputs))  # only to record the initial weights
        finally:
            torch.set_num_threads(threads)
        sync.recording = False
        runs = []
        for _ in range(2):
            sync.i = 0
            ember.manual_seed(123)
            runs.append(script(ember, sync, dict(inputs)))
        compare(runs[0], _as_torch(runs[1]), rtol=0, atol=0)


def _as_torch(result):
    """ember results as torch objects, so ``compare`` can check ember against ember."""
    if isinstance(result, ember.Tensor):
        return torch.from_numpy(result.detach().numpy().copy())
    if isinstance(result, ember.Size):
        return torch.Size(result)
    if isinstance(result, ember.dtype):
        return getattr(torch, result.name)
    if isinstance(result, dict):
        return {k: _as_torch(v) for k, v in result.items()}
    if isinstance(result, (list, tuple)):
        return type(result)(_as_torch(v) for v in result)
    return result

"""Run one tutorial-style script on PyTorch and on ember, compare everything it reports.

A script is ``def script(torch, sync, data) -> dict``: ``torch`` is the library module,
``data`` a dict of NumPy arrays shared by both runs, and ``sync(model)`` makes the initial
weights identical (the PyTorch run records its ``state_dict`` as NumPy arrays; the ember run
loads them). The returned dict (losses, accuracies, tensors, shapes, dtypes) is compared
recursively: tensors by shape, dtype and value; floats to float32 tolerance.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


class Sync:
    """Copies initial weights from the PyTorch run into the ember run, in call order."""

    def __init__(self):
        self.states: list[dict[str, np.ndarray]] = []
        self.recording = True
        self.i = 0

    def __call__(self, model):
        if self.recording:
            self.states.append({k: v.detach().cpu().numpy().copy()
                                for k, v in model.state_dict().items()})
        else:
            state = self.states[self.i]
            self.i += 1
            model.load_state_dict({k: ember.tensor(v) for k, v in state.items()})
        return model


def _is_tensor(x):
    return isinstance(x, (torch.Tensor, ember.Tensor))


def _dtype_name(x):
    return str(x.dtype).replace("torch.", "").replace("ember.", "")


def compare(got, want, *, rtol, atol, path="result"):
    """Recursively compare ember's ``got`` with torch's ``want``."""
    if _is_tensor(want):
        assert isinstance(got, ember.Tensor), f"{path}: ember gave {type(got).__name__}"
        repr(got)  # scripts print what they compute: printing must work
        assert tuple(got.shape) == tuple(want.shape), f"{path}: shape {got.shape} != {want.shape}"
        assert _dtype_name(got) == _dtype_name(want), f"{path}: {got.dtype} != {want.dtype}"
        np.testing.assert_allclose(got.detach().numpy(), want.detach().cpu().numpy(),
                                   rtol=rtol, atol=atol, err_msg=path)
    elif isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want), f"{path}: keys differ"
        for k in want:
            compare(got[k], want[k], rtol=rtol, atol=atol, path=f"{path}[{k!r}]")
    elif isinstance(want, (list, tuple)) and not isinstance(want, torch.Size):
        assert type(got) is type(want) or (
            isinstance(got, (list, tuple)) and isinstance(want, (list, tuple))), \
            f"{path}: {type(got).__name__} != {type(want).__name__}"
        assert len(got) == len(want), f"{path}: length {len(got)} != {len(want)}"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            compare(g, w, rtol=rtol, atol=atol, path=f"{path}[{i}]")
    elif isinstance(want, torch.Size):
        assert isinstance(got, ember.Size), f"{path}: {type(got).__name__} is not Size"
        assert tuple(got) == tuple(want), f"{path}: {got} != {want}"
    elif isinstance(want, torch.dtype):
        assert isinstance(got, ember.dtype), f"{path}: {type(got).__name__} is not a dtype"
        assert str(got).split(".")[-1] == str(want).split(".")[-1], f"{path}: {got} != {want}"
    elif isinstance(want, bool) or want is None or isinstance(want, str):
        assert got == want, f"{path}: {got!r} != {want!r}"
    elif isinstance(want, int):
        assert type(got) is int and got == want, f"{path}: {got!r} != {want!r}"
    elif isinstance(want, float):
        assert type(got) is float, f"{path}: {type(got).__name__} is not float"
        assert math.isclose(got, want, rel_tol=rtol, abs_tol=atol), f"{path}: {got} != {want}"
    else:
        raise TypeError(f"{path}: cannot compare {type(want).__name__}")


def run_both(script, data, *, rtol=2e-4, atol=2e-5):
    """Run ``script`` on torch then ember with the same data and initial weights."""
    sync = Sync()
    torch.manual_seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny models: thread hand-offs dominate (seconds on a busy box)
    try:
        want = script(torch, sync, {k: v.copy() for k, v in data.items()})
    finally:
        torch.set_num_threads(threads)
    sync.recording = False
    ember.manual_seed(0)
    got = script(ember, sync, {k: v.copy() for k, v in data.items()})
    assert sync.i == len(sync.states), "ember run synced fewer models than the torch run"
    compare(got, want, rtol=rtol, atol=atol)
    return got, want


def seeded_rng() -> np.random.Generator:
    """The generator every scenario draws its data from (fixed seed: reproducible inputs)."""
    return np.random.default_rng(1234)


def blobs(n: int = 128, d: int = 10, k: int = 3) -> dict[str, np.ndarray]:
    """``k`` Gaussian clusters in ``d`` dimensions: float32 features ``X``, int64 labels ``y``."""
    rng = seeded_rng()
    centers = rng.normal(0, 2, size=(k, d))
    y = rng.integers(0, k, size=n)
    X = (centers[y] + rng.normal(0, 1, size=(n, d))).astype(np.float32)
    return {"X": X, "y": y.astype(np.int64)}

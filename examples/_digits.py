"""Shared by the digits examples: scikit-learn's 8x8 digits as ember tensors, split 80/20."""

from __future__ import annotations

import numpy as np

import ember


def digits(flat: bool, seed: int = 0):
    from sklearn.datasets import load_digits

    d = load_digits()
    x = (d.images / 16.0).astype(np.float32)
    x = x.reshape(len(x), 64) if flat else x[:, None]
    y = d.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(x))
    cut = int(0.8 * len(x))
    tr, te = order[:cut], order[cut:]
    return (ember.from_numpy(x[tr]), ember.from_numpy(y[tr]), ember.from_numpy(x[te]),
            ember.from_numpy(y[te]))


def accuracy(model, x, y) -> float:
    model.eval()
    with ember.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()

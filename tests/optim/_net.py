"""A small two-layer network written with plain ops, trained identically with torch and ember.

``train(lib, make_opt)`` runs ``steps`` optimizer steps on fixed batches from fixed initial
weights and returns the loss trajectory and the final weights, so optimizer tests compare
whole trajectories between the libraries.
"""

from __future__ import annotations

import numpy as np
import pytest

SHAPES = [(8, 4), (8,), (3, 8), (3,)]


def initial_weights(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(0, 0.5, size=s).astype(np.float32) for s in SHAPES]


def batches(n: int = 4, seed: int = 1) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        x = rng.normal(size=(16, 4)).astype(np.float32)
        y = rng.normal(size=(16, 3)).astype(np.float32)
        out.append((x, y))
    return out


def loss_fn(lib, params, x, y):
    w1, b1, w2, b2 = params
    h = lib.tanh(lib.tensor(x) @ w1.T + b1)
    out = lib.relu(h @ w2.T + b2) - 0.5 * h[:, :3]
    return ((out - lib.tensor(y)) ** 2).mean()


def make_params(lib, weights):
    return [lib.tensor(w.copy(), requires_grad=True) for w in weights]


def run(lib, params, opt, data, steps, start=0, scheduler=None):
    losses = []
    for i in range(start, start + steps):
        x, y = data[i % len(data)]
        opt.zero_grad()
        loss = loss_fn(lib, params, x, y)
        loss.backward()
        opt.step()
        if scheduler is not None:
            scheduler.step()
        losses.append(loss.item())
    return losses


def train(lib, make_opt, steps: int = 30, weights=None):
    """Train from the shared initial weights; return (losses, final weights as arrays)."""
    params = make_params(lib, initial_weights() if weights is None else weights)
    opt = make_opt(lib, params)
    losses = run(lib, params, opt, batches(), steps)
    return np.array(losses), [p.detach().numpy().copy() for p in params]


def assert_same_training(make_opt, steps: int = 30, rtol: float = 1e-5, atol: float = 1e-6):
    import torch

    import ember

    le, we = train(ember, make_opt, steps)
    lt, wt = train(torch, make_opt, steps)
    np.testing.assert_allclose(le, lt, rtol=rtol, atol=atol, err_msg="loss trajectory")
    for i, (a, b) in enumerate(zip(we, wt, strict=True)):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"final weight {i}")
    assert le[-1] < le[0] or "maximize" in repr(make_opt.__code__.co_consts)


def assert_invalid_option_raises_like_torch(name: str, kwargs: dict, message: str) -> None:
    """``ember.optim.<name>`` and ``torch.optim.<name>`` both raise ValueError matching
    ``message`` when built with ``kwargs``."""
    import torch

    import ember

    for lib in (ember, torch):
        with pytest.raises(ValueError, match=message):
            getattr(lib.optim, name)([lib.zeros(2, requires_grad=True)], **kwargs)


def assert_same_maximizing(make_opt, rtol: float = 1e-4, atol: float = 1e-5):
    """``make_opt(lib, params)`` builds a ``maximize=True`` optimizer; both libraries maximize
    the negated loss (which is minimizing the loss) over 8 passes and end at the same weights."""
    import torch

    import ember

    def final_weights(lib):
        ps = make_params(lib, initial_weights())
        opt = make_opt(lib, ps)
        for x, y in batches() * 8:
            opt.zero_grad()
            (-loss_fn(lib, ps, x, y)).backward()
            opt.step()
        return [p.detach().numpy() for p in ps]

    for a, b in zip(final_weights(ember), final_weights(torch), strict=True):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def assert_same_state_dict_layout(name: str) -> None:
    """After one step, ``ember.optim.<name>`` and ``torch.optim.<name>`` save the same state
    keys and group options."""
    import torch

    import ember

    layouts = []
    for lib in (torch, ember):
        p = lib.zeros(2, requires_grad=True)
        opt = getattr(lib.optim, name)([p])
        p.grad = lib.ones(2)
        opt.step()
        sd = opt.state_dict()
        layouts.append((sorted(sd["state"][0]), sorted(sd["param_groups"][0])))
    assert layouts[0] == layouts[1]

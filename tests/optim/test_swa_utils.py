"""swa_utils: AveragedModel (SWA, EMA, buffers) and update_bn match torch.optim.swa_utils."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import assert_close, torch


def _model(lib):
    net = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.ReLU(),
                            lib.nn.Linear(4, 2))
    with lib.no_grad():
        for p in net.parameters():
            p.copy_(lib.tensor(np.linspace(-1, 1, p.numel(), dtype=np.float32).reshape(p.shape)))
    return net


def _run(lib, kind):
    su = lib.optim.swa_utils
    model = _model(lib)
    kwargs = {"swa": {}, "ema_multi": {"multi_avg_fn": su.get_ema_multi_avg_fn(0.9)},
              "ema": {"avg_fn": su.get_ema_avg_fn(0.8)},
              "ema_buffers": {"multi_avg_fn": su.get_ema_multi_avg_fn(0.5),
                              "use_buffers": True}}[kind]
    avg = su.AveragedModel(model, **kwargs)
    opt = lib.optim.SGD(model.parameters(), lr=0.1)
    x = lib.tensor(np.random.default_rng(0).normal(size=(8, 3)).astype(np.float32))
    for _ in range(4):
        opt.zero_grad()
        model(x).pow(2).mean().backward()
        opt.step()
        avg.update_parameters(model)
    loader = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(x), batch_size=4)
    su.update_bn(loader, avg)
    avg.eval()
    return avg.state_dict(), avg(x)


@pytest.mark.parametrize("kind", ["swa", "ema_multi", "ema", "ema_buffers"])
def test_averaged_model_matches_torch(kind):
    got_sd, got_out = _run(ember, kind)
    want_sd, want_out = _run(torch, kind)
    assert list(got_sd) == list(want_sd)
    for k in want_sd:
        assert_close(got_sd[k], want_sd[k])
    assert_close(got_out, want_out)


def test_invalid_decay_and_both_fns_raise_as_torch():
    for lib in (torch, ember):
        with pytest.raises(ValueError, match="Invalid decay value 1.5"):
            lib.optim.swa_utils.get_ema_multi_avg_fn(1.5)
        su = lib.optim.swa_utils
        with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
            su.AveragedModel(lib.nn.Linear(1, 1), avg_fn=su.get_swa_avg_fn(),
                             multi_avg_fn=su.get_swa_multi_avg_fn())

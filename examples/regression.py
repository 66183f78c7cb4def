"""Regression on a synthetic problem: fit y = sin(3x) + noise with a small MLP and Adam.

python examples/regression.py --steps 500
"""

from __future__ import annotations

import argparse

import ember
from ember import nn


def main(argv=None) -> float:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=500)
    args = parser.parse_args(argv)
    ember.manual_seed(0)
    x = ember.linspace(-2, 2, 256).unsqueeze(1)
    y = (3 * x).sin() + 0.05 * ember.randn(256, 1)
    model = nn.Sequential(nn.Linear(1, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(),
                          nn.Linear(64, 1))
    opt = ember.optim.Adam(model.parameters(), lr=1e-2)
    sched = ember.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.steps)
    loss_fn = nn.MSELoss()
    for step in range(args.steps):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        sched.step()
        if step % 100 == 0 or step == args.steps - 1:
            print(f"step {step}: mse {loss.item():.5f}")
    return loss.item()


if __name__ == "__main__":
    main()

"""Gradient accumulation: four micro-batches of 8 give the same step as one batch of 32.

Gradients *accumulate* in ``.grad`` until cleared, so calling ``backward()`` on each
micro-batch (with the loss scaled by 1/4) and stepping once equals one big-batch step.
python examples/grad_accumulation.py
"""

from __future__ import annotations

import argparse
import copy

import ember
from ember import nn


def main(argv=None) -> float:
    argparse.ArgumentParser().parse_args(argv)
    ember.manual_seed(0)
    x, y = ember.randn(32, 10), ember.randint(0, 3, (32,))
    big = nn.Linear(10, 3)
    small = copy.deepcopy(big)
    loss_fn = nn.CrossEntropyLoss()

    opt_big = ember.optim.SGD(big.parameters(), lr=0.1)
    opt_big.zero_grad()
    loss_fn(big(x), y).backward()
    opt_big.step()

    opt_small = ember.optim.SGD(small.parameters(), lr=0.1)
    opt_small.zero_grad()
    for xb, yb in zip(x.split(8), y.split(8)):
        (loss_fn(small(xb), yb) / 4).backward()  # accumulate: no zero_grad in between
    opt_small.step()

    diff = (big.weight - small.weight).abs().max().item()
    print(f"largest weight difference between the two ways: {diff:.2e}")
    return diff


if __name__ == "__main__":
    main()

"""Fine-tuning with BatchNorm frozen: keep the pretrained running statistics.

Put the BatchNorm layers in eval mode after ``model.train()`` so they normalise with their
running estimates and stop updating them, and freeze their affine parameters.
python examples/finetune_frozen_bn.py
"""

from __future__ import annotations

import argparse

import ember
from ember import nn


def freeze_batchnorm(model: nn.Module) -> None:
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.eval()
            for p in m.parameters():
                p.requires_grad_(False)


def main(argv=None) -> bool:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args(argv)
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 2))
    # "pretraining": a few batches establish running statistics
    model.train()
    with ember.no_grad():
        for _ in range(10):
            model(ember.randn(64, 8) * 2 + 1)
    bn = model[1]
    saved_mean = bn.running_mean.clone()

    model.train()
    freeze_batchnorm(model)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = ember.optim.SGD(params, lr=0.05)
    for _ in range(args.steps):
        x, y = ember.randn(16, 8), ember.randint(0, 2, (16,))
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    unchanged = bool(ember.equal(bn.running_mean, saved_mean))
    print(f"BatchNorm running mean unchanged by fine-tuning: {unchanged}")
    return unchanged


if __name__ == "__main__":
    main()

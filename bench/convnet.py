"""A ResNet-ish CNN on 32x32 images and a 3x3 conv2d against PyTorch (issue 12).

ResNet-ish: conv 3->32, two residual blocks (32 and 64 channels, the second strided), each
conv-BN-ReLU-conv-BN plus shortcut, global average pool, linear 10; batch 32, SGD momentum;
train step and eval forward. conv2d 3x3: input (32, 64, 32, 32), 64 filters, padding 1,
forward + backward. Same weights, equal threads, interleaved rounds (see ``_common``).

Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/convnet.py [--threads 1,2]
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _common import compare, header, same_weights, set_threads, thread_counts  # noqa: E402

import ember  # noqa: E402


def resnet(lib):
    nn, F = lib.nn, lib.nn.functional

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.b1 = nn.BatchNorm2d(cout)
            self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.b2 = nn.BatchNorm2d(cout)
            self.short = None
            if stride != 1 or cin != cout:
                self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                           nn.BatchNorm2d(cout))

        def forward(self, x):
            y = self.b2(self.c2(F.relu(self.b1(self.c1(x)))))
            return F.relu(y + (x if self.short is None else self.short(x)))

    return nn.Sequential(nn.Conv2d(3, 32, 3, 1, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
                         Block(32, 32, 1), Block(32, 64, 2), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Linear(64, 10))


def resnet_workloads(rounds: int = 9) -> None:
    torch.manual_seed(0)
    mt = resnet(torch)
    me = resnet(ember)
    same_weights(me, mt)
    rng = np.random.default_rng(0)
    xa = rng.standard_normal((32, 3, 32, 32)).astype(np.float32)
    ya = rng.integers(0, 10, 32)

    def trainer(lib, model):
        x, y = lib.tensor(xa), lib.tensor(ya)
        opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

        def step():
            model.train()
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss

        return step

    def evaluator(lib, model):
        x = lib.tensor(xa)

        def run():
            model.eval()
            with lib.no_grad():
                return model(x)

        return run

    se, st = trainer(ember, me), trainer(torch, mt)
    print(f"resnet-ish: first losses ember {se().item():.5f} torch {st().item():.5f}",
          flush=True)
    compare("resnet-ish 32x32 train step", se, st, rounds)
    compare("resnet-ish 32x32 eval fwd", evaluator(ember, me), evaluator(torch, mt), rounds)


def conv_workload(rounds: int = 9) -> None:
    rng = np.random.default_rng(0)
    xa = rng.standard_normal((32, 64, 32, 32)).astype(np.float32)
    wa = (rng.standard_normal((64, 64, 3, 3)) * 0.05).astype(np.float32)
    ga = rng.standard_normal((32, 64, 32, 32)).astype(np.float32)

    def make(lib):
        x = lib.tensor(xa, requires_grad=True)
        w = lib.tensor(wa, requires_grad=True)
        g = lib.tensor(ga)

        def run():
            x.grad = w.grad = None
            lib.nn.functional.conv2d(x, w, padding=1).backward(g)

        return run

    compare("conv2d 3x3 (32,64,32,32) fwd+bwd", make(ember), make(torch), rounds)


def main() -> None:
    for n in thread_counts():
        limiter = set_threads(n)
        header(n)
        resnet_workloads()
        conv_workload()
        del limiter


if __name__ == "__main__":
    main()

"""ResNet-ish CNN on 32x32 images (batch 32): train step (SGD momentum) and eval forward.

Stem conv 3->32, then three stages of two basic residual blocks (conv3x3-BN-ReLU-conv3x3-BN,
identity or 1x1-conv/BN shortcut, stride 2 between stages: 32, 64, 128 channels), global
average pooling, Linear(128, 10). Same weights on both sides (first losses printed), 1 and 2
threads, interleaved rounds with an idle gap.

Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/resnet_small.py [--threads 1,2]
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _common import blas_report  # noqa: E402
from _paired import line, paired, set_threads  # noqa: E402

import ember  # noqa: E402
import ember.nn  # noqa: E402,F401
import ember.optim  # noqa: E402

BATCH = 32


def make_model(lib):
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.shortcut = nn.Sequential()
            if stride != 1 or cin != cout:
                self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                              nn.BatchNorm2d(cout))

        def forward(self, x):
            out = lib.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return lib.relu(out + self.shortcut(x))

    layers = [nn.Conv2d(3, 32, 3, 1, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU()]
    cin = 32
    for cout, stride in ((32, 1), (64, 2), (128, 2)):
        layers += [Block(cin, cout, stride), Block(cout, cout, 1)]
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 10)]
    return nn.Sequential(*layers)


def copy_weights(src, dst) -> None:
    """ember model -> torch model, parameters and buffers by name."""
    with torch.no_grad():
        state = src.state_dict()
        for name, t in dst.state_dict().items():
            t.copy_(torch.from_numpy(np.array(state[name].detach().numpy())))


def trainer(lib, model, x, y):
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        model.train()
        opt.zero_grad()
        lib.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    return step


def evaluator(lib, model, x):
    def run():
        model.eval()
        with lib.no_grad():
            model(x)
        model.train()

    return run


def main() -> None:
    threads = [1, 2]
    if "--threads" in sys.argv:
        threads = [int(t) for t in sys.argv[sys.argv.index("--threads") + 1].split(",")]
    rng = np.random.default_rng(0)
    xa = rng.standard_normal((BATCH, 3, 32, 32)).astype(np.float32)
    ya = rng.integers(0, 10, BATCH)
    ember.manual_seed(0)
    me, mt = make_model(ember), make_model(torch)
    copy_weights(me, mt)
    xe, xt = ember.tensor(xa), torch.tensor(xa)
    ye, yt = ember.tensor(ya), torch.tensor(ya)
    le = ember.nn.functional.cross_entropy(me(xe), ye).item()
    lt = torch.nn.functional.cross_entropy(mt(xt), yt).item()
    print(f"ResNet-ish first loss: ember {le:.6f} torch {lt:.6f}", flush=True)
    for n in threads:
        set_threads(n, torch)
        if n == threads[0]:
            print(f"BLAS: {blas_report()}", flush=True)
        line("resnet_small train step", n, paired(trainer(ember, me, xe, ye),
                                                   trainer(torch, mt, xt, yt)))
        line("resnet_small eval forward", n, paired(evaluator(ember, me, xe),
                                                     evaluator(torch, mt, xt)))


if __name__ == "__main__":
    main()

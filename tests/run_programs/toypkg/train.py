"""Training: `import torch.nn.functional as F`, `from torch import nn, optim`; runs with -m."""

import sys

import torch
import torch.nn.functional as F
from torch import nn, optim

from .data import make_loader
from .model import Classifier


def main(argv: list[str]) -> int:
    epochs = int(argv[0]) if argv else 3
    loader = make_loader()
    model = Classifier()
    optimizer = optim.Adam(model.parameters(), lr=0.02)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
            total += loss.item() * len(y)
        scheduler.step()
        model.eval()
        with torch.no_grad():
            correct = sum((model(x).argmax(1) == y).sum().item() for x, y in loader)
        print("epoch", epoch, "loss", f"{total / 96:.6f}", "correct", correct)
    print("running_mean", [round(v, 5) for v in model.body[1].running_mean.tolist()[:4]])
    return 0


if __name__ == "__main__":
    print("main module", __name__, sys.argv[1:])
    sys.exit(main(sys.argv[1:]))

"""A small CNN on scikit-learn's digits (8x8 images, two conv layers).

python examples/cnn_digits.py --epochs 6
"""

from __future__ import annotations

import argparse

from _digits import accuracy, digits

import ember
from ember import nn
from ember.utils.data import DataLoader, TensorDataset


def make_cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(32 * 4 * 4, 10),
    )


def main(argv=None) -> float:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=6)
    args = parser.parse_args(argv)
    ember.manual_seed(0)
    x_tr, y_tr, x_te, y_te = digits(flat=False)
    loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=32, shuffle=True)
    model = make_cnn()
    opt = ember.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for epoch in range(args.epochs):
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
        acc = accuracy(model, x_te, y_te)
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}, test accuracy {100 * acc:.1f}%")
    return acc


if __name__ == "__main__":
    main()

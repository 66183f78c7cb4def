"""An MLP on scikit-learn's digits: the canonical loop, nothing else.

python examples/mlp_digits.py --epochs 10
"""

from __future__ import annotations

import argparse

from _digits import accuracy, digits

import ember
from ember import nn
from ember.utils.data import DataLoader, TensorDataset


def main(argv=None) -> float:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args(argv)
    ember.manual_seed(0)
    x_tr, y_tr, x_te, y_te = digits(flat=True)
    loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.1),
                          nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = ember.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        acc = accuracy(model, x_te, y_te)
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}, test accuracy {100 * acc:.1f}%")
    return acc


if __name__ == "__main__":
    main()

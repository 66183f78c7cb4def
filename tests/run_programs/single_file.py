"""A one-file PyTorch script as people write them: fits a curve with an MLP and SGD.

Run by tests/test_run.py with `python` on PyTorch and with `ember run`; both print the same.
"""

import argparse
import os
import sys

import torch
import torch.nn as nn


def deterministic_init(model: nn.Module) -> None:
    """Weights from a formula, so PyTorch and ember start from the same point."""
    with torch.no_grad():
        for index, param in enumerate(model.parameters()):
            values = torch.sin(torch.arange(param.numel(), dtype=torch.float32) * 0.7 + index)
            param.copy_(0.5 * values.reshape(param.shape))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--data", default=None, help="a text file of numbers, relative to cwd")
    parser.add_argument("--exit-code", type=int, default=0)
    args = parser.parse_args()
    print("argv", sys.argv[1:])
    print("name", __name__, "file", os.path.basename(__file__), os.path.isabs(__file__))
    print("path0", os.path.basename(sys.path[0]))

    x = torch.linspace(-2, 2, 64).unsqueeze(1)
    y = torch.sin(x) + 0.1 * x ** 2
    if args.data is not None:
        with open(args.data) as file:
            shift = float(file.read())
        y = y + shift
        print("shift", shift)

    model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
    deterministic_init(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.MSELoss()
    for step in range(args.steps):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        if step % 10 == 9:
            print("step", step, "loss", f"{loss.item():.6f}")
    with torch.no_grad():
        print("prediction", [round(v, 5) for v in model(torch.tensor([[0.5]])).flatten().tolist()])
    return args.exit_code


if __name__ == "__main__":
    sys.exit(main())

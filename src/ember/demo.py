"""The demo: train a small CNN (or MLP) on scikit-learn's handwritten digits with ember.

It shows the canonical loop from the seed answers — ``model.train()``, ``zero_grad()``,
``backward()``, ``step()``, then ``model.eval()`` + ``no_grad()`` to evaluate — with a
progress bar per epoch, a checkpoint saved and reloaded (the accuracy must not change) and a
PNG plot of the curves. Run it with ``python -m ember demo`` (or ``make demo``).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.utils.data import DataLoader, TensorDataset


def load_digits_split(seed: int):
    """8x8 digit images scaled to [0, 1], split 80/20 with a fixed permutation."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:  # pragma: no cover - the examples extra installs it
        raise SystemExit(
            "the demo needs scikit-learn's digits data: pip install 'ember[examples]'"
        ) from exc
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(x))
    cut = int(0.8 * len(x))
    train, test = order[:cut], order[cut:]
    return (ember.from_numpy(x[train]), ember.from_numpy(y[train]),
            ember.from_numpy(x[test]), ember.from_numpy(y[test]))


class DigitsCNN(nn.Module):
    """Two conv blocks and a classifier: ~98% on the digits test split in a few epochs."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Dropout(0.25), nn.Linear(32 * 4 * 4, 10),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


class DigitsMLP(nn.Module):
    """The fallback model: 64-128-64-10 with BatchNorm and Dropout."""

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Flatten(), nn.Linear(64, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10),
        )

    def forward(self, x):
        return self.net(x)


def build_model(kind: str) -> nn.Module:
    if kind == "cnn":
        return DigitsCNN()
    if kind == "mlp":
        return DigitsMLP()
    raise ValueError(f"unknown model {kind!r}: choose 'cnn' or 'mlp'")


def evaluate(model: nn.Module, x: ember.Tensor, y: ember.Tensor) -> float:
    """Accuracy in eval mode (Dropout off, BatchNorm running stats) without recording a graph."""
    model.eval()
    with ember.no_grad():
        correct = (model(x).argmax(1) == y).sum().item()
    return correct / len(y)


def train_epoch(model, loader, optimizer, progress) -> float:
    model.train()
    total, count = 0.0, 0
    for xb, yb in progress(loader):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
        count += len(yb)
    return total / count


def _progress_bar(desc: str, quiet: bool):
    if quiet:
        return lambda it: it
    try:
        from tqdm import tqdm
    except ImportError:
        return lambda it: it
    return lambda it: tqdm(it, desc=desc, leave=False, ncols=80)


def plot_curves(history: dict, path: str) -> str | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    epochs = range(1, len(history["loss"]) + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
    ax1.plot(epochs, history["loss"], marker="o")
    ax1.set(title="train loss", xlabel="epoch", ylabel="cross-entropy")
    ax2.plot(epochs, [100 * a for a in history["acc"]], marker="o", color="tab:green")
    ax2.set(title="test accuracy", xlabel="epoch", ylabel="%")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def run(epochs: int = 8, batch_size: int = 32, seed: int = 0, out: str = "runs/demo",
        model_kind: str = "cnn", lr: float = 0.05, quiet: bool = False) -> dict:
    """Train, evaluate each epoch, checkpoint and reload; return the history and paths."""
    ember.manual_seed(seed)
    os.makedirs(out, exist_ok=True)
    x_train, y_train, x_test, y_test = load_digits_split(seed)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=batch_size, shuffle=True,
                        generator=ember.Generator().manual_seed(seed))
    model = build_model(model_kind)
    optimizer = ember.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    say = (lambda *a: None) if quiet else print
    say(f"ember demo: {model_kind.upper()} on scikit-learn digits "
        f"({len(x_train)} train / {len(x_test)} test), {epochs} epochs, batch {batch_size}")
    history = {"loss": [], "acc": []}
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        loss = train_epoch(model, loader, optimizer,
                           _progress_bar(f"epoch {epoch}/{epochs}", quiet))
        acc = evaluate(model, x_test, y_test)
        history["loss"].append(loss)
        history["acc"].append(acc)
        say(f"epoch {epoch:2d}  train loss {loss:.4f}  test accuracy {100 * acc:.2f}%")
    elapsed = time.perf_counter() - start

    ckpt = os.path.join(out, "digits.ember")
    ember.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "epoch": epochs, "history": history}, ckpt)
    restored = build_model(model_kind)
    state = ember.load(ckpt)
    restored.load_state_dict(state["model"])
    reloaded_acc = evaluate(restored, x_test, y_test)
    same = reloaded_acc == history["acc"][-1]
    say(f"checkpoint {ckpt}: reloaded accuracy {100 * reloaded_acc:.2f}% "
        f"({'unchanged' if same else 'CHANGED'})")

    # what no_grad saves: the graph a forward pass keeps alive for backward
    model.eval()
    recorded = model(x_test)
    with ember.no_grad():
        unrecorded = model(x_test)
    say(f"graph memory of a test forward: {ember.autograd.graph_memory(recorded) / 1e6:.2f} MB "
        f"recorded, {ember.autograd.graph_memory(unrecorded) / 1e6:.2f} MB under no_grad()")
    plot = plot_curves(history, os.path.join(out, "curves.png"))
    if plot:
        say(f"plot: {plot}")
    say(f"training took {elapsed:.1f} s")
    return {"history": history, "checkpoint": ckpt, "plot": plot, "reloaded_acc": reloaded_acc,
            "seconds": elapsed}


def build_parser() -> argparse.ArgumentParser:
    """The demo's command line (``python -m ember --help`` shows it too)."""
    parser = argparse.ArgumentParser(prog="ember demo", description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8, help="passes over the training split")
    parser.add_argument("--batch-size", type=int, default=32, help="examples per step")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split, init and shuffle")
    parser.add_argument("--lr", type=float, default=0.05, help="SGD learning rate")
    parser.add_argument("--model", choices=["cnn", "mlp"], default="cnn", help="network")
    parser.add_argument("--out", default="runs/demo", help="folder for checkpoint and plot")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    result = run(args.epochs, args.batch_size, args.seed, args.out, args.model, args.lr,
                 args.quiet)
    return 0 if result["reloaded_acc"] == result["history"]["acc"][-1] else 1

"""What ``model.eval()`` and ``ember.no_grad()`` each change — they are independent.

- ``eval()`` switches layers: Dropout stops dropping, BatchNorm uses running statistics.
  It does not change how gradients are computed.
- ``no_grad()`` stops autograd recording: no graph, no saved tensors, less memory. It does
  not switch Dropout or BatchNorm to eval behaviour.
python examples/eval_vs_no_grad.py
"""

from __future__ import annotations

import argparse

import ember
from ember import nn


def main(argv=None) -> dict:
    argparse.ArgumentParser().parse_args(argv)
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(100, 200), nn.BatchNorm1d(200), nn.ReLU(), nn.Dropout(0.5))
    x = ember.randn(64, 100)
    report = {}
    for mode in ("train", "eval"):
        getattr(model, mode)()
        for grad in (True, False):
            with ember.set_grad_enabled(grad):
                out = model(x)
            zeros = (out == 0).float().mean().item()
            memory = ember.autograd.graph_memory(out)
            report[(mode, grad)] = (zeros, memory, out.requires_grad)
            print(f"model.{mode}() grad {'on ' if grad else 'off'}: fraction zero "
                  f"{zeros:.2f} (Dropout {'active' if mode == 'train' else 'identity'}), graph "
                  f"holds {memory / 1e3:.0f} kB, requires_grad={out.requires_grad}")
    return report


if __name__ == "__main__":
    main()

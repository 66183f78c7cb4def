"""The model: `from torch import nn` in a module of the program's own package."""

import torch
from torch import nn


class Classifier(nn.Module):
    def __init__(self, hidden: int = 12) -> None:
        super().__init__()
        # no bias before BatchNorm: it cannot change the loss, so Adam would walk it on noise
        self.body = nn.Sequential(nn.Linear(2, hidden, bias=False), nn.BatchNorm1d(hidden),
                                  nn.ReLU(), nn.Linear(hidden, 2))
        with torch.no_grad():
            for index, param in enumerate(self.parameters()):
                values = torch.cos(torch.arange(param.numel(), dtype=torch.float32) * 0.9 + index)
                param.copy_(0.6 * values.reshape(param.shape))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)

"""The data: two interleaved spirals-like classes from a formula, in a DataLoader."""

import torch
from torch.utils.data import DataLoader, TensorDataset


def make_loader(batch_size: int = 16) -> DataLoader:
    t = torch.linspace(0, 3, 48)
    first = torch.stack([t * torch.cos(t), t * torch.sin(t)], dim=1)
    second = -first
    x = torch.cat([first, second]) / 3
    y = torch.cat([torch.zeros(48, dtype=torch.long), torch.ones(48, dtype=torch.long)])
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=False)

"""PyTorch's path ``torch.nn.modules.module``: programs import ``Module`` from here."""

from ..module import Module

__all__ = ["Module"]

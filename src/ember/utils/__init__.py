"""Utilities: ``ember.utils.data`` (datasets, samplers, DataLoader), ``checkpoint``,
``safetensors``."""

from . import checkpoint, data, safetensors

__all__ = ["checkpoint", "data", "safetensors"]

"""The optional per-feature affine map (weight, bias) that the normalisation layers share."""

from __future__ import annotations

from ... import _creation
from .. import init
from ..module import Module
from ..parameter import Parameter


def register_affine(module: Module, shape: tuple, affine: bool, bias: bool, dtype) -> None:
    """Register ``weight`` and ``bias`` of ``shape``, or None for those switched off (so they
    still show up as attributes, as PyTorch's); values are set by ``reset_affine``."""
    module.register_parameter("weight", _uninitialised(shape, dtype) if affine else None)
    module.register_parameter("bias", _uninitialised(shape, dtype) if affine and bias else None)


def _uninitialised(shape: tuple, dtype) -> Parameter:
    return Parameter(_creation.empty(*shape, dtype=dtype))


def reset_affine(module: Module) -> None:
    """Start from the identity map: weight ones, bias zeros."""
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)

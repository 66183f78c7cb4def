"""``skip_init``: build a module without paying for its parameter initialisation's meaning."""

from __future__ import annotations

import inspect

from ..module import Module

__all__ = ["skip_init"]


def skip_init(module_cls: type, *args, **kwargs) -> Module:
    """Instantiate ``module_cls(*args, **kwargs)`` leaving its parameter values unspecified.

    PyTorch builds the module on the meta device and allocates uninitialised storage; ember has
    one device, so it builds the module normally. Either way the caller must initialise the
    parameters: their values carry no meaning.

    Raises:
        RuntimeError: ``module_cls`` takes no ``device`` argument (as PyTorch requires).
    """
    if not issubclass(module_cls, Module):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    kwargs.pop("device", None)
    return module_cls(*args, **kwargs)

"""DataParallel on a CPU: PyTorch's DataParallel splits batches across GPUs; with none, it runs
the wrapped module unchanged, and so does this one (``module`` attribute and state_dict keys as
PyTorch's)."""

from __future__ import annotations

from ..module import Module


class DataParallel(Module):
    """Runs ``module`` as is: there are no GPUs to replicate it on (PyTorch does the same)."""

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0) -> None:
        super().__init__()
        self.module = module
        self.device_ids: list = []
        self.output_device = None
        self.dim = dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


def data_parallel(module: Module, inputs, device_ids=None, output_device=None, dim: int = 0,
                  module_kwargs=None):
    """The functional form: without GPUs, ``module(*inputs, **module_kwargs)``."""
    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    return module(*inputs, **(module_kwargs or {}))

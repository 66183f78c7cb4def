"""DistributedDataParallel: one model replica per process, gradients averaged across them.

Construction broadcasts rank 0's parameters and buffers so every replica starts equal; each
synchronised backward averages the gradients (see ``_reducer``) so the replicas stay equal after
every optimizer step. The wrapped model is ``self.module``, so state_dict keys carry the
``module.`` prefix, as PyTorch's.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from ... import _grad_mode
from ...distributed.process_group import ProcessGroup, resolve
from ..module import Module
from ._reducer import FIRST_BUCKET_BYTES, Reducer

_MB = 1024 * 1024


class DistributedDataParallel(Module):
    """Data parallelism across the processes of ``process_group`` (default: all of them).

    Args:
        module: the model to replicate (its parameters on the CPU).
        device_ids, output_device: must be None (or empty) for CPU modules, as in PyTorch.
        dim: accepted for PyTorch compatibility (inputs are not scattered on CPUs).
        broadcast_buffers: copy rank 0's buffers (e.g. BatchNorm's running statistics) to all
            ranks at the start of every forward.
        init_sync: broadcast rank 0's parameters and buffers at construction.
        process_group: the group to average over.
        bucket_cap_mb: bucket size in MiB (default 25; the first bucket is 1 MiB).
        find_unused_parameters: walk the graph after each forward so that parameters the output
            does not depend on do not stall the reduction.
        gradient_as_bucket_view: leave each ``.grad`` as a view into its bucket (saves a copy).
        static_graph: accepted; the reducer needs no tracing to be correct.
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0,
                 broadcast_buffers: bool = True, init_sync: bool = True,
                 process_group: ProcessGroup | None = None, bucket_cap_mb: float | None = None,
                 find_unused_parameters: bool = False, check_reduction: bool = False,
                 gradient_as_bucket_view: bool = False, static_graph: bool = False,
                 delay_all_reduce_named_params=None, param_to_hook_all_reduce=None,
                 mixed_precision=None, device_mesh=None,
                 skip_all_reduce_unused_params: bool = False) -> None:
        super().__init__()
        for arg, value in (("delay_all_reduce_named_params", delay_all_reduce_named_params),
                           ("param_to_hook_all_reduce", param_to_hook_all_reduce),
                           ("mixed_precision", mixed_precision), ("device_mesh", device_mesh)):
            if value is not None:
                raise NotImplementedError(f"DistributedDataParallel({arg}=...) is not "
                                          f"supported by ember")
        if device_ids or output_device is not None:
            raise ValueError(
                f"DistributedDataParallel device_ids and output_device arguments only work with "
                f"single-device/multiple-device GPU modules or CPU modules, but got device_ids "
                f"{device_ids}, output_device {output_device}, and module parameters "
                f"{{device(type='cpu')}}.")
        ignored = set(getattr(module, "_ddp_params_and_buffers_to_ignore", ()))
        named = [(n, p) for n, p in module.named_parameters()
                 if p.requires_grad and n not in ignored]
        if not named:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't "
                               "have any parameter that requires a gradient.")
        self.module = module
        self.process_group = resolve(process_group)
        self.device_ids = None
        self.output_device = None
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        # only the default cap gets PyTorch's small first bucket
        self.bucket_bytes_cap_default = bucket_cap_mb is None
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * _MB)
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self._ignored = ignored
        self._module_buffers = [b for n, b in module.named_buffers() if n not in ignored]
        if init_sync:
            states = [p for n, p in module.named_parameters() if n not in ignored]
            _broadcast_coalesced(self.process_group, states + self._module_buffers)
        first = FIRST_BUCKET_BYTES if self.bucket_bytes_cap_default else None
        self.reducer = Reducer(named, self.process_group, self.bucket_bytes_cap, first,
                               find_unused_parameters, gradient_as_bucket_view)

    def forward(self, *inputs, **kwargs):
        sync = _grad_mode.state.enabled and self.require_backward_grad_sync
        if sync:
            self.reducer.prepare_for_forward()
        if self.will_sync_module_buffers():
            _broadcast_coalesced(self.process_group, self._module_buffers)
        output = self.module(*inputs, **kwargs)
        if sync:
            self.require_forward_param_sync = True
            self.reducer.prepare_for_backward(output)
        else:
            self.require_forward_param_sync = False
        return output

    def will_sync_module_buffers(self) -> bool:
        """Whether the next forward broadcasts rank 0's buffers first."""
        return (self.require_forward_param_sync and self.broadcast_buffers
                and len(self._module_buffers) > 0)

    @contextmanager
    def no_sync(self):
        """Backward passes inside accumulate local gradients without communicating; the first
        synchronised backward after it averages the accumulated sums."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    @staticmethod
    def _set_params_and_buffers_to_ignore_for_model(module: Module, params_and_buffers) -> None:
        """Names (as in ``module.named_parameters()``) that DDP neither broadcasts nor reduces."""
        module._ddp_params_and_buffers_to_ignore = list(params_and_buffers)

    def _get_ddp_logging_data(self) -> dict:
        return {"world_size": self.process_group.size(), "backend_name": "mpi",
                "bucket_cap_bytes": self.bucket_bytes_cap,
                "find_unused_parameters": self.find_unused_parameters}


def _broadcast_coalesced(group: ProcessGroup, tensors: list) -> None:
    """Copy rank 0's values of ``tensors`` to every rank: one flat broadcast per dtype."""
    if group.size() == 1 or not tensors:
        return
    by_dtype: dict = {}
    for t in tensors:
        by_dtype.setdefault(t._data.dtype, []).append(t)
    works = []
    for dtype, group_tensors in by_dtype.items():
        flat = np.concatenate([t._data.reshape(-1) for t in group_tensors]).astype(
            dtype, copy=False)
        works.append((group.work([group._comm.Ibcast(flat, root=0)], name="DDP broadcast"),
                      flat, group_tensors))
    for work, flat, group_tensors in works:
        work.wait()
        if group.rank() == 0:
            continue
        start = 0
        for t in group_tensors:
            n = t._data.size
            t._data[...] = flat[start:start + n].reshape(t._data.shape)
            t._bump_version()
            start += n

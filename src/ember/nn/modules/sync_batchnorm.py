"""SyncBatchNorm: batch normalisation whose training statistics cover the global batch.

Under DistributedDataParallel each rank sees only its shard of the batch. SyncBatchNorm sums
each channel's count, sum and sum of squares over the process group (one all-reduce), so every
rank normalises with the mean and variance of the whole batch; backward all-reduces the two
per-channel sums the input gradient needs. The weight and bias gradients stay local: DDP
averages them with the other parameters. Sums are taken in float64, so E[x^2] - E[x]^2 keeps
float32 inputs' precision. Outside training, or in a single process, it is a BatchNorm.
"""

from __future__ import annotations

import numpy as np

from ... import distributed as dist
from ..._grad_mode import no_grad
from ...autograd.function import Function
from ...distributed.process_group import ProcessGroup, resolve
from ...distributed.reduce_op import ReduceOp
from ...tensor import Tensor
from ..module import Module
from .batchnorm import _BatchNorm

__all__ = ["SyncBatchNorm"]


def _channel_dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-channel sum of a * b over every dim but 1, accumulated in float64."""
    n, c = a.shape[0], a.shape[1]
    return np.einsum("ncl,ncl->c", a.reshape(n, c, -1), b.reshape(n, c, -1), dtype=np.float64)


def _all_reduce_sum(values: np.ndarray, group: ProcessGroup) -> np.ndarray:
    t = Tensor._from_array(values)
    dist.all_reduce(t, ReduceOp.SUM, group)
    return t._data


class _SyncBatchNormFunction(Function):
    """y = (x - mean) * invstd * w + b with mean/invstd of the global batch (given)."""

    @staticmethod
    def forward(ctx, input, weight, bias, mean, invstd, count, group):  # noqa: A002
        x = input._data
        shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        scale = invstd.reshape(shape)
        if weight is not None:
            scale = scale * weight._data.reshape(shape)
        y = (x - mean.reshape(shape).astype(x.dtype)) * scale.astype(x.dtype)
        if bias is not None:
            y += bias._data.reshape(shape)
        ctx.x, ctx.mean, ctx.invstd, ctx.count, ctx.group = x, mean, invstd, count, group
        ctx.weight = None if weight is None else weight._data
        return Tensor._from_array(y.astype(x.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad_output):
        g = grad_output._data
        x, c = ctx.x, ctx.x.shape[1]
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, c) + (1,) * (x.ndim - 2)
        xmu = x - ctx.mean.reshape(shape).astype(x.dtype)
        sum_dy = g.sum(axis=axes, dtype=np.float64)
        sum_dy_xmu = _channel_dot(g, xmu)
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            # the input gradient depends on the whole batch through the mean and variance
            total = _all_reduce_sum(np.concatenate([sum_dy, sum_dy_xmu]), ctx.group)
            mean_dy = (total[:c] / ctx.count).reshape(shape)
            mean_dy_xmu = (total[c:] / ctx.count).reshape(shape)
            invstd = ctx.invstd.reshape(shape)
            scale = invstd if ctx.weight is None else invstd * ctx.weight.reshape(shape)
            gi = (g - mean_dy - xmu * (invstd * invstd * mean_dy_xmu)) * scale
            grad_input = Tensor._from_array(gi.astype(x.dtype, copy=False))
        if ctx.weight is not None and ctx.needs_input_grad[1]:
            grad_weight = Tensor._from_array((sum_dy_xmu * ctx.invstd).astype(ctx.weight.dtype))
        if ctx.needs_input_grad[2]:
            grad_bias = Tensor._from_array(sum_dy.astype(x.dtype))
        return grad_input, grad_weight, grad_bias, None, None, None, None


class SyncBatchNorm(_BatchNorm):
    """BatchNorm over (N, C, ...) input with statistics synchronised across ``process_group``.

    Args:
        num_features, eps, momentum, affine, track_running_stats: as BatchNorm.
        process_group: the ranks whose batches are normalised together (default: all).
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 process_group: ProcessGroup | None = None, device=None, dtype=None) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)
        self.process_group = process_group

    def _check_input_dim(self, input: Tensor) -> None:
        if input.ndim < 2:
            raise ValueError(f"expected at least 2D input (got {input.ndim}D input)")

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        use_batch = self.training or self.running_mean is None
        group = None
        if use_batch and dist.is_initialized():
            group = resolve(self.process_group)
        if group is None or group.size() == 1:
            return super().forward(input)
        if input.shape[1] != self.num_features:
            raise RuntimeError(f"SyncBatchNorm: expected {self.num_features} channels, got "
                               f"input of shape {tuple(input.shape)}")
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average
                momentum = 1.0 / float(self.num_batches_tracked._data)
        mean, var, count = self._global_stats(input._data, group)
        if self.training and self.track_running_stats:
            self._update_running(mean, var, count, momentum)
        invstd = 1.0 / np.sqrt(var + self.eps)
        return _SyncBatchNormFunction.apply(input, self.weight, self.bias, mean, invstd, count,
                                            group)

    @staticmethod
    def _global_stats(x: np.ndarray, group: ProcessGroup) -> tuple:
        """Per-channel (mean, biased variance, count) over every rank's batch, in float64."""
        c = x.shape[1]
        axes = (0,) + tuple(range(2, x.ndim))
        local = np.concatenate([x.sum(axis=axes, dtype=np.float64),
                                _channel_dot(x, x),
                                [x.size // max(c, 1)]])
        total = _all_reduce_sum(local, group)
        count = total[-1]
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"{int(count)} over the process group")
        mean = total[:c] / count
        var = np.maximum(total[c:2 * c] / count - mean * mean, 0.0)
        return mean, var, count

    def _update_running(self, mean: np.ndarray, var: np.ndarray, count: float,
                        momentum: float) -> None:
        # unbiased variance for the running estimate, biased for normalisation (as PyTorch)
        with no_grad():
            rm, rv = self.running_mean, self.running_var
            rm.mul_(1.0 - momentum).add_(Tensor._from_array((momentum * mean).astype(
                rm._data.dtype)))
            unbiased = var * (count / (count - 1))
            rv.mul_(1.0 - momentum).add_(Tensor._from_array((momentum * unbiased).astype(
                rv._data.dtype)))

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group: ProcessGroup | None = None
                               ) -> Module:
        """Replace every BatchNorm*d in ``module`` by a SyncBatchNorm sharing its parameters
        and buffers (``module`` itself if it is one); returns the converted module."""
        converted = module
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            converted = cls(module.num_features, module.eps, module.momentum, module.affine,
                            module.track_running_stats, process_group)
            if module.affine:
                converted.weight = module.weight
                converted.bias = module.bias
            converted.running_mean = module.running_mean
            converted.running_var = module.running_var
            converted.num_batches_tracked = module.num_batches_tracked
            converted.training = module.training
            if hasattr(module, "qconfig"):
                converted.qconfig = module.qconfig
        for name, child in module.named_children():
            converted.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return converted

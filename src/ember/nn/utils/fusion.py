"""Fold an eval-mode BatchNorm into the convolution or linear layer before it.

In eval mode BatchNorm is an affine map per channel, ``y = (x - mean) * w / sqrt(var + eps)
+ b``; composing it into the preceding layer's weight and bias gives one layer with the same
output and one op less at inference.
"""

from __future__ import annotations

import copy

from ... import _grad_mode
from ...tensor import Tensor
from ..module import Module
from ..parameter import Parameter

__all__ = ["fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
           "fuse_linear_bn_weights"]


def _bn_scale_shift(bn_rm, bn_rv, bn_eps, bn_w, bn_b) -> tuple:
    """Per-channel ``scale = w / sqrt(var + eps)``; missing affine parameters are 1 and 0."""
    scale = (bn_rv + bn_eps).rsqrt()
    if bn_w is not None:
        scale = scale * bn_w
    shift = bn_b if bn_b is not None else bn_rm.new_zeros(bn_rm.shape)
    return scale, shift


def fuse_conv_bn_weights(conv_w: Tensor, conv_b: Tensor | None, bn_rm: Tensor, bn_rv: Tensor,
                         bn_eps: float, bn_w: Tensor | None, bn_b: Tensor | None,
                         transpose: bool = False) -> tuple[Parameter, Parameter]:
    """The fused ``(weight, bias)`` Parameters of a convolution followed by BatchNorm.

    Args:
        conv_w, conv_b: the convolution's weight and (optional) bias.
        bn_rm, bn_rv, bn_eps: BatchNorm's running mean, running variance and eps.
        bn_w, bn_b: BatchNorm's optional affine weight and bias.
        transpose: the convolution is transposed (its output channels are weight dim 1).

    Returns:
        New Parameters, requiring grad as ``conv_w`` (weight) and ``conv_b`` (bias) do.
    """
    with _grad_mode.no_grad():
        scale, shift = _bn_scale_shift(bn_rm, bn_rv, bn_eps, bn_w, bn_b)
        shape = ([1, -1] if transpose else [-1, 1]) + [1] * (conv_w.ndim - 2)
        weight = (conv_w * scale.reshape(shape)).to(conv_w.dtype)
        bias_dtype = conv_b.dtype if conv_b is not None else conv_w.dtype
        base = conv_b if conv_b is not None else bn_rm.new_zeros(bn_rm.shape)
        bias = ((base - bn_rm) * scale + shift).to(bias_dtype)
    bias_grad = conv_b.requires_grad if conv_b is not None else False
    return Parameter(weight, conv_w.requires_grad), Parameter(bias, bias_grad)


def fuse_linear_bn_weights(linear_w: Tensor, linear_b: Tensor | None, bn_rm: Tensor,
                           bn_rv: Tensor, bn_eps: float, bn_w: Tensor | None,
                           bn_b: Tensor | None) -> tuple[Parameter, Parameter]:
    """The fused ``(weight, bias)`` Parameters of a Linear followed by BatchNorm1d.

    Raises:
        AssertionError: BatchNorm's feature count is neither the Linear's output size nor 1.
    """
    if linear_w.shape[0] != bn_rm.shape[0] and bn_rm.shape[0] != 1:
        raise AssertionError(
            f"To fuse, linear.out_features == bn.num_features or bn.num_features == 1, got "
            f"linear.out_features={linear_w.shape[0]} and bn.num_features={bn_rm.shape[0]}")
    with _grad_mode.no_grad():
        scale, shift = _bn_scale_shift(bn_rm, bn_rv, bn_eps, bn_w, bn_b)
        weight = linear_w * scale.unsqueeze(-1)
        base = linear_b if linear_b is not None else bn_rm.new_zeros(bn_rm.shape)
        bias = (base - bn_rm) * scale + shift
    bias_grad = linear_b.requires_grad if linear_b is not None else False
    return Parameter(weight, linear_w.requires_grad), Parameter(bias, bias_grad)


def _check_eval(layer: Module, bn: Module) -> None:
    if layer.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("bn.running_mean and bn.running_var must not be None")


def fuse_conv_bn_eval(conv: Module, bn: Module, transpose: bool = False) -> Module:
    """A copy of ``conv`` whose output equals ``bn(conv(x))`` (both in eval mode).

    Raises:
        AssertionError: either module is in training mode, or bn has no running statistics.
    """
    _check_eval(conv, bn)
    fused = copy.deepcopy(conv)
    fused.weight, fused.bias = fuse_conv_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias,
        transpose)
    return fused


def fuse_linear_bn_eval(linear: Module, bn: Module) -> Module:
    """A copy of ``linear`` whose output equals ``bn(linear(x))`` (both in eval mode).

    Raises:
        AssertionError: training mode, missing running statistics, or mismatched sizes.
    """
    _check_eval(linear, bn)
    fused = copy.deepcopy(linear)
    fused.weight, fused.bias = fuse_linear_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias)
    return fused

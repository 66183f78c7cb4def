"""Functional convolutions: ``conv1d``, ``conv2d``, ``conv3d`` and their transposes.

Each validates its arguments with PyTorch's error types and messages, treats the 1-d case as a
height-1 image, and calls the kernels in ``ember.ops.conv``. A 3-d convolution is the sum over
the kernel's depth taps of 2-d convolutions of depth slices: composed from the 2-d kernel (and
so differentiable, to any order, through it) at the cost of one 2-d call per depth tap.
"""

from __future__ import annotations

from ...ops import conv as _conv
from ...ops import shape as _shape
from ...ops.autocast_lists import lower_precision
from ...tensor import Tensor
from ._args import TYPE_NAMES, format_sizes, ntuple


def _check_conv_args(x: Tensor, weight: Tensor, bias, groups: int, transposed: bool) -> None:
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if x.dtype != weight.dtype:
        raise RuntimeError(
            f"expected scalar type {TYPE_NAMES.get(x.dtype.name, x.dtype.name)} but found "
            f"{TYPE_NAMES.get(weight.dtype.name, weight.dtype.name)}"
        )
    w = tuple(weight.shape)
    if not transposed and w[0] % groups != 0:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size {format_sizes(w)} instead"
        )
    expected = w[0] if transposed else w[1] * groups
    if x.shape[1] != expected:
        prefix = "transposed=1" if transposed else f"groups={groups}"
        raise RuntimeError(
            f"Given {prefix}, weight of size {format_sizes(w)}, expected "
            f"input{format_sizes(x.shape)} to have {expected} channels, but got {x.shape[1]} "
            f"channels instead"
        )
    out_channels = w[1] * groups if transposed else w[0]
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != out_channels):
        raise RuntimeError(
            f"Given weight of size {format_sizes(w)}, expected bias to be 1-dimensional with "
            f"{out_channels} elements, but got bias of size {format_sizes(bias.shape)} instead"
        )


def _batched(x: Tensor, nd: int, name: str) -> tuple:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(x).__name__}")
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
            f"input of size: {format_sizes(x.shape)}"
        )
    if x.ndim == nd + 1:
        return x.unsqueeze(0), True
    return x, False


def _conv_nd(x, weight, bias, stride, padding, dilation, groups, nd: int, name: str) -> Tensor:
    x, unbatched = _batched(x, nd, name)
    if weight.ndim != nd + 2:
        raise RuntimeError(
            f"{name}: expected weight to be {nd + 2}-dimensional, but got weight of size "
            f"{format_sizes(weight.shape)}"
        )
    stride = ntuple(stride, nd, "stride")
    dilation = ntuple(dilation, nd, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    _check_conv_args(x, weight, bias, groups, transposed=False)
    kernel = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            pads = [(0, 0)] * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            # odd total padding puts the extra row/column at the end, as PyTorch does
            pads = [(d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2)
                    for k, d in zip(kernel, dilation, strict=True)]
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        padding = ntuple(padding, nd, "padding")
        if any(p < 0 for p in padding):
            raise RuntimeError("negative padding is not supported")
        pads = [(p, p) for p in padding]
    sizes = tuple(x.shape[2:])
    padded = tuple(s + a + b for s, (a, b) in zip(sizes, pads, strict=True))
    dilated = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
    if any(p < k for p, k in zip(padded, dilated, strict=True)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, dilated))}). Kernel size can't be greater than "
            f"actual input size"
        )
    if nd == 3:
        out = _conv3d_by_depth(x, weight, bias, stride, pads, dilation, groups)
        return out.squeeze(0) if unbatched else out
    if nd == 1:
        x = x.unsqueeze(2)
        weight = weight.unsqueeze(2)
        geo = _conv.ConvGeom(1, kernel[0], 1, stride[0], 0, 0, pads[0][0], pads[0][1],
                             1, dilation[0], groups)
    else:
        geo = _conv.ConvGeom(kernel[0], kernel[1], stride[0], stride[1], pads[0][0], pads[0][1],
                             pads[1][0], pads[1][1], dilation[0], dilation[1], groups)
    out = _conv.Conv2d.apply(x, weight, bias, geo=geo)
    if nd == 1:
        out = out.squeeze(2)
    return out.squeeze(0) if unbatched else out


def _zero_pad_depth(x: Tensor, before: int, after: int) -> Tensor:
    """Zeros before and after along dim 2 (the depth of an (N, C, D, H, W) tensor)."""
    parts = []
    if before:
        parts.append(x.new_zeros((x.shape[0], x.shape[1], before) + tuple(x.shape[3:])))
    parts.append(x)
    if after:
        parts.append(x.new_zeros((x.shape[0], x.shape[1], after) + tuple(x.shape[3:])))
    return _shape.cat(parts, 2) if len(parts) > 1 else x


def _conv3d_by_depth(x, weight, bias, stride, pads, dilation, groups) -> Tensor:
    """(N, C, D, H, W) conv: for each depth tap, one conv2d over all output depths at once."""
    x = _zero_pad_depth(x, *pads[0])
    n, c, depth = x.shape[:3]
    k_d = weight.shape[2]
    d_out = (depth - dilation[0] * (k_d - 1) - 1) // stride[0] + 1
    geo = _conv.ConvGeom(weight.shape[3], weight.shape[4], stride[1], stride[2], pads[1][0],
                         pads[1][1], pads[2][0], pads[2][1], dilation[1], dilation[2], groups)
    total = None
    for tap in range(k_d):
        start = tap * dilation[0]
        stop = start + (d_out - 1) * stride[0] + 1
        # (N, C, D_out, H, W) -> (N * D_out, C, H, W): every output depth is one 2-d image
        images = x[:, :, start:stop:stride[0]].transpose(1, 2).reshape(
            (n * d_out, c) + tuple(x.shape[3:]))
        y = _conv.Conv2d.apply(images, weight[:, :, tap], None, geo=geo)
        total = y if total is None else total + y
    out = total.reshape((n, d_out) + tuple(total.shape[1:])).transpose(1, 2)
    if bias is not None:
        out = out + bias.reshape(1, -1, 1, 1, 1)
    return out


@lower_precision
def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """1-d convolution over (N, C, L) or (C, L) input; see ``conv2d``."""
    return _conv_nd(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


@lower_precision
def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """2-d convolution (cross-correlation, as PyTorch) of (N, C, H, W) or (C, H, W) input.

    Args:
        input: the input images.
        weight: filters of shape (out_channels, in_channels / groups, kH, kW).
        bias: optional (out_channels,) bias.
        stride, dilation: int or pair.
        padding: int, pair, ``"valid"`` or ``"same"`` (stride 1 only).
        groups: split channels into this many independent convolutions.

    Returns:
        (N, out_channels, H_out, W_out), or (out_channels, H_out, W_out) for unbatched input.

    Raises:
        RuntimeError: wrong input rank, channel count, bias size, or a kernel larger than
            the padded input (PyTorch's messages).
    """
    return _conv_nd(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def _conv_transpose_nd(x, weight, bias, stride, padding, output_padding, groups, dilation,
                       nd: int, name: str) -> Tensor:
    x, unbatched = _batched(x, nd, name)
    if weight.ndim != nd + 2:
        raise RuntimeError(
            f"{name}: expected weight to be {nd + 2}-dimensional, but got weight of size "
            f"{format_sizes(weight.shape)}"
        )
    if isinstance(padding, str):
        raise RuntimeError(f"{name}: padding must be an int or a tuple, got '{padding}'")
    stride = ntuple(stride, nd, "stride")
    padding = ntuple(padding, nd, "padding")
    output_padding = ntuple(output_padding, nd, "output_padding")
    dilation = ntuple(dilation, nd, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    _check_conv_args(x, weight, bias, groups, transposed=True)
    triples = zip(output_padding, stride, dilation, strict=True)
    if any(op >= max(s, d) or op < 0 for op, s, d in triples):
        raise RuntimeError(
            "output padding must be smaller than either stride or dilation, but got "
            f"output_padding={list(output_padding)} stride={list(stride)} "
            f"dilation={list(dilation)}"
        )
    kernel = tuple(weight.shape[2:])
    out = tuple((s - 1) * st - 2 * p + d * (k - 1) + op + 1 for s, st, p, d, k, op in
                zip(x.shape[2:], stride, padding, dilation, kernel, output_padding, strict=True))
    if any(o <= 0 for o in out):
        raise RuntimeError(
            f"Given input size per channel: ({' x '.join(map(str, x.shape[2:]))}). Calculated "
            f"output size per channel: ({' x '.join(map(str, out))}). Output size is too small"
        )
    if nd == 3:
        y = _conv_transpose3d_by_depth(x, weight, bias, stride, padding, output_padding, groups,
                                       dilation, out)
        return y.squeeze(0) if unbatched else y
    if nd == 1:
        x = x.unsqueeze(2)
        weight = weight.unsqueeze(2)
        geo = _conv.ConvGeom(1, kernel[0], 1, stride[0], 0, 0, padding[0], padding[0],
                             1, dilation[0], groups)
        hw = (1, out[0])
    else:
        geo = _conv.ConvGeom(kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[0],
                             padding[1], padding[1], dilation[0], dilation[1], groups)
        hw = out
    y = _conv.ConvInputGrad.apply(x, weight, bias, geo=geo, hw=hw)
    if nd == 1:
        y = y.squeeze(2)
    return y.squeeze(0) if unbatched else y


def _conv_transpose3d_by_depth(x, weight, bias, stride, padding, output_padding, groups,
                               dilation, out: tuple) -> Tensor:
    """Each input depth slice's 2-d transposed conv lands at depth ``i * stride + tap * dil``."""
    n, c, d_in = x.shape[:3]
    k_d = weight.shape[2]
    geo = _conv.ConvGeom(weight.shape[3], weight.shape[4], stride[1], stride[2], padding[1],
                         padding[1], padding[2], padding[2], dilation[1], dilation[2], groups)
    images = x.transpose(1, 2).reshape((n * d_in, c) + tuple(x.shape[3:]))
    full = (d_in - 1) * stride[0] + dilation[0] * (k_d - 1) + 1 + output_padding[0]
    total = None
    for tap in range(k_d):
        y = _conv.ConvInputGrad.apply(images, weight[:, :, tap], None, geo=geo, hw=out[1:])
        y = y.reshape((n, d_in) + tuple(y.shape[1:])).transpose(1, 2)  # (N, O, D_in, H, W)
        if stride[0] > 1:
            # interleave stride-1 zero slices after each input depth: (N, O, D_in * s, H, W)
            gaps = y.new_zeros(tuple(y.shape[:3]) + (stride[0] - 1,) + tuple(y.shape[3:]))
            y = _shape.cat([y.unsqueeze(3), gaps], 3).reshape(
                tuple(y.shape[:2]) + (d_in * stride[0],) + tuple(y.shape[3:]))
            y = y[:, :, :(d_in - 1) * stride[0] + 1]
        before = tap * dilation[0]
        y = _zero_pad_depth(y, before, full - before - y.shape[2])
        total = y if total is None else total + y
    total = total[:, :, padding[0]:padding[0] + out[0]]
    if bias is not None:
        total = total + bias.reshape(1, -1, 1, 1, 1)
    return total


@lower_precision
def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """1-d transposed convolution; weight is (in_channels, out_channels / groups, kL)."""
    return _conv_transpose_nd(input, weight, bias, stride, padding, output_padding, groups,
                              dilation, 1, "conv_transpose1d")


@lower_precision
def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """2-d transposed convolution (the gradient of conv2d with respect to its input).

    Args:
        input: (N, in_channels, H, W) or unbatched (in_channels, H, W).
        weight: (in_channels, out_channels / groups, kH, kW).
        bias: optional (out_channels,).
        stride, padding, output_padding, dilation: int or pair; groups: int.

    Returns:
        (N, out_channels, H_out, W_out) with H_out = (H - 1) * stride - 2 * padding
        + dilation * (kH - 1) + output_padding + 1.
    """
    return _conv_transpose_nd(input, weight, bias, stride, padding, output_padding, groups,
                              dilation, 2, "conv_transpose2d")


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """3-d convolution of (N, C, D, H, W) or (C, D, H, W) input; see ``conv2d``.

    Weight is (out_channels, in_channels / groups, kD, kH, kW); stride, padding and dilation
    are ints or triples (padding may be ``"valid"``/``"same"``).
    """
    return _conv_nd(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """3-d transposed convolution; weight is (in_channels, out_channels / groups, kD, kH, kW)."""
    return _conv_transpose_nd(input, weight, bias, stride, padding, output_padding, groups,
                              dilation, 3, "conv_transpose3d")

"""Functional ``unfold`` (sliding blocks to columns) and ``fold`` (columns back, overlaps
summed)."""

from __future__ import annotations

from ...ops import conv as _conv
from ...tensor import Tensor
from ._args import ntuple


def _fold_geom(kernel_size, dilation, padding, stride) -> tuple:
    k = ntuple(kernel_size, 2, "kernel_size")
    d = ntuple(dilation, 2, "dilation")
    p = ntuple(padding, 2, "padding")
    s = ntuple(stride, 2, "stride")
    return _conv.ConvGeom(k[0], k[1], s[0], s[1], p[0], p[0], p[1], p[1], d[0], d[1], 1)


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Extract sliding blocks: (N, C, H, W) -> (N, C*kh*kw, L) (unbatched (C, H, W) too)."""
    if input.ndim not in (3, 4):
        raise NotImplementedError(
            f"Input Error: Only 3D or 4D input Tensors are supported (got {input.ndim}D)"
        )
    unbatched = input.ndim == 3
    x = input.unsqueeze(0) if unbatched else input
    geo = _fold_geom(kernel_size, dilation, padding, stride)
    h, w = x.shape[2:]
    ho = _conv.conv_output_size(h, geo.kh, geo.sh, 2 * geo.pt, geo.dh)
    wo = _conv.conv_output_size(w, geo.kw, geo.sw, 2 * geo.pl, geo.dw)
    if ho < 1 or wo < 1:
        raise RuntimeError(
            f"Given input with spatial size ({h}, {w}), kernel_size=({geo.kh}, {geo.kw}), "
            f"dilation=({geo.dh}, {geo.dw}), padding=({geo.pt}, {geo.pl}), calculated shape of "
            f"the array of sliding blocks as ({ho}, {wo}), but its components must be at least "
            f"one."
        )
    out = _conv.Unfold.apply(x, geo=geo)
    return out.squeeze(0) if unbatched else out


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Combine sliding blocks (N, C*kh*kw, L) into (N, C, H, W), summing overlaps."""
    if input.ndim not in (2, 3):
        raise NotImplementedError(
            f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported "
            f"(got {input.ndim}D)"
        )
    unbatched = input.ndim == 2
    x = input.unsqueeze(0) if unbatched else input
    geo = _fold_geom(kernel_size, dilation, padding, stride)
    h, w = ntuple(output_size, 2, "output_size")
    ho = _conv.conv_output_size(h, geo.kh, geo.sh, 2 * geo.pt, geo.dh)
    wo = _conv.conv_output_size(w, geo.kw, geo.sw, 2 * geo.pl, geo.dw)
    k = geo.kh * geo.kw
    if x.shape[1] % k != 0:
        raise RuntimeError(
            f"Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={x.shape[1]} and kernel_size=({geo.kh}, "
            f"{geo.kw})"
        )
    if x.shape[2] != ho * wo:
        raise RuntimeError(
            f"Given output_size=({h}, {w}), kernel_size=({geo.kh}, {geo.kw}), dilation=("
            f"{geo.dh}, {geo.dw}), padding=({geo.pt}, {geo.pl}), stride=({geo.sh}, {geo.sw}), "
            f"expected size of input's dimension 2 to match the calculated number of sliding "
            f"blocks {ho} * {wo} = {ho * wo}, but got input.size(2)={x.shape[2]}."
        )
    out = _conv.Fold.apply(x, geo=geo, hw=(h, w))
    return out.squeeze(0) if unbatched else out

"""``pad``: the one padding function (the padding layers and the conv layers' non-zero
``padding_mode`` call it)."""

from __future__ import annotations

import numpy as np

from ...ops import fused as nnops
from ...tensor import Tensor


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims: ``pad = (left_last, right_last, left_prev, ...)``.

    Modes: constant (negative amounts crop), reflect, replicate, circular.
    """
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           "dimension")
    pairs = [(0, 0)] * input.ndim
    for i in range(len(pad) // 2):
        pairs[input.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    if mode == "constant":
        return nnops.ConstantPad.apply(input, pads=pairs, value=0 if value is None else value)
    np_mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}.get(mode)
    if np_mode is None:
        raise NotImplementedError(f"pad: unsupported mode {mode!r}")
    n_pad = len(pad) // 2
    if not 1 <= n_pad <= 3 or input.ndim not in (n_pad + 1, n_pad + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    for d, (b, a) in enumerate(pairs):
        if (b or a) and mode == "reflect" and max(b, a) >= input.shape[d]:
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({b}, {a}) at dimension {d} of input "
                f"{list(input.shape)}"
            )
    # pad an index grid with NumPy's mode, then gather: the backward is a scatter-add. A
    # negative amount crops: reflect/replicate pad by the positive parts, then cut the
    # negative ones away; circular crops first and wraps what is left (both as PyTorch)
    grown = [(max(b, 0), max(a, 0)) for b, a in pairs]
    idx = np.arange(input.numel()).reshape(input.shape)
    if mode == "circular":
        idx = idx[tuple(slice(max(-b, 0), idx.shape[d] - max(-a, 0))
                        for d, (b, a) in enumerate(pairs))]
        if all(n > 0 for n in idx.shape):
            idx = np.pad(idx, grown, mode=np_mode)
    else:
        idx = np.pad(idx, grown, mode=np_mode)
        idx = idx[tuple(slice(max(-b, 0), idx.shape[d] - max(-a, 0))
                        for d, (b, a) in enumerate(pairs))]
    if any(n <= 0 for n in idx.shape):
        raise RuntimeError(f"The input size {list(input.shape)}, plus negative padding "
                           f"{list(pad)} resulted in a negative output size, which is invalid. "
                           f"Check dimension {next(d for d, n in enumerate(idx.shape) if n <= 0)}"
                           f" of your input.")
    return nnops.Gather.apply(input, idx)

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
    for d, (b, a) in enumerate(pairs):
        if (b or a) and mode == "reflect" and max(b, a) >= input.shape[d]:
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({b}, {a}) at dimension {d} of input "
                f"{list(input.shape)}"
            )
    # pad an index grid with NumPy's mode, then gather: the backward is a scatter-add
    idx = np.pad(np.arange(input.numel()).reshape(input.shape), pairs, mode=np_mode)
    return nnops.Gather.apply(input, idx)

"""Padding layers (constant/zero, reflection, replication, circular) over ``F.pad``."""

from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from ..module import Module

__all__ = [
    "ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d",
    "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d",
    "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d",
]


class _PadNd(Module):
    _dims = 1
    _mode = "constant"

    def __init__(self, padding) -> None:
        super().__init__()
        n = 2 * self._dims
        self.padding = (padding,) * n if isinstance(padding, int) else tuple(padding)
        if len(self.padding) != n:
            raise ValueError(f"{type(self).__name__}: expected padding of length {n}, got "
                             f"{len(self.padding)}")

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim of (C, W) or (N, C, W) input with a constant.

    Args:
        padding: an int for every side, or a 2-tuple (left, right).
        value: the fill value.

    Raises:
        ValueError: a tuple of the wrong length.
    """

    _dims = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last 2 dims of (C, H, W) or (N, C, H, W) input with a constant.

    Args:
        padding: an int for every side, or a 4-tuple (left, right, top, bottom).
        value: the fill value.

    Raises:
        ValueError: a tuple of the wrong length.
    """

    _dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last 3 dims of (C, D, H, W) or (N, C, D, H, W) input with a constant.

    Args:
        padding: an int for every side, or a 6-tuple (left, right, top, bottom, front, back).
        value: the fill value.

    Raises:
        ValueError: a tuple of the wrong length.
    """

    _dims = 3


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad1d(_ZeroPadNd):
    """Pad the last dim of (C, W) or (N, C, W) input with zeros.

    Args:
        padding: an int for every side, or a 2-tuple (left, right).

    Raises:
        ValueError: a tuple of the wrong length.
    """

    _dims = 1


class ZeroPad2d(_ZeroPadNd):
    """Pad the last 2 dims of (C, H, W) or (N, C, H, W) input with zeros.

    Args:
        padding: an int for every side, or a 4-tuple (left, right, top, bottom).

    Raises:
        ValueError: a tuple of the wrong length.
    """

    _dims = 2


class ZeroPad3d(_ZeroPadNd):
    """Pad the last 3 dims of (C, D, H, W) or (N, C, D, H, W) input with zeros.

    Args:
        padding: an int for every side, or a 6-tuple (left, right, top, bottom, front, back).

    Raises:
        ValueError: a tuple of the wrong length.
    """

    _dims = 3


class ReflectionPad1d(_PadNd):
    """Pad the last dim of (C, W) or (N, C, W) input by mirroring.

    The edge value is not repeated, so each pad must be smaller than the padded dim.

    Args:
        padding: an int for every side, or a 2-tuple (left, right).

    Raises:
        ValueError: a tuple of the wrong length.
    """

    _dims, _mode = 1, "reflect"


class ReflectionPad2d(_PadNd):
    """Pad the last 2 dims of (C, H, W) or (N, C, H, W) input by mirroring.

    The edge value is not repeated, so each pad must be smaller than the padded dim.

    Args:
        padding: an int for every side, or a 4-tuple (left, right, top, bottom).

    Raises:
        ValueError: a tuple of the wrong length.
    """

    _dims, _mode = 2, "reflect"


class ReflectionPad3d(_PadNd):
    """Pad the last 3 dims of (C, D, H, W) or (N, C, D, H, W) input by mirroring.

    The edge value is not repeated, so each pad must be smaller than the padded dim.

    Args:
        padding: an int for every side, or a 6-tuple (left, right, top, bottom, front, back).

    Raises:
        ValueError: a tuple of the wrong length.
    """

    _dims, _mode = 3, "reflect"


class ReplicationPad1d(_PadNd):
    """Pad the last dim of (C, W) or (N, C, W) input by repeating the edge values.

    Args:
        padding: an int for every side, or a 2-tuple (left, right).

    Raises:
        ValueError: a tuple of the wrong length.
    """

    _dims, _mode = 1, "replicate"


class ReplicationPad2d(_PadNd):
    """Pad the last 2 dims of (C, H, W) or (N, C, H, W) input by repeating the edge values.

    Args:
        padding: an int for every side, or a 4-tuple (left, right, top, bottom).

    Raises:
        ValueError: a tuple of the wrong length.
    """

    _dims, _mode = 2, "replicate"


class ReplicationPad3d(_PadNd):
    """Pad the last 3 dims of (C, D, H, W) or (N, C, D, H, W) input by repeating the edge values.

    Args:
        padding: an int for every side, or a 6-tuple (left, right, top, bottom, front, back).

    Raises:
        ValueError: a tuple of the wrong length.
    """

    _dims, _mode = 3, "replicate"


class CircularPad1d(_PadNd):
    """Pad the last dim of (C, W) or (N, C, W) input by wrapping around.

    Args:
        padding: an int for every side, or a 2-tuple (left, right).

    Raises:
        ValueError: a tuple of the wrong length.
    """

    _dims, _mode = 1, "circular"


class CircularPad2d(_PadNd):
    """Pad the last 2 dims of (C, H, W) or (N, C, H, W) input by wrapping around.

    Args:
        padding: an int for every side, or a 4-tuple (left, right, top, bottom).

    Raises:
        ValueError: a tuple of the wrong length.
    """

    _dims, _mode = 2, "circular"


class CircularPad3d(_PadNd):
    """Pad the last 3 dims of (C, D, H, W) or (N, C, D, H, W) input by wrapping around.

    Args:
        padding: an int for every side, or a 6-tuple (left, right, top, bottom, front, back).

    Raises:
        ValueError: a tuple of the wrong length.
    """

    _dims, _mode = 3, "circular"

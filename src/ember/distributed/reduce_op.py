"""ReduceOp: how ``all_reduce``/``reduce``/``reduce_scatter_tensor`` combine the ranks' values."""

from __future__ import annotations

import enum

import numpy as np


class ReduceOp(enum.Enum):
    """The reduction applied elementwise across ranks (PyTorch's ``dist.ReduceOp``).

    ``AVG`` is the sum divided by the group size (truncated toward zero for integer tensors).
    On bool tensors SUM and MAX are logical or, PRODUCT and MIN logical and, as the sum or
    product of the ranks' values cast back to bool would be.
    """

    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7

    def __repr__(self) -> str:
        return f"ReduceOp.{self.name}"


_BITWISE = (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR)


def mpi_op(MPI, op: ReduceOp, dtype: np.dtype, caller: str):  # noqa: N803 - the module's name
    """The MPI operation computing ``op`` on ``dtype`` (AVG reduces with SUM, then divides)."""
    if not isinstance(op, ReduceOp):
        raise TypeError(f"{caller}: op must be a ReduceOp, got {type(op).__name__}")
    if dtype == np.bool_:
        return {
            ReduceOp.SUM: MPI.LOR, ReduceOp.MAX: MPI.LOR, ReduceOp.BOR: MPI.LOR,
            ReduceOp.PRODUCT: MPI.LAND, ReduceOp.MIN: MPI.LAND, ReduceOp.BAND: MPI.LAND,
            ReduceOp.BXOR: MPI.LXOR,
        }.get(op) or _unsupported(op, dtype, caller)
    if op in _BITWISE and dtype.kind not in "iu":
        _unsupported(op, dtype, caller)
    return {
        ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
        ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX, ReduceOp.BAND: MPI.BAND,
        ReduceOp.BOR: MPI.BOR, ReduceOp.BXOR: MPI.BXOR,
    }[op]


def _unsupported(op: ReduceOp, dtype: np.dtype, caller: str):
    raise RuntimeError(f"{caller}: {op!r} is not supported on {dtype} tensors")


def finish_avg(buf: np.ndarray, op: ReduceOp, size: int) -> None:
    """Turn the sum in ``buf`` into the average for AVG (in place)."""
    if op is not ReduceOp.AVG:
        return
    if buf.dtype.kind == "f":
        np.divide(buf, size, out=buf)
    else:  # integers: the quotient truncated toward zero, computed exactly in integers
        buf[...] = np.sign(buf) * (np.abs(buf) // size)

"""Collectives on tensors, in place as PyTorch's, each one MPI non-blocking call.

Every collective posts MPI requests on the group's communicator and returns a ``Work``
(``async_op=True``) or waits for it. Tensors are moved as their NumPy buffers, without pickling:
a C-contiguous tensor is handed to MPI as is and receives the result in place; any other layout
goes through a contiguous copy that is written back when the collective completes. Ranks given
as ``src``/``dst`` are global ranks, as in PyTorch, even on a subgroup.
"""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .process_group import ProcessGroup, resolve
from .reduce_op import ReduceOp, finish_avg, mpi_op
from .work import Work


def _array(tensor, arg: str, caller: str) -> np.ndarray:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{caller}: {arg} must be a Tensor, got {type(tensor).__name__}")
    return tensor._data


def _inout(tensor: Tensor, arg: str, caller: str):
    """A flat C-contiguous buffer for ``tensor`` and the step that writes it back (or None)."""
    arr = _array(tensor, arg, caller)
    if arr.flags.c_contiguous:
        return arr.reshape(-1), None
    buf = np.ascontiguousarray(arr).reshape(-1)

    def write_back() -> None:
        tensor._data[...] = buf.reshape(arr.shape)

    return buf, write_back


def _flat_in(tensor: Tensor, arg: str, caller: str) -> np.ndarray:
    """A flat C-contiguous copy-free (when possible) view of an input-only tensor."""
    return np.ascontiguousarray(_array(tensor, arg, caller)).reshape(-1)


def _done(tensors, *steps):
    """A finishing step: run ``steps`` then mark ``tensors`` as written (version bump)."""

    def finish() -> None:
        for step in steps:
            if step is not None:
                step()
        for t in tensors:
            t._bump_version()

    return finish


def _run(work: Work, async_op: bool):
    if async_op:
        return work
    work.wait()
    return None


def _same_dtype(caller: str, expected: np.dtype, tensors, arg: str) -> None:
    for t in tensors:
        if t._data.dtype != expected:
            raise TypeError(f"{caller}: {arg} has dtype {t._data.dtype}, expected {expected} "
                            f"(all tensors of a collective must share one dtype)")


def _check_list(caller: str, tensors, size: int, numel: int, arg: str) -> None:
    if len(tensors) != size:
        raise ValueError(f"{caller}: {arg} must hold one tensor per rank ({size}), "
                         f"got {len(tensors)}")
    for t in tensors:
        _array(t, arg, caller)
        if t._data.size != numel:
            raise ValueError(f"{caller}: every tensor in {arg} must have {numel} elements "
                             f"(the input's), got shape {tuple(t._data.shape)}")


def _copy_into_list(tensors, stacked: np.ndarray):
    def step() -> None:
        for t, row in zip(tensors, stacked):
            t._data[...] = row.reshape(t._data.shape)

    return step


# ------------------------------------------------------------------ reductions
def all_reduce(tensor: Tensor, op: ReduceOp = ReduceOp.SUM, group: ProcessGroup | None = None,
               async_op: bool = False):
    """Replace ``tensor`` on every rank by the reduction of all ranks' ``tensor``.

    Returns:
        A Work handle if ``async_op``, else None.
    """
    pg = resolve(group)
    if pg is None:
        return None
    buf, write_back = _inout(tensor, "tensor", "all_reduce")
    MPI = pg._MPI  # noqa: N806
    request = pg._comm.Iallreduce(MPI.IN_PLACE, buf, mpi_op(MPI, op, buf.dtype, "all_reduce"))
    avg = (lambda: finish_avg(buf, op, pg.size())) if op is ReduceOp.AVG else None
    return _run(pg.work([request], _done([tensor], avg, write_back), "all_reduce", [tensor]),
                async_op)


def reduce(tensor: Tensor, dst: int = 0, op: ReduceOp = ReduceOp.SUM,
           group: ProcessGroup | None = None, async_op: bool = False):
    """Reduce every rank's ``tensor`` into ``tensor`` on rank ``dst`` (others keep theirs)."""
    pg = resolve(group)
    if pg is None:
        return None
    root = pg.group_rank(dst, "dst")
    MPI = pg._MPI  # noqa: N806
    if pg.rank() == root:
        buf, write_back = _inout(tensor, "tensor", "reduce")
        mop = mpi_op(MPI, op, buf.dtype, "reduce")
        request = pg._comm.Ireduce(MPI.IN_PLACE, buf, mop, root=root)
        avg = (lambda: finish_avg(buf, op, pg.size())) if op is ReduceOp.AVG else None
        finish = _done([tensor], avg, write_back)
    else:
        buf = _flat_in(tensor, "tensor", "reduce")
        request = pg._comm.Ireduce(buf, None, mpi_op(MPI, op, buf.dtype, "reduce"), root=root)
        finish = None
    return _run(pg.work([request], finish, "reduce", [tensor]), async_op)


def reduce_scatter_tensor(output: Tensor, input: Tensor, op: ReduceOp = ReduceOp.SUM,  # noqa: A002
                          group: ProcessGroup | None = None, async_op: bool = False):
    """Reduce ``input`` across ranks and give rank r the r-th of ``size`` equal chunks.

    ``input`` has ``size`` times ``output``'s elements, laid out as their concatenation
    along dim 0 (or stacked: the flat layout is the same).
    """
    pg = resolve(group)
    if pg is None:
        return None
    size = pg.size()
    src = _flat_in(input, "input", "reduce_scatter_tensor")
    buf, write_back = _inout(output, "output", "reduce_scatter_tensor")
    if src.size != size * buf.size:
        raise ValueError(f"reduce_scatter_tensor: input has {src.size} elements, expected "
                         f"world size {size} x output's {buf.size}")
    _same_dtype("reduce_scatter_tensor", buf.dtype, [input], "input")
    MPI = pg._MPI  # noqa: N806
    mop = mpi_op(MPI, op, buf.dtype, "reduce_scatter_tensor")
    request = pg._comm.Ireduce_scatter_block(src, buf, mop)
    avg = (lambda: finish_avg(buf, op, size)) if op is ReduceOp.AVG else None
    return _run(pg.work([request], _done([output], avg, write_back), "reduce_scatter_tensor",
                        [output]), async_op)


def reduce_scatter(output: Tensor, input_list: list, op: ReduceOp = ReduceOp.SUM,
                   group: ProcessGroup | None = None, async_op: bool = False):
    """Reduce ``input_list[r]`` across ranks into ``output`` on rank r."""
    pg = resolve(group)
    if pg is None:
        return None
    _check_list("reduce_scatter", input_list, pg.size(), _array(output, "output",
                "reduce_scatter").size, "input_list")
    _same_dtype("reduce_scatter", output._data.dtype, input_list, "input_list")
    stacked = np.concatenate([_flat_in(t, "input_list", "reduce_scatter") for t in input_list])
    return reduce_scatter_tensor(output, Tensor._from_array(stacked), op, group, async_op)


# ------------------------------------------------------------------ one-to-all, all-to-one
def broadcast(tensor: Tensor, src: int = 0, group: ProcessGroup | None = None,
              async_op: bool = False):
    """Copy rank ``src``'s ``tensor`` into ``tensor`` on every rank."""
    pg = resolve(group)
    if pg is None:
        return None
    root = pg.group_rank(src, "src")
    buf, write_back = _inout(tensor, "tensor", "broadcast")
    request = pg._comm.Ibcast(buf, root=root)
    finish = _done([tensor], write_back) if pg.rank() != root else None
    return _run(pg.work([request], finish, "broadcast", [tensor]), async_op)


def gather(tensor: Tensor, gather_list: list | None = None, dst: int = 0,
           group: ProcessGroup | None = None, async_op: bool = False):
    """Collect every rank's ``tensor`` into ``gather_list`` on rank ``dst`` (None elsewhere)."""
    pg = resolve(group)
    if pg is None:
        return None
    root = pg.group_rank(dst, "dst")
    send = _flat_in(tensor, "tensor", "gather")
    if pg.rank() != root:
        if gather_list:
            raise ValueError("gather: gather_list must be None or empty on non-dst ranks")
        request = pg._comm.Igather(send, None, root=root)
        return _run(pg.work([request], None, "gather"), async_op)
    if gather_list is None:
        raise ValueError("gather: gather_list is required on the dst rank")
    _check_list("gather", gather_list, pg.size(), send.size, "gather_list")
    _same_dtype("gather", send.dtype, gather_list, "gather_list")
    stacked = np.empty((pg.size(), send.size), send.dtype)
    request = pg._comm.Igather(send, stacked, root=root)
    finish = _done(gather_list, _copy_into_list(gather_list, stacked))
    return _run(pg.work([request], finish, "gather", gather_list), async_op)


def scatter(tensor: Tensor, scatter_list: list | None = None, src: int = 0,
            group: ProcessGroup | None = None, async_op: bool = False):
    """Give rank r the tensor ``scatter_list[r]`` of rank ``src``, written into ``tensor``."""
    pg = resolve(group)
    if pg is None:
        return None
    root = pg.group_rank(src, "src")
    buf, write_back = _inout(tensor, "tensor", "scatter")
    if pg.rank() == root:
        if scatter_list is None:
            raise ValueError("scatter: scatter_list is required on the src rank")
        _check_list("scatter", scatter_list, pg.size(), buf.size, "scatter_list")
        _same_dtype("scatter", buf.dtype, scatter_list, "scatter_list")
        send = np.concatenate([_flat_in(t, "scatter_list", "scatter") for t in scatter_list])
    else:
        if scatter_list:
            raise ValueError("scatter: scatter_list must be None or empty on non-src ranks")
        send = None
    request = pg._comm.Iscatter(send, buf, root=root)
    return _run(pg.work([request], _done([tensor], write_back), "scatter", [tensor]), async_op)


# ------------------------------------------------------------------ all-to-all
def all_gather(tensor_list: list, tensor: Tensor, group: ProcessGroup | None = None,
               async_op: bool = False):
    """Fill ``tensor_list[r]`` with rank r's ``tensor`` on every rank."""
    pg = resolve(group)
    if pg is None:
        return None
    send = _flat_in(tensor, "tensor", "all_gather")
    _check_list("all_gather", tensor_list, pg.size(), send.size, "tensor_list")
    _same_dtype("all_gather", send.dtype, tensor_list, "tensor_list")
    stacked = np.empty((pg.size(), send.size), send.dtype)
    request = pg._comm.Iallgather(send, stacked)
    finish = _done(tensor_list, _copy_into_list(tensor_list, stacked))
    return _run(pg.work([request], finish, "all_gather", tensor_list), async_op)


def all_gather_into_tensor(output_tensor: Tensor, input_tensor: Tensor,
                           group: ProcessGroup | None = None, async_op: bool = False):
    """Write every rank's ``input_tensor`` into ``output_tensor``, concatenated (or stacked)."""
    pg = resolve(group)
    if pg is None:
        return None
    send = _flat_in(input_tensor, "input_tensor", "all_gather_into_tensor")
    buf, write_back = _inout(output_tensor, "output_tensor", "all_gather_into_tensor")
    if buf.size != pg.size() * send.size:
        raise ValueError(f"all_gather_into_tensor: output_tensor has {buf.size} elements, "
                         f"expected world size {pg.size()} x input's {send.size}")
    _same_dtype("all_gather_into_tensor", buf.dtype, [input_tensor], "input_tensor")
    request = pg._comm.Iallgather(send, buf)
    return _run(pg.work([request], _done([output_tensor], write_back), "all_gather_into_tensor",
                        [output_tensor]), async_op)


def all_to_all_single(output: Tensor, input: Tensor, output_split_sizes=None,  # noqa: A002
                      input_split_sizes=None, group: ProcessGroup | None = None,
                      async_op: bool = False):
    """Send chunk r of ``input`` (split along dim 0) to rank r; receive into ``output``."""
    pg = resolve(group)
    if pg is None:
        return None
    size = pg.size()
    send = _flat_in(input, "input", "all_to_all_single")
    buf, write_back = _inout(output, "output", "all_to_all_single")
    _same_dtype("all_to_all_single", buf.dtype, [input], "input")
    row_in = send.size // max(input.shape[0], 1) if input.dim() else 1
    row_out = buf.size // max(output.shape[0], 1) if output.dim() else 1
    send_counts = _split_counts(input_split_sizes, input, size, row_in, "input")
    recv_counts = _split_counts(output_split_sizes, output, size, row_out, "output")
    request = pg._comm.Ialltoallv([send, (send_counts, _offsets(send_counts))],
                                  [buf, (recv_counts, _offsets(recv_counts))])
    return _run(pg.work([request], _done([output], write_back), "all_to_all_single", [output]),
                async_op)


def _split_counts(splits, tensor: Tensor, size: int, row: int, arg: str) -> list:
    rows = tensor.shape[0] if tensor.dim() else 1
    if splits is None:
        if rows % size:
            raise ValueError(f"all_to_all_single: {arg} dim 0 ({rows}) is not divisible by the "
                             f"world size {size}; give {arg}_split_sizes")
        return [rows // size * row] * size
    splits = [int(s) for s in splits]
    if len(splits) != size or sum(splits) != rows:
        raise ValueError(f"all_to_all_single: {arg}_split_sizes {splits} must have {size} "
                         f"entries summing to {arg}'s dim 0 ({rows})")
    return [s * row for s in splits]


def _offsets(counts: list) -> list:
    return [int(x) for x in np.concatenate([[0], np.cumsum(counts)[:-1]])]


def all_to_all(output_tensor_list: list, input_tensor_list: list,
               group: ProcessGroup | None = None, async_op: bool = False):
    """Send ``input_tensor_list[r]`` to rank r; receive rank r's into ``output_tensor_list[r]``."""
    pg = resolve(group)
    if pg is None:
        return None
    size = pg.size()
    for arg, lst in (("output_tensor_list", output_tensor_list),
                     ("input_tensor_list", input_tensor_list)):
        if len(lst) != size:
            raise ValueError(f"all_to_all: {arg} must hold one tensor per rank ({size}), "
                             f"got {len(lst)}")
    dtype = _array(output_tensor_list[0], "output_tensor_list", "all_to_all").dtype
    _same_dtype("all_to_all", dtype, list(output_tensor_list) + list(input_tensor_list),
                "the tensor lists")
    send = np.concatenate([_flat_in(t, "input_tensor_list", "all_to_all")
                           for t in input_tensor_list])
    send_counts = [t._data.size for t in input_tensor_list]
    recv_counts = [t._data.size for t in output_tensor_list]
    recv = np.empty(sum(recv_counts), dtype)
    request = pg._comm.Ialltoallv([send, (send_counts, _offsets(send_counts))],
                                  [recv, (recv_counts, _offsets(recv_counts))])

    def unpack() -> None:
        for t, start, n in zip(output_tensor_list, _offsets(recv_counts), recv_counts):
            t._data[...] = recv[start:start + n].reshape(t._data.shape)

    return _run(pg.work([request], _done(output_tensor_list, unpack), "all_to_all",
                        output_tensor_list), async_op)


# ------------------------------------------------------------------ point to point
def isend(tensor: Tensor, dst: int, group: ProcessGroup | None = None, tag: int = 0) -> Work:
    """Start sending ``tensor`` to rank ``dst``; the Work completes once it may be reused."""
    pg = resolve(group)
    if pg is None:
        return None
    send = _flat_in(tensor, "tensor", "isend")
    request = pg._comm.Isend(send, dest=pg.group_rank(dst, "dst"), tag=tag)
    return pg.work([request], None, "send", [tensor])


def irecv(tensor: Tensor, src: int | None = None, group: ProcessGroup | None = None,
          tag: int = 0) -> Work:
    """Start receiving into ``tensor`` from rank ``src`` (any rank if None)."""
    pg = resolve(group)
    if pg is None:
        return None
    buf, write_back = _inout(tensor, "tensor", "irecv")
    source = pg._MPI.ANY_SOURCE if src is None else pg.group_rank(src, "src")
    request = pg._comm.Irecv(buf, source=source, tag=tag)
    work = pg.work([request], _done([tensor], write_back), "recv", [tensor])
    work._group_ranks = pg._ranks
    return work


def send(tensor: Tensor, dst: int, group: ProcessGroup | None = None, tag: int = 0) -> None:
    """Send ``tensor`` to rank ``dst`` and wait until it has left."""
    work = isend(tensor, dst, group, tag)
    if work is not None:
        work.wait()


def recv(tensor: Tensor, src: int | None = None, group: ProcessGroup | None = None,
         tag: int = 0) -> int:
    """Receive into ``tensor`` from rank ``src`` (any rank if None).

    Returns:
        The global rank of the sender (-1 on a non-member).
    """
    work = irecv(tensor, src, group, tag)
    if work is None:
        return -1
    work.wait()
    return work._group_ranks[work._source()]


__all__ = [
    "all_gather", "all_gather_into_tensor", "all_reduce", "all_to_all", "all_to_all_single",
    "broadcast", "gather", "irecv", "isend", "recv", "reduce", "reduce_scatter",
    "reduce_scatter_tensor", "scatter", "send",
]

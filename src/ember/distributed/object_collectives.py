"""Collectives on picklable Python objects: pickled to bytes, moved as uint8 buffers.

As in PyTorch, receiving unpickles data sent by the other ranks, which runs code they chose:
use these only between processes you trust (your own job's ranks). Sizes travel first, so
each collective is two MPI calls, both honouring the group's timeout.
"""

from __future__ import annotations

import pickle

import numpy as np

from .process_group import ProcessGroup, resolve


def _to_bytes(obj) -> np.ndarray:
    return np.frombuffer(pickle.dumps(obj), dtype=np.uint8)


def _wait(pg: ProcessGroup, request, name: str) -> None:
    pg.work([request], None, name).wait()


def _allgather_bytes(pg: ProcessGroup, payload: np.ndarray, name: str) -> list:
    sizes = np.empty(pg.size(), np.int64)
    _wait(pg, pg._comm.Iallgather(np.array([payload.size], np.int64), sizes), name)
    recv = np.empty(int(sizes.sum()), np.uint8)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).tolist()
    _wait(pg, pg._comm.Iallgatherv(payload, [recv, (sizes.tolist(), offsets)]), name)
    return [recv[o:o + n].tobytes() for o, n in zip(offsets, sizes.tolist())]


def all_gather_object(object_list: list, obj, group: ProcessGroup | None = None) -> None:
    """Fill ``object_list[r]`` with rank r's ``obj`` on every rank (the list has world-size slots).
    """
    pg = resolve(group)
    if pg is None:
        return
    if len(object_list) != pg.size():
        raise ValueError(f"all_gather_object: object_list must have {pg.size()} entries (the "
                         f"group size), got {len(object_list)}")
    for r, data in enumerate(_allgather_bytes(pg, _to_bytes(obj), "all_gather_object")):
        object_list[r] = pickle.loads(data)


def gather_object(obj, object_gather_list: list | None = None, dst: int = 0,
                  group: ProcessGroup | None = None) -> None:
    """Collect every rank's ``obj`` into ``object_gather_list`` on rank ``dst``."""
    pg = resolve(group)
    if pg is None:
        return
    root = pg.group_rank(dst, "dst")
    if pg.rank() == root and (object_gather_list is None
                              or len(object_gather_list) != pg.size()):
        raise ValueError(f"gather_object: object_gather_list must have {pg.size()} entries on "
                         f"the dst rank")
    # an allgather of the payloads keeps this to the two sized calls; objects are small
    gathered = _allgather_bytes(pg, _to_bytes(obj), "gather_object")
    if pg.rank() == root:
        for r, data in enumerate(gathered):
            object_gather_list[r] = pickle.loads(data)


def broadcast_object_list(object_list: list, src: int = 0, group: ProcessGroup | None = None,
                          device=None) -> None:
    """Replace the contents of ``object_list`` on every rank by rank ``src``'s (same length)."""
    pg = resolve(group)
    if pg is None:
        return
    root = pg.group_rank(src, "src")
    payload = _to_bytes(list(object_list)) if pg.rank() == root else None
    size = np.array([payload.size if payload is not None else 0], np.int64)
    _wait(pg, pg._comm.Ibcast(size, root=root), "broadcast_object_list")
    if payload is None:
        payload = np.empty(int(size[0]), np.uint8)
    _wait(pg, pg._comm.Ibcast(payload, root=root), "broadcast_object_list")
    if pg.rank() != root:
        received = pickle.loads(payload.tobytes())
        if len(received) != len(object_list):
            raise ValueError(f"broadcast_object_list: src sent {len(received)} objects but "
                             f"object_list has {len(object_list)} slots")
        object_list[:] = received


def scatter_object_list(scatter_object_output_list: list, scatter_object_input_list=None,
                        src: int = 0, group: ProcessGroup | None = None) -> None:
    """Set ``scatter_object_output_list[0]`` on rank r to rank ``src``'s input element r."""
    pg = resolve(group)
    if pg is None:
        return
    if len(scatter_object_output_list) < 1:
        raise ValueError("scatter_object_list: scatter_object_output_list needs one slot")
    root = pg.group_rank(src, "src")
    if pg.rank() == root:
        if scatter_object_input_list is None or len(scatter_object_input_list) != pg.size():
            raise ValueError(f"scatter_object_list: scatter_object_input_list must have "
                             f"{pg.size()} entries on the src rank")
        pieces = [_to_bytes(o) for o in scatter_object_input_list]
        sizes = np.array([p.size for p in pieces], np.int64)
        send = np.concatenate(pieces)
    else:
        sizes = send = None
    mine = np.empty(1, np.int64)
    _wait(pg, pg._comm.Iscatter(sizes, mine, root=root), "scatter_object_list")
    recv = np.empty(int(mine[0]), np.uint8)
    spec = None
    if send is not None:
        spec = [send, (sizes.tolist(), np.concatenate([[0], np.cumsum(sizes)[:-1]]).tolist())]
    _wait(pg, pg._comm.Iscatterv(spec, recv, root=root), "scatter_object_list")
    scatter_object_output_list[0] = pickle.loads(recv.tobytes())


__all__ = ["all_gather_object", "broadcast_object_list", "gather_object", "scatter_object_list"]

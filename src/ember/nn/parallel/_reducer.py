"""The gradient reducer behind DistributedDataParallel: buckets averaged during backward.

Parameters are packed, in reverse registration order (roughly the order backward produces their
gradients), into flat per-dtype buckets of about ``bucket_cap_mb`` (the first one small, so
communication starts early), as PyTorch's reducer does. A post-accumulate-grad hook on each
parameter copies its gradient, pre-divided by the world size, into its bucket; when a bucket is
full it is all-reduced while backward goes on with the earlier layers: by the communication
thread (``distributed._comm_thread``), or, when MPI lacks thread support, by a non-blocking
MPI call that each hook drives forward. Buckets start strictly in index order, so every
rank issues the same sequence of collectives whatever order its hooks fire in. When the last
bucket has started, the reducer waits for all of them and writes the averages back into
``.grad``; that happens inside the last hook, so the gradients are averaged when
``loss.backward()`` returns.
"""

from __future__ import annotations

import time

import numpy as np

from ...distributed._comm_thread import comm_thread
from ...distributed.process_group import ProcessGroup
from ...distributed.work import DistBackendError, Work
from ...tensor import Tensor

FIRST_BUCKET_BYTES = 1024 * 1024  # PyTorch's dist._DEFAULT_FIRST_BUCKET_BYTES

_POLL_SECONDS = 5e-5  # the communication thread's sleep between polls of a barrier

_UNFINISHED = (
    "Expected to have finished reduction in the prior iteration before starting a new one. "
    "This error indicates that your module has parameters that were not used in producing "
    "loss. You can enable unused parameter detection by passing the keyword argument "
    "`find_unused_parameters=True` to `ember.nn.parallel.DistributedDataParallel`, and by "
    "making sure all `forward` function outputs participate in calculating loss. Parameters "
    "that did not receive gradient on this rank: {names}"
)


class _Bucket:
    """Parameters whose gradients travel together in one flat buffer."""

    def __init__(self, params: list, dtype: np.dtype) -> None:
        self.params = params
        self.sizes = [p._data.size for p in params]
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)[:-1]]).astype(int).tolist()
        self.buffer = np.zeros(sum(self.sizes), dtype)
        self.pending = len(params)
        self.ready = [False] * len(params)
        self.work: Work | None = None
        self.done = None  # the communication thread's Event, when it runs this bucket

    def view(self, i: int) -> np.ndarray:
        start = self.offsets[i]
        return self.buffer[start:start + self.sizes[i]].reshape(self.params[i]._data.shape)


def assign_buckets(params: list, cap_bytes: int, first_bytes: int | None = None) -> list:
    """Group ``params`` (in backward order) into lists of one dtype and about ``cap_bytes``;
    the first closed bucket holds about ``first_bytes`` (if given)."""
    buckets: list = []
    open_: dict = {}  # dtype -> [params, bytes]
    limit = cap_bytes if first_bytes is None else first_bytes
    for p in params:
        entry = open_.setdefault(p._data.dtype, [[], 0])
        entry[0].append(p)
        entry[1] += p._data.nbytes
        if entry[1] >= limit:
            buckets.append(entry[0])
            del open_[p._data.dtype]
            limit = cap_bytes  # only the first bucket is small
    buckets.extend(entry[0] for entry in open_.values() if entry[0])
    return buckets


class Reducer:
    """Averages the gradients of ``params`` across ``group`` during each synchronised backward."""

    def __init__(self, named_params: list, group: ProcessGroup, cap_bytes: int,
                 first_bucket_bytes: int | None, find_unused: bool,
                 gradient_as_bucket_view: bool) -> None:
        self._group = group
        # a communicator of its own: buckets start at points of backward that may differ
        # between ranks relative to other collectives (SyncBatchNorm's, the user's)
        self._comm = group._comm.Dup()
        self._comm_thread = comm_thread(group._MPI)
        self.wait_seconds = 0.0  # total time spent waiting for buckets after backward
        self._names = {p: name for name, p in named_params}
        ordered = [p for _, p in reversed(named_params)]
        self._buckets = [_Bucket(ps, ps[0]._data.dtype) for ps in assign_buckets(
            ordered, cap_bytes, first_bucket_bytes)]
        self._where = {p: (b, i) for b in self._buckets for i, p in enumerate(b.params)}
        self._find_unused = find_unused
        self._as_view = gradient_as_bucket_view
        self._used_since_sync = dict.fromkeys(self._where, False)
        self._armed = False  # a synchronised backward is expected
        self._started = False  # some hook of the armed backward has fired
        self._unused: list = []
        self._next = 0
        self._used_work: tuple | None = None
        self._handles = [p.register_post_accumulate_grad_hook(self._hook) for p in self._where]

    # ------------------------------------------------------------------ forward side
    def prepare_for_forward(self) -> None:
        """Refuse to start an iteration while the previous reduction is half done."""
        if self._started:
            missing = [self._names[p] for b in self._buckets
                       for p, ready in zip(b.params, b.ready) if not ready]
            raise RuntimeError(_UNFINISHED.format(names=", ".join(missing)))

    def prepare_for_backward(self, outputs) -> None:
        """Arm the hooks for the backward of ``outputs``; find unused parameters if asked."""
        for b in self._buckets:
            b.pending = len(b.params)
            b.work = b.done = None
            b.ready = [False] * len(b.params)
        self._next = 0
        self._used_work = None
        self._armed = True
        self._started = False
        self._unused = []
        if self._find_unused:
            reached = _reachable_leaves(outputs)
            self._unused = [p for p in self._where if p not in reached]

    # ------------------------------------------------------------------ backward side
    def _hook(self, param: Tensor) -> None:
        self._used_since_sync[param] = True
        if not self._armed:
            return  # no_sync(), or a backward DDP's forward did not prepare
        if not self._started:
            self._started = True
            for p in self._unused:  # ready now: they will get no gradient this backward
                self._mark_ready(p)
        self._mark_ready(param)
        if self._comm_thread is None:
            for b in self._buckets[:self._next]:  # let MPI progress the buckets in flight
                if b.work is not None:
                    b.work.is_completed()
        if self._next == len(self._buckets):
            self._finalize()

    def _mark_ready(self, param: Tensor) -> None:
        bucket, i = self._where[param]
        if bucket.ready[i]:
            raise RuntimeError(
                f"Expected to mark a variable ready only once: parameter "
                f"{self._names[param]} received its gradient twice in one backward (reentrant "
                f"backward, or a parameter shared across DDP modules)")
        bucket.ready[i] = True
        view = bucket.view(i)
        grad = param._grad
        if grad is None:
            view[...] = 0
        elif not (self._as_view and grad._data.base is bucket.buffer):
            np.divide(grad._data, self._group.size(), out=view)
        else:
            np.divide(view, self._group.size(), out=view)
        bucket.pending -= 1
        self._launch_ready()

    def _launch_ready(self) -> None:
        comm = self._comm
        MPI = self._group._MPI  # noqa: N806
        while self._next < len(self._buckets) and self._buckets[self._next].pending == 0:
            b = self._buckets[self._next]
            if self._comm_thread is not None:
                b.done = self._comm_thread.submit(
                    lambda buf=b.buffer: _allreduce_once_all_arrive(MPI, comm, buf))
            else:
                request = comm.Iallreduce(MPI.IN_PLACE, b.buffer, MPI.SUM)
                b.work = self._group.work([request], name=f"DDP gradient bucket {self._next}")
            self._next += 1
        if self._next == len(self._buckets) and self._find_unused and self._used_work is None:
            # which parameters got a gradient on any rank: globally unused ones keep .grad as is
            # (through the communication thread when there is one: collectives on one
            # communicator must be issued in the same order on every rank)
            used = np.array([self._used_since_sync[p] for p in self._where], np.uint8)
            if self._comm_thread is not None:
                done = self._comm_thread.submit(
                    lambda: _allreduce_once_all_arrive(MPI, comm, used, MPI.MAX))
                self._used_work = (done, used)
            else:
                request = comm.Iallreduce(MPI.IN_PLACE, used, MPI.MAX)
                self._used_work = (self._group.work([request], name="DDP used-parameter map"),
                                   used)

    def _finalize(self) -> None:
        timeout = self._group._timeout.total_seconds()
        start = time.perf_counter()
        for i, b in enumerate(self._buckets):
            if b.done is None:
                b.work.wait()
            elif not b.done.wait(timeout):
                raise DistBackendError(f"DDP gradient bucket {i} timed out after {timeout:g} s: "
                                       f"a peer rank did not take part in time")
            elif b.done.error is not None:
                raise DistBackendError(f"DDP gradient bucket {i} failed: {b.done.error}")
        globally_used = None
        if self._used_work is not None:
            pending, used = self._used_work
            if isinstance(pending, Work):
                pending.wait()
            elif not pending.wait(timeout) or pending.error is not None:
                raise DistBackendError(f"DDP used-parameter map did not complete within "
                                       f"{timeout:g} s ({pending.error})")
            globally_used = dict(zip(self._where, used.astype(bool).tolist()))
        # communication backward did not hide (bench/ddp.py reports it)
        self.wait_seconds += time.perf_counter() - start
        for b in self._buckets:
            for i, p in enumerate(b.params):
                if globally_used is not None and not globally_used[p]:
                    continue
                self._write_grad(p, b.view(i))
        self._armed = False
        self._started = False
        self._used_since_sync = dict.fromkeys(self._where, False)

    def _write_grad(self, param: Tensor, averaged: np.ndarray) -> None:
        grad = param._grad
        if self._as_view:
            if grad is None or grad._data is not averaged:
                param._grad = Tensor._from_array(averaged)
            else:
                grad._bump_version()
        elif grad is None:
            param._grad = Tensor._from_array(averaged.copy())
        else:
            grad._data[...] = averaged
            grad._bump_version()

    def remove_hooks(self) -> None:
        for handle in self._handles:
            handle.remove()


def _allreduce_once_all_arrive(MPI, comm, buffer: np.ndarray, op=None) -> None:  # noqa: N803
    """Reduce ``buffer`` over ``comm`` in place (sum by default), without spinning while a
    peer still computes.

    A blocking all-reduce busy-waits for the last rank, taking the core from this rank's own
    backward; a barrier polled with short sleeps waits cheaply, after which the blocking
    all-reduce (several times faster than Open MPI's non-blocking one) finds everyone there.
    """
    arrived = comm.Ibarrier()
    while not arrived.Test():
        time.sleep(_POLL_SECONDS)
    comm.Allreduce(MPI.IN_PLACE, buffer, MPI.SUM if op is None else op)


def _reachable_leaves(outputs) -> set:
    """The leaf tensors whose gradients the backward of ``outputs`` will compute."""
    leaves: set = set()
    seen: set = set()
    stack = [t._grad_fn for t in _tensors_in(outputs) if t._grad_fn is not None]
    for t in _tensors_in(outputs):
        if t._grad_fn is None and t._requires_grad:
            leaves.add(t)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        leaf_ref = getattr(node, "_leaf", None)
        if leaf_ref is not None:
            leaf = leaf_ref()
            if leaf is not None:
                leaves.add(leaf)
            continue
        for edge in node.next_edges:
            if edge is not None:
                stack.append(edge[0])
    return leaves


def _tensors_in(obj) -> list:
    """Every Tensor inside nested tuples, lists and dicts (a forward's output)."""
    found, stack = [], [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, Tensor):
            found.append(item)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return found


__all__ = ["Reducer", "assign_buckets"]

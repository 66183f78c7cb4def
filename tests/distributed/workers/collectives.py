"""Worker: every tensor collective against its definition, on every dtype, contiguous or not.

Each rank's input is a known function of its rank, so every rank computes the expected result
itself (the definition: numpy's sum/prod/min/max/... over the list of all ranks' inputs).
Values are small integers, so float sums are exact whatever order MPI adds them in.
"""

import numpy as np

import ember
import ember.distributed as dist
from ember.distributed import ReduceOp

dist.init_process_group("mpi")
RANK, SIZE = dist.get_rank(), dist.get_world_size()
DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8,
          np.bool_]
SHAPE = (3, 4)


def data(rank: int, dtype, shape=SHAPE, salt: int = 0) -> np.ndarray:
    rng = np.random.default_rng(1000 * rank + salt)
    if dtype == np.bool_:
        return rng.integers(0, 2, shape).astype(bool)
    low = 0 if np.dtype(dtype).kind == "u" else -3
    return rng.integers(low, 4, shape).astype(dtype)


def tensor(arr: np.ndarray, contiguous: bool) -> ember.Tensor:
    """``arr`` as a tensor: itself, or a transposed (non-contiguous) view holding it."""
    if contiguous:
        return ember.from_numpy(arr.copy())
    t = ember.from_numpy(np.ascontiguousarray(arr.T)).t()
    assert not t._data.flags.c_contiguous
    return t


def check(what: str, got, expected) -> None:
    got = got.numpy() if isinstance(got, ember.Tensor) else np.asarray(got)
    assert got.dtype == np.asarray(expected).dtype, (what, got.dtype, np.asarray(expected).dtype)
    if not np.array_equal(got, expected):
        raise AssertionError(f"rank {RANK}: {what}\n got {got}\n expected {expected}")


def definition(op, arrays: list) -> np.ndarray:
    stack = np.stack(arrays)
    dtype = stack.dtype
    if dtype == np.bool_:
        fn = {ReduceOp.SUM: np.any, ReduceOp.MAX: np.any, ReduceOp.BOR: np.any,
              ReduceOp.PRODUCT: np.all, ReduceOp.MIN: np.all, ReduceOp.BAND: np.all}.get(op)
        if op is ReduceOp.BXOR:
            return np.logical_xor.reduce(stack, axis=0)
        return fn(stack, axis=0)
    if op is ReduceOp.SUM:
        return stack.sum(0, dtype=dtype)
    if op is ReduceOp.AVG:
        total = stack.sum(0, dtype=dtype)
        if dtype.kind == "f":
            return (total / len(arrays)).astype(dtype)
        return (np.trunc(total.astype(np.float64) / len(arrays))).astype(dtype)
    if op is ReduceOp.PRODUCT:
        return stack.prod(0, dtype=dtype)
    return {ReduceOp.MIN: np.min, ReduceOp.MAX: np.max}.get(op, None)(stack, axis=0) \
        if op in (ReduceOp.MIN, ReduceOp.MAX) else \
        {ReduceOp.BAND: np.bitwise_and, ReduceOp.BOR: np.bitwise_or,
         ReduceOp.BXOR: np.bitwise_xor}[op].reduce(stack, axis=0)


def ops_for(dtype) -> list:
    if dtype == np.bool_:
        return [op for op in ReduceOp if op is not ReduceOp.AVG]
    if np.dtype(dtype).kind == "f":
        return [ReduceOp.SUM, ReduceOp.AVG, ReduceOp.PRODUCT, ReduceOp.MIN, ReduceOp.MAX]
    return list(ReduceOp)


everyone = lambda dtype, salt=0, shape=SHAPE: [data(r, dtype, shape, salt) for r in range(SIZE)]  # noqa: E731

for dtype in DTYPES:
    for contiguous in (True, False):
        tag = f"{np.dtype(dtype).name} {'contiguous' if contiguous else 'strided'}"
        for op in ops_for(dtype):
            # all_reduce, blocking and async
            for async_op in (False, True):
                t = tensor(data(RANK, dtype), contiguous)
                work = dist.all_reduce(t, op=op, async_op=async_op)
                if async_op:
                    assert work.wait() is True and work.is_completed()
                    assert work.result()[0] is t
                check(f"all_reduce {op} {tag} async={async_op}", t, definition(op, everyone(dtype)))
            # reduce to the last rank
            t = tensor(data(RANK, dtype), contiguous)
            dist.reduce(t, dst=SIZE - 1, op=op)
            check(f"reduce {op} {tag}", t, definition(op, everyone(dtype)) if RANK == SIZE - 1
                  else data(RANK, dtype))
            # reduce_scatter_tensor: input (SIZE*3, 4), rank r gets rows 3r..3r+2
            big = [data(r, dtype, (SIZE * 3, 4), salt=7) for r in range(SIZE)]
            out = tensor(np.zeros(SHAPE, dtype), contiguous)
            dist.reduce_scatter_tensor(out, ember.from_numpy(big[RANK].copy()), op=op)
            check(f"reduce_scatter_tensor {op} {tag}", out,
                  definition(op, big)[3 * RANK:3 * RANK + 3])
            outs = tensor(np.zeros(SHAPE, dtype), contiguous)
            dist.reduce_scatter(outs, [ember.from_numpy(b) for b in
                                       np.split(big[RANK].copy(), SIZE)], op=op)
            check(f"reduce_scatter {op} {tag}", outs, definition(op, big)[3 * RANK:3 * RANK + 3])
        # broadcast from the last rank
        t = tensor(data(RANK, dtype), contiguous)
        dist.broadcast(t, src=SIZE - 1)
        check(f"broadcast {tag}", t, data(SIZE - 1, dtype))
        # all_gather into a list of (possibly strided) tensors
        outs = [tensor(np.zeros(SHAPE, dtype), contiguous) for _ in range(SIZE)]
        dist.all_gather(outs, tensor(data(RANK, dtype), contiguous))
        for r in range(SIZE):
            check(f"all_gather[{r}] {tag}", outs[r], data(r, dtype))
        # all_gather_into_tensor: concatenated along dim 0, and stacked
        cat = ember.from_numpy(np.zeros((SIZE * 3, 4), dtype))
        dist.all_gather_into_tensor(cat, tensor(data(RANK, dtype), contiguous))
        check(f"all_gather_into_tensor cat {tag}", cat, np.concatenate(everyone(dtype)))
        stacked = ember.from_numpy(np.zeros((SIZE, 3, 4), dtype))
        dist.all_gather_into_tensor(stacked, tensor(data(RANK, dtype), contiguous))
        check(f"all_gather_into_tensor stack {tag}", stacked, np.stack(everyone(dtype)))
        # gather to rank 0, scatter from rank 0
        target = [tensor(np.zeros(SHAPE, dtype), contiguous) for _ in range(SIZE)]
        dist.gather(tensor(data(RANK, dtype), contiguous), target if RANK == 0 else None, dst=0)
        if RANK == 0:
            for r in range(SIZE):
                check(f"gather[{r}] {tag}", target[r], data(r, dtype))
        t = tensor(np.zeros(SHAPE, dtype), contiguous)
        pieces = [ember.from_numpy(data(r, dtype, salt=3)) for r in range(SIZE)]
        dist.scatter(t, pieces if RANK == 0 else None, src=0)
        check(f"scatter {tag}", t, data(RANK, dtype, salt=3))
        # all_to_all(_single): rank r sends block j (its data with salt j) to rank j
        outs = [tensor(np.zeros(SHAPE, dtype), contiguous) for _ in range(SIZE)]
        dist.all_to_all(outs, [tensor(data(RANK, dtype, salt=10 + j), contiguous)
                               for j in range(SIZE)])
        for r in range(SIZE):
            check(f"all_to_all[{r}] {tag}", outs[r], data(r, dtype, salt=10 + RANK))
        out = ember.from_numpy(np.zeros((SIZE * 3, 4), dtype))
        dist.all_to_all_single(out, ember.from_numpy(np.concatenate(
            [data(RANK, dtype, salt=10 + j) for j in range(SIZE)])))
        check(f"all_to_all_single {tag}", out,
              np.concatenate([data(r, dtype, salt=10 + RANK) for r in range(SIZE)]))
        # send/recv around a ring, and irecv from any source
        right, left = (RANK + 1) % SIZE, (RANK - 1) % SIZE
        t = tensor(np.zeros(SHAPE, dtype), contiguous)
        work = dist.isend(tensor(data(RANK, dtype), contiguous), right)
        assert dist.recv(t, src=left) == left
        work.wait()
        check(f"send/recv {tag}", t, data(left, dtype))
        work = dist.isend(tensor(data(RANK, dtype), True), right, tag=5)
        t = tensor(np.zeros(SHAPE, dtype), contiguous)
        dist.irecv(t, None, tag=5).wait()
        work.wait()
        check(f"irecv any source {tag}", t, data(left, dtype))

# a subgroup of the even ranks: ranks are global in src/dst, results only among members
evens = dist.new_group(list(range(0, SIZE, 2)))
t = ember.tensor([float(RANK)])
if RANK % 2 == 0:
    assert dist.get_world_size(evens) == (SIZE + 1) // 2
    assert dist.get_rank(evens) == RANK // 2
    dist.all_reduce(t, group=evens)
    check("subgroup all_reduce", t, np.array([sum(range(0, SIZE, 2))], np.float32))
    b = ember.tensor([float(RANK)])
    dist.broadcast(b, src=SIZE - 2 if SIZE % 2 == 0 else SIZE - 1, group=evens)
    check("subgroup broadcast (global src)", b,
          np.array([SIZE - 2 if SIZE % 2 == 0 else SIZE - 1], np.float32))
else:
    assert evens is dist.GroupMember.NON_GROUP_MEMBER
    assert dist.all_reduce(t, group=evens) is None and t.item() == RANK

# empty and 0-d tensors
e = ember.zeros(0)
dist.all_reduce(e)
assert e.shape == (0,)
s = ember.tensor(float(RANK))
dist.all_reduce(s, op=ReduceOp.MAX)
check("0-d all_reduce", s, np.array(SIZE - 1, np.float32))

# errors: PyTorch's exception types, messages naming the argument
for call, exc in [
    (lambda: dist.all_reduce(ember.ones(2), op="sum"), TypeError),
    (lambda: dist.all_reduce(np.ones(2)), TypeError),
    (lambda: dist.all_reduce(ember.ones(2), op=ReduceOp.BAND), RuntimeError),
    (lambda: dist.broadcast(ember.ones(2), src=SIZE), ValueError),
    (lambda: dist.all_gather([ember.ones(2)], ember.ones(2)), ValueError),
    (lambda: dist.all_gather_into_tensor(ember.ones(3), ember.ones(2)), ValueError),
    (lambda: dist.init_process_group(), ValueError),
]:
    try:
        call()
    except exc:
        pass
    else:
        raise AssertionError(f"expected {exc.__name__}")

# a version bump tells autograd the tensor changed in place
t = ember.ones(2)
v = t._version
dist.all_reduce(t)
assert t._version > v

dist.barrier()
dist.destroy_process_group()
assert not dist.is_initialized()
print(f"rank {RANK}: collectives ok")

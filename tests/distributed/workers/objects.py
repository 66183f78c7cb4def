"""Worker: the object collectives move arbitrary picklable objects of different sizes."""

import numpy as np

import ember
import ember.distributed as dist

dist.init_process_group()
RANK, SIZE = dist.get_rank(), dist.get_world_size()


def obj(rank):
    return {"rank": rank, "payload": "x" * (100 * rank), "array": np.arange(rank),
            "tensor": ember.full((2,), float(rank))}


def same(a, b):
    return (a["rank"], a["payload"], a["array"].tolist(), a["tensor"].tolist()) == \
        (b["rank"], b["payload"], b["array"].tolist(), b["tensor"].tolist())


gathered = [None] * SIZE
dist.all_gather_object(gathered, obj(RANK))
assert all(same(gathered[r], obj(r)) for r in range(SIZE))

target = [None] * SIZE if RANK == 1 else None
dist.gather_object(obj(RANK), target, dst=1)
assert RANK != 1 or all(same(target[r], obj(r)) for r in range(SIZE))

items = [obj(SIZE - 1), "two", 3] if RANK == SIZE - 1 else [None, None, None]
dist.broadcast_object_list(items, src=SIZE - 1)
assert same(items[0], obj(SIZE - 1)) and items[1:] == ["two", 3]

out = [None]
dist.scatter_object_list(out, [obj(r) for r in range(SIZE)] if RANK == 0 else None, src=0)
assert same(out[0], obj(RANK))

try:
    dist.all_gather_object([None], 1)
except ValueError as exc:
    assert "object_list" in str(exc)
else:
    raise AssertionError("a short object_list was accepted")
print(f"rank {RANK}: objects ok")

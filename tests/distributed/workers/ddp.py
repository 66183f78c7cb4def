"""Worker: N ranks each on B/N samples reproduce one process on the global batch B.

Every rank also trains the single-process reference itself (same initial weights, the whole
global batch), then compares its DDP replica against it after 20 steps: SGD with momentum and
Adam, with and without SyncBatchNorm, with no_sync() accumulation, with a DistributedSampler
epoch, with unused parameters, and with gradients as bucket views.
"""

import numpy as np

import ember
import ember.distributed as dist
import ember.nn as nn
import ember.nn.functional as F
from ember.nn.parallel import DistributedDataParallel as DDP
from ember.utils.data import DataLoader, DistributedSampler, TensorDataset

dist.init_process_group("gloo")  # PyTorch's CPU backend name runs over MPI too
RANK, SIZE = dist.get_rank(), dist.get_world_size()
B, STEPS = 16, 20
SHARD = B // SIZE
ATOL, RTOL = 2e-5, 1e-4


def mlp():
    return nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                         nn.Linear(32, 3))


def bn_cnn():
    # no bias before a BatchNorm: its gradient is rounding noise, which Adam would amplify
    return nn.Sequential(nn.Conv2d(2, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4),
                         nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 8, bias=False),
                         nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))


def batches(kind: str, steps: int = STEPS):
    rng = np.random.default_rng(42)
    shape = (B, 10) if kind == "mlp" else (B, 2, 6, 6)
    return [(rng.standard_normal(shape).astype(np.float32) * 2 + 0.5,
             rng.integers(0, 3, B).astype(np.int64)) for _ in range(steps)]


def optimizer(name: str, params):
    if name == "sgd":
        return ember.optim.SGD(params, lr=0.1, momentum=0.9)
    return ember.optim.Adam(params, lr=0.01)


def build(kind: str, seed: int = 0):
    """The model ``seed`` initialises; rank 0's uses seed 0, as the reference does, the other
    ranks start elsewhere until DDP broadcasts rank 0's weights."""
    ember.manual_seed(seed if RANK else 0)
    return mlp() if kind == "mlp" else bn_cnn()


def train_reference(kind: str, opt_name: str, data):
    model = build(kind, 0)  # rank 0's initial weights, which DDP broadcasts
    opt = optimizer(opt_name, model.parameters())
    for x, y in data:
        opt.zero_grad()
        F.cross_entropy(model(ember.from_numpy(x)), ember.from_numpy(y)).backward()
        opt.step()
    return model


def compare(what: str, replica: nn.Module, reference: nn.Module) -> None:
    ref = reference.state_dict()
    got = replica.state_dict()
    assert list(got) == ["module." + k for k in ref], (what, list(got), list(ref))
    for key, value in ref.items():
        a, b = got["module." + key].numpy(), value.numpy()
        if not np.allclose(a, b, atol=ATOL, rtol=RTOL):
            raise AssertionError(f"rank {RANK}: {what}: {key} differs by "
                                 f"{np.abs(a.astype(np.float64) - b).max():.3g}")
    # and every replica holds the same weights
    for key, value in got.items():
        gathered = [None] * SIZE
        dist.all_gather_object(gathered, value.numpy())
        assert all(np.array_equal(g, gathered[0]) for g in gathered), (what, key)


def shard(arr):
    return ember.from_numpy(arr[RANK * SHARD:(RANK + 1) * SHARD])


# 1. the global-batch equivalence: SGD-momentum and Adam, plain and with SyncBatchNorm
for kind in ("mlp", "bn_cnn"):
    data = batches(kind)
    for opt_name in ("sgd", "adam"):
        reference = train_reference(kind, opt_name, data)
        local = build(kind, 100 + RANK)  # different on every rank until DDP broadcasts
        if kind == "bn_cnn":
            local = nn.SyncBatchNorm.convert_sync_batchnorm(local)
        model = DDP(local)
        opt = optimizer(opt_name, model.parameters())
        for x, y in data:
            opt.zero_grad()
            F.cross_entropy(model(shard(x)), shard(y)).backward()
            opt.step()
        compare(f"{kind} {opt_name}", model, reference)

# 2. no_sync(): two micro-batches per step, the first accumulating locally
data = batches("mlp")
reference = train_reference("mlp", "sgd", data)
for as_view, comm_thread in ((False, True), (True, False)):
    model = DDP(build("mlp", 7 + RANK), bucket_cap_mb=0.004, gradient_as_bucket_view=as_view)
    assert len(model.reducer._buckets) > 1
    if not comm_thread:  # the path for MPI without thread support: non-blocking all-reduces
        model.reducer._comm_thread = None
    opt = optimizer("sgd", model.parameters())
    half = SHARD // 2
    for x, y in data:
        opt.zero_grad()
        xs, ys = shard(x), shard(y)
        with model.no_sync():
            (F.cross_entropy(model(xs[:half]), ys[:half]) / 2).backward()
        local = [None] * SIZE  # no communication yet: each rank holds its own gradient
        dist.all_gather_object(local, model.module[0].weight.grad.numpy().copy())
        assert not np.array_equal(local[0], local[1]), "no_sync() averaged the gradients"
        (F.cross_entropy(model(xs[half:]), ys[half:]) / 2).backward()
        opt.step()
    compare(f"no_sync accumulation (gradient_as_bucket_view={as_view}, comm thread "
            f"{comm_thread})", model, reference)

# 3. a DistributedSampler epoch: every sample exactly once, training as one process would
n = 48
rng = np.random.default_rng(5)
X = rng.standard_normal((n, 10)).astype(np.float32)
Y = rng.integers(0, 3, n).astype(np.int64)
dataset = TensorDataset(ember.from_numpy(X), ember.from_numpy(Y))
sampler = DistributedSampler(dataset, shuffle=True, seed=3)
sampler.set_epoch(2)
per_rank = 2
loader = DataLoader(dataset, batch_size=per_rank, sampler=sampler)
mine = list(sampler)
everyone = [None] * SIZE
dist.all_gather_object(everyone, mine)
assert sorted(sum(everyone, [])) == list(range(n)), everyone
steps = [np.concatenate([everyone[r][k * per_rank:(k + 1) * per_rank] for r in range(SIZE)])
         for k in range(len(mine) // per_rank)]
reference = train_reference("mlp", "sgd", [(X[i], Y[i]) for i in steps])
model = DDP(build("mlp", 0))
opt = optimizer("sgd", model.parameters())
for x, y in loader:
    opt.zero_grad()
    F.cross_entropy(model(x), y).backward()
    opt.step()
compare("DistributedSampler epoch", model, reference)


# 4. find_unused_parameters: a head used by some ranks on some steps only
class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(10, 8)
        self.a = nn.Linear(8, 3)
        self.b = nn.Linear(8, 3)

    def forward(self, x, use_b):
        h = F.relu(self.body(x))
        return self.a(h) + self.b(h) if use_b else self.a(h)


def uses_b(step, rank):
    return step % 3 == 0 and rank == 0 or step % 3 == 1  # step % 3 == 2: nobody


data = batches("mlp", 6)
ember.manual_seed(0)
reference = TwoHeads()
opt = optimizer("sgd", reference.parameters())
for step, (x, y) in enumerate(data):
    opt.zero_grad()
    loss = sum(F.cross_entropy(reference(ember.from_numpy(x[r * SHARD:(r + 1) * SHARD]),
                                         uses_b(step, r)),
                               ember.from_numpy(y[r * SHARD:(r + 1) * SHARD])) for r in range(SIZE))
    (loss / SIZE).backward()
    opt.step()
ember.manual_seed(0)
model = DDP(TwoHeads(), find_unused_parameters=True)
opt = optimizer("sgd", model.parameters())
for step, (x, y) in enumerate(data):
    opt.zero_grad()
    F.cross_entropy(model(shard(x), uses_b(step, RANK)), shard(y)).backward()
    if step % 3 == 2:  # unused everywhere: .grad left as it was (None), as PyTorch
        assert model.module.b.weight.grad is None
    opt.step()
compare("find_unused_parameters", model, reference)

# without it, an unused parameter stops the next iteration with PyTorch's error
ember.manual_seed(0)
model = DDP(TwoHeads())
F.cross_entropy(model(shard(data[0][0]), False), shard(data[0][1])).backward()
try:
    model(shard(data[0][0]), False)
except RuntimeError as exc:
    assert "Expected to have finished reduction" in str(exc) and "b.weight" in str(exc), exc
else:
    raise AssertionError("an unused parameter went unnoticed")

# 5. broadcast_buffers: rank 0's running statistics reach every rank before each forward
bn = nn.BatchNorm1d(4)
model = DDP(nn.Sequential(nn.Linear(3, 4), bn))
bn.running_mean.fill_(float(RANK))
model.eval()
with ember.no_grad():
    model(ember.ones(2, 3))
assert np.all(bn.running_mean.numpy() == 0.0), bn.running_mean
model = DDP(nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)), broadcast_buffers=False)
model.module[1].running_mean.fill_(float(RANK))
model.eval()
model(ember.ones(2, 3))
assert np.all(model.module[1].running_mean.numpy() == RANK), "buffers were synced"

dist.destroy_process_group()
print(f"rank {RANK}: ddp ok")

"""DistributedDataParallel throughput: 1 and 2 ranks x 1 BLAS thread, and how much of the
gradient all-reduce backward hides.

Workloads (as bench/mlp.py and bench/cnn_small.py, ember only):
- mlp_wide: MLP 784-1024-1024-10, batch 256 per rank, Adam (1.86 M parameters, 7.5 MB of
  gradients per step, 2 buckets with DDP's defaults).
- cnn_small: Conv-BN-ReLU-Pool x2 + Linear(1568, 10), batch 64 per rank, SGD momentum.

The batch per rank is fixed (as DDP is used: more ranks, more samples per step), so the
figure is samples/s over all ranks; ideal scaling of 2 ranks is 2.0x. Overlap, in the 2-rank
job: the all-reduce cost is the gradient buckets all-reduced alone (nothing else running);
the exposed part is the time the reducer still waits for them once backward has finished;
hidden = 1 - exposed / cost (below 0 when a rank also waits for a slower peer, as on a
shared machine). The 2-rank no_sync() step shows what scaling the machine itself allows
(two busy processes on 2 cores shared with other jobs may not get a core each). The DDP
overhead (step minus the same step under ``no_sync()``) also counts copying gradients into
and out of the buckets and the ranks waiting for each other. ``--no-comm-thread``
measures the reducer without its communication thread (non-blocking all-reduces that
progress only when the main thread calls MPI).

Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/ddp.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "src")
sys.path.insert(0, SRC)

import numpy as np  # noqa: E402

import ember  # noqa: E402
import ember.distributed as dist  # noqa: E402
from ember.distributed import run as launcher  # noqa: E402
from ember.nn.parallel import DistributedDataParallel as DDP  # noqa: E402

WORKLOADS = {"mlp_wide": (256, 12), "cnn_small": (64, 20)}  # batch per rank, timed steps


def make(name: str):
    nn = ember.nn
    ember.manual_seed(0)
    if name == "mlp_wide":
        model = nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                              nn.Linear(1024, 10))
        return model, (784,), lambda p: ember.optim.Adam(p, lr=1e-3)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(1568, 10))
    return model, (1, 28, 28), lambda p: ember.optim.SGD(p, lr=0.01, momentum=0.9)


def worker(name: str, progress: bool) -> None:
    dist.init_process_group("mpi")
    rank, size = dist.get_rank(), dist.get_world_size()
    batch, steps = WORKLOADS[name]
    model, shape, make_opt = make(name)
    model = DDP(model)
    if not progress:
        model.reducer._comm_thread = None
    opt = make_opt(model.parameters())
    rng = np.random.default_rng(rank)
    x = ember.from_numpy(rng.standard_normal((batch,) + shape).astype(np.float32))
    y = ember.from_numpy(rng.integers(0, 10, batch).astype(np.int64))
    loss_fn = ember.nn.functional.cross_entropy

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    def timed(fn, n) -> float:
        """Seconds per step: the slowest rank's time for n steps, after a barrier."""
        dist.barrier()
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = ember.tensor([time.perf_counter() - start], dtype=ember.float64)
        dist.all_reduce(elapsed, op=dist.ReduceOp.MAX)
        return elapsed.item() / n

    def local_step():
        with model.no_sync():
            step()

    for _ in range(3):
        step()
    synced, local, comm, waits = [], [], [], []
    for _ in range(3):  # interleaved, best of each: the machine is shared
        before = model.reducer.wait_seconds
        synced.append(timed(step, steps))
        waits.append((model.reducer.wait_seconds - before) / steps)
        local.append(timed(local_step, steps))
        comm.append(allreduce_alone(model))
    best = synced.index(min(synced))
    result = {"ranks": size, "step_s": synced[best], "local_step_s": min(local),
              "allreduce_s": min(comm), "wait_s": waits[best], "batch": batch,
              "grad_mb": sum(b.buffer.nbytes for b in model.reducer._buckets) / 2**20,
              "buckets": len(model.reducer._buckets)}
    if rank == 0:
        print("RESULT " + json.dumps(result), flush=True)
    dist.destroy_process_group()


def allreduce_alone(model) -> float:
    """Seconds to all-reduce the model's gradient buckets with nothing else running."""
    reducer = model.reducer
    comm, MPI = reducer._comm, reducer._group._MPI  # noqa: N806
    best = float("inf")
    for _ in range(5):
        dist.barrier()
        start = time.perf_counter()
        for b in reducer._buckets:  # as the communication thread runs them
            comm.Allreduce(MPI.IN_PLACE, b.buffer, MPI.SUM)
        best = min(best, time.perf_counter() - start)
    return best


def launch(name: str, ranks: int, progress: bool) -> dict:
    env = launcher.mpi_environment()
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               OMPI_MCA_btl="self,vader", PYTHONPATH=SRC + os.pathsep + env.get("PYTHONPATH", ""))
    cmd = [launcher.find_mpirun(), "-n", str(ranks), "--bind-to", "none", sys.executable,
           os.path.abspath(__file__), "--worker", name]
    if not progress:
        cmd.append("--no-comm-thread")
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"{name} on {ranks} ranks failed:\n{out.stdout}\n{out.stderr}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", default=None)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workloads", nargs="*", default=list(WORKLOADS))
    parser.add_argument("--no-comm-thread", action="store_true")
    args = parser.parse_args()
    progress = not args.no_comm_thread
    if args.worker:
        worker(args.worker, progress)
        return
    print(f"ember DDP over MPI, 1 BLAS thread per rank, {os.cpu_count()} cores; best of "
          f"{args.rounds} alternating rounds; communication thread {'on' if progress else 'off'}")
    for name in args.workloads:
        runs = {1: [], 2: []}
        for _ in range(args.rounds):
            for ranks in (1, 2):
                runs[ranks].append(launch(name, ranks, progress))
        one = min(runs[1], key=lambda r: r["step_s"])
        two = min(runs[2], key=lambda r: r["step_s"])
        rate1 = one["batch"] / one["step_s"]
        rate2 = 2 * two["batch"] / two["step_s"]
        overhead = two["step_s"] - two["local_step_s"]
        hidden = [1 - r["wait_s"] / r["allreduce_s"] for r in runs[2]]
        print(f"{name}: batch {one['batch']}/rank, {one['grad_mb']:.1f} MB of gradients in "
              f"{one['buckets']} bucket(s)")
        print(f"  1 rank : {one['step_s'] * 1e3:7.1f} ms/step  {rate1:8.0f} samples/s")
        print(f"  2 ranks: {two['step_s'] * 1e3:7.1f} ms/step  {rate2:8.0f} samples/s  "
              f"speed-up {rate2 / rate1:.2f}x (target >= 1.8x on mlp_wide)")
        ceiling = 2 * two["batch"] / two["local_step_s"] / rate1
        print(f"  2 ranks under no_sync() (no communication: what the machine allows): "
              f"{two['local_step_s'] * 1e3:.1f} ms/step, {ceiling:.2f}x")
        print(f"  2 ranks: all-reduce alone {two['allreduce_s'] * 1e3:.2f} ms, still waited for "
              f"after backward {two['wait_s'] * 1e3:.2f} ms -> hidden "
              f"{100 * (1 - two['wait_s'] / two['allreduce_s']):.0f}% (rounds: "
              f"{', '.join(f'{100 * h:.0f}%' for h in hidden)}); DDP overhead over no_sync "
              f"{overhead * 1e3:.1f} ms/step", flush=True)


if __name__ == "__main__":
    main()

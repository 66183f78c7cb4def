"""Data-parallel training on scikit-learn's digits: one process per rank, gradients averaged.

    mpirun -n 2 python examples/ddp_digits.py --epochs 5
    python -m ember.distributed.run --nproc-per-node 2 examples/ddp_digits.py --epochs 5

The same script as a single-process one plus four lines: init_process_group, a
DistributedSampler so each rank trains on its own shard (reshuffled by set_epoch), the model
wrapped in DistributedDataParallel (SyncBatchNorm for batch statistics over all ranks), and
printing on rank 0 only. Run as a plain script it is a one-process job.
"""

from __future__ import annotations

import argparse

from _digits import accuracy, digits

import ember
import ember.distributed as dist
from ember import nn
from ember.nn.parallel import DistributedDataParallel as DDP
from ember.utils.data import DataLoader, DistributedSampler, TensorDataset


def main(argv=None) -> float:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64, help="global batch size")
    args = parser.parse_args(argv)
    dist.init_process_group(backend="mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    ember.manual_seed(0)
    x_tr, y_tr, x_te, y_te = digits(flat=True)
    train = TensorDataset(x_tr, y_tr)
    sampler = DistributedSampler(train, shuffle=True, seed=0)
    loader = DataLoader(train, batch_size=args.batch_size // world, sampler=sampler)
    model = nn.Sequential(nn.Linear(64, 128), nn.BatchNorm1d(128), nn.ReLU(),
                          nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    model = DDP(nn.SyncBatchNorm.convert_sync_batchnorm(model))
    opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    acc = 0.0
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        acc = accuracy(model.module, x_te, y_te)
        if rank == 0:
            print(f"epoch {epoch + 1}: loss {loss.item():.4f}, test accuracy {100 * acc:.1f}% "
                  f"({world} ranks)", flush=True)
    dist.destroy_process_group()
    return acc


if __name__ == "__main__":
    main()

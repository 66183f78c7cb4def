"""DistributedDataParallel: N ranks on B/N samples reproduce one process on the batch B.

The work happens in tests/distributed/workers/ddp.py (launched under mpirun): SGD-momentum
and Adam for 20 steps, SyncBatchNorm, no_sync() accumulation, a DistributedSampler epoch,
find_unused_parameters, gradient_as_bucket_view, broadcast_buffers. In-process tests check
what needs no second rank.
"""

import pytest

import ember
import ember.nn as nn
from ember.nn.parallel import DistributedDataParallel
from ember.nn.parallel._reducer import assign_buckets
from mpi_launch import run_worker


@pytest.mark.parametrize("ranks", [2, pytest.param(4, marks=pytest.mark.slow)])
def test_ranks_on_shards_reproduce_one_process_on_the_global_batch(ranks):
    result = run_worker("ddp", ranks, timeout=180)
    assert result.stdout.count("ddp ok") == ranks


def test_needs_an_initialised_process_group():
    with pytest.raises(ValueError, match="init_process_group"):
        DistributedDataParallel(nn.Linear(2, 2))


def test_buckets_follow_backward_order_with_a_small_first_bucket():
    params = [nn.Parameter(ember.zeros(n)) for n in (300_000, 10, 300_000, 10)]
    # reversed registration order, as DDP passes them: first bucket closes at 1 MiB
    order = list(reversed(params))
    buckets = assign_buckets(order, cap_bytes=2 * 1024 * 1024, first_bytes=1024 * 1024)
    assert [len(b) for b in buckets] == [2, 2]
    assert buckets[0][0] is params[3]
    half = [nn.Parameter(ember.zeros(4, dtype=ember.float64)), nn.Parameter(ember.zeros(4))]
    assert len(assign_buckets(half, cap_bytes=1 << 20)) == 2  # one dtype per bucket

"""DistributedSampler: index for index PyTorch's, including its shuffle."""

import pytest
import torch
from torch.utils.data import DistributedSampler as TorchSampler

import ember
from ember.utils.data import DataLoader, DistributedSampler, TensorDataset
from ember.utils.data.distributed import torch_randperm


@pytest.mark.parametrize("n", [0, 1, 5, 11, 64, 101])
@pytest.mark.parametrize("replicas", [1, 2, 3, 4, 8])
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("drop_last", [False, True])
def test_same_indices_as_pytorch(n, replicas, shuffle, drop_last):
    for epoch in (0, 3):
        for rank in range(replicas):
            theirs = TorchSampler(range(n), replicas, rank, shuffle=shuffle, seed=7,
                                  drop_last=drop_last)
            ours = DistributedSampler(range(n), replicas, rank, shuffle=shuffle, seed=7,
                                      drop_last=drop_last)
            theirs.set_epoch(epoch)
            ours.set_epoch(epoch)
            assert list(ours) == list(theirs)
            assert len(ours) == len(theirs) == len(list(ours))
            assert (ours.num_samples, ours.total_size) == (theirs.num_samples, theirs.total_size)


@pytest.mark.parametrize("seed", [0, 1, 12345, 2**32 + 5, 2**63 - 1])
def test_permutation_is_torch_randperm(seed):
    for n in (2, 17, 1000):
        expected = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
        assert torch_randperm(n, seed).tolist() == expected


def test_an_epoch_of_all_ranks_covers_the_dataset_once():
    for replicas in (2, 3, 4):
        shards = []
        for rank in range(replicas):
            s = DistributedSampler(range(12), replicas, rank, seed=1)
            s.set_epoch(5)
            shards += list(s)
        assert sorted(shards) == list(range(12))


def test_epochs_reshuffle_and_the_dataloader_follows_the_sampler():
    data = TensorDataset(ember.arange(10))
    sampler = DistributedSampler(data, num_replicas=2, rank=1)
    first = list(sampler)
    sampler.set_epoch(1)
    second = list(sampler)
    assert first != second and sorted(first + list(DistributedSampler(data, 2, 0))) == \
        list(range(10))
    batches = [b[0].tolist() for b in DataLoader(data, batch_size=2, sampler=sampler)]
    assert sum(batches, []) == second


def test_bad_rank_and_missing_group():
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval .0, 1.$"):
        DistributedSampler(range(4), num_replicas=2, rank=2)
    with pytest.raises(ValueError, match="init_process_group"):
        DistributedSampler(range(4))

"""SyncBatchNorm: a BatchNorm in one process; global-batch statistics across ranks."""

import numpy as np
import pytest
import torch

import ember
import ember.nn as nn
from mpi_launch import run_worker


@pytest.mark.parametrize("ranks", [2, pytest.param(4, marks=pytest.mark.slow)])
def test_shards_normalise_with_the_global_batch_statistics(ranks):
    assert run_worker("sync_batchnorm", ranks).stdout.count("sync_batchnorm ok") == ranks


def test_without_a_process_group_it_is_batchnorm_as_in_pytorch():
    x = np.random.default_rng(0).standard_normal((6, 3, 4, 4)).astype(np.float32)
    ours, theirs = nn.SyncBatchNorm(3), torch.nn.SyncBatchNorm(3)
    # PyTorch's SyncBatchNorm needs a process group in training; compare with its BatchNorm
    reference = torch.nn.BatchNorm2d(3)
    xe = ember.from_numpy(x.copy()).requires_grad_()
    xt = torch.from_numpy(x.copy()).requires_grad_()
    ours(xe).square().sum().backward()
    reference(xt).square().sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), atol=1e-5)
    np.testing.assert_allclose(ours.running_var.numpy(), reference.running_var.numpy(),
                               rtol=1e-6)
    ours.eval()
    theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy())
                            for k, v in ours.state_dict().items()})
    theirs.eval()
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(ember.from_numpy(x)).detach().numpy(), expected, atol=1e-6)
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_convert_sync_batchnorm_shares_parameters_and_buffers():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2, momentum=0.3),
                          nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)))
    model.eval()
    bn = model[1]
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    assert converted is model
    assert type(model[1]) is nn.SyncBatchNorm and type(model[2][1]) is nn.SyncBatchNorm
    assert model[1].weight is bn.weight and model[1].running_mean is bn.running_mean
    assert model[1].momentum == 0.3 and not model[1].training
    single = nn.SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm1d(4))
    assert type(single) is nn.SyncBatchNorm
    torch_keys = list(torch.nn.SyncBatchNorm.convert_sync_batchnorm(torch.nn.Sequential(
        torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2))).state_dict())
    assert list(nn.Sequential(nn.Conv2d(1, 2, 3), nn.SyncBatchNorm(2)).state_dict()) == \
        torch_keys


def test_input_of_one_dim_is_refused():
    with pytest.raises(ValueError, match="expected at least 2D input"):
        nn.SyncBatchNorm(3)(ember.zeros(3))

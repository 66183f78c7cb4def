"""Every collective against its definition on 2 and 4 ranks, all dtypes, strided tensors."""

import pytest

from mpi_launch import run_worker


@pytest.mark.parametrize("ranks", [2, pytest.param(4, marks=pytest.mark.slow)])
def test_every_collective_matches_its_definition(ranks):
    result = run_worker("collectives", ranks)
    assert result.stdout.count("collectives ok") == ranks

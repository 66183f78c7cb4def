"""all_gather_object, gather_object, broadcast_object_list, scatter_object_list on 3 ranks."""

from mpi_launch import run_worker


def test_objects_of_every_size_reach_every_rank():
    assert run_worker("objects", 3).stdout.count("objects ok") == 3

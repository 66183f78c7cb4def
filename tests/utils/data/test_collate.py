"""default_collate / default_convert: same structures and dtypes as torch's."""

from __future__ import annotations

from collections import OrderedDict, namedtuple

import numpy as np
import pytest

import ember
from ember.utils.data import default_collate, default_convert

from ._compare import describe

torch = pytest.importorskip("torch")
from torch.utils.data import default_collate as torch_collate  # noqa: E402
from torch.utils.data import default_convert as torch_convert  # noqa: E402

Point = namedtuple("Point", ["x", "y"])


def _tensors(lib, arrays):
    return [lib.tensor(a) for a in arrays]


BATCHES = {
    "python floats": lambda lib: [1.5, 2.0, -3.25],
    "python ints": lambda lib: [1, 2, 3],
    "bools": lambda lib: [True, False],
    "strings": lambda lib: ["a", "bc"],
    "numpy float32 scalars": lambda lib: [np.float32(1), np.float32(2)],
    "numpy float64 scalars": lambda lib: [np.float64(1), np.float64(2)],
    "numpy int32 scalars": lambda lib: [np.int32(1), np.int32(5)],
    "numpy arrays": lambda lib: [np.ones((2, 3), np.float32), np.zeros((2, 3), np.float32)],
    "numpy int arrays": lambda lib: [np.arange(3), np.arange(3, 6)],
    "tensors": lambda lib: _tensors(lib, [np.full((2,), i, np.float32) for i in range(4)]),
    "tuples": lambda lib: [(np.float32(i), i, "s") for i in range(3)],
    "lists": lambda lib: [[i, float(i)] for i in range(3)],
    "dicts": lambda lib: [{"x": np.ones(2) * i, "label": i, "name": str(i)} for i in range(3)],
    "ordered dicts": lambda lib: [OrderedDict(b=i, a=float(i)) for i in range(2)],
    "namedtuples": lambda lib: [Point(i, np.ones(2, np.float32)) for i in range(3)],
    "nested": lambda lib: [{"pair": (lib.tensor([float(i)]), [i, i + 1])} for i in range(2)],
    "tensor samples": lambda lib: [(lib.tensor([1.0, 2.0]), lib.tensor(3)) for _ in range(2)],
}


@pytest.mark.parametrize("name", list(BATCHES))
def test_default_collate_matches_torch(name):
    assert describe(default_collate(BATCHES[name](ember))) == describe(
        torch_collate(BATCHES[name](torch)))


@pytest.mark.parametrize("batch", [[object()], [np.array(["a", "b"])], [{1, 2}]],
                         ids=["object", "str-array", "set"])
def test_default_collate_rejects_like_torch(batch):
    with pytest.raises(TypeError) as e_ember:
        default_collate(batch)
    with pytest.raises(TypeError) as e_torch:
        torch_collate(batch)
    assert str(e_ember.value) == str(e_torch.value)


def test_default_collate_unequal_lengths_raise_runtime_error():
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal"):
        default_collate([[1, 2], [3]])


def test_default_collate_unequal_shapes_raise_runtime_error():
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        default_collate([ember.zeros(2), ember.zeros(3)])


def test_default_collate_keeps_graph_of_tensors_requiring_grad():
    a = ember.ones(2, requires_grad=True)
    out = default_collate([a, a * 2])
    out.sum().backward()
    assert a.grad.tolist() == [3.0, 3.0]


@pytest.mark.parametrize("data", [
    np.arange(3.0), np.float64(2.5), 3.0, "s", [np.ones(2), 1], (np.int32(4), "x"),
    {"a": np.zeros(2, np.float32), "b": [1, 2]}, Point(np.ones(1), 2),
], ids=str)
def test_default_convert_matches_torch(data):
    assert describe(default_convert(data)) == describe(torch_convert(data))

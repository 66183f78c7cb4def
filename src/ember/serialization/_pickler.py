"""The pickler that writes ember objects the way PyTorch pickles its own.

A Tensor is pickled as a call to ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
requires_grad, OrderedDict())`` whose storage is a persistent id
``("storage", torch.FloatStorage, key, "cpu", numel)``; its bytes go to a separate record
(``data/<key>``). A Parameter wraps that in ``torch._utils._rebuild_parameter``; ember dtypes,
``Size`` and ``device`` become ``torch.float32``, ``torch.Size``, ``torch.device``. Real
``torch.load`` (weights-only) therefore reads what ember writes.

Tensors whose NumPy arrays view one buffer are saved as views of one storage (as PyTorch
does), so they load sharing memory again. A storage is the span of the buffer the tensors
occupy. A view PyTorch cannot express (negative strides, a second dtype over the same bytes)
is saved as its own copy, which keeps its values but not the aliasing.

The module-level globals (``torch._utils...``) cannot be pickled by the C pickler, which insists
on importing them, so this subclasses the pure-Python pickler and writes those GLOBAL opcodes
itself.
"""

from __future__ import annotations

import pickle
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from .. import _dtype
from ..nn.parameter import Parameter
from ..tensor import Size, Tensor, device
from . import _dtypes
from ._rebuild import MissingDtype

try:
    from numpy.lib.array_utils import byte_bounds as _byte_bounds
except ImportError:  # NumPy < 2
    _byte_bounds = np.byte_bounds


@dataclass(frozen=True)
class TorchGlobal:
    """A PyTorch global written by name (the object need not exist here)."""

    module: str
    name: str

    def __call__(self, *args):  # pickle wants a callable in a reduce tuple; never called
        raise TypeError(f"{self.module}.{self.name} is a name written into pickles only")


REBUILD_V2 = TorchGlobal("torch._utils", "_rebuild_tensor_v2")
REBUILD_V3 = TorchGlobal("torch._utils", "_rebuild_tensor_v3")
REBUILD_PARAMETER = TorchGlobal("torch._utils", "_rebuild_parameter")
REBUILD_FROM_TYPE = TorchGlobal("torch._tensor", "_rebuild_from_type_v2")
TORCH_SIZE = TorchGlobal("torch", "Size")
TORCH_DEVICE = TorchGlobal("torch", "device")


class StorageRef:
    """A storage to be written as record ``data/<key>``; pickled as a persistent id."""

    def __init__(self, key: str, info: _dtypes.DtypeInfo, array: np.ndarray) -> None:
        self.key = key
        self.info = info
        self.array = array  # 1-D, the storage's elements


class StorageTable:
    """Assigns every tensor's array to a storage: (storage, offset, strides) in elements."""

    def __init__(self) -> None:
        self.storages: list[StorageRef] = []
        self._by_root: dict[int, tuple[object, StorageRef, int]] = {}  # id -> (root, ref, lo)

    def _new(self, info: _dtypes.DtypeInfo, flat: np.ndarray) -> StorageRef:
        ref = StorageRef(str(len(self.storages)), info, flat)
        self.storages.append(ref)
        return ref

    def locate(self, arr: np.ndarray) -> tuple[StorageRef, int, tuple[int, ...]]:
        info = _dtypes.for_array(arr)
        if arr.size == 0 or not arr.dtype.isnative:
            return self._copy(arr, info)
        root = arr
        while isinstance(root.base, np.ndarray):
            root = root.base
        hit = self._by_root.get(id(root))
        if hit is None:
            hit = self._storage_for_root(root, info)
            if hit is None:
                return self._copy(arr, info)
        _, ref, lo = hit
        itemsize = arr.itemsize
        address = arr.__array_interface__["data"][0]
        if (ref.info != info or (address - lo) % itemsize
                or any(s < 0 or s % itemsize for n, s in zip(arr.shape, arr.strides) if n > 1)):
            return self._copy(arr, info)
        return ref, (address - lo) // itemsize, _strides(arr)

    def _storage_for_root(self, root: np.ndarray, info):
        if root.size == 0 or root.dtype.newbyteorder("=") != info.numpy:
            return None
        lo, hi = _byte_bounds(root)
        itemsize = root.itemsize
        if (hi - lo) % itemsize or any(s % itemsize for s in root.strides):
            return None
        # a 1-D view of the whole span, starting at the element with the lowest address
        first = tuple(n - 1 if s < 0 else 0 for n, s in zip(root.shape, root.strides))
        start = root[tuple(slice(i, i + 1) for i in first)].reshape(-1)
        flat = np.lib.stride_tricks.as_strided(start, shape=((hi - lo) // itemsize,),
                                               strides=(itemsize,), writeable=False)
        hit = (root, self._new(info, flat), lo)
        self._by_root[id(root)] = hit
        return hit

    def _copy(self, arr: np.ndarray, info) -> tuple[StorageRef, int, tuple[int, ...]]:
        flat = np.ascontiguousarray(arr, dtype=info.numpy).reshape(-1)
        return self._new(info, flat), 0, _contiguous_strides(arr.shape)


def _contiguous_strides(shape) -> tuple[int, ...]:
    strides = []
    step = 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


def _strides(arr: np.ndarray) -> tuple[int, ...]:
    """Element strides; size-1 dims get the contiguous stride (their stride is arbitrary)."""
    contiguous = _contiguous_strides(arr.shape)
    return tuple(s // arr.itemsize if n > 1 else c
                 for n, s, c in zip(arr.shape, arr.strides, contiguous))


class _DetachedData:
    """A Parameter's data, pickled as a plain tensor that does not require grad."""

    def __init__(self, tensor: Tensor) -> None:
        self.tensor = tensor


class TorchPickler(pickle._Pickler):
    """Pickles ``obj`` with tensors as PyTorch storages + rebuild calls.

    Args:
        file: where the pickle goes.
        protocol: the pickle protocol (PyTorch writes 2).
        table: collects the storages to write after the pickle.
        legacy: write the 6-field persistent ids of PyTorch's pre-1.6 format.
    """

    def __init__(self, file, protocol: int, table: StorageTable, legacy: bool = False) -> None:
        super().__init__(file, protocol)
        self.table = table
        self.legacy = legacy

    def persistent_id(self, obj):
        if isinstance(obj, StorageRef):
            storage_type = TorchGlobal("torch", obj.info.storage or "UntypedStorage")
            numel = obj.array.size if obj.info.storage else obj.array.nbytes
            pid = ("storage", storage_type, obj.key, "cpu", numel)
            return pid + (None,) if self.legacy else pid
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        if isinstance(obj, _DetachedData):
            return self._rebuild_args(obj.tensor, False)
        if isinstance(obj, (TorchGlobal, _dtype.dtype, MissingDtype)):
            return "global"  # a string: pickle calls save_global, below
        if type(obj) is Size:
            return (TORCH_SIZE, (tuple(obj),))
        if isinstance(obj, device):
            return (TORCH_DEVICE, (str(obj),))
        return NotImplemented

    def save_global(self, obj, name=None):
        if isinstance(obj, TorchGlobal):
            ref = (obj.module, obj.name)
        elif isinstance(obj, _dtype.dtype):
            ref = ("torch", obj.name)
        elif isinstance(obj, MissingDtype):
            ref = ("torch", obj.info.torch_name)
        else:
            return super().save_global(obj, name)
        self.write(pickle.GLOBAL + f"{ref[0]}\n{ref[1]}\n".encode("ascii"))
        self.memoize(obj)

    def _rebuild_args(self, tensor: Tensor, requires_grad: bool):
        ref, offset, strides = self.table.locate(tensor._data)
        size = tuple(tensor._data.shape)
        if ref.info.storage is None:  # dtypes PyTorch keeps in untyped storages
            dtype = _dtypes.ember_dtype_of(ref.info)
            return (REBUILD_V3, (ref, offset, size, strides, requires_grad, OrderedDict(), dtype))
        return (REBUILD_V2, (ref, offset, size, strides, requires_grad, OrderedDict()))

    def _reduce_tensor(self, tensor: Tensor):
        requires_grad = bool(tensor._requires_grad)
        if type(tensor) is Parameter:
            return (REBUILD_PARAMETER, (_DetachedData(tensor), requires_grad, OrderedDict()))
        rebuild = self._rebuild_args(tensor, requires_grad)
        cls = type(tensor)
        if cls is Tensor or cls.__module__.split(".")[0] == "ember":
            return rebuild
        return (REBUILD_FROM_TYPE, (rebuild[0], cls, rebuild[1], None))

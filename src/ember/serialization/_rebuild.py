"""ember's versions of the functions a PyTorch pickle calls to rebuild tensors, and the table
that maps PyTorch's global names (``torch._utils._rebuild_tensor_v2``, ``torch.FloatStorage``,
``torch.float32``...) to them.

A PyTorch checkpoint describes each tensor as a view (offset, size, stride) into a storage (a
flat buffer saved as one archive record). Rebuilding here makes NumPy views of one flat array
per storage, so tensors that shared memory when saved share it again when loaded. Every
argument comes from the file, so each is type-checked and every view is bounds-checked
against its storage before ``as_strided`` is called (an unchecked view would read arbitrary
memory).
"""

from __future__ import annotations

import _codecs
import math
from collections import Counter, OrderedDict

import numpy as np

from .. import _dtype
from ..nn.parameter import Parameter
from ..tensor import Size, Tensor, _from_array, device
from . import _dtypes
from ._errors import FormatError


class StorageType:
    """What a pickled ``torch.FloatStorage`` (or ``torch.UntypedStorage``) loads as."""

    def __init__(self, info: _dtypes.DtypeInfo) -> None:
        self.info = info

    def __repr__(self) -> str:
        return f"<storage type torch.{self.info.storage}>"


class Storage:
    """A loaded storage: one flat NumPy array that tensors view. Passed to a callable
    ``map_location(storage, location)``, as PyTorch passes its storages."""

    def __init__(self, info: _dtypes.DtypeInfo, array: np.ndarray, location: str = "cpu"):
        self.info = info
        self.array = array
        self.location = location

    @property
    def device(self) -> device:
        return device("cpu")

    def cpu(self) -> Storage:
        return self

    def nbytes(self) -> int:
        return self.array.nbytes

    def size(self) -> int:
        return self.array.size

    def __len__(self) -> int:
        return self.array.size

    def __repr__(self) -> str:
        return f"<storage torch.{self.info.storage} of {self.array.size} elements>"


class MissingDtype:
    """A pickled PyTorch dtype that ember does not have (``torch.complex64``...): it loads as
    this marker, and any tensor that needs it is refused with a clear error."""

    def __init__(self, info: _dtypes.DtypeInfo) -> None:
        self.info = info

    def __repr__(self) -> str:
        return f"torch.{self.info.torch_name} (not supported by ember)"

    def __reduce__(self):
        return (_dtype_from_name, (self.info.torch_name,))


def _dtype_from_name(name: str):
    info = _dtypes.BY_TORCH_NAME[name]
    return _dtypes.ember_dtype_of(info) or MissingDtype(info)


# ---------------------------------------------------------------------- argument checks
def _index(value, what: str) -> int:
    if type(value) is not int:
        raise FormatError(f"a tensor's {what} is a {type(value).__name__}, not an int")
    if value < 0:
        raise FormatError(f"a tensor's {what} is negative ({value})")
    return value


def _indices(value, what: str) -> tuple[int, ...]:
    if not isinstance(value, (tuple, list)):
        raise FormatError(f"a tensor's {what} is a {type(value).__name__}, not a tuple")
    return tuple(_index(v, what) for v in value)


def _view(storage, storage_offset, size, stride) -> np.ndarray:
    """The checked NumPy view (offset, size, stride in elements) of ``storage``."""
    if not isinstance(storage, Storage):
        raise FormatError(f"a tensor's storage is a {type(storage).__name__}, not a storage")
    offset = _index(storage_offset, "storage offset")
    size = _indices(size, "size")
    stride = _indices(stride, "stride")
    if len(size) != len(stride):
        raise FormatError(f"a tensor's size {list(size)} and stride {list(stride)} differ in "
                          "length")
    arr = storage.array
    numel = math.prod(size)
    if offset > arr.size:
        raise FormatError(f"a tensor starts at element {offset} of a storage of {arr.size}")
    if numel == 0:
        return arr[offset:offset].reshape(size)
    if numel * arr.itemsize >= 1 << 62:
        raise FormatError(f"a tensor of size {list(size)} is over-large")
    last = offset + sum((n - 1) * s for n, s in zip(size, stride))
    if last >= arr.size:
        raise FormatError(f"a tensor (offset {offset}, size {list(size)}, stride {list(stride)}) "
                          f"reaches past the end of its storage of {arr.size} elements")
    return np.lib.stride_tricks.as_strided(arr[offset:], shape=size,
                                           strides=[s * arr.itemsize for s in stride])


def _tensor(view: np.ndarray, requires_grad) -> Tensor:
    if type(requires_grad) is not bool:
        raise FormatError(f"a tensor's requires_grad is a {type(requires_grad).__name__}")
    t = _from_array(view)
    if requires_grad:
        if view.dtype.kind not in "fc":
            raise FormatError(f"a tensor of dtype {view.dtype} cannot require grad")
        t.requires_grad_(True)
    return t


def _check_metadata(metadata) -> None:
    if metadata:  # PyTorch stores conj/neg bits here; ember has neither
        raise FormatError(f"tensor metadata {sorted(map(str, metadata))} is not supported")


def _set_public_state(obj, state) -> None:
    """Python attributes PyTorch saved with a tensor (``_get_obj_state``): new public ones
    only, never one of Tensor's own (``data``, ``grad``...)."""
    if state is None:
        return
    if isinstance(state, tuple) and len(state) == 2:
        merged = {}
        for part in state:
            if part is not None and not isinstance(part, dict):
                raise FormatError("a tensor's state is not a dict")
            merged.update(part or {})
        state = merged
    if not isinstance(state, dict):
        raise FormatError("a tensor's state is not a dict")
    for key, value in state.items():
        if not isinstance(key, str) or key.startswith("_") or hasattr(type(obj), key):
            raise FormatError(f"a tensor's state sets the attribute {key!r}, which is refused")
        setattr(obj, key, value)


# ---------------------------------------------------------------------- torch._utils
def rebuild_tensor(storage, storage_offset, size, stride) -> Tensor:
    return _tensor(_view(storage, storage_offset, size, stride), False)


def rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                      metadata=None) -> Tensor:
    _check_metadata(metadata)
    return _tensor(_view(storage, storage_offset, size, stride), requires_grad)


def rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                      dtype, metadata=None) -> Tensor:
    """PyTorch's rebuild for dtypes without a typed storage (uint16...): bytes plus a dtype."""
    _check_metadata(metadata)
    if not isinstance(storage, Storage):
        raise FormatError(f"a tensor's storage is a {type(storage).__name__}, not a storage")
    if isinstance(dtype, MissingDtype):
        _dtypes.ember_numpy_dtype(dtype.info, "a tensor")
    if not isinstance(dtype, _dtype.dtype):
        raise FormatError(f"a tensor's dtype is a {type(dtype).__name__}")
    raw = storage.array
    if raw.nbytes % dtype.itemsize:
        raise FormatError(f"a storage of {raw.nbytes} bytes does not hold whole {dtype.name}s")
    typed = Storage(storage.info, raw.reshape(-1).view(np.uint8).view(dtype.np), storage.location)
    return _tensor(_view(typed, storage_offset, size, stride), requires_grad)


def rebuild_parameter(data, requires_grad, backward_hooks) -> Parameter:
    if not isinstance(data, Tensor):
        raise FormatError(f"a parameter's data is a {type(data).__name__}, not a tensor")
    if type(requires_grad) is not bool:
        raise FormatError("a parameter's requires_grad is not a bool")
    if requires_grad and not data.dtype.is_floating_point:
        raise FormatError(f"a parameter of dtype {data.dtype} cannot require grad")
    return Parameter(data, requires_grad)


def rebuild_parameter_with_state(data, requires_grad, backward_hooks, state) -> Parameter:
    param = rebuild_parameter(data, requires_grad, backward_hooks)
    _set_public_state(param, state)
    return param


_REBUILDERS = (rebuild_tensor, rebuild_tensor_v2, rebuild_tensor_v3)


def rebuild_from_type_v2(func, new_type, args, state) -> Tensor:
    """A tensor subclass (or a tensor with Python attributes): rebuild, convert, set state."""
    if func not in _REBUILDERS:
        raise FormatError("_rebuild_from_type_v2 names an unknown rebuild function")
    if not isinstance(args, tuple):
        raise FormatError("_rebuild_from_type_v2 arguments are not a tuple")
    tensor = func(*args)
    if new_type is Parameter:
        tensor = Parameter(tensor, tensor.requires_grad)
    elif new_type is not Tensor:
        if not (isinstance(new_type, type) and issubclass(new_type, Tensor)):
            raise FormatError("_rebuild_from_type_v2 names a type that is not a tensor class")
        sub = Tensor.__new__(new_type)
        sub._data, sub._requires_grad, sub._grad_fn = tensor._data, tensor._requires_grad, None
        tensor = sub
    _set_public_state(tensor, state)
    return tensor


# ---------------------------------------------------------------------- guarded builtins
def _encode(text, encoding="utf-8", errors="strict"):
    """``_codecs.encode``, which protocol-2 pickles use for bytes: text codecs only."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1", "utf-8", "utf8",
                                                      "ascii"):
        raise FormatError(f"_codecs.encode with {type(text).__name__} and {encoding!r} refused")
    return _codecs.encode(text, encoding, errors)


def _bytearray(*args):
    """``bytearray`` from bytes only (``bytearray(10**12)`` would allocate a terabyte)."""
    if len(args) > 1 or args and not isinstance(args[0], (bytes, bytearray)):
        raise FormatError("bytearray is only rebuilt from bytes")
    return bytearray(*args)


def _device(spec="cpu", index=None):
    name = str(spec) if index is None else f"{spec}:{index}"
    if name.split(":")[0] != "cpu":
        raise FormatError(f"the checkpoint holds a device object {name!r}; ember runs on the CPU "
                          "only")
    return device("cpu")


def _size(items=()):
    return Size(_indices(items, "Size"))


# ---------------------------------------------------------------------- the name table
def _torch_globals() -> dict[str, object]:
    table: dict[str, object] = {
        "torch._utils._rebuild_tensor": rebuild_tensor,
        "torch._utils._rebuild_tensor_v2": rebuild_tensor_v2,
        "torch._utils._rebuild_tensor_v3": rebuild_tensor_v3,
        "torch._utils._rebuild_parameter": rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": rebuild_parameter_with_state,
        "torch._tensor._rebuild_from_type_v2": rebuild_from_type_v2,
        "torch.Tensor": Tensor,
        "torch._tensor.Tensor": Tensor,
        "torch.nn.parameter.Parameter": Parameter,
        "torch.Size": _size,
        "torch.device": _device,
    }
    for name, info in _dtypes.BY_TORCH_NAME.items():
        table[f"torch.{name}"] = _dtypes.ember_dtype_of(info) or MissingDtype(info)
    for name, info in _dtypes.BY_STORAGE.items():
        table[f"torch.{name}"] = StorageType(info)
        table[f"torch.storage.{name}"] = table[f"torch.{name}"]
    return table


TORCH_GLOBALS = _torch_globals()

# what a weights-only load may name without the user's permission
DEFAULT_SAFE_GLOBALS: dict[str, object] = {
    **TORCH_GLOBALS,
    "collections.OrderedDict": OrderedDict,
    "collections.Counter": Counter,  # MultiStepLR's milestones
    "builtins.set": set,
    "builtins.frozenset": frozenset,
    "builtins.bytearray": _bytearray,
    "builtins.complex": complex,
    "_codecs.encode": _encode,
}

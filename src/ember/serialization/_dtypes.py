"""One table for every dtype a checkpoint can name: PyTorch's dtype and storage-class names,
safetensors' code, and the NumPy dtype that holds the values.

Readers and writers of all formats look dtypes up here, so supporting a new dtype (bfloat16
once ember has it) is a matter of ember's own dtype list, not of this package: a dtype that
NumPy can represent but ember cannot hold is refused at load time with a clear message.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _dtype
from ._errors import FormatError

try:  # ml_dtypes is a runtime dependency once bfloat16 lands; until then optional
    import ml_dtypes as _ml
except ImportError:  # pragma: no cover - depends on the environment
    _ml = None


@dataclass(frozen=True)
class DtypeInfo:
    """A dtype as the formats name it. ``numpy`` is None when NumPy cannot represent it."""

    torch_name: str           # torch.<torch_name>
    storage: str | None       # legacy typed storage class (torch.<storage>); None: v3 only
    safetensors: str | None   # safetensors dtype code
    numpy: np.dtype | None
    itemsize: int


def _np(name: str):
    if name.startswith("ml:"):
        return None if _ml is None else np.dtype(getattr(_ml, name[3:]))
    return np.dtype(name)


_TABLE = [
    # torch name, storage class, safetensors, numpy, itemsize
    ("float64", "DoubleStorage", "F64", "float64", 8),
    ("float32", "FloatStorage", "F32", "float32", 4),
    ("float16", "HalfStorage", "F16", "float16", 2),
    ("bfloat16", "BFloat16Storage", "BF16", "ml:bfloat16", 2),
    ("int64", "LongStorage", "I64", "int64", 8),
    ("int32", "IntStorage", "I32", "int32", 4),
    ("int16", "ShortStorage", "I16", "int16", 2),
    ("int8", "CharStorage", "I8", "int8", 1),
    ("uint8", "ByteStorage", "U8", "uint8", 1),
    ("bool", "BoolStorage", "BOOL", "bool", 1),
    ("complex64", "ComplexFloatStorage", "C64", "complex64", 8),
    ("complex128", "ComplexDoubleStorage", None, "complex128", 16),
    ("uint16", None, "U16", "uint16", 2),
    ("uint32", None, "U32", "uint32", 4),
    ("uint64", None, "U64", "uint64", 8),
    ("float8_e4m3fn", None, "F8_E4M3", "ml:float8_e4m3fn", 1),
    ("float8_e5m2", None, "F8_E5M2", "ml:float8_e5m2", 1),
]
DTYPES = [DtypeInfo(t, s, st, _np(n), size) for t, s, st, n, size in _TABLE]

# the untyped storage (bytes) that PyTorch pickles for the dtypes without a storage class
UNTYPED = DtypeInfo("uint8", "UntypedStorage", None, np.dtype("uint8"), 1)

# torch's aliases, as a pickled ``torch.half`` may name them
_ALIASES = {"half": "float16", "float": "float32", "double": "float64", "long": "int64",
            "int": "int32", "short": "int16", "cfloat": "complex64", "cdouble": "complex128"}

BY_TORCH_NAME = {d.torch_name: d for d in DTYPES}
BY_TORCH_NAME.update({alias: BY_TORCH_NAME[name] for alias, name in _ALIASES.items()})
BY_STORAGE = {d.storage: d for d in DTYPES if d.storage}
BY_STORAGE[UNTYPED.storage] = UNTYPED
BY_SAFETENSORS = {d.safetensors: d for d in DTYPES if d.safetensors}
_BY_NUMPY = {d.numpy: d for d in DTYPES if d.numpy is not None}


def for_array(arr: np.ndarray) -> DtypeInfo:
    """The table entry for an array ember holds (native byte order assumed)."""
    info = _BY_NUMPY.get(arr.dtype.newbyteorder("="))
    if info is None:
        raise TypeError(f"cannot save an array of dtype {arr.dtype}: no PyTorch dtype holds it")
    return info


def ember_numpy_dtype(info: DtypeInfo, what: str) -> np.dtype:
    """The NumPy dtype ember uses for ``info``; FormatError if ember has no such dtype."""
    if info.numpy is not None:
        try:
            return _dtype.from_numpy_dtype(info.numpy).np
        except TypeError:
            pass
    raise FormatError(f"{what} has dtype torch.{info.torch_name}, which this version of ember "
                      "does not support")


def ember_dtype_of(info: DtypeInfo) -> _dtype.dtype | None:
    """ember's dtype object for ``info``, or None when ember lacks it."""
    if info.numpy is None:
        return None
    try:
        return _dtype.from_numpy_dtype(info.numpy)
    except TypeError:
        return None

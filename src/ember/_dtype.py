"""dtypes: thin named wrappers around NumPy dtypes that print and compare like PyTorch's."""

from __future__ import annotations

import ml_dtypes
import numpy as np


class dtype:  # noqa: N801 - PyTorch's name
    """A tensor element type (``ember.float32`` ...), backed by a NumPy dtype."""

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize")

    def __init__(self, name: str, np_dtype) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = is_float_np(self.np)
        self.is_signed = self.is_floating_point or self.np.kind == "i"
        self.itemsize = self.np.itemsize

    def __repr__(self) -> str:
        return f"ember.{self.name}"

    def __reduce__(self):
        return (_by_name, (self.name,))


BFLOAT16_NP = np.dtype(ml_dtypes.bfloat16)


def is_float_np(d: np.dtype) -> bool:
    """Whether a NumPy dtype is floating (ml_dtypes' bfloat16 has kind "V", not "f")."""
    return d.kind == "f" or (d.kind == "V" and d == BFLOAT16_NP)


float16 = dtype("float16", np.float16)
bfloat16 = dtype("bfloat16", BFLOAT16_NP)
float32 = dtype("float32", np.float32)
float64 = dtype("float64", np.float64)
int8 = dtype("int8", np.int8)
int16 = dtype("int16", np.int16)
int32 = dtype("int32", np.int32)
int64 = dtype("int64", np.int64)
uint8 = dtype("uint8", np.uint8)
bool_ = dtype("bool", np.bool_)

half = float16
float = float32  # noqa: A001 - PyTorch's alias
double = float64
short = int16
int = int32  # noqa: A001
long = int64

_ALL = (float16, bfloat16, float32, float64, int8, int16, int32, int64, uint8, bool_)
_FROM_NP = {d.np: d for d in _ALL}
_NAMES = {d.name: d for d in _ALL}

DEFAULT_FLOAT = np.dtype(np.float32)
DEFAULT_INT = np.dtype(np.int64)


_SCALAR_TYPE_NAMES = {
    "float16": "Half", "bfloat16": "BFloat16",
    "float32": "Float", "float64": "Double", "int8": "Char", "int16": "Short",
    "int32": "Int", "int64": "Long", "uint8": "Byte", "bool": "Bool",
}


def scalar_type_name(d: dtype) -> str:
    """PyTorch's name for a dtype in error messages (``Long`` for int64)."""
    return _SCALAR_TYPE_NAMES[d.name]


def _by_name(name: str) -> dtype:
    return _NAMES[name]


def from_numpy_dtype(np_dtype) -> dtype:
    """The ember dtype for a NumPy dtype; TypeError for ones ember does not support."""
    try:
        return _FROM_NP[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(f"ember does not support the NumPy dtype {np.dtype(np_dtype)}") from None


def to_numpy_dtype(d) -> np.dtype:
    """Accept an ember dtype, a NumPy dtype, or a Python type (float/int/bool) like PyTorch does."""
    if isinstance(d, dtype):
        return d.np
    if d is builtins_float:
        return np.dtype(np.float64)  # Python float is double precision (as PyTorch)
    if d is builtins_int:
        return DEFAULT_INT
    if d is builtins_bool:
        return np.dtype(np.bool_)
    return from_numpy_dtype(d).np


import builtins as _builtins  # noqa: E402 - the aliases above shadow float/int/bool

builtins_float = _builtins.float
builtins_int = _builtins.int
builtins_bool = _builtins.bool


class finfo:  # noqa: N801 - PyTorch's name
    """Machine limits of a float dtype: ``finfo(float32).eps`` (default dtype if omitted)."""

    def __init__(self, type: dtype | None = None) -> None:  # noqa: A002
        d = float32 if type is None else type
        if not isinstance(d, dtype) or not d.is_floating_point:
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        info = ml_dtypes.finfo(d.np) if d is bfloat16 else np.finfo(d.np)
        self.dtype = d.name
        self.bits = info.bits
        self.eps = _builtins.float(info.eps)
        self.max = _builtins.float(info.max)
        self.min = _builtins.float(info.min)
        self.tiny = self.smallest_normal = _builtins.float(info.tiny)
        self.resolution = 10.0 ** -_builtins.int(info.precision)

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:  # noqa: N801 - PyTorch's name
    """Limits of an integer dtype: ``iinfo(int64).max``."""

    def __init__(self, type: dtype) -> None:  # noqa: A002
        if not isinstance(type, dtype) or type.np.kind not in "iu":
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo "
                            "to handle 'torch.iinfo'")
        info = np.iinfo(type.np)
        self.dtype = type.name
        self.bits = info.bits
        self.max = _builtins.int(info.max)
        self.min = _builtins.int(info.min)

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"

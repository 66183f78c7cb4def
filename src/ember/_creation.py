"""Tensor creation: tensor, zeros/ones/full/empty, eye, arange, linspace, random tensors."""

from __future__ import annotations

import numpy as np

from . import _dtype
from ._core import Tensor, _check_device, _from_array, _to_array
from ._random import rng
from .ops._util import write_out
from .ops.random import Sampled, bernoulli, multinomial  # noqa: F401 - re-exported


def _finish(arr: np.ndarray, requires_grad: bool, device=None) -> Tensor:
    if device is not None:
        _check_device(device)
    t = _from_array(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _size(size, kw=None) -> tuple:
    if kw:  # zeros(size=(2, 3)): ``size`` can't be a named parameter next to ``*size``
        unknown = set(kw) - {"size", "layout", "pin_memory", "memory_format"}
        if unknown:
            raise TypeError(f"got an unexpected keyword argument {sorted(unknown)[0]!r}")
        if "size" in kw:
            if size:
                raise TypeError("size given both positionally and as a keyword")
            size = (kw["size"],)
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    for s in size:
        if not isinstance(s, (int, np.integer)) and not (isinstance(s, Tensor) and s.ndim == 0):
            raise TypeError(f"size must be a tuple of ints, but got an element of type "
                            f"{type(s).__name__}")
        if int(s) < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {int(s)}: "
                               f"{list(int(x) for x in size)}")
    return tuple(int(s) for s in size)


def _float_dtype(dtype) -> np.dtype:
    return _dtype.DEFAULT_FLOAT if dtype is None else _dtype.to_numpy_dtype(dtype)


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (float32/int64 by default, as PyTorch)."""
    return _finish(_to_array(data, dtype), requires_grad, device)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor`` but shares memory with an ndarray or Tensor of the right dtype."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or
                                         _dtype.to_numpy_dtype(dtype) == data.dtype):
        _dtype.from_numpy_dtype(data.dtype)
        return _finish(data, False, device)
    return _finish(_to_array(data, dtype), False, device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (writes through either are seen by both)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    _dtype.from_numpy_dtype(array.dtype)
    return _from_array(array)


def zeros(*size, dtype=None, device=None, requires_grad: bool = False, out=None,
          **kw) -> Tensor:
    """A tensor of the given shape filled with 0.

    Args:
        *size: the shape, as separate ints or one tuple/list (``size=`` also works).
        dtype: the element type; the default float dtype if None.
        device: only ``"cpu"`` is accepted.
        requires_grad: make the result a leaf that records operations.
        out: a tensor to write the result into (resized to ``size``).

    Raises:
        TypeError: a size element that is not an int.
        RuntimeError: a negative size.
    """
    return write_out(_finish(np.zeros(_size(size, kw), _float_dtype(dtype)), requires_grad,
                             device), out)


def ones(*size, dtype=None, device=None, requires_grad: bool = False, out=None, **kw) -> Tensor:
    """A tensor of the given shape filled with 1.

    Args:
        *size: the shape, as separate ints or one tuple/list (``size=`` also works).
        dtype: the element type; the default float dtype if None.
        device: only ``"cpu"`` is accepted.
        requires_grad: make the result a leaf that records operations.
        out: a tensor to write the result into (resized to ``size``).

    Raises:
        TypeError: a size element that is not an int.
        RuntimeError: a negative size.
    """
    return write_out(_finish(np.ones(_size(size, kw), _float_dtype(dtype)), requires_grad,
                             device), out)


def empty(*size, dtype=None, device=None, requires_grad: bool = False, **kw) -> Tensor:
    """A tensor of the given shape with uninitialised contents (NumPy's ``np.empty``).

    Args:
        *size: the shape, as separate ints or one tuple/list (``size=`` also works).
        dtype: the element type; the default float dtype if None.
        device: only ``"cpu"`` is accepted.
        requires_grad: make the result a leaf that records operations.
    """
    return _finish(np.empty(_size(size, kw), _float_dtype(dtype)), requires_grad,
                   device)


def full(size, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value``.

    Without ``dtype`` the dtype follows the value as in PyTorch: bool for a bool, int64 for an
    int, the default float dtype otherwise.

    Args:
        size: an int or a sequence of ints.
        fill_value: the scalar to fill with.
        dtype: overrides the inferred dtype.
        device: only ``"cpu"`` is accepted.
        requires_grad: make the result a leaf that records operations.
    """
    if dtype is None:
        if isinstance(fill_value, bool):
            dtype = np.bool_
        elif isinstance(fill_value, int):
            dtype = np.int64
        else:
            dtype = _dtype.DEFAULT_FLOAT
    size = _size((size,) if isinstance(size, int) else tuple(size))
    return _finish(np.full(size, fill_value, _dtype.to_numpy_dtype(dtype)), requires_grad, device)


def eye(n: int, m: int | None = None, *, dtype=None, device=None,
        requires_grad: bool = False) -> Tensor:
    """An ``n`` x ``m`` matrix (``m`` defaults to ``n``) with ones on the diagonal."""
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad, device)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None) -> Tensor:
    """The (2, n) row/column indices of the lower triangle (``offset`` shifts the diagonal)."""
    np_dtype = np.int64 if dtype is None else _dtype.to_numpy_dtype(dtype)
    return _from_array(np.stack(np.tril_indices(row, offset, col)).astype(np_dtype)
                       .reshape(2, -1))


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None) -> Tensor:
    """The (2, n) row/column indices of the upper triangle."""
    np_dtype = np.int64 if dtype is None else _dtype.to_numpy_dtype(dtype)
    return _from_array(np.stack(np.triu_indices(row, offset, col)).astype(np_dtype)
                       .reshape(2, -1))


def arange(start=None, end=None, step=1, *, dtype=None, device=None,
           requires_grad: bool = False) -> Tensor:
    """The values ``start, start + step, ...`` up to but excluding ``end``.

    ``arange(end)`` counts from 0. The result is int64 when start, end and step are all ints and
    the default float dtype otherwise; float ranges are counted in float64 before the cast, so the
    length matches PyTorch's.

    Raises:
        RuntimeError: ``step`` is 0.
    """
    if start is None:  # arange(end=3)
        start = 0
    elif end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        dtype = np.int64 if all(isinstance(v, (int, np.integer)) for v in vals) else \
            _dtype.DEFAULT_FLOAT
    np_dtype = _dtype.to_numpy_dtype(dtype)
    # count in float64 then cast, so float ranges have PyTorch's length
    arr = np.arange(*vals, dtype=np.float64 if np_dtype.kind == "f" else None).astype(np_dtype)
    return _finish(arr, requires_grad, device)


def linspace(start, end, steps: int, *, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive.

    Computed in float64, then cast to ``dtype`` (the default float dtype if None).
    """
    return _finish(np.linspace(start, end, steps).astype(_float_dtype(dtype)), requires_grad,
                   device)


def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` values ``base ** x`` for ``x`` evenly spaced from ``start`` to ``end``.

    Unlike PyTorch there is no ``device`` argument.
    """
    return _finish(np.logspace(start, end, steps, base=base).astype(_float_dtype(dtype)),
                   requires_grad)


def rand(*size, generator=None, dtype=None, device=None, requires_grad: bool = False,
         **kw) -> Tensor:
    """Samples from the uniform distribution on [0, 1), drawn in float64 then cast.

    Args:
        *size: the shape, as separate ints or one tuple/list.
        generator: the random generator (the default one if None).
        dtype: a float dtype; the default float dtype if None.
        device: only ``"cpu"`` is accepted.
        requires_grad: make the result a leaf that records operations.
    """
    shape = _size(size, kw)
    arr = rng(generator).random(shape, dtype=np.float64).astype(_float_dtype(dtype))
    return _finish(arr, requires_grad, device)


def randn(*size, generator=None, dtype=None, device=None, requires_grad: bool = False,
          **kw) -> Tensor:
    """Samples from the standard normal distribution.

    The stream comes from NumPy's generator, so values differ from PyTorch's for the same seed.

    Args:
        *size: the shape, as separate ints or one tuple/list.
        generator: the random generator (the default one if None).
        dtype: a float dtype; the default float dtype if None.
        device: only ``"cpu"`` is accepted.
        requires_grad: make the result a leaf that records operations.
    """
    np_dtype = _float_dtype(dtype)
    gen = rng(generator)
    shape = _size(size, kw)
    if np_dtype == np.float32 or np_dtype == np.float64:
        arr = gen.standard_normal(shape, dtype=np_dtype)
    else:
        arr = gen.standard_normal(shape).astype(np_dtype)
    return _finish(arr, requires_grad, device)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """Integers drawn uniformly from ``[low, high)``; ``randint(high, size)`` starts at 0.

    Args:
        low: the inclusive lower bound (or ``high`` when called as ``randint(high, size)``).
        high: the exclusive upper bound.
        size: the shape of the result.
        generator: the random generator (the default one if None).
        dtype: the result dtype; int64 if None.

    Raises:
        RuntimeError: ``high <= low``.
    """
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    np_dtype = np.int64 if dtype is None else _dtype.to_numpy_dtype(dtype)
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    arr = rng(generator).integers(low, high, size=_size((tuple(size),))).astype(np_dtype)
    return _finish(arr, requires_grad, device)


def randperm(n: int, *, generator=None, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """A random permutation of ``0 .. n - 1`` (int64 unless ``dtype`` says otherwise)."""
    np_dtype = np.int64 if dtype is None else _dtype.to_numpy_dtype(dtype)
    return _finish(rng(generator).permutation(n).astype(np_dtype), requires_grad, device)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None,
           requires_grad: bool = False) -> Tensor:
    """Samples from normal distributions with the given ``mean`` and ``std``.

    ``mean`` and ``std`` may be scalars or tensors (broadcast together); without ``size`` the
    result has their broadcast shape. A tensor ``mean`` sets the dtype when ``dtype`` is None.
    As in PyTorch, a result drawn from tensors that require grad is in their graph, with zero
    gradients (use ``rsample``-style ``mean + std * randn`` for reparameterised gradients).

    Raises:
        RuntimeError: a negative scalar ``std``.
    """
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    if size is None:
        size = np.broadcast_shapes(np.shape(m), np.shape(s))
    if isinstance(s, (int, float)) and s < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {s}")
    np_dtype = _float_dtype(dtype)
    if isinstance(mean, Tensor) and dtype is None:
        np_dtype = mean._data.dtype
    arr = rng(generator).normal(m, s, size=tuple(size)).astype(np_dtype)
    params = [t for t in (mean, std) if isinstance(t, Tensor)]
    if params and not requires_grad:
        # like PyTorch, a sample stays in the graph of mean/std, with zero gradients
        return Sampled.apply(arr, *params)
    return _finish(arr, requires_grad)


def _like(fn):
    def like(input, *, dtype=None, device=None, requires_grad: bool = False, **_):
        dt = input._data.dtype if dtype is None else _dtype.to_numpy_dtype(dtype)
        return _finish(fn(input._data.shape, dt), requires_grad, device)

    like.__name__ = fn.__name__ + "_like"
    like.__doc__ = (f"``{fn.__name__}`` with ``input``'s shape, in ``input``'s dtype unless "
                    "``dtype`` is given.")
    return like


zeros_like = _like(np.zeros)
ones_like = _like(np.ones)
empty_like = _like(np.empty)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor shaped like ``input`` filled with ``fill_value`` (``input``'s dtype by default)."""
    dt = input._data.dtype if dtype is None else _dtype.to_numpy_dtype(dtype)
    return _finish(np.full(input._data.shape, fill_value, dt), requires_grad, device)


def rand_like(input, *, dtype=None, requires_grad=False, **_) -> Tensor:
    """Uniform [0, 1) samples shaped like ``input``, in ``input``'s dtype by default."""
    return rand(input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, requires_grad=False, **_) -> Tensor:
    """Standard normal samples shaped like ``input``, in ``input``'s dtype by default."""
    return randn(input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input, low, high=None, *, dtype=None, requires_grad=False) -> Tensor:
    """Integers in ``[low, high)`` shaped like ``input``, in ``input``'s dtype by default.

    ``randint_like(input, high)`` starts at 0.
    """
    if high is None:
        low, high = 0, low
    return randint(low, high, input._data.shape, dtype=dtype or input.dtype)


# ---------------------------------------------------------------------- legacy tensor types
class _LegacyTensorType(type):
    """``FloatTensor([1, 2])``, ``LongTensor(3)``, ``isinstance(t, FloatTensor)`` (old code)."""

    _dtype = None

    def __call__(cls, *args) -> Tensor:
        return Tensor(*args, dtype=cls._dtype)

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls._dtype


def _legacy(name: str, dt) -> type:
    return _LegacyTensorType(name, (), {"_dtype": dt, "__module__": "ember"})


FloatTensor = _legacy("FloatTensor", _dtype.float32)
DoubleTensor = _legacy("DoubleTensor", _dtype.float64)
HalfTensor = _legacy("HalfTensor", _dtype.float16)
LongTensor = _legacy("LongTensor", _dtype.int64)
IntTensor = _legacy("IntTensor", _dtype.int32)
ShortTensor = _legacy("ShortTensor", _dtype.int16)
CharTensor = _legacy("CharTensor", _dtype.int8)
ByteTensor = _legacy("ByteTensor", _dtype.uint8)
BoolTensor = _legacy("BoolTensor", _dtype.bool_)

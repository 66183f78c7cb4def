"""Tensor: a NumPy array plus what autograd needs (requires_grad, grad, grad_fn, version).

The class itself, with its storage and autograd fields, is defined on the ground floor
(``ember._core``) so that the op layer can create tensors without importing anything above
it. This module completes it: the methods that need ops or the engine (``backward``, ``to``,
``clone``...) are written below, and every op method, in-place method and operator is
generated from the op registry. ``ember.tensor.Tensor`` is ``ember._core.Tensor``.
"""

from __future__ import annotations

import numpy as np

from . import _creation, _dtype
from ._core import (  # noqa: F401 - re-exported: the names the upper floors import from here
    Size,
    Tensor,
    _check_device,
    _from_array,
    _init,
    _rebuild,
    _to_array,
    _wrap_dim,
    device,
    extend,
    is_tensor,
    zeros_for,
)
from ._grad_mode import state as _grad_state
from ._repr import tensor_repr
from .autograd import engine as _engine
from .autograd import function as _function
from .autograd.differentiate import backward as _backward
from .ops import registry, shape
from .ops._util import as_operand
from .ops.conversion import Cast
from .ops.indexing import getitem, inplace, setitem

__all__ = ["Size", "Tensor", "device", "inplace", "is_tensor"]


@extend(Tensor)
class _TensorMethods:
    """The Tensor methods that call ops, the engine or the creation functions."""

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (see ``ember.autograd``)."""
        if gradient is None and inputs is None and self._grad_fn is not None \
                and self._data.size == 1:
            # the common `loss.backward()`: seed with 1 and run the engine directly
            seed = _from_array(np.ones(self._data.shape, dtype=self._data.dtype))
            retain = create_graph if retain_graph is None else retain_graph
            _engine.run_backward((self,), (seed,), retain, create_graph)
            return
        _backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def __repr__(self) -> str:
        return tensor_repr(self)

    # ------------------------------------------------------------------ dtype conversion
    def to(self, *args, **kwargs) -> Tensor:
        """``to(dtype)``, ``to(device)``, ``to(other)``; only the CPU exists."""
        target = kwargs.get("dtype")
        for a in args:
            if isinstance(a, (_dtype.dtype, np.dtype, type)):  # numpy and Python types too
                target = a
            elif isinstance(a, Tensor):
                target = a.dtype
            elif isinstance(a, (str, device)):
                _check_device(a)
        if "device" in kwargs and kwargs["device"] is not None:
            _check_device(kwargs["device"])
        if target is None or _dtype.to_numpy_dtype(target) == self._data.dtype:
            return self
        return Cast.apply(self, dtype=_dtype.to_numpy_dtype(target))

    def type(self, dtype=None):
        """Without ``dtype``, PyTorch's type string (e.g. ``"torch.FloatTensor"``); else a cast."""
        if dtype is None:
            return "torch." + {"float32": "FloatTensor", "float64": "DoubleTensor",
                               "int64": "LongTensor", "int32": "IntTensor",
                               "bool": "BoolTensor", "float16": "HalfTensor",
                               "uint8": "ByteTensor", "int8": "CharTensor",
                               "int16": "ShortTensor"}[self.dtype.name]
        if isinstance(dtype, str):  # "torch.FloatTensor", as old scripts write
            name = dtype.rsplit(".", 1)[-1]
            if ".cuda." in dtype:
                _check_device("cuda")
            legacy = getattr(_creation, name, None)
            if not name.endswith("Tensor") or legacy is None:
                raise ValueError(f"invalid type: '{dtype}'")
            dtype = legacy
        dtype = getattr(dtype, "_dtype", dtype)  # the FloatTensor/LongTensor classes
        return self.to(dtype)

    def type_as(self, other: Tensor) -> Tensor:
        """This tensor cast to ``other``'s dtype."""
        return self.to(other.dtype)

    def float(self) -> Tensor:
        """Cast to float32 (self if already float32)."""
        return self.to(_dtype.float32)

    def double(self) -> Tensor:
        """Cast to float64."""
        return self.to(_dtype.float64)

    def half(self) -> Tensor:
        """Cast to float16."""
        return self.to(_dtype.float16)

    def bfloat16(self) -> Tensor:
        """Cast to bfloat16 (rounded to nearest even, as PyTorch)."""
        return self.to(_dtype.bfloat16)

    def long(self) -> Tensor:
        """Cast to int64 (floats truncate toward zero)."""
        return self.to(_dtype.int64)

    def int(self) -> Tensor:
        """Cast to int32 (floats truncate toward zero)."""
        return self.to(_dtype.int32)

    def short(self) -> Tensor:
        """Cast to int16."""
        return self.to(_dtype.int16)

    def bool(self) -> Tensor:
        """Cast to bool (nonzero is True)."""
        return self.to(_dtype.bool_)

    def byte(self) -> Tensor:
        """Cast to uint8."""
        return self.to(_dtype.uint8)

    def contiguous(self, memory_format=None) -> Tensor:
        """Self if C-contiguous, else a contiguous copy."""
        if self._data.flags.c_contiguous:
            return self
        return self.clone()

    def new_zeros(self, *size, dtype=None, requires_grad=False) -> Tensor:
        """Zeros of shape ``size``, in this tensor's dtype unless ``dtype`` is given."""
        return _creation.zeros(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, requires_grad=False) -> Tensor:
        """Ones of shape ``size``, in this tensor's dtype unless ``dtype`` is given."""
        return _creation.ones(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, requires_grad=False) -> Tensor:
        """A tensor of shape ``size`` filled with ``fill_value``, in this tensor's dtype by default.
        """
        return _creation.full(size, fill_value, dtype=dtype or self.dtype,
                              requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, requires_grad=False) -> Tensor:
        """Zeros of shape ``size`` (ember fills new_empty with zeros), this dtype by default."""
        return self.new_zeros(*size, dtype=dtype, requires_grad=requires_grad)

    @property
    def T(self) -> Tensor:  # noqa: N802 - PyTorch's name
        """The dims in reverse order (a view)."""
        return shape.permute(self, tuple(range(self._data.ndim))[::-1])

    @property
    def mT(self) -> Tensor:  # noqa: N802 - PyTorch's name
        """The last two dims swapped (a batch of transposed matrices)."""
        return shape.mT(self)

    __getitem__ = getitem
    __setitem__ = setitem


# ---------------------------------------------------------------------- forms generated from
# the op registry (ember.ops.registry): methods, in-place methods, operators
_KIND_RANK = {"b": 0, "u": 1, "i": 1, "f": 2, "V": 2}  # V: bfloat16


def _castable(self: Tensor, new: Tensor) -> Tensor:
    """PyTorch refuses in-place results of a higher category (float into an int tensor)."""
    if _KIND_RANK[new._data.dtype.kind] > _KIND_RANK[self._data.dtype.kind]:
        raise RuntimeError(
            f"result type {_dtype.scalar_type_name(new.dtype)} can't be cast to the desired "
            f"output type {_dtype.scalar_type_name(self.dtype)}"
        )
    return new


def _inplace_method(fn, name: str):
    """``x.name_(...)``: ``fn(x, ...)`` written back into ``x`` (see ``ops.indexing.inplace``)."""

    def method(self, *args, **kwargs):
        others = args + tuple(kwargs.values())
        return inplace(self, lambda src: _castable(self, fn(src, *args, **kwargs)), others)

    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"In-place ``{name}``: the result is written into this tensor."
    return method


def _fast_inplace_method(fn, name: str, ufunc):
    """In-place arithmetic: when nothing records, ``ufunc`` writes straight into the storage
    (an optimizer's update); otherwise the general in-place path."""
    general = _inplace_method(fn, name)

    def method(self, other, *, alpha=None, **kwargs):
        if kwargs or _function._tracer is not None or (_grad_state.enabled and (
                self._requires_grad or (isinstance(other, Tensor) and other._requires_grad))):
            # recorded, or an ONNX export is tracing: the general path, through the op
            if alpha is not None:
                kwargs["alpha"] = alpha
            return general(self, other, **kwargs)
        if alpha is not None:
            other = other * alpha
        b = other._data if isinstance(other, Tensor) else other
        if not self._data.flags.writeable:
            raise RuntimeError(
                "unsupported operation: more than one element of the written-to tensor refers "
                "to a single memory location. Please clone() the tensor before performing the "
                "operation."
            )
        if self._data.dtype.kind != "f" and (np.asarray(b).dtype.kind == "f" or
                                             ufunc is np.true_divide):
            raise RuntimeError(
                "result type Float can't be cast to the desired output type "
                f"{_dtype.scalar_type_name(self.dtype)}"
            )
        try:
            ufunc(self._data, b, out=self._data, casting="unsafe")
        except ValueError:
            raise RuntimeError(
                f"output with shape {list(self._data.shape)} doesn't match the broadcast "
                f"shape {list(np.broadcast_shapes(self._data.shape, np.shape(b)))}"
            ) from None
        self._bump_version()
        return self

    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = general.__doc__
    return method


def _operator(fn, mode: str, dunder: str):
    if mode == "":
        return fn
    if mode == "s":
        def swapped(self, other):
            return fn(other, self)
        op = swapped
    else:
        def reflected(self, other):
            # a number first is promoted by the op like any operand: it does not take self's
            # dtype (-3 / bool_tensor is float32 -3, not True)
            if isinstance(other, (int, float, bool, np.generic)):
                return fn(other, self)
            return fn(as_operand(other), self)
        op = reflected
    op.__name__ = op.__qualname__ = dunder
    return op


def _install_registry() -> None:
    for name, entry in registry.OPS.items():
        if "m" in entry.forms:
            setattr(Tensor, name, entry.method or entry.fn)
        if "i" in entry.forms:
            ufunc = registry.FAST_INPLACE.get(name)
            setattr(Tensor, name + "_", _inplace_method(entry.fn, name) if ufunc is None else
                    _fast_inplace_method(entry.fn, name, ufunc))
    for dunder, (name, mode) in registry.OPERATORS.items():
        setattr(Tensor, dunder, _operator(registry.OPS[name].fn, mode, dunder))
    for dunder, method in registry.INPLACE_OPERATORS.items():
        setattr(Tensor, dunder, getattr(Tensor, method))
    Tensor.__hash__ = object.__hash__  # defining __eq__ would otherwise make tensors unhashable


_install_registry()


def inplace_functions() -> dict:
    """The top-level in-place functions (``ember.relu_``): the registry's ``I`` forms."""
    return {name + "_": getattr(Tensor, name + "_") for name, entry in registry.OPS.items()
            if "I" in entry.forms}

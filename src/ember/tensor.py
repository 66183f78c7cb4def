"""Tensor: a NumPy array plus what autograd needs (requires_grad, grad, grad_fn, version).

The class itself, with its storage and autograd fields, is defined on the ground floor
(``ember._core``) so that the op layer can create tensors without importing anything above
it. This module completes it: the methods that need ops or the engine (``backward``, ``to``,
``clone``...) are written below, and every op method, in-place method and operator is
generated from the op registry. ``ember.tensor.Tensor`` is ``ember._core.Tensor``.
"""

from __future__ import annotations

import numpy as np

from . import (
    _creation,
    _dtype,
    _tensor_methods,  # noqa: F401 - op methods and dunders onto Tensor
)
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
from ._repr import tensor_repr
from .autograd import engine as _engine
from .autograd.differentiate import backward as _backward
from .ops.elementwise import Cast, Clone
from .ops.indexing import inplace  # noqa: F401 - re-exported

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

    def clone(self, *, memory_format=None) -> Tensor:
        """A copy with its own data; gradients flow back to this tensor."""
        return Clone.apply(self)

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

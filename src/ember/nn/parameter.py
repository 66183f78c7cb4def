"""Parameter: a Tensor that a Module registers as a learnable weight when assigned to it."""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor, _init


class Parameter(Tensor):
    """A leaf Tensor (sharing ``data``'s storage) that requires grad by default.

    Args:
        data: the initial values (a Tensor or array-like); an empty tensor when omitted.
        requires_grad: whether the parameter takes part in autograd.
    """

    def __new__(cls, data=None, requires_grad: bool = True):
        self = Tensor.__new__(cls)
        if data is None:
            arr = np.empty((0,), dtype=np.float32)
        elif isinstance(data, Tensor):
            arr = data._data
        else:
            arr = Tensor(data)._data
        _init(self, arr)
        if requires_grad:
            self.requires_grad_(True)
        return self

    def __init__(self, data=None, requires_grad: bool = True) -> None:
        pass  # everything happens in __new__ (so Tensor.__init__ does not run again)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self._data, self._requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        new = Parameter(self._data.copy(), self._requires_grad)
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)


class Buffer(Tensor):
    """Marks a tensor to be registered as a buffer when assigned to a Module (PyTorch 2.5+)."""

    def __new__(cls, data=None, *, persistent: bool = True):
        if isinstance(data, Tensor):
            t = data.detach()
        else:
            t = Tensor(np.empty((0,), np.float32) if data is None else data)
        t._buffer_persistent = persistent
        return t

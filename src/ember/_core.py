"""The ground floor: the Tensor's storage and autograd fields, and the graph's nodes.

Every layer above needs these and none of them needs anything above: ``Tensor`` with its
slots (the array, ``requires_grad``, ``grad_fn``), the version counter shared by views, the
one way to wrap an array as a tensor (``_from_array``), the graph edges (``edge``) and the two
kinds of node (``Node``, ``AccumulateGrad``). This module imports nothing of ember but the
dtype table and grad mode, which import nothing at all.

The methods that call ops (arithmetic, ``to``, ``clone``, ``backward``...) are added to the
same class by ``ember.tensor``, one floor up, from the op registry: ops create their results
as instances of this class, so there is exactly one Tensor type.
"""

from __future__ import annotations

import builtins
import copy
import warnings
import weakref

import numpy as np

from . import _dtype
from ._grad_mode import state as _grad_state


class _RemovableHandle:
    """Returned by hook registrations; ``remove()`` unregisters the hook."""

    def __init__(self, hooks: list, hook) -> None:
        self._hooks = hooks
        self._hook = hook

    def remove(self) -> None:
        try:
            self._hooks.remove(self._hook)
        except ValueError:
            pass


class Node:
    """What a graph node holds; ``Function`` and ``AccumulateGrad`` are the two kinds."""

    next_edges: tuple = ()
    _n_out = 1
    _pre_hooks = None  # {output_nr: [hook, ...]}: tensor hooks of non-leaf outputs
    _freed = False

    def name(self) -> str:
        return type(self).__name__ + "Backward0"

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"

    @property
    def next_functions(self) -> tuple:
        return tuple((None, 0) if e is None else e for e in self.next_edges)

    def _add_pre_hook(self, output_nr: int, hook) -> _RemovableHandle:
        if self._pre_hooks is None:
            self._pre_hooks = {}
        hooks = self._pre_hooks.setdefault(output_nr, [])
        hooks.append(hook)
        return _RemovableHandle(hooks, hook)


class AccumulateGrad(Node):
    """Terminal node of a leaf tensor: sums incoming gradients into ``leaf.grad``."""

    def __init__(self, leaf) -> None:
        self._leaf = weakref.ref(leaf)

    def name(self) -> str:
        return "AccumulateGrad"

    @property
    def variable(self):
        return self._leaf()


class _Version:
    """Version counter, shared by a tensor and its views; bumped by every in-place write."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


class Tensor:
    """A multi-dimensional array that can record the operations applied to it."""

    # the three fields every op result sets are slots; the rarely-set ones are class
    # defaults, stored in the instance __dict__ only when assigned (cheaper op results)
    __slots__ = ("_data", "_requires_grad", "_grad_fn", "__weakref__", "__dict__")
    _grad = None
    _output_nr = 0
    _vc = None
    _accum = None
    _retains_grad = False
    _post_accumulate_hooks = None
    __hash__ = object.__hash__
    __array_priority__ = 1000  # so ndarray <op> Tensor defers to Tensor's reflected op

    def __init__(self, data=None, *sizes, dtype=None, requires_grad: bool = False) -> None:
        # PyTorch's legacy constructor: Tensor(2, 3) / Tensor(Size) allocate (zeroed here),
        # Tensor([1, 2]) holds float32 data; ember also accepts arrays, keeping their dtype
        if isinstance(data, Size) or isinstance(data, int) and not isinstance(data, bool):
            shape = tuple(data) if isinstance(data, Size) else (data,) + sizes
            arr = np.zeros(shape, _dtype.to_numpy_dtype(dtype or _dtype.float32))
        else:
            if isinstance(data, (list, tuple, float)) and dtype is None:
                dtype = _dtype.float32
            arr = _to_array(data if data is not None else [], dtype)
        _init(self, arr)
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _from_array(cls, arr: np.ndarray) -> Tensor:
        return _from_array(arr)

    # ------------------------------------------------------------------ basic attributes
    @property
    def data(self) -> Tensor:
        """A tensor sharing this one's storage but detached from the graph.

        Unlike ``detach()`` it has its own version counter (as PyTorch's ``.data``), so
        writes through it are not seen by autograd's saved-tensor check.
        """
        return _from_array(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data if isinstance(value, Tensor) else _to_array(value, None)

    @property
    def shape(self) -> Size:
        """The size of each dim, as a ``Size`` (a tuple)."""
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        """The shape as a ``Size``, or the size of dim ``dim`` (may be negative) as an int."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def dim(self) -> int:
        """The number of dims."""
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self) -> int:
        """The number of dims."""
        return self._data.ndim

    def numel(self) -> int:
        """The number of elements."""
        return self._data.size

    nelement = numel

    @property
    def dtype(self) -> _dtype.dtype:
        """The element type, as an ember dtype."""
        return _dtype.from_numpy_dtype(self._data.dtype)

    def dtype_name(self) -> str:
        """The dtype's name, e.g. ``"float32"``."""
        return self.dtype.name

    @property
    def device(self) -> str:
        """Always ``device("cpu")``."""
        return device("cpu")

    @property
    def is_cuda(self) -> bool:
        """Always False."""
        return False

    def is_floating_point(self) -> bool:
        """True for float16/32/64 tensors."""
        return self._data.dtype.kind == "f"

    def element_size(self) -> int:
        """Bytes per element."""
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        """Bytes per element."""
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        """Bytes taken by the elements (of this view, not its whole base)."""
        return self._data.nbytes

    # ------------------------------------------------------------------ autograd attributes
    @property
    def requires_grad(self) -> bool:
        """Whether operations on this tensor are recorded for backward."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self._grad_fn is not None and not value:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients "
                f"(got {self.dtype})"
            )
        if self._grad_fn is None:
            self._requires_grad = builtins.bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return self.

        Raises:
            RuntimeError: turning it off on a non-leaf tensor (use ``detach``).
        """
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self) -> Tensor | None:
        """The gradient accumulated by ``backward`` (None until then); set only on leaves.

        Reading it on a non-leaf that did not call ``retain_grad`` warns, as in PyTorch.
        """
        if self._grad_fn is not None and not self._retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed want "
                "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
                "non-leaf Tensor.",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got {value!r}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"assigned grad has data of a different size: {tuple(value.shape)} vs "
                    f"the tensor's {tuple(self.shape)}"
                )
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"assigned grad has data of a different type: {value.dtype} vs the "
                    f"tensor's {self.dtype}"
                )
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def grad_fn(self):
        """The graph node that produced this tensor, or None for a leaf."""
        return self._grad_fn

    @property
    def is_leaf(self) -> bool:
        """True if no recorded operation produced this tensor (created by the user)."""
        return self._grad_fn is None

    @property
    def retains_grad(self) -> bool:
        """True if ``retain_grad`` was called on this non-leaf tensor."""
        return self._retains_grad

    @property
    def output_nr(self) -> int:
        """Which output of its ``grad_fn`` this tensor is (0 for single-output ops)."""
        return self._output_nr

    @property
    def _version(self) -> int:
        vc = self._vc
        return 0 if vc is None else vc.value

    def _bump_version(self) -> None:
        vc = self._vc
        if vc is None:
            vc = self._vc = _Version()
        vc.value += 1

    def _share_version(self, view: Tensor) -> Tensor:
        """Make ``view`` (sharing storage with self) share the version counter."""
        if self._vc is None:
            self._vc = _Version()
        view._vc = self._vc
        return view

    def detach(self) -> Tensor:
        """A tensor sharing this data, cut from the graph (in-place writes are seen by both)."""
        return self._share_version(_from_array(self._data))

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph in place: it becomes a leaf not requiring grad."""
        self._grad_fn = None
        self._requires_grad = False
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward; a no-op on leaves.

        Raises:
            RuntimeError: a leaf that does not require grad.
        """
        if self._grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if self._retains_grad:
            return
        self._retains_grad = True
        ref = weakref.ref(self)

        def store(grad):
            t = ref()
            if t is not None:
                if t._grad is None:
                    t._grad = grad.detach().clone() if not _grad_state.enabled else grad
                else:
                    t._grad = t._grad + grad
            return None

        self._grad_fn._add_pre_hook(-1 - self._output_nr, store)  # after the other hooks

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new one."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            return self._grad_fn._add_pre_hook(self._output_nr, hook)
        return accumulator(self)._add_pre_hook(0, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` after ``.grad`` is accumulated.

        Returns:
            A handle whose ``remove()`` unregisters the hook.

        Raises:
            RuntimeError: a non-leaf tensor.
        """
        if self._grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors")
        if self._post_accumulate_hooks is None:
            self._post_accumulate_hooks = []
        self._post_accumulate_hooks.append(hook)
        return _RemovableHandle(self._post_accumulate_hooks, hook)

    # ------------------------------------------------------------------ conversion
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The underlying ndarray, sharing memory (no copy).

        Raises:
            RuntimeError: the tensor requires grad and ``force`` is False (use ``detach()`` first).
        """
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._data

    def item(self):
        """The value of a one-element tensor as a Python number.

        Raises:
            RuntimeError: more than one element.
        """
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.reshape(()).item()

    def tolist(self):
        """The values as (nested) Python lists of numbers; a 0-d tensor gives a number."""
        return self._data.tolist()

    def __float__(self) -> float:
        return builtins.float(self.item())

    def __int__(self) -> int:
        return builtins.int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return builtins.int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self._data.size} elements is ambiguous"
            )
        return builtins.bool(self._data.reshape(()).item())

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __array__(self, dtype=None, copy=None):
        arr = self._data
        return arr if dtype is None else arr.astype(dtype)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0 and spec:
            return format(self.item(), spec)
        return repr(self)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._data, self._requires_grad))

    def __deepcopy__(self, memo):
        if self._grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment."
            )
        new = type(self).__new__(type(self))
        _init(new, self._data.copy())
        new._requires_grad = self._requires_grad
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        if hasattr(self, "__dict__"):
            for k, v in self.__dict__.items():
                setattr(new, k, copy.deepcopy(v, memo))
        memo[id(self)] = new
        return new

    def cpu(self) -> Tensor:
        """Return self: every tensor lives on the CPU."""
        return self

    def cuda(self, *args, **kwargs):
        """Always raises: ember runs on the CPU only.

        Raises:
            RuntimeError: always.
        """
        raise RuntimeError("ember runs on the CPU only: CUDA is not available")

    def is_contiguous(self, memory_format=None) -> builtins.bool:
        """True if the data is laid out in C (row-major) order."""
        return self._data.flags.c_contiguous

    def pin_memory(self) -> Tensor:
        """Return self (there is no device memory to pin for)."""
        return self

    def share_memory_(self) -> Tensor:
        """Return self unchanged (no shared-memory multiprocessing in ember)."""
        return self

    def data_ptr(self) -> int:
        """The address of the first element."""
        return self._data.__array_interface__["data"][0]

    def untyped_storage(self):
        """The ndarray owning the memory (the view's base), not a PyTorch storage object."""
        return self._data.base if self._data.base is not None else self._data

    def stride(self, dim: int | None = None):
        """Elements to skip per step in each dim (or dim ``dim``), from NumPy's byte strides.

        Unlike PyTorch these can be negative (e.g. after ``flip``, which returns a view).
        """
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[_wrap_dim(dim, self._data.ndim)]

    def new_tensor(self, data, dtype=None, requires_grad=False) -> Tensor:
        """A new tensor from ``data``, in this tensor's dtype unless ``dtype`` is given."""
        return Tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)


class Size(tuple):
    """PyTorch's ``torch.Size``: a tuple of ints that prints as ``ember.Size([...])``."""

    def __repr__(self) -> str:
        return f"ember.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        result = tuple.__getitem__(self, item)
        return Size(result) if isinstance(item, slice) else result


class device:  # noqa: N801 - PyTorch's name
    """Only ``cpu`` exists; kept so ``model.to(device)`` code runs unchanged."""

    def __init__(self, type: str = "cpu", index=None) -> None:  # noqa: A002
        if isinstance(type, device):
            type = type.type  # noqa: A001
        _check_device(type)
        self.type = "cpu"
        self.index = None

    def __repr__(self) -> str:
        return "device(type='cpu')"

    def __str__(self) -> str:
        return "cpu"

    def __eq__(self, other) -> bool:
        return str(other) == "cpu" or (isinstance(other, device))

    def __hash__(self) -> int:
        return hash("cpu")


def _check_device(d) -> None:
    name = d.type if isinstance(d, device) else str(d)
    if name.split(":")[0] != "cpu":
        raise RuntimeError(f"ember runs on the CPU only; device {name!r} is not available")


# ---------------------------------------------------------------------- construction helpers
_TENSOR_NEW = object.__new__


def _init(t: Tensor, arr: np.ndarray) -> None:
    t._data = arr
    t._requires_grad = False
    t._grad_fn = None


def _from_array(arr: np.ndarray) -> Tensor:
    """Wrap an array without copying (the fast path every op result takes)."""
    t = _TENSOR_NEW(Tensor)
    t._data = arr
    t._requires_grad = False
    t._grad_fn = None
    return t


def _rebuild(data, requires_grad):
    t = _from_array(data)
    t._requires_grad = requires_grad
    return t


def _to_array(data, dtype) -> np.ndarray:
    """Copying conversion used by ``tensor()``: applies PyTorch's default dtypes."""
    np_dtype = None if dtype is None else _dtype.to_numpy_dtype(dtype)
    if isinstance(data, Tensor):
        arr = data._data
        return arr.astype(np_dtype) if np_dtype is not None else arr.copy()
    if isinstance(data, (list, tuple)):
        leaves = _leaf_types(data, set())
        if not leaves <= _PY_NUMBERS:
            typed = _sequence_dtype(data) if np_dtype is None else None
            if Tensor in leaves or any(issubclass(t, Tensor) for t in leaves):
                data = _untensor(data)
            if typed is not None:
                return np.array(data, dtype=typed)
    arr = np.array(data, dtype=np_dtype)
    if np_dtype is None:
        arr = _default_dtype(arr, data)
    return arr


_PY_NUMBERS = {bool, int, float}
_PY_DTYPES = {bool: np.dtype(np.bool_), int: np.dtype(np.int64), float: np.dtype(np.float32)}


def _leaf_types(data, acc: set) -> set:
    """The types of the non-list elements of a nested list (C-speed ``map`` per row)."""
    kinds = set(map(type, data))
    for k in kinds & {list, tuple}:
        for x in data:
            if type(x) is k:
                _leaf_types(x, acc)
    acc |= kinds - {list, tuple}
    return acc


def _sequence_dtype(data) -> np.dtype | None:
    """PyTorch's dtype for a list holding NumPy scalars/arrays or Tensors, else None.

    Python numbers take the defaults (float32, int64) but NumPy and Tensor elements keep
    their dtype: ``tensor([np.float64(1.0)])`` is float64, as in PyTorch. The category
    decides first (bool < integer < float), then the widest dtype within it.
    """
    best = None
    typed = False
    for x in _flat(data):
        if isinstance(x, Tensor):
            d = x._data.dtype
            typed = True
        elif isinstance(x, (np.ndarray, np.generic)):
            d = x.dtype
            typed = True
        else:
            d = _PY_DTYPES.get(type(x))
            if d is None:
                return None  # strings, nested arrays-likes: NumPy's conversion decides
        if best is None or _rank(d) > _rank(best):
            best = d
        elif _rank(d) == _rank(best):
            best = np.promote_types(best, d)  # within a category: uint8 with int8 is int16
    return best if typed and best is not None and best.kind in "biuf" else None


def _rank(d: np.dtype) -> int:
    return "bif".index("i" if d.kind == "u" else d.kind)


def _default_dtype(arr: np.ndarray, source) -> np.ndarray:
    kind = arr.dtype.kind
    if kind == "f" and not isinstance(source, np.ndarray) and not isinstance(source, np.generic):
        return arr.astype(np.float32, copy=False)
    if kind == "f" and arr.dtype not in (np.float16, np.float32, np.float64):
        return arr.astype(np.float32)
    if kind in "iu" and not isinstance(source, (np.ndarray, np.generic)):
        return arr.astype(np.int64, copy=False)
    if kind == "U" or kind == "O":
        raise TypeError(f"can't convert {type(source).__name__} of {arr.dtype} to a tensor")
    return arr


def _flat(data):
    for x in data:
        if isinstance(x, (list, tuple)):
            yield from _flat(x)
        else:
            yield x


def _untensor(data):
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_untensor(x) for x in data]
    return data


def accumulator(t: Tensor) -> AccumulateGrad:
    """The leaf's AccumulateGrad node, made on first use and kept on the tensor."""
    acc = t._accum
    if acc is None:
        acc = t._accum = AccumulateGrad(t)
    return acc


def edge(t: Tensor) -> tuple:
    """The graph edge to ``t``: its grad_fn (non-leaf) or its AccumulateGrad (leaf)."""
    fn = t._grad_fn
    if fn is not None:
        return (fn, t._output_nr)
    acc = t._accum
    if acc is None:
        acc = t._accum = AccumulateGrad(t)
    return (acc, 0)


def _wrap_dim(dim: int, ndim: int) -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim % n


def zeros_for(shape, dtype=np.float32) -> Tensor:
    """The gradient of an unused output: zeros of its shape and dtype."""
    return _from_array(np.zeros(shape, dtype=dtype))


def is_tensor(obj) -> builtins.bool:
    return isinstance(obj, Tensor)


def extend(cls: type):
    """Class decorator: copy the decorated class's methods and properties onto ``cls``.

    How a floor above adds to ``Tensor`` the methods that need its own imports (ops, the
    engine), written as an ordinary class body next to those imports.
    """

    def merge(extra: type) -> type:
        for key, value in vars(extra).items():
            if key in ("__module__", "__dict__", "__weakref__", "__doc__", "__qualname__"):
                continue
            fn = value.fget if isinstance(value, property) else value
            if hasattr(fn, "__qualname__"):
                try:
                    fn.__qualname__ = f"{cls.__name__}.{key}"
                except (AttributeError, TypeError):
                    pass
            setattr(cls, key, value)
        return extra

    return merge

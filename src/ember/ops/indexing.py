"""Indexing: ``t[idx]``, ``t[idx] = v``, gather/scatter, index_select, masked_fill, nonzero.

Basic indexing (ints, slices, None, Ellipsis) returns a view; integer or boolean
tensors/lists make it advanced (a copy), as in NumPy and PyTorch. The adjoint of a read is
an add into zeros (``np.add.at`` only when indices can repeat).
"""

from __future__ import annotations

import numpy as np

from .. import _dtype
from .._core import Tensor, _from_array, _wrap_dim
from .._grad_mode import state as _grad_state
from .._promotion import scalar_as
from ..autograd.function import Op
from ._util import const
from .reduce import ScatterAlongDim, TakeAlongDim
from .selection import where
from .shape import _view, broadcast_tensors, diagonal


def normalize_index(idx):
    """Convert Tensors and lists inside an index to arrays; tell whether it is advanced."""
    items = idx if isinstance(idx, tuple) else (idx,)
    out = []
    advanced = False
    for it in items:
        if isinstance(it, Tensor):
            it = it._data
            if it.dtype.kind == "f":
                raise IndexError(
                    "tensors used as indices must be long, int, byte or bool tensors"
                )
            if it.ndim == 0 and it.dtype.kind in "iu":
                it = int(it)
            else:
                advanced = True
        elif isinstance(it, (list, tuple, np.ndarray)):  # a nested sequence is an index tensor
            from_list = not isinstance(it, np.ndarray)
            it = np.asarray(_plain(it))
            if from_list and it.size == 0:
                it = it.astype(np.int64)  # x[[]] selects nothing; NumPy reads [] as float
            if it.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            advanced = True
        elif isinstance(it, bool):
            advanced = True
        elif isinstance(it, slice) and it.step is not None and it.step <= 0:
            raise ValueError("step must be greater than zero")
        out.append(it)
    return tuple(out), advanced


def _plain(seq):
    """A (nested) index sequence with any tensors in it replaced by their arrays."""
    if isinstance(seq, Tensor):
        return seq._data
    if isinstance(seq, (list, tuple)):
        return [_plain(x) for x in seq]
    return seq


def _split_ints(idx: tuple) -> tuple[tuple, tuple]:
    """An advanced index with integers, as PyTorch applies it: the integers (and slices, None)
    first, as a basic index, then the arrays on what is left. NumPy would count the integers as
    advanced indices, which moves the result's broadcast dims elsewhere (``x[1, :, d]``)."""
    basic, rest = [], []
    for it in idx:
        if isinstance(it, (int, np.integer)) and not isinstance(it, (bool, np.bool_)):
            basic.append(it)
        elif isinstance(it, np.ndarray):
            basic.extend([slice(None)] * (it.ndim if it.dtype == np.bool_ else 1))
            rest.append(it)
        elif isinstance(it, (bool, np.bool_)):
            rest.append(it)
        elif it is Ellipsis:
            basic.append(it)
            rest.append(it)
        else:  # a slice, or None (whose new dim the second step passes over)
            basic.append(it)
            rest.append(slice(None))
    return tuple(basic), tuple(rest)


def _check_bounds(shape: tuple, idx: tuple) -> None:
    """IndexError naming the dimension, like PyTorch, for an out-of-range integer."""
    dim = 0
    for it in idx:
        if it is None:
            continue
        if it is Ellipsis:
            dim = len(shape) - sum(1 for j in idx if j is not None and j is not Ellipsis)
            dim = max(dim, 0) + next(n for n, j in enumerate(idx) if j is Ellipsis)
            continue
        if isinstance(it, (int, np.integer)) and not isinstance(it, bool) and dim < len(shape):
            if not -shape[dim] <= it < shape[dim]:
                raise IndexError(
                    f"index {it} is out of bounds for dimension {dim} with size {shape[dim]}"
                )
        dim += 1


class GetItem(Op):
    """``a[idx]``; the gradient is added into zeros of the source shape at ``idx`` (IndexAdd)."""

    def name(self) -> str:
        if self.advanced:
            return "IndexBackward0"
        if any(isinstance(i, slice) and i != slice(None) for i in self.idx):
            return "SliceBackward0"
        if any(isinstance(i, (int, np.integer)) for i in self.idx):
            return "SelectBackward0"
        return "UnsqueezeBackward0" if any(i is None for i in self.idx) else "AliasBackward0"

    @staticmethod
    def forward(ctx, a, idx, advanced):
        ctx.in_shape = a.shape
        ctx.idx = idx
        ctx.advanced = advanced
        return a[idx]

    @staticmethod
    def backward(ctx, g):
        return IndexAdd.apply(g, idx=ctx.idx, shape=ctx.in_shape, advanced=ctx.advanced)


class IndexAdd(Op):
    """Adjoint of GetItem: zeros of the source shape with ``g`` added at ``idx``."""

    @staticmethod
    def forward(ctx, g, idx, shape, advanced):
        ctx.idx = idx
        ctx.advanced = advanced
        out = np.zeros(shape, dtype=g.dtype)
        if advanced:
            np.add.at(out, idx, g)
        else:
            out[idx] = g
        return out

    @staticmethod
    def backward(ctx, gg):
        return GetItem.apply(gg, idx=ctx.idx, advanced=ctx.advanced)


class IndexPut(Op):
    """Out-of-place ``a[idx] = v``; ``Tensor.__setitem__`` writes its result in place."""

    @staticmethod
    def forward(ctx, a, v, idx, advanced):
        ctx.idx = idx
        ctx.advanced = advanced
        out = a.copy()
        out[idx] = v
        return out

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        ga = IndexPut.apply(g, np.zeros((), g._data.dtype), idx=ctx.idx,
                            advanced=ctx.advanced) if need[0] else None
        gv = GetItem.apply(g, idx=ctx.idx, advanced=ctx.advanced) if need[1] else None
        return ga, gv


def getitem(t: Tensor, idx) -> Tensor:
    """``t[idx]`` with PyTorch's semantics (ints, slices, None, Ellipsis, bool and int tensors).

    Basic indexing returns a view sharing ``t``'s data; advanced (tensor/list) indexing copies.

    Raises:
        IndexError: an index out of range or too many indices, in PyTorch's words.
    """
    idx, advanced = normalize_index(idx)
    _check_bounds(t._data.shape, idx)
    if advanced and any(isinstance(it, (int, np.integer)) and not isinstance(it, bool)
                        for it in idx):
        basic, rest = _split_ints(idx)
        return getitem(getitem(t, basic), rest)
    if not advanced and not any(it is Ellipsis for it in idx):
        idx = idx + (Ellipsis,)  # so all-int indices give a 0-d view, not a NumPy scalar copy
    try:
        out = GetItem.apply(t, idx=idx, advanced=advanced)
    except IndexError as e:
        raise _index_error(e, t) from None
    if advanced:
        return out
    return _view(t, out, lambda base: GetItem.apply(base, idx=idx, advanced=False))


def _index_error(e: IndexError, t: Tensor) -> IndexError:
    """NumPy's indexing errors in PyTorch's words."""
    msg = str(e)
    if msg.startswith("too many indices"):
        return IndexError(f"too many indices for tensor of dimension {t._data.ndim}")
    if msg.startswith("index "):
        msg = msg.replace(" axis ", " dimension ")
    return IndexError(msg)


class WriteView(Op):
    """``base`` with the region a view ``fn`` selects replaced by ``value`` (out of place).

    The history of an in-place write through a view: the base's gradient is zero on the
    overwritten region, the value's gradient is that region of the output's gradient.
    """

    def name(self) -> str:
        return "CopySlices"  # PyTorch's node name for a write through a view

    @staticmethod
    def forward(ctx, base, value, fn):
        ctx.fn = fn
        out = base.copy()
        fn(_from_array(out))._data[...] = value
        if ctx.requires_grad:
            keep = np.ones(base.shape, dtype=base.dtype)
            fn(_from_array(keep))._data[...] = 0
            ctx.keep = keep
        return out

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        return (g * const(ctx.keep) if need[0] else None), (ctx.fn(g) if need[1] else None)


def inplace(self: Tensor, compute, others=(), uniform: bool = False) -> Tensor:
    """Write ``compute(self)`` into self's storage, rewriting its history if autograd records.

    When recording, ``compute`` sees a clone of self, so ops that save their input keep
    the old values; self then takes the result's grad_fn. Otherwise the result is just copied
    into the storage. Either way the version counter moves, which is how backward notices a
    saved tensor that was overwritten afterwards.
    """
    recording = _grad_state.enabled and (
        self._requires_grad or any(isinstance(o, Tensor) and o._requires_grad for o in others)
    )
    if recording and self._grad_fn is None and self._requires_grad:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    if recording and "_view_src" in self.__dict__:  # a view: its base's history changes too
        return inplace_view(self, compute)
    target = self._data
    if target.flags.writeable is False:
        # an expanded view: several elements share memory. Only a uniform fill (zero_, fill_)
        # is well defined there, and PyTorch allows it; it writes through the shared memory
        target = _writable_alias(target) if uniform and not recording else None
        if target is None:
            raise RuntimeError(
                "unsupported operation: the tensor is a broadcast (expanded) view; more than "
                "one element refers to the same memory location. Clone it before writing in "
                "place."
            )
    new = compute(self.clone() if recording else self.detach())
    if new._data.shape != self._data.shape:
        raise RuntimeError(
            f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
            f"{list(new._data.shape)}"
        )
    target[...] = new._data
    self._bump_version()
    if recording:
        self._grad_fn = new._grad_fn
        self._output_nr = 0
        self._requires_grad = True
    return self


def _writable_alias(arr: np.ndarray) -> np.ndarray | None:
    """A writable array over the same memory as the read-only view ``arr`` (NumPy marks
    broadcast views read-only), or None when the memory's owner is itself read-only."""
    owner = arr
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    if not owner.flags.writeable or not owner.flags.c_contiguous:
        return None
    offset = arr.__array_interface__["data"][0] - owner.__array_interface__["data"][0]
    return np.ndarray(arr.shape, arr.dtype, buffer=owner, offset=offset, strides=arr.strides)


def inplace_view(view: Tensor, compute) -> Tensor:
    """In-place write through a view while autograd records: rewrite the base's history.

    The new values of the view are computed from a clone (so saved tensors keep the old
    ones), written into the base with ``WriteView`` (recursively, if the base is itself a
    view), and the view becomes a fresh view of the updated base.
    """
    base, fn = view._view_src
    root = base
    while "_view_src" in root.__dict__:
        root = root._view_src[0]
    if root._grad_fn is None and root._requires_grad:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place operation."
        )
    if view._data.flags.writeable is False:
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation."
        )
    new = compute(view.clone())
    if new._data.shape != view._data.shape:
        raise RuntimeError(
            f"output with shape {list(view._data.shape)} doesn't match the broadcast shape "
            f"{list(new._data.shape)}"
        )
    if new._data.dtype != view._data.dtype:
        new = new.to(view.dtype)
    inplace(base, lambda b: WriteView.apply(b, new, fn=fn), (new,))
    fresh = fn(base)
    view._grad_fn = fresh._grad_fn
    view._output_nr = 0
    view._requires_grad = fresh._requires_grad
    return view


def setitem(t: Tensor, idx, value) -> None:
    """``t[idx] = value`` in place, recorded by autograd as PyTorch's ``CopySlices``.

    ``value`` (a scalar or tensor) is cast to ``t``'s dtype and broadcast to the indexed region.

    Raises:
        RuntimeError: ``value`` does not broadcast to the indexed shape, or a tensor ``value``
            of another dtype written through integer indices (PyTorch's ``index_put_``
            does not cast).
    """
    idx, advanced = normalize_index(idx)
    _check_bounds(t._data.shape, idx)
    if isinstance(value, Tensor) and value._data.dtype != t._data.dtype and any(
            isinstance(it, np.ndarray) and it.dtype.kind in "iu" for it in idx):
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{_dtype.scalar_type_name(t.dtype)} for the destination and "
            f"{_dtype.scalar_type_name(value.dtype)} for the source.")
    if isinstance(value, np.generic) and not isinstance(value, (np.integer, float)):
        # PyTorch takes NumPy integers and float64 (a Python float), not float32 or bool_
        raise TypeError(f"can't assign a numpy.{type(value).__name__} to a "
                        f"torch.{_dtype.scalar_type_name(t.dtype)}Tensor")
    if not isinstance(value, Tensor):
        value = scalar_as(value, t._data.dtype)  # -8 into uint8 wraps, as PyTorch's cast
    elif value._data.dtype != t._data.dtype:
        value = value.to(t._data.dtype)
    try:
        inplace(t, lambda src: IndexPut.apply(src, value, idx=idx, advanced=advanced), (value,))
    except ValueError:
        target = np.empty(t._data.shape, dtype=bool)[idx].shape
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(np.shape(_data_of(value)))} cannot be "
            f"broadcast to indexing result of shape {list(target)}"
        ) from None


def _data_of(x):
    return x._data if isinstance(x, Tensor) else x


def _index_array(index, name: str) -> np.ndarray:
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    return idx


def _check_index_range(idx: np.ndarray, size: int, axis: int) -> None:
    if idx.size and (idx.max() >= size or idx.min() < -size):
        bad = idx.max() if idx.max() >= size else idx.min()
        raise RuntimeError(f"index {bad} is out of bounds for dimension {axis} with size {size}")


def gather(input, dim: int, index, *, sparse_grad: bool = False) -> Tensor:
    """``out[i][j] = input[index[i][j]][j]`` for ``dim=0`` (and likewise for other dims).

    ``index`` must have ``input``'s number of dims and be no larger outside ``dim``; the output
    has ``index``'s shape. ``sparse_grad`` is accepted and ignored.

    Raises:
        RuntimeError: a non-integer index, an index out of range, or mismatched dims/sizes.
    """
    axis = _wrap_dim(dim, input._data.ndim)
    idx = _index_array(index, "gather")
    if input._data.ndim:
        _check_index_range(idx, input._data.shape[axis], axis)
    if idx.ndim != input._data.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for d in range(idx.ndim):
        if d != axis and idx.shape[d] > input._data.shape[d]:
            raise RuntimeError(
                f"Size does not match at dimension {d} expected index {list(idx.shape)} to be "
                f"smaller than self {list(input._data.shape)} apart from dimension {axis}"
            )
    src = input[tuple(slice(0, s) if d != axis else slice(None)
                      for d, s in enumerate(idx.shape))]
    return TakeAlongDim.apply(src, idx, axis)


class Scatter(Op):
    """Out-of-place scatter (``reduce=None``): ``out[idx] = src`` along ``axis``."""

    @staticmethod
    def forward(ctx, a, src, idx, axis, add):
        ctx.idx = idx
        ctx.axis = axis
        ctx.add = add
        ctx.src_shape = np.shape(src)
        out = a.copy()
        full = list(np.indices(idx.shape, sparse=True))
        full[axis] = idx
        s = src[tuple(slice(0, n) for n in idx.shape)] if np.ndim(src) else src
        if add:
            np.add.at(out, tuple(full), s)
        else:
            out[tuple(full)] = s
        return out

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        ga = gs = None
        if need[0]:
            ga = g if ctx.add else Scatter.apply(g, np.zeros((), g._data.dtype), ctx.idx,
                                                 ctx.axis, False)
        if need[1]:
            # only src's leading idx.shape block was scattered; the rest gets zero gradient
            block = tuple(slice(0, n) for n in ctx.idx.shape)
            rows = tuple(slice(0, n) if d != ctx.axis else slice(None)
                         for d, n in enumerate(ctx.idx.shape))
            gs = TakeAlongDim.apply(g[rows], ctx.idx, ctx.axis)
            if gs.shape != ctx.src_shape:
                gs = IndexAdd.apply(gs, idx=block, shape=ctx.src_shape, advanced=False)
        return ga, gs, None, None, None


def _check_scatter(input, idx: np.ndarray, src, axis: int, name: str) -> None:
    """PyTorch's shape, range and dtype checks for scatter and scatter_reduce."""
    shape = input._data.shape
    if idx.ndim != input._data.ndim and idx.size:
        raise RuntimeError(f"{name}(): Index tensor must have the same number of dimensions as "
                           "self tensor")
    src_shape = src._data.shape if isinstance(src, Tensor) else None
    for d, n in enumerate(idx.shape):
        if (d != axis and n > shape[d]) or (src_shape is not None and n > src_shape[d]):
            raise RuntimeError(
                f"Expected index {list(idx.shape)} to be no larger than self {list(shape)} apart "
                f"from dimension {axis}" + (f" and to be no larger size than src "
                                            f"{list(src_shape)}" if src_shape is not None else ""))
    if input._data.ndim:
        _check_index_range(idx, shape[axis], axis)
    if isinstance(src, Tensor) and src._data.dtype != input._data.dtype:
        raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")


def scatter(input, dim: int, index, src=None, *, value=None, reduce=None) -> Tensor:
    """A copy of ``input`` with ``src`` (or the scalar ``value``) written at ``index`` on ``dim``.

    For ``dim=0``: ``out[index[i][j]][j] = src[i][j]``. With repeated indices and no ``reduce``
    the last write wins (PyTorch leaves the choice undefined).

    Args:
        input: the tensor to copy.
        dim: the dim along which ``index`` points.
        index: an integer tensor; only the leading ``index.shape`` block of ``src`` is used.
        src: a tensor or scalar of values.
        value: a scalar, used when ``src`` is None.
        reduce: None (overwrite), ``"add"`` or ``"multiply"`` (accumulate into ``input``).

    Raises:
        RuntimeError: a non-integer index, an index out of range, an index larger than
            ``input``/``src``, a ``src`` of another dtype, or an unknown ``reduce``.
    """
    axis = _wrap_dim(dim, input._data.ndim)
    idx = _index_array(index, "scatter")
    if src is None:
        src = value
    _check_scatter(input, idx, src, axis, "scatter")
    if reduce == "multiply":
        if not isinstance(src, Tensor):
            src = const(np.broadcast_to(np.asarray(src, dtype=input._data.dtype), idx.shape))
        return scatter_reduce(input, dim, index, src, "prod")
    if reduce not in (None, "add"):
        raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce!r}")
    if not isinstance(src, Tensor):
        src = scalar_as(src, input._data.dtype)  # -3 into uint8 wraps, as PyTorch's cast
    if reduce not in (None, "add"):
        raise NotImplementedError(f"scatter reduce={reduce!r} is not supported by ember")
    return Scatter.apply(input, src, idx, axis, reduce == "add")


_SCATTER_UFUNC = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum,
                  "amin": np.minimum}


def _identity(reduce: str, dtype: np.dtype):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    info = np.iinfo(dtype) if dtype.kind in "iu" else None
    if info is None:  # bool
        return reduce == "amin"
    return info.min if reduce == "amax" else info.max


class ScatterReduce(Op):
    """``out[idx] = reduce(self[idx], src...)`` along ``axis``; the gradient as PyTorch's:
    sum/mean route ``g`` (divided by the count for mean) back; amax/amin split it evenly among
    the elements equal to the result."""

    save_inputs = (0, 1)
    save_output = True

    @staticmethod
    def forward(ctx, a, src, idx, axis, reduce, include_self):
        ctx.idx, ctx.axis, ctx.reduce, ctx.include_self = idx, axis, reduce, include_self
        out = a.copy()
        full = list(np.indices(idx.shape, sparse=True))
        full[axis] = idx
        full = tuple(full)
        s = src[tuple(slice(0, n) for n in idx.shape)]
        if not include_self:
            out[full] = _identity(reduce, a.dtype)
        _SCATTER_UFUNC[reduce].at(out, full, s)
        if reduce == "mean":
            count = np.full(a.shape, 1 if include_self else 0, dtype=np.int64)
            np.add.at(count, full, 1)
            count = np.maximum(count, 1)  # untouched positions (include_self=False) keep self
            ctx.count = count
            # integer means round down, as PyTorch's floor division
            out = (out / count if a.dtype.kind == "f" else out // count).astype(a.dtype)
        return out

    @staticmethod
    def backward(ctx, g):
        a, src, out = ctx.saved_tensors
        need = ctx.needs_input_grad
        idx, axis, reduce = ctx.idx, ctx.axis, ctx.reduce
        hit = np.zeros(a.shape, dtype=bool)
        full = list(np.indices(idx.shape, sparse=True))
        full[axis] = idx
        hit[tuple(full)] = True
        ga = gs = None
        if reduce in ("sum", "mean"):
            gg = g / const(ctx.count.astype(g._data.dtype)) if reduce == "mean" else g
            if need[0]:
                ga = gg if ctx.include_self else where(const(hit), 0.0, g)
            if need[1]:
                gs = _to_src(gather(gg, axis, const(idx)), src.shape)
        elif reduce in ("amax", "amin"):
            # PyTorch counts self's ties with the result even when include_self is False (and
            # then gives self no gradient at the scattered positions); so does ember
            eq_self = const(a._data == out._data)
            src_block = src[tuple(slice(0, n) for n in idx.shape)]
            out_at = gather(out.detach(), axis, const(idx))
            eq_src = const(src_block._data == out_at._data)
            count = Scatter.apply(eq_self.to(g.dtype), eq_src.to(g.dtype)._data, idx, axis, True)
            share = g / where(const(count._data == 0), 1.0, count)
            if need[0]:
                keep = eq_self if ctx.include_self else const(eq_self._data & ~hit)
                ga = where(keep, share, 0.0)
            if need[1]:
                gs = _to_src(where(eq_src, gather(share, axis, const(idx)), 0.0), src.shape)
        else:
            raise NotImplementedError("scatter_reduce: ember has no gradient for reduce='prod'")
        return ga, gs, None, None, None, None


def _to_src(block: Tensor, shape: tuple) -> Tensor:
    """The gradient of src's leading block, zero-padded to src's shape."""
    if block.shape == shape:
        return block
    return IndexAdd.apply(block, idx=tuple(slice(0, n) for n in block.shape), shape=shape,
                          advanced=False)


def scatter_reduce(input, dim: int, index, src, reduce: str, *, include_self: bool = True
                   ) -> Tensor:
    """``input`` with the ``src`` values at ``index`` along ``dim`` reduced into it.

    Args:
        input: the tensor to copy.
        dim: the dim along which ``index`` points.
        index: an integer tensor no larger than ``input`` (outside ``dim``) and ``src``.
        src: a tensor of ``input``'s dtype.
        reduce: ``"sum"``, ``"prod"``, ``"mean"``, ``"amax"`` or ``"amin"``.
        include_self: whether ``input``'s values take part in the reduction.

    Raises:
        RuntimeError: an unknown ``reduce``, a bad index or a ``src`` of another dtype.
    """
    if reduce not in _SCATTER_UFUNC:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    axis = _wrap_dim(dim, input._data.ndim)
    idx = _index_array(index, "scatter_reduce")
    _check_scatter(input, idx, src, axis, "scatter_reduce")
    return ScatterReduce.apply(input, src, idx, axis, reduce, include_self)


def scatter_add(input, dim: int, index, src) -> Tensor:
    """``scatter(input, dim, index, src, reduce="add")``: repeated indices accumulate."""
    return scatter(input, dim, index, src, reduce="add")


def index_add(input, dim: int, index, source, *, alpha=1) -> Tensor:
    """``input`` with ``alpha * source`` slices added at ``index`` along ``dim`` (repeated
    indices accumulate): message passing by hand, ``out.index_add_(0, dst, messages)``.

    Raises:
        RuntimeError: a non-integer index, an index count other than ``source.size(dim)``,
            or an index out of range (PyTorch's messages).
    """
    axis = _wrap_dim(dim, input._data.ndim)
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError("index_add_(): Expected dtype int32/int64 for index but got: "
                           f"{_dtype.scalar_type_name(_dtype.from_numpy_dtype(idx.dtype))}")
    idx = idx.reshape(-1).astype(np.int64)
    n_src = source.shape[axis] if source.ndim else 1
    if len(idx) != n_src:
        raise RuntimeError(f"index_add_(): Number of indices ({len(idx)}) should be equal to "
                           f"source.size(dim): ({n_src}), for dim: {axis}")
    size = input.shape[axis] if input.ndim else 1
    bad = idx[(idx < -size) | (idx >= size)]
    if bad.size:
        raise RuntimeError(f"index {bad[0]} is out of bounds for dimension {axis} with size "
                           f"{size}")
    shape = [1] * source.ndim
    shape[axis] = len(idx)
    spread = np.broadcast_to((idx % size).reshape(shape), tuple(source.shape))
    return scatter(input, axis, _from_array(np.ascontiguousarray(spread)),
                   source * alpha if alpha != 1 else source, reduce="add")


def index_select(input, dim: int, index) -> Tensor:
    """The slices of ``input`` at the positions in the 1-D ``index`` along ``dim`` (a copy).

    Raises:
        IndexError: ``index`` is not 1-D or holds an index out of range.
    """
    axis = _wrap_dim(dim, input._data.ndim)
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index, got "
                           f"{idx.dtype}")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    n = input._data.shape[axis] if input._data.ndim else 1
    if idx.size and (idx.max() >= n or idx.min() < -n):
        raise IndexError(f"index out of range in self (dim {axis} has size {n})")
    return getitem(input, (slice(None),) * axis + (idx.astype(np.int64),))


def masked_fill(input, mask, value) -> Tensor:
    """A copy of ``input`` with ``value`` wherever the bool ``mask`` (broadcast) is True.

    Raises:
        RuntimeError: a non-bool mask, or a tensor ``value`` that is not 0-d.
    """
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{m.dtype}")
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s)."
            )
        value = value.to(input.dtype)
        return where(_from_array(m), value, input)
    return where(_from_array(m), np.asarray(value, dtype=input._data.dtype).item(), input)


def nonzero(input, *, as_tuple: bool = False):
    """The int64 indices of the nonzero elements, one row per element, in row-major order.

    With ``as_tuple=True``, one 1-D index tensor per dim instead (usable as an index).
    """
    idx = np.nonzero(np.atleast_1d(input._data))  # a 0-d tensor counts as one element
    if input._data.ndim == 0 and not as_tuple:
        return _from_array(np.zeros((idx[0].size, 0), dtype=np.int64))
    if as_tuple:
        return tuple(_from_array(i.astype(np.int64)) for i in idx)
    return _from_array(np.stack(idx, axis=1).astype(np.int64))


def take_along_dim(input, indices, dim: int) -> Tensor:
    """Values of ``input`` at ``indices`` along ``dim`` (NumPy's ``take_along_axis``).

    ``indices`` broadcasts against ``input`` in every dim but ``dim``. Unlike PyTorch, ``dim`` is
    required (there is no flattened form).
    """
    axis = _wrap_dim(dim, input._data.ndim)
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    # broadcast every axis but ``axis`` between input and indices; ``axis`` keeps idx's length
    try:
        others = np.broadcast_shapes(_with_one(idx.shape, axis),
                                     _with_one(input._data.shape, axis))
    except ValueError:
        raise RuntimeError(f"take_along_dim: indices of shape {tuple(idx.shape)} do not "
                           f"broadcast against input of shape {tuple(input._data.shape)} "
                           f"outside dim {axis}") from None
    shape = others[:axis] + (idx.shape[axis],) + others[axis + 1:]
    return TakeAlongDim.apply(input, np.broadcast_to(idx, shape), axis)


def _with_one(shape: tuple, axis: int) -> tuple:
    return shape[:axis] + (1,) + shape[axis + 1:]


def masked_select(input, mask) -> Tensor:
    """The entries where ``mask`` (broadcast against input) is True, as a 1-D tensor."""
    m = mask if isinstance(mask, Tensor) else _from_array(np.asarray(mask))
    if m._data.dtype != np.bool_:
        raise RuntimeError(f"masked_select: expected BoolTensor for mask, got {m.dtype}")
    x, m = broadcast_tensors(input, m)
    return getitem(x, m)


def diag(input, diagonal: int = 0) -> Tensor:  # noqa: F811 - PyTorch's argument name
    """A 1-D input becomes a diagonal matrix; a 2-D input gives its diagonal."""
    if input._data.ndim == 1:
        n = input._data.shape[0] + abs(diagonal)
        r0, c0 = (0, diagonal) if diagonal >= 0 else (-diagonal, 0)
        i = np.arange(input._data.shape[0])
        return IndexAdd.apply(input, idx=(i + r0, i + c0), shape=(n, n), advanced=True)
    if input._data.ndim == 2:
        return _diagonal_of(input, diagonal)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input._data.ndim}D")


def _diagonal_of(input, offset: int) -> Tensor:
    return diagonal(input, offset)  # diag's argument shadows the function inside diag


__all__ = ["ScatterAlongDim"]


def diagflat(input, offset: int = 0) -> Tensor:
    """A 2-D tensor with the flattened ``input`` on diagonal ``offset``."""
    return diag(input.reshape(-1), offset)


def take(input, index) -> Tensor:
    """Elements of ``input`` treated as 1-D, at ``index`` (the result has index's shape).

    Raises:
        IndexError: an index out of range.
    """
    idx = _index_array(index, "take")
    n = input._data.size
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                         "elements.")
    return getitem(input.reshape(-1), (_from_array(idx),))


def argwhere(input) -> Tensor:
    """The indices of the nonzero elements, one row per element (``nonzero(input)``)."""
    return nonzero(input)


def _values_array(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False
         ) -> Tensor:
    """True where an element of ``elements`` is among ``test_elements`` (either may be a
    scalar); ``invert`` gives the opposite."""
    out = np.isin(_values_array(elements), _values_array(test_elements), invert=invert)
    return _from_array(np.asarray(out))


def searchsorted(sorted_sequence, input, *, out_int32: bool = False, right: bool = False,
                 side: str | None = None, sorter=None) -> Tensor:
    """Where each value of ``input`` would be inserted into ``sorted_sequence`` (along its last
    dim) to keep it sorted: before equal values, or after them with ``right``/``side="right"``.

    Raises:
        RuntimeError: ``side`` contradicting ``right``, or leading dims that differ.
    """
    if side is not None:
        if side not in ("left", "right") or (side == "left" and right):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' and "
                               f"must agree with right, got side={side!r}, right={right}")
        right = side == "right"
    seq = sorted_sequence._data
    vals = _values_array(input)
    if sorter is not None:
        seq = np.take_along_axis(seq, _values_array(sorter), -1)
    how = "right" if right else "left"
    if seq.ndim == 1:
        out = np.searchsorted(seq, vals, side=how)
    else:
        if seq.shape[:-1] != vals.shape[:-1]:
            raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or "
                               "the first N-1 dimensions of boundaries tensor and input value "
                               f"tensor must match, but we got boundaries tensor "
                               f"{list(seq.shape)} and input value tensor {list(vals.shape)}")
        flat_s = seq.reshape(-1, seq.shape[-1])
        flat_v = vals.reshape(-1, vals.shape[-1])
        out = np.stack([np.searchsorted(s, v, side=how) for s, v in zip(flat_s, flat_v)])
        out = out.reshape(vals.shape)
    return _from_array(np.asarray(out, dtype=np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries, *, out_int32: bool = False, right: bool = False) -> Tensor:
    """The index of the bucket of 1-D ``boundaries`` each value falls in
    (``boundaries[i-1] < x <= boundaries[i]``, or ``<= x <`` with ``right``)."""
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim("
                           f"{boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)

"""Shape ops: reshape/view, permute/transpose, expand, squeeze, cat/stack, flip, repeat, tril.

Results that NumPy returns as views share the input's storage, so they also share its
version counter (``_view``): an in-place write through either is seen by autograd.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype
from .._core import Size, Tensor, _from_array, _wrap_dim
from .._promotion import result_type
from ..autograd.broadcast import SumTo
from ..autograd.function import Op


def _view(base: Tensor, out: Tensor, fn=None) -> Tensor:
    """Mark ``out`` as a view of ``base`` when NumPy made it one.

    ``fn`` recreates the view from a tensor shaped like ``base``; an in-place write through
    the view uses it to rewrite the base's history (``indexing.inplace_view``).
    """
    if out._data.base is not None:
        base._share_version(out)
        if fn is not None:
            out._view_src = (base, fn)
    return out


# ======================================================================== primitives


class Reshape(Op):
    """``a`` with a new shape (a NumPy view when possible)."""

    def name(self) -> str:
        return "ViewBackward0"

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape)


class Permute(Op):
    """``a`` with its axes reordered (a NumPy view)."""

    def name(self) -> str:
        return self.label

    @staticmethod
    def forward(ctx, a, axes, label="PermuteBackward0"):
        ctx.axes = axes
        ctx.label = label
        return a.transpose(axes)

    @staticmethod
    def backward(ctx, g):
        return g.permute(tuple(np.argsort(ctx.axes)))


class Expand(Op):
    """A read-only broadcast view (as PyTorch's expand: writes to the base show through)."""

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        return np.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, g):
        return SumTo.apply(g, shape=ctx.in_shape)


class Flip(Op):
    """``a`` reversed along ``axes``, copied (as PyTorch: writing into it leaves ``a`` alone)."""

    @staticmethod
    def forward(ctx, a, axes):
        ctx.axes = axes
        return np.flip(a, axes).copy()

    @staticmethod
    def backward(ctx, g):
        return Flip.apply(g, axes=ctx.axes)


class Concat(Op):
    """Tensors joined along ``axis``; the gradient is split back into the pieces."""

    def name(self) -> str:
        return "CatBackward0"

    @staticmethod
    def forward(ctx, *arrays, axis):
        ctx.axis = axis
        ctx.sizes = [a.shape[axis] for a in arrays]
        return np.concatenate(arrays, axis=axis)

    @staticmethod
    def backward(ctx, g):
        grads = []
        start = 0
        for size, need in zip(ctx.sizes, ctx.needs_input_grad, strict=False):
            grads.append(g.narrow(ctx.axis, start, size) if need else None)
            start += size
        return tuple(grads)


class Tile(Op):
    """``a`` repeated ``reps`` times per dim (``Tensor.repeat``); the gradient sums the copies."""

    def name(self) -> str:
        return "RepeatBackward0"

    @staticmethod
    def forward(ctx, a, reps):
        ctx.in_shape = a.shape
        ctx.reps = reps
        return np.tile(a, reps)

    @staticmethod
    def backward(ctx, g):
        # view the output as (r0, s0, r1, s1, ...) and sum the repetition axes
        lead = len(ctx.reps) - len(ctx.in_shape)
        shape = (1,) * lead + tuple(ctx.in_shape)
        split = []
        for r, s in zip(ctx.reps, shape, strict=False):
            split += [r, s]
        summed = g.reshape(tuple(split)).sum(tuple(range(0, len(split), 2)))
        return summed.reshape(ctx.in_shape)


class Triangle(Op):
    """The lower (``tril``) or upper (``triu``) triangle of the last two dims, the rest zero."""

    def name(self) -> str:
        return "TriuBackward0" if self.upper else "TrilBackward0"

    @staticmethod
    def forward(ctx, a, k, upper):
        ctx.k = k
        ctx.upper = upper
        return np.triu(a, k) if upper else np.tril(a, k)

    @staticmethod
    def backward(ctx, g):
        return Triangle.apply(g, k=ctx.k, upper=ctx.upper)


# ======================================================================== public functions


def _shape_arg(shape) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def _infer_shape(numel: int, shape: tuple, src_shape: tuple) -> tuple:
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def reshape(input, *shape) -> Tensor:
    """``input`` with a new shape of the same number of elements; one entry may be -1.

    Returns a view sharing data with ``input`` when NumPy can make one, otherwise a copy.

    Raises:
        RuntimeError: the shape does not fit the number of elements.
    """
    if not shape:
        raise TypeError('reshape() missing 1 required positional arguments: "shape"')
    shape = _infer_shape(input._data.size, _shape_arg(shape), input._data.shape)
    return _view(input, Reshape.apply(input, shape=shape), _reshaper(shape))


def _reshaper(shape):
    return lambda t: Reshape.apply(t, shape=shape)


def _permuter(axes):
    return lambda t: Permute.apply(t, axes=axes)


def view(input, *shape) -> Tensor:
    """A view of ``input`` with a new shape (one entry may be -1), sharing its data.

    ``view(dtype)`` reinterprets the bytes as ``dtype`` (a bitcast); with a different element
    size the last dim shrinks or grows. It is not differentiable, as in PyTorch.

    Raises:
        RuntimeError: the shape does not fit, or a non-contiguous input cannot be viewed with it
            without a copy (use ``reshape``).
    """
    if not shape:
        raise TypeError("view() received an invalid combination of arguments - got (), but "
                        "expected a dtype or a tuple of ints")
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int)):
        return _bitcast(input, shape[0])
    shape = _infer_shape(input._data.size, _shape_arg(shape), input._data.shape)
    if not input._data.flags.c_contiguous and input._data.size > 1:
        try:
            np.reshape(input._data, shape, copy=False)
        except ValueError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None
    return _view(input, Reshape.apply(input, shape=shape), _reshaper(shape))


def _bitcast(input, dtype) -> Tensor:
    dt = np.dtype(_dtype.to_numpy_dtype(dtype))
    a = input._data
    if dt.itemsize != a.dtype.itemsize:
        if a.ndim == 0:
            raise RuntimeError("self.dim() cannot be 0 to view "
                               f"{_dtype.scalar_type_name(input.dtype)} as "
                               f"{_dtype.scalar_type_name(_dtype.from_numpy_dtype(dt))} (different "
                               "element sizes)")
        if a.strides[-1] != a.dtype.itemsize or (a.shape[-1] * a.dtype.itemsize) % dt.itemsize:
            raise RuntimeError("self.size(-1) must be divisible by the ratio of element sizes and "
                               "the last dim must be contiguous to view with a different dtype")
    if dt == a.dtype:
        return view(input, a.shape)
    # a reinterpretation has no derivative: the result is not recorded (as PyTorch)
    out = _from_array(a.view(dt))
    return _view(input, out, lambda base: _from_array(base._data.view(dt)))


def view_as(input, other) -> Tensor:
    """``view(input, other.shape)``."""
    return view(input, other._data.shape)


def reshape_as(input, other) -> Tensor:
    """``reshape(input, other.shape)``."""
    return reshape(input, other._data.shape)


def flatten(input, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim`` to ``end_dim`` (inclusive) into one; a 0-d input gives shape (1,).

    Raises:
        RuntimeError: ``start_dim`` comes after ``end_dim``.
    """
    shape = input._data.shape
    if len(shape) == 0:
        return reshape(input, (1,))
    s = _wrap_dim(start_dim, len(shape))
    e = _wrap_dim(end_dim, len(shape))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    merged = int(np.prod(shape[s : e + 1]))
    return reshape(input, shape[:s] + (merged,) + shape[e + 1 :])


def unflatten(input, dim: int, sizes) -> Tensor:
    """Split dim ``dim`` into ``sizes`` (one entry may be -1).

    Raises:
        RuntimeError: ``sizes`` do not multiply to the size of ``dim``.
    """
    shape = input._data.shape
    d = _wrap_dim(dim, len(shape))
    sizes = tuple(sizes)
    if -1 in sizes:
        sizes = _infer_shape(shape[d], sizes, (shape[d],))
    if int(np.prod(sizes)) != shape[d]:
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
            f"({shape[d]}) in the input tensor"
        )
    return reshape(input, shape[:d] + sizes + shape[d + 1 :])


def squeeze(input, dim=None) -> Tensor:
    """Remove size-1 dims: all of them, or only those in ``dim`` (an int or a tuple).

    Dims in ``dim`` whose size is not 1 are left alone, as in PyTorch.
    """
    shape = input._data.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        axes = {_wrap_dim(d, len(shape)) for d in dims}
        new = tuple(s for i, s in enumerate(shape) if not (i in axes and s == 1))
    return reshape(input, new)


def unsqueeze(input, dim: int) -> Tensor:
    """Insert a size-1 dim at position ``dim`` (which may be ``input.dim()`` or negative)."""
    shape = input._data.shape
    d = _wrap_dim(dim, len(shape) + 1)
    return reshape(input, shape[:d] + (1,) + shape[d:])


def permute(input, *dims) -> Tensor:
    """Reorder the dims of ``input``; a view sharing its data.

    Args:
        input: the tensor.
        *dims: the new order, as separate ints or one sequence, naming every dim once.

    Raises:
        RuntimeError: the number of dims is wrong or a dim repeats.
    """
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    dims = _shape_arg(dims)
    n = input._data.ndim
    if len(dims) != n:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {n} is not equal "
            f"to len(dims) = {len(dims)}"
        )
    axes = tuple(_wrap_dim(d, n) for d in dims)
    if len(set(axes)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _view(input, Permute.apply(input, axes=axes), _permuter(axes))


def transpose(input, dim0: int, dim1: int, _label: str = "TransposeBackward0") -> Tensor:
    """Swap dims ``dim0`` and ``dim1`` (a view); a 0-d input is returned as is."""
    n = input._data.ndim
    if n == 0:
        return input
    axes = list(range(n))
    a, b = _wrap_dim(dim0, n), _wrap_dim(dim1, n)
    axes[a], axes[b] = axes[b], axes[a]
    axes = tuple(axes)
    return _view(input, Permute.apply(input, axes=axes, label=_label), _permuter(axes))


swapaxes = swapdims = transpose


def t(input) -> Tensor:
    """Transpose a matrix; 0-d and 1-d inputs are returned unchanged.

    Raises:
        RuntimeError: ``input`` has more than 2 dims.
    """
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input._data.ndim}D")
    return transpose(input, 0, 1, "TBackward0") if input._data.ndim == 2 else input


def mT(input) -> Tensor:  # noqa: N802
    """Swap the last two dims (the batched matrix transpose)."""
    return transpose(input, -2, -1)


def expand(input, *sizes) -> Tensor:
    """Broadcast ``input`` to ``sizes`` without copying; -1 keeps an existing size.

    New leading dims may be added; existing dims can only grow from size 1. Returns ``input``
    itself when the shape is unchanged.

    Raises:
        RuntimeError: fewer sizes than dims, -1 in a new leading dim, or a non-singleton dim
            whose size differs.
    """
    sizes = _shape_arg(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to "
            f"the number of dimensions in the tensor ({len(shape)})"
        )
    lead = len(sizes) - len(shape)
    target = []
    for i, s in enumerate(sizes):
        old = shape[i - lead] if i >= lead else None
        if s == -1:
            if old is None:
                raise RuntimeError("expand: -1 is not allowed in a leading, non-existing dimension")
            s = old
        elif old is not None and old != 1 and old != s:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({old}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                f"{list(shape)}"
            )
        target.append(s)
    target = tuple(target)
    if target == shape:
        return input
    return _view(input, Expand.apply(input, shape=target))


def expand_as(input, other) -> Tensor:
    """``expand(input, other.shape)``."""
    return expand(input, other._data.shape)


def broadcast_to(input, shape) -> Tensor:
    """``expand(input, shape)``."""
    return expand(input, tuple(shape))


def sum_to_size(input, *size) -> Tensor:
    """Sum ``input`` down to ``size``, to which it must be broadcastable (undo an expand)."""
    return SumTo.apply(input, shape=_shape_arg(size))


def repeat(input, *sizes) -> Tensor:
    """Tile ``input`` ``sizes[i]`` times along each dim (a copy), as ``Tensor.repeat``.

    Extra leading entries in ``sizes`` add new dims.

    Raises:
        RuntimeError: fewer sizes than ``input`` has dims.
    """
    sizes = _shape_arg(sizes)
    if len(sizes) < input._data.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor"
        )
    return Tile.apply(input, reps=sizes)


def cat(tensors, dim: int = 0) -> Tensor:
    """Join tensors along an existing dim ``dim``, promoting them to a common dtype.

    1-D empty tensors are skipped, as PyTorch does for legacy code.

    Raises:
        ValueError: an empty sequence.
        RuntimeError: differing numbers of dims, or sizes that differ outside ``dim``.
    """
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    # PyTorch skips 1-D empty tensors in cat (legacy behaviour)
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    kept = [t for t in tensors if not (t._data.ndim == 1 and t._data.size == 0)] or tensors[:1]
    ref = kept[0]._data
    axis = _wrap_dim(dim, ref.ndim)
    for i, t in enumerate(kept):
        s = t._data.shape
        if len(s) != ref.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {ref.ndim} and {len(s)}"
            )
        for d in range(ref.ndim):
            if d != axis and s[d] != ref.shape[d]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {axis}. Expected size "
                    f"{ref.shape[d]} but got size {s[d]} for tensor number {i} in the list."
                )
    kept = _common_dtype(kept)
    return Concat.apply(*kept, axis=axis)


concat = concatenate = cat


def _tensor_list(tensors, fn: str) -> list:
    """The sequence as a list, with PyTorch's TypeError for anything that is not a Tensor."""
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)) and \
            not hasattr(tensors, "__iter__"):
        raise TypeError(f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        f"not {type(tensors).__name__}")
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    return tensors


def _common_dtype(tensors: list) -> list:
    """The tensors in their promoted dtype (``ember._promotion``: int32 with float32 is float32,
    not NumPy's float64)."""
    dt = result_type(*tensors)
    return [t if t._data.dtype == dt else t.to(dt) for t in tensors]


def stack(tensors, dim: int = 0) -> Tensor:
    """Join equally shaped tensors along a new dim ``dim``.

    Raises:
        RuntimeError: an empty sequence or tensors of different shapes.
    """
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 "
                f"and {list(t._data.shape)} at entry {i}"
            )
    d = _wrap_dim(dim, len(shape) + 1)
    return cat([unsqueeze(t, d) for t in tensors], d)


def hstack(tensors) -> Tensor:
    """Concatenate along dim 1 (dim 0 for 1-D tensors; 0-d tensors count as 1-D)."""
    tensors = [t.reshape(1) if t._data.ndim == 0 else t for t in tensors]
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def vstack(tensors) -> Tensor:
    """Concatenate along dim 0, treating 1-D tensors as rows of shape (1, n)."""
    return cat([t if t._data.ndim > 1 else t.reshape(1, -1) for t in tensors], 0)


def narrow(input, dim: int, start: int, length: int) -> Tensor:
    """The slice ``start : start + length`` of dim ``dim``, as a view; ``start`` may be negative.

    Raises:
        RuntimeError: the slice does not fit in the dim.
    """
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if start < 0:
        start += size
    if not (0 <= start and start + length <= size and length >= 0):
        raise RuntimeError(
            f"start ({start}) + length ({length}) exceeds dimension size ({size})."
        )
    index = (slice(None),) * d + (slice(start, start + length),)
    return input[index]


def split(tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Cut ``tensor`` along ``dim`` into views.

    Args:
        tensor: the tensor.
        split_size_or_sections: an int chunk size (the last chunk may be smaller), or a list of
            sizes that sum to the size of ``dim``.
        dim: the dim to cut.

    Returns:
        A tuple of tensors.

    Raises:
        RuntimeError: a non-positive chunk size for a non-empty dim, or sizes that do not sum to
            the size of ``dim``.
    """
    d = _wrap_dim(dim, tensor._data.ndim)
    size = tensor._data.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and size:
            raise RuntimeError("split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {size}")
        sizes = [min(step, size - i) for i in range(0, size, step)] if size else [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != size:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's "
                f"size at dimension {d}), but got split_sizes={sizes}"
            )
    out = []
    start = 0
    for s in sizes:
        out.append(narrow(tensor, d, start, s))
        start += s
    return tuple(out)


def chunk(input, chunks: int, dim: int = 0) -> tuple:
    """Split into at most ``chunks`` pieces of size ``ceil(n / chunks)`` along ``dim``.

    May return fewer than ``chunks`` pieces, as PyTorch (6 elements in 4 chunks gives 3 of 2).

    Raises:
        RuntimeError: ``chunks`` is not positive.
    """
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    size = input._data.shape[_wrap_dim(dim, input._data.ndim)]
    step = -(-size // chunks) if size else 1
    return split(input, step, dim)


def unbind(input, dim: int = 0) -> tuple:
    """A tuple of the slices along ``dim``, with that dim removed."""
    d = _wrap_dim(dim, input._data.ndim)
    return tuple(
        squeeze(narrow(input, d, i, 1), d) for i in range(input._data.shape[d])
    )


def flip(input, dims) -> Tensor:
    """Reverse the order of elements along ``dims`` (an int or a sequence); a copy, as in
    PyTorch, so writing into the result leaves ``input`` unchanged."""
    if isinstance(dims, int):
        dims = (dims,)
    axes = tuple(_wrap_dim(d, input._data.ndim) for d in dims)
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"dims has duplicates, original flip dims size={len(axes)}, but unique "
                           f"flip dims size={len(set(axes))}")
    if input._data.ndim == 0:
        return input.clone()
    return Flip.apply(input, axes=axes)


def fliplr(input) -> Tensor:
    """Reverse dim 1 (left/right)."""
    return flip(input, (1,))


def flipud(input) -> Tensor:
    """Reverse dim 0 (up/down)."""
    return flip(input, (0,))


def tril(input, diagonal: int = 0) -> Tensor:
    """Zero the elements above diagonal ``diagonal`` of the last two dims."""
    _check_matrix("tril", input)
    return Triangle.apply(input, k=diagonal, upper=False)


def triu(input, diagonal: int = 0) -> Tensor:
    """Zero the elements below diagonal ``diagonal`` of the last two dims."""
    _check_matrix("triu", input)
    return Triangle.apply(input, k=diagonal, upper=True)


def _check_matrix(name: str, input) -> None:
    if input._data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")


def movedim(input, source, destination) -> Tensor:
    """Move dims ``source`` to positions ``destination`` keeping the others in order.

    ``source`` and ``destination`` are ints or equally long sequences.

    Raises:
        RuntimeError: sequences of different lengths, or repeated dims.
    """
    n = input._data.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({src} dims) should contain the "
            f"same number of dims as destination ({dst} dims)"
        )
    src = [_wrap_dim(s, n) for s in src]
    dst = [_wrap_dim(s, n) for s in dst]
    order = [i for i in range(n) if i not in src]
    for d, s in sorted(zip(dst, src, strict=False)):
        order.insert(d, s)
    return permute(input, order)


# ======================================================================== composites


def roll(input, shifts, dims=None) -> Tensor:
    """Rotate entries along ``dims`` by ``shifts`` (over the flattened tensor when dims is None)."""
    if dims is None:
        return roll(input.flatten(), shifts, 0).reshape(input._data.shape)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:"
                           f"{len(dims)}")
    out = input
    for s, d in zip(shifts, dims, strict=False):
        d = _wrap_dim(d, input._data.ndim)
        n = input._data.shape[d]
        s = s % n if n else 0
        if s:
            out = cat([narrow(out, d, n - s, s), narrow(out, d, 0, n - s)], d)
    return out


def repeat_interleave(input, repeats, dim=None) -> Tensor:
    """Repeat each entry ``repeats`` times along ``dim`` (of the flattened tensor when None)."""
    if dim is None:
        input, dim = input.flatten(), 0
    d = _wrap_dim(dim, input._data.ndim)
    reps = repeats._data if isinstance(repeats, Tensor) else repeats
    idx = np.repeat(np.arange(input._data.shape[d]), reps)
    return input[(slice(None),) * d + (idx,)]


def diff(input, n: int = 1, dim: int = -1) -> Tensor:
    """The ``n``-th forward difference ``x[i + 1] - x[i]`` along ``dim``.

    PyTorch's ``prepend``/``append`` arguments are not supported. An ``n`` beyond the
    size gives an empty dim.

    Raises:
        RuntimeError: a negative ``n``.
    """
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _wrap_dim(dim, input._data.ndim)
    out = input
    for _ in range(min(n, input._data.shape[d])):
        size = out._data.shape[d]
        out = narrow(out, d, 1, size - 1) - narrow(out, d, 0, size - 1)
    return out


def broadcast_tensors(*tensors) -> tuple:
    """Expand all tensors to their common broadcast shape (views, no copy)."""
    shape = np.broadcast_shapes(*[t._data.shape for t in tensors])
    return tuple(expand(t, shape) for t in tensors)


def meshgrid(*tensors, indexing: str = "ij") -> tuple:
    """Coordinate grids from 1-D tensors (given separately or as one list).

    Args:
        *tensors: the 1-D coordinate tensors.
        indexing: ``"ij"`` (matrix: the output dims follow the input order) or ``"xy"``
            (Cartesian: the first two dims are swapped).

    Returns:
        A tuple of expanded views, one per input.

    Raises:
        RuntimeError: any other ``indexing``.
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    n = len(tensors)
    shape = [t._data.size for t in tensors]
    if indexing == "xy" and n >= 2:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, t in enumerate(tensors):
        axis = i
        if indexing == "xy" and n >= 2 and i < 2:
            axis = 1 - i
        view_shape = [1] * n
        view_shape[axis] = t._data.size
        out.append(expand(reshape(t, tuple(view_shape)), tuple(shape)))
    return tuple(out)


def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal over dims ``dim1``/``dim2`` (moved to the last dim): a view, as PyTorch's,
    so in-place writes through it reach ``input``."""
    n = input._data.ndim
    d1, d2 = _wrap_dim(dim1, n), _wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    out = Diagonal.apply(input, offset=offset, d1=d1, d2=d2)
    return _view(input, out, lambda base: Diagonal.apply(base, offset=offset, d1=d1, d2=d2))


def _diagonal_view(a: np.ndarray, offset: int, d1: int, d2: int) -> np.ndarray:
    """A strided NumPy view of ``a``'s diagonal (writable when ``a`` is)."""
    r0, c0 = (0, offset) if offset >= 0 else (-offset, 0)
    k = max(0, min(a.shape[d1] - r0, a.shape[d2] - c0))
    if k:
        start = [slice(None)] * a.ndim
        start[d1], start[d2] = slice(r0, None), slice(c0, None)
        a = a[tuple(start)]
    rest = [i for i in range(a.ndim) if i not in (d1, d2)]
    shape = tuple(a.shape[i] for i in rest) + (k,)
    strides = tuple(a.strides[i] for i in rest) + (a.strides[d1] + a.strides[d2],)
    return np.lib.stride_tricks.as_strided(a, shape, strides)


class Diagonal(Op):
    """A diagonal as a strided view; its adjoint writes the gradient onto a zero diagonal."""

    def name(self) -> str:
        return "DiagonalBackward0"

    @staticmethod
    def forward(ctx, a, offset, d1, d2):
        ctx.args = (a.shape, offset, d1, d2)
        return _diagonal_view(a, offset, d1, d2)

    @staticmethod
    def backward(ctx, g):
        shape, offset, d1, d2 = ctx.args
        return DiagonalScatter.apply(g, shape=shape, offset=offset, d1=d1, d2=d2)


class DiagonalScatter(Op):
    """Zeros of ``shape`` with ``g`` on the diagonal (the adjoint of ``Diagonal``)."""

    @staticmethod
    def forward(ctx, g, shape, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        out = np.zeros(shape, dtype=g.dtype)
        _diagonal_view(out, offset, d1, d2)[...] = g
        return out

    @staticmethod
    def backward(ctx, g):
        offset, d1, d2 = ctx.args
        return Diagonal.apply(g, offset=offset, d1=d1, d2=d2)


def trace(input) -> Tensor:
    """The sum of the main diagonal of a matrix.

    Raises:
        RuntimeError: ``input`` is not 2-D.
    """
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    return diagonal(input).sum()


def tile(input, dims) -> Tensor:
    """``repeat`` with ``dims`` left-padded with ones to the tensor's rank (NumPy's tile)."""
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if len(dims) < input.ndim:
        dims = (1,) * (input.ndim - len(dims)) + dims
    return repeat(input, *dims)


def unfold(input, dimension: int, size: int, step: int) -> Tensor:
    """Sliding windows of ``size`` every ``step`` along ``dimension``, as a new last dim
    (``Tensor.unfold``: time-series windows). Differentiable (overlaps accumulate).

    Raises:
        RuntimeError: ``size`` larger than the dimension, or a non-positive step.
    """
    axis = _wrap_dim(dimension, input.ndim)
    n = input.shape[axis] if input.ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {axis} is {n} but size is "
                           f"{size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    windows = (n - size) // step + 1
    idx = (np.arange(windows)[:, None] * step + np.arange(size)[None, :]).reshape(-1)
    picked = input[(slice(None),) * axis + (idx,)]  # (..., windows * size, ...)
    shape = tuple(input.shape[:axis]) + (windows, size) + tuple(input.shape[axis + 1:])
    return picked.reshape(shape).movedim(axis + 1, -1)


# ======================================================================== NumPy-style helpers


def ravel(input) -> Tensor:
    """``input`` flattened to 1-D (a view when possible)."""
    return reshape(input, -1)


moveaxis = movedim


def tensor_split(input, indices_or_sections, dim: int = 0) -> tuple:
    """Views of ``input`` split along ``dim``: into ``n`` near-equal parts (the first
    ``size % n`` one longer) for an int, or at the given indices for a sequence.

    Raises:
        RuntimeError: a non-positive number of sections.
    """
    axis = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[axis]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        q, r = divmod(size, n)
        bounds = [i * q + min(i, r) for i in range(n + 1)]
    else:
        bounds = [0] + [min(max(int(i), 0), size) for i in indices_or_sections] + [size]
    return tuple(narrow(input, axis, lo, max(hi - lo, 0))
                 for lo, hi in zip(bounds[:-1], bounds[1:]))


def _split_along(name: str, input, sections, dim: int, min_ndim: int) -> tuple:
    if input._data.ndim < min_ndim:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_ndim} dimension, "
                           f"but got a tensor with {input._data.ndim} dimensions!")
    if isinstance(sections, int) and sections and input._data.shape[dim] % sections:
        raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size "
                           f"of the dimension {input._data.shape[dim]} is not divisible by the "
                           f"split_size {sections}!")
    return tensor_split(input, sections, dim)


def hsplit(input, indices_or_sections) -> tuple:
    """``tensor_split`` along dim 1 (dim 0 for a 1-D tensor); an int must divide evenly."""
    dim = 1 if input._data.ndim > 1 else 0
    return _split_along("hsplit", input, indices_or_sections, dim, 1)


def vsplit(input, indices_or_sections) -> tuple:
    """``tensor_split`` along dim 0 of a tensor of 2 or more dims."""
    return _split_along("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input, indices_or_sections) -> tuple:
    """``tensor_split`` along dim 2 of a tensor of 3 or more dims."""
    return _split_along("dsplit", input, indices_or_sections, 2, 3)


def _atleast(tensors, fix):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    out = tuple(fix(t) for t in tensors)
    return out[0] if len(out) == 1 else out


def atleast_1d(*tensors):
    """Each tensor with at least one dim (a 0-d one becomes shape (1,))."""
    return _atleast(tensors, lambda t: reshape(t, 1) if t._data.ndim == 0 else t)


def atleast_2d(*tensors):
    """Each tensor with at least two dims (new dims in front)."""
    return _atleast(tensors, lambda t: reshape(t, (1,) * (2 - t._data.ndim) + t._data.shape)
                    if t._data.ndim < 2 else t)


def _to_3d(t):
    n = t._data.ndim
    if n == 0:
        return reshape(t, 1, 1, 1)
    if n == 1:
        return reshape(t, 1, t._data.shape[0], 1)
    if n == 2:
        return unsqueeze(t, 2)
    return t


def atleast_3d(*tensors):
    """Each tensor with at least three dims (NumPy's placement: (n,) -> (1, n, 1))."""
    return _atleast(tensors, _to_3d)


def column_stack(tensors) -> Tensor:
    """1-D (and 0-d) tensors as columns, concatenated side by side with the 2-D ones."""
    cols = [reshape(t, -1, 1) if t._data.ndim <= 1 else t for t in tensors]
    return hstack(cols)


def dstack(tensors) -> Tensor:
    """Tensors made at least 3-D, concatenated along dim 2 (depth)."""
    return cat([_to_3d(t) for t in tensors], 2)


row_stack = vstack


def rot90(input, k: int = 1, dims=(0, 1)) -> Tensor:
    """``input`` rotated by 90 degrees ``k`` times, from the first towards the second of
    ``dims``.

    Raises:
        RuntimeError: ``dims`` not two different dims of a tensor of at least 2 dims.
    """
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input._data.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input._data.ndim}")
    d0, d1 = (_wrap_dim(d, input._data.ndim) for d in dims)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    k %= 4
    if k == 1:
        return transpose(flip(input, (d1,)), d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return transpose(flip(input, (d0,)), d0, d1)
    return input.clone()


def select(input, dim: int, index: int) -> Tensor:
    """The slice at ``index`` along ``dim`` (that dim removed): a view.

    Raises:
        IndexError: ``index`` out of range.
    """
    axis = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[axis]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input._data.shape)} at dimension {axis}")
    return squeeze(narrow(input, axis, index % size, 1), axis)


def cartesian_prod(*tensors) -> Tensor:
    """Every combination of one element from each 1-D tensor, one per row (``itertools.product``
    order); a single tensor is returned as it is."""
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def broadcast_shapes(*shapes) -> Size:
    """The shape that tensors of ``shapes`` broadcast to.

    Raises:
        RuntimeError: shapes that do not broadcast.
    """
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    try:
        return Size(np.broadcast_shapes(*shapes))
    except ValueError:
        raise RuntimeError(f"shape mismatch: objects cannot be broadcast to a single shape: "
                           f"{shapes}") from None

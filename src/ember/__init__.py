"""ember: PyTorch's training model (tensors, autograd, nn, optim) on NumPy.

``import ember as torch`` runs most small PyTorch training scripts.
"""

from __future__ import annotations

import math as _math

from ._allocator import tune_malloc as _tune_malloc

_tune_malloc()  # keep freed array memory mapped: each step would page-fault it in again

from . import (  # noqa: E402  # noqa: E402,I001  # noqa: E402,I001
    _tensor_methods,  # noqa: F401 - binds ops onto Tensor
    amp,
    autograd,
    backends,
    cuda,
    distributed,
    distributions,
    linalg,
    nn,  # noqa: E402,I001
    optim,
    special,
    testing,
    utils,
)
from ._config import (
    are_deterministic_algorithms_enabled,
    get_float32_matmul_precision,
    get_num_threads,
    set_float32_matmul_precision,
    set_num_threads,
    use_deterministic_algorithms,
)
from ._creation import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    arange,
    as_tensor,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    tril_indices,
    triu_indices,
    zeros,
    zeros_like,
)
from ._dtype import (
    bool_ as bool,  # noqa: A004
)
from ._dtype import (
    double,
    dtype,
    finfo,
    float,  # noqa: A004
    float16,
    float32,
    float64,
    half,
    iinfo,
    int,  # noqa: A004
    int8,
    int16,
    int32,
    int64,
    long,
    short,
    uint8,
)
from ._grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from ._loop_checks import (
    TrainingLoopError,
    TrainingLoopWarning,
    get_loop_checks,
    set_loop_checks,
)
from ._random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from ._repr import set_printoptions
from .amp import autocast
from .ops.elementwise import (
    abs,  # noqa: A004
    absolute,
    acos,
    add,
    addcdiv,
    addcmul,
    arccos,
    arcsin,
    arctan,
    arctan2,
    asin,
    atan,
    atan2,
    ceil,
    clamp,
    clamp_max,
    clamp_min,
    clip,
    cos,
    cosh,
    div,
    divide,
    erf,
    erfc,
    exp,
    exp2,
    expm1,
    floor,
    floor_divide,
    fmod,
    frac,
    lerp,
    log,
    log1p,
    log2,
    log10,
    logaddexp,
    logit,
    maximum,
    minimum,
    mul,
    multiply,
    nan_to_num,
    neg,
    negative,
    pow,  # noqa: A004
    reciprocal,
    relu,
    remainder,
    round,  # noqa: A004
    rsqrt,
    sigmoid,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    sub,
    subtract,
    tan,
    tanh,
    true_divide,
    trunc,
    where,
)
from .ops.indexing import (
    gather,
    index_add,
    index_select,
    masked_fill,
    masked_select,
    nonzero,
    scatter,
    scatter_add,
    take_along_dim,
)
from .ops.linalg import (
    addmm,
    addmv,
    baddbmm,
    bmm,
    cdist,
    det,
    dot,
    einsum,
    ger,
    inner,
    logdet,
    matmul,
    mm,
    mv,
    outer,
    slogdet,
)
from .ops.reduce import (
    all,  # noqa: A004
    amax,
    amin,
    any,  # noqa: A004
    argmax,
    argmin,
    argsort,
    bincount,
    count_nonzero,
    cumprod,
    cumsum,
    logsumexp,
    max,  # noqa: A004
    mean,
    median,
    min,  # noqa: A004
    nanmean,
    nansum,
    norm,
    prod,
    sort,
    std,
    std_mean,
    sum,  # noqa: A004
    topk,
    unique,
    var,
    var_mean,
)
from .ops.shape import (
    broadcast_tensors,
    broadcast_to,
    cat,
    chunk,
    concat,
    concatenate,
    diag,
    diagonal,
    diff,
    flatten,
    flip,
    fliplr,
    flipud,
    hstack,
    meshgrid,
    movedim,
    narrow,
    permute,
    repeat_interleave,
    reshape,
    roll,
    split,
    squeeze,
    stack,
    swapaxes,
    swapdims,
    t,
    tile,
    trace,
    transpose,
    tril,
    triu,
    unbind,
    unflatten,
    unsqueeze,
    vstack,
)
from .serialization import load, save  # noqa: E402,I001
from .tensor import Size, Tensor, device, is_tensor

__version__ = "0.1.0"

# math constants under PyTorch's names (torch.pi, torch.inf, ...)
e = _math.e
pi = _math.pi
inf = _math.inf
nan = _math.nan


def compile(model=None, *, fullgraph: bool = False, dynamic=None, backend="inductor",  # noqa: A001
            mode=None, options=None, disable: bool = False):
    """``torch.compile``: ember has no compiler, so the model (or function) is returned
    as is; results are those of eager execution, which compilation must preserve."""
    if model is None:
        return lambda fn: fn
    return model


def inverse(input: Tensor) -> Tensor:
    """``torch.inverse``: the same as ``linalg.inv``."""
    return linalg.inv(input)


def is_floating_point(input: Tensor) -> bool:
    """True if ``input`` has a float dtype."""
    return input.is_floating_point()


def numel(input: Tensor) -> int:
    """The number of elements of ``input``."""
    return input.numel()


def clone(input: Tensor) -> Tensor:
    """A copy of ``input`` with its own data; gradients flow back to ``input``."""
    return input.clone()


def detach(input: Tensor) -> Tensor:
    """A tensor sharing ``input``'s data but cut from the autograd graph."""
    return input.detach()


def detach_(input: Tensor) -> Tensor:
    """Cut ``input`` from the autograd graph in place (it becomes a leaf) and return it."""
    return input.detach_()


def zero_(input: Tensor) -> Tensor:
    """Fill ``input`` with zeros in place and return it."""
    return input.zero_()


def fill_(input: Tensor, value) -> Tensor:
    """Fill ``input`` with the scalar ``value`` in place and return it."""
    return input.fill_(value)


def clamp_(input: Tensor, min=None, max=None) -> Tensor:  # noqa: A002
    """In-place ``clamp``: limit ``input`` to ``[min, max]`` and return it."""
    return input.clamp_(min, max)


def relu_(input: Tensor) -> Tensor:
    """In-place ``relu``: overwrite ``input`` with ``max(input, 0)`` and return it."""
    return input.relu_()


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """True if every ``|input - other| <= atol + rtol * |other|`` (broadcast).

    NaNs compare unequal unless ``equal_nan`` is True.
    """
    return input.allclose(other, rtol, atol, equal_nan)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> Tensor:
    """Elementwise ``|input - other| <= atol + rtol * |other|`` (nan equal if ``equal_nan``)."""
    return input.isclose(other, rtol, atol, equal_nan)


def equal(input, other) -> bool:
    """True if both tensors have the same shape and the same values."""
    return input.equal(other)


def eq(input, other):
    """Elementwise ``input == other`` as a bool tensor (broadcast, dtypes promoted)."""
    return input == other


def ne(input, other):
    """Elementwise ``input != other`` as a bool tensor."""
    return input != other


def lt(input, other):
    """Elementwise ``input < other`` as a bool tensor."""
    return input < other


def le(input, other):
    """Elementwise ``input <= other`` as a bool tensor."""
    return input <= other


def gt(input, other):
    """Elementwise ``input > other`` as a bool tensor."""
    return input > other


def ge(input, other):
    """Elementwise ``input >= other`` as a bool tensor."""
    return input >= other


def isnan(input):
    """Bool tensor, True where ``input`` is nan."""
    return input.isnan()


def isinf(input):
    """Bool tensor, True where ``input`` is +inf or -inf."""
    return input.isinf()


def isfinite(input):
    """Bool tensor, True where ``input`` is neither inf nor nan."""
    return input.isfinite()


def logical_not(input):
    """Bool tensor, True where ``input`` is zero."""
    return input.logical_not()


def logical_and(input, other):
    """Bool tensor, True where both operands are nonzero."""
    return input.logical_and(other)


def logical_or(input, other):
    """Bool tensor, True where either operand is nonzero."""
    return input.logical_or(other)


def logical_xor(input, other):
    """Bool tensor, True where exactly one operand is nonzero."""
    return input.logical_xor(other)


def bitwise_and(input, other):
    """Elementwise ``&`` of integer or bool tensors."""
    return input.bitwise_and(other)


def bitwise_or(input, other):
    """Elementwise ``|`` of integer or bool tensors."""
    return input.bitwise_or(other)


def bitwise_xor(input, other):
    """Elementwise ``^`` of integer or bool tensors."""
    return input.bitwise_xor(other)


def bitwise_not(input):
    """Elementwise ``~``: bit inversion for integers, logical not for bools."""
    return input.bitwise_not()


def get_default_dtype():
    """The default float dtype, always ``float32`` in ember."""
    return float32


def set_default_dtype(d) -> None:
    """Only ``float32`` is accepted: ember's default float dtype cannot be changed.

    Raises:
        NotImplementedError: any other dtype.
    """
    if d != float32:
        raise NotImplementedError("ember's default float dtype is float32")


def softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    """``ember.softmax``: the same as ``ember.nn.functional.softmax``."""
    return input.softmax(dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    """``ember.log_softmax``: the same as ``ember.nn.functional.log_softmax``."""
    return input.log_softmax(dim, dtype=dtype)


# PyTorch also exposes these nn.functional operations at the top level (torch.conv2d, ...)
from .nn.functional import (  # noqa: E402
    adaptive_avg_pool1d,
    adaptive_max_pool1d,
    avg_pool1d,
    conv1d,
    conv2d,
    conv_transpose1d,
    conv_transpose2d,
    dropout,
    embedding,
    group_norm,
    layer_norm,
    max_pool1d,
    max_pool2d,
    pixel_shuffle,
    pixel_unshuffle,
)

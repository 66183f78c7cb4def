"""ember: PyTorch's training model (tensors, autograd, nn, optim) on NumPy.

``import ember as torch`` runs most small PyTorch training scripts.
"""

from __future__ import annotations

import math as _math

from ._allocator import tune_malloc as _tune_malloc

_tune_malloc()  # keep freed array memory mapped: each step would page-fault it in again

from . import tensor as _tensor_module  # noqa: E402,F401,I001 - the complete Tensor first
from . import (  # noqa: E402,I001
    amp,
    autograd,
    backends,
    cuda,
    distributed,
    distributions,
    linalg,
    nn,  # noqa: E402,I001
    onnx,  # import works without the onnx package; export needs ember[onnx]
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
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
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
from ._torch_alias import install_as_torch
from .amp import autocast
from .autograd import functional as _autograd_functional  # noqa: F401 - ember.autograd.functional
from .ops.registry import FUNCTIONS as _FUNCTIONS
from .serialization import load, save  # noqa: E402,I001
from .tensor import Size, Tensor, device, is_tensor
from .tensor import inplace_functions as _inplace_functions

# every op's top-level function, from the op registry (ember.ops.registry), and the
# top-level in-place forms (ember.relu_)
globals().update(_FUNCTIONS)
globals().update(_inplace_functions())

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

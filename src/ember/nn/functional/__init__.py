"""``ember.nn.functional``: the stateless forms of the layers, one file per family, mirroring
``ember.nn.modules`` (``functional/conv.py`` beside ``modules/conv.py``); a layer calls its
functional, so each computation is written once."""

from __future__ import annotations

from ...tensor import Tensor  # noqa: F401 - torch.nn.functional.Tensor exists too
from .activation import (
    celu,
    celu_,
    elu,
    elu_,
    gelu,
    glu,
    gumbel_softmax,
    hardshrink,
    hardsigmoid,
    hardswish,
    hardtanh,
    hardtanh_,
    leaky_relu,
    leaky_relu_,
    log_softmax,
    logsigmoid,
    mish,
    prelu,
    relu,
    relu6,
    relu_,
    selu,
    selu_,
    sigmoid,
    silu,
    softmax,
    softmin,
    softplus,
    softshrink,
    softsign,
    tanh,
    tanhshrink,
    threshold,
    threshold_,
)
from .attention import multi_head_attention_forward, scaled_dot_product_attention
from .batchnorm import batch_norm
from .conv import (
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
)
from .distance import cosine_similarity, pairwise_distance
from .dropout import (
    dropout,
    dropout1d,
    dropout2d,
)
from .fold import fold, unfold
from .instancenorm import instance_norm
from .linear import bilinear, linear
from .loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cosine_embedding_loss,
    cross_entropy,
    ctc_loss,
    gaussian_nll_loss,
    hinge_embedding_loss,
    huber_loss,
    kl_div,
    l1_loss,
    margin_ranking_loss,
    mse_loss,
    multi_margin_loss,
    multilabel_soft_margin_loss,
    nll_loss,
    poisson_nll_loss,
    smooth_l1_loss,
    soft_margin_loss,
    triplet_margin_loss,
    triplet_margin_with_distance_loss,
)
from .normalization import (
    group_norm,
    layer_norm,
    local_response_norm,
    normalize,
    rms_norm,
)
from .padding import pad
from .pixelshuffle import channel_shuffle, pixel_shuffle, pixel_unshuffle
from .pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    adaptive_max_pool1d,
    adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d,
    adaptive_max_pool2d_with_indices,
    adaptive_max_pool3d,
    adaptive_max_pool3d_with_indices,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    lp_pool1d,
    lp_pool2d,
    lp_pool3d,
    max_pool1d,
    max_pool1d_with_indices,
    max_pool2d,
    max_pool2d_with_indices,
    max_pool3d,
    max_pool3d_with_indices,
    max_unpool1d,
    max_unpool2d,
    max_unpool3d,
)
from .sparse import (
    embedding,
    embedding_bag,
    one_hot,
)
from .upsampling import (
    interpolate,
    upsample,
    upsample_bilinear,
    upsample_nearest,
)

__all__ = [
    "linear", "bilinear", "relu", "relu_", "leaky_relu", "elu", "gelu", "silu", "softplus", "mish",
    "hardtanh", "relu6", "sigmoid", "tanh", "selu", "celu", "prelu", "logsigmoid", "hardsigmoid",
    "hardswish", "softsign", "tanhshrink", "threshold", "hardshrink", "softshrink", "glu",
    "softmin", "softmax", "log_softmax", "gumbel_softmax", "cosine_similarity",
    "pairwise_distance", "dropout", "dropout1d", "dropout2d", "batch_norm", "instance_norm",
    "layer_norm", "group_norm", "rms_norm", "normalize", "scaled_dot_product_attention",
    "multi_head_attention_forward",
    "embedding", "embedding_bag", "one_hot", "pad", "mse_loss", "l1_loss", "smooth_l1_loss",
    "huber_loss", "nll_loss", "cross_entropy", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "kl_div", "margin_ranking_loss", "hinge_embedding_loss",
    "soft_margin_loss", "multilabel_soft_margin_loss", "cosine_embedding_loss", "poisson_nll_loss",
    "gaussian_nll_loss", "triplet_margin_loss", "conv1d", "conv2d", "conv_transpose1d",
    "conv_transpose2d", "conv3d", "conv_transpose3d",
    "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
    "adaptive_avg_pool2d", "adaptive_avg_pool1d", "adaptive_max_pool2d", "adaptive_max_pool1d",
    "max_pool3d", "avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d", "max_unpool1d",
    "max_unpool2d", "max_unpool3d", "ctc_loss", "max_pool1d_with_indices",
    "max_pool2d_with_indices", "max_pool3d_with_indices", "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices", "adaptive_max_pool3d_with_indices", "lp_pool1d",
    "lp_pool2d", "lp_pool3d", "elu_", "leaky_relu_", "hardtanh_", "celu_", "selu_",
    "threshold_", "channel_shuffle", "local_response_norm", "multi_margin_loss",
    "triplet_margin_with_distance_loss",
    "interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle",
    "pixel_unshuffle", "unfold", "fold",
]

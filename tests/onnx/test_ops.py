"""Op-level mappings (ember.onnx._ops): each op class exported and run in ONNX Runtime."""

from __future__ import annotations

import pytest
from _onnx_check import export_and_compare

import ember
import ember.nn.functional as F
from ember import nn


class Lambda(nn.Module):
    """A model computing ``fn``; ``modules`` are registered (so eval() and paths reach them)."""

    def __init__(self, fn, *modules) -> None:
        super().__init__()
        self.fn = fn
        self.used = nn.ModuleList(modules)

    def forward(self, *args):
        return self.fn(*args)


def _check(fn, *shapes, dynamic=None, others=(), **kwargs):
    args = tuple(ember.randn(*s) for s in shapes)
    names = [f"x{i}" for i in range(len(args))]
    dyn = None if dynamic is None else {n: dynamic for n in names}
    others = [tuple(ember.randn(*s) for s in o) for o in others]
    return export_and_compare(Lambda(fn), args, names, dyn, others=others, **kwargs)


ELEMENTWISE = {
    "add": lambda x, y: x + y, "sub": lambda x, y: x - y * 2, "mul": lambda x, y: x * y,
    "div": lambda x, y: x / (y.abs() + 1), "neg": lambda x, y: -x + y,
    "pow": lambda x, y: (x.abs() + 0.5) ** 1.5 + y, "pow_tensor": lambda x, y: x.abs() ** y,
    "exp_log": lambda x, y: (x.exp() + y.exp()).log(), "sqrt_rsqrt": lambda x, y:
        (x * x + 1).sqrt() + (y * y + 1).rsqrt(), "trig": lambda x, y: x.sin() + y.cos() +
        x.tanh() + y.sigmoid(), "log1p_expm1": lambda x, y: (x.abs()).log1p() + y.expm1(),
    "clamp": lambda x, y: x.clamp(-0.5, 0.5) + y.clamp(min=0.1), "max_min": lambda x, y:
        ember.maximum(x, y) - ember.minimum(x, y), "floor": lambda x, y: (x * 3).floor() + y,
    "relu": lambda x, y: ember.relu(x) + y, "erf": lambda x, y: ember.erf(x) + y,
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise(name):
    _check(ELEMENTWISE[name], (2, 3, 4), (2, 3, 4), dynamic={0: "b"}, others=[((5, 3, 4),) * 2])


def test_broadcasting_and_python_scalars():
    _check(lambda x, y: x * 0.5 + y + 1, (4, 3), (3,), others=[((4, 3), (3,))])


def test_where_with_a_traced_condition_operand():
    mask = ember.tensor([[True, False, True]])
    _check(lambda x: ember.where(mask, x, x * 2), (2, 3))


def test_cast_and_clone():
    _check(lambda x: (x * 4).to(ember.int64).to(ember.float32) + x.clone(), (3, 4))


# ======================================================================== reductions


REDUCTIONS = {
    "sum": lambda x: x.sum(1), "sum_keepdim": lambda x: x.sum((1, 2), keepdim=True),
    "sum_all": lambda x: x.sum(), "mean": lambda x: x.mean(-1), "amax": lambda x: x.amax(1),
    "amin": lambda x: x.amin((0, 2)), "prod": lambda x: x.prod(2), "norm": lambda x:
        x.norm(dim=1), "max_all": lambda x: x.max(), "var": lambda x: x.var(1),
    "cumsum": lambda x: x.cumsum(1), "logsumexp": lambda x: x.logsumexp(2),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reductions(name):
    _check(REDUCTIONS[name], (3, 4, 5), dynamic={0: "b"}, others=[((6, 4, 5),)], atol=2e-5)


def test_softmax_and_log_softmax():
    _check(lambda x: F.softmax(x, -1) + F.log_softmax(x, 1).exp(), (2, 3, 4), dynamic={0: "b"},
           others=[((4, 3, 4),)])


# ======================================================================== shape ops


SHAPES = {
    "reshape": lambda x: x.reshape(x.shape[0], -1), "view_split_heads": lambda x:
        x.view(x.size(0), x.size(1), 2, 3).transpose(1, 2), "permute": lambda x:
        x.permute(2, 0, 1), "flatten": lambda x: x.flatten(1), "flatten_all": lambda x:
        x.flatten(), "unsqueeze_squeeze": lambda x: x.unsqueeze(0).squeeze(0).unsqueeze(-1),
    "cat": lambda x: ember.cat([x, x * 2], dim=1), "stack": lambda x: ember.stack([x, -x], 1),
    "split": lambda x: ember.cat(list(reversed(x.split(2, dim=2))), 2), "chunk": lambda x:
        x.chunk(3, -1)[1], "unbind": lambda x: x.unbind(1)[0], "slicing": lambda x:
        x[:, 1:, ::2], "negative_slice": lambda x: x[:, -2:, :-1], "int_index": lambda x:
        x[:, 0, 2], "none_ellipsis": lambda x: x[None, ..., 1], "index_tensor": lambda x:
        x[:, ember.tensor([2, 0, 2])], "expand": lambda x: x[:, :1].expand(-1, 3, 6),
    "repeat": lambda x: x.repeat(1, 2, 1), "flip": lambda x: x.flip(1), "tril": lambda x:
        x.tril(), "narrow": lambda x: x.narrow(2, 1, 3), "mT": lambda x: x.mT,
    "pad": lambda x: F.pad(x, (1, 2, 0, 1), value=0.5),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shape_ops_with_dynamic_batch(name):
    _check(SHAPES[name], (2, 3, 6), dynamic={0: "b"}, others=[((5, 3, 6),), ((1, 3, 6),)])


def test_reshape_merging_batch_and_time():
    _check(lambda x: x.reshape(-1, x.shape[-1]) * 2, (2, 3, 4), dynamic={0: "b", 1: "t"},
           others=[((4, 5, 4),)])


def test_index_at_a_position_that_follows_a_dynamic_axis():
    _check(lambda x: x[:, x.shape[1] - 1] + x[:, -2], (2, 5, 3), dynamic={1: "t"},
           others=[((2, 9, 3),)])


def test_view_from_sizes_read_off_the_tensor():
    def fn(x):
        b, t, c = x.size()
        return x.view(b * t, c).view(b, t, 2, c // 2).sum(-1)

    _check(fn, (2, 3, 4), dynamic={0: "b", 1: "t"}, others=[((4, 5, 4),)])


# ======================================================================== linear algebra


def test_matmul_bmm_einsum():
    _check(lambda a, b: ember.bmm(a, b) + ember.einsum("bij,bjk->bik", a, b) + a @ b,
           (2, 3, 4), (2, 4, 5), dynamic={0: "b"}, others=[((6, 3, 4), (6, 4, 5))])


def test_matmul_with_a_vector():
    w = ember.randn(4)
    _check(lambda a: a @ w, (3, 4))


# ======================================================================== nn ops


def test_linear_2d_and_3d():
    lin = nn.Linear(4, 3)
    no_bias = nn.Linear(4, 3, bias=False)
    _check(lambda x: lin(x).sum(-1, keepdim=True) + no_bias(x[0]), (2, 5, 4),
           dynamic={0: "b"}, others=[((3, 5, 4),)])


@pytest.mark.parametrize("layer", [
    nn.Conv1d(3, 4, 3, padding=1), nn.Conv1d(3, 6, 3, stride=2, groups=3),
    nn.Conv2d(3, 4, 3, stride=2, padding=1, dilation=1), nn.Conv2d(3, 4, (3, 2), padding="same"),
    nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1),
    nn.ConvTranspose1d(3, 2, 4, stride=2), nn.MaxPool2d(2), nn.MaxPool2d(3, stride=2, padding=1),
    nn.MaxPool1d(2), nn.AvgPool2d(2), nn.AvgPool2d(3, stride=2, padding=1),
    nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), nn.AdaptiveAvgPool2d(1),
], ids=lambda m: repr(m))
def test_convolution_and_pooling(layer):
    spatial = (8,) if "1d" in type(layer).__name__ else (8, 8)
    _check(layer, (2, 3) + spatial, dynamic={0: "b"}, others=[((3, 3) + spatial,)])


@pytest.mark.parametrize("layer", [
    nn.LayerNorm(6), nn.LayerNorm((3, 6), elementwise_affine=False), nn.GroupNorm(3, 3),
    nn.InstanceNorm1d(3), nn.GELU(), nn.GELU(approximate="tanh"), nn.SiLU(), nn.Softmax(-1),
    nn.Dropout(0.5), nn.Identity(), nn.Flatten(), nn.Sigmoid(), nn.Tanh(), nn.ReLU(),
], ids=lambda m: repr(m))
def test_normalisation_and_activation_layers(layer):
    _check(layer, (2, 3, 6), dynamic={0: "b"}, others=[((4, 3, 6),)])


@pytest.mark.parametrize("layer", [
    nn.MaxPool2d(3, stride=2, padding=1), nn.AvgPool2d(2),
    nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
    nn.AvgPool2d(3, stride=2, padding=1), nn.Conv2d(3, 2, 3, stride=2),
    nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1),
], ids=lambda m: repr(m))
def test_convolution_and_pooling_with_dynamic_image_size(layer):
    _check(layer, (2, 3, 8, 6), dynamic={0: "b", 2: "h", 3: "w"}, others=[((1, 3, 11, 9),)])


def test_average_pooling_with_divisor_override():
    _check(nn.AvgPool2d(2, divisor_override=3), (2, 3, 4, 4))


def test_embedding_with_padding_idx():
    emb = nn.Embedding(10, 4, padding_idx=0)
    model = Lambda(lambda i: emb(i) * 2)
    export_and_compare(model, ember.tensor([[0, 3, 9], [1, 2, 0]]), ["i"], {"i": {0: "b"}},
                       others=[ember.tensor([[5, 0, 1]])])

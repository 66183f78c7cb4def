"""Module: registration, walkers, modes, gradients, state_dict, repr, hooks."""

from __future__ import annotations

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import ember
import ember.nn as enn
from helpers import assert_close, torch

from ._parity import raises_like_torch


def mlp(nn):
    return nn.Sequential(
        nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.25), nn.Linear(8, 3))


def nested(nn):
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(ember.ones(3) if nn is enn else torch.ones(3))
            self.register_buffer("count", (ember if nn is enn else torch).zeros(1))
            self.fc = nn.Linear(3, 3)
            self.norm = nn.LayerNorm(3)

        def forward(self, x):
            return self.norm(self.fc(x) * self.scale)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList([Block(), Block()])
            self.head = nn.Sequential(OrderedDict(act=nn.Tanh(), out=nn.Linear(3, 2)))
            self.bn = nn.BatchNorm1d(2)
            self.emb = nn.Embedding(5, 3, padding_idx=0)

        def forward(self, x):
            for b in self.blocks:
                x = b(x)
            return self.bn(self.head(x))

    return Net()


class Plain(enn.Module):
    def __init__(self):
        super().__init__()
        self.w = enn.Parameter(ember.ones(2, 2))
        self.sub = enn.Linear(2, 2)
        self.register_buffer("buf", ember.zeros(2))
        self.register_buffer("tmp", ember.zeros(2), persistent=False)

    def forward(self, x):
        return self.sub(x @ self.w)


# ---------------------------------------------------------------------- registration
def test_attribute_assignment_registers_parameters_modules_buffers():
    m = Plain()
    assert list(m._parameters) == ["w"]
    assert list(m._modules) == ["sub"]
    assert list(m._buffers) == ["buf", "tmp"]
    assert m.w is m._parameters["w"] and m.sub is m._modules["sub"]
    assert "w" not in m.__dict__ and "sub" not in m.__dict__


def test_getattr_raises_attribute_error_never_none():
    m = Plain()
    with pytest.raises(AttributeError, match="'Plain' object has no attribute 'wieght'"):
        m.wieght  # noqa: B018
    assert not hasattr(m, "nothing")


def test_assigning_tensor_to_parameter_name_is_type_error():
    m = enn.Linear(2, 2)
    with pytest.raises(TypeError, match="parameter 'weight'"):
        m.weight = ember.ones(2, 2)
    m.bias = None
    assert m.bias is None and "bias" in m._parameters
    m.bias = enn.Parameter(ember.zeros(2))
    assert m.bias.shape == (2,)


def test_reassigning_name_moves_between_registries():
    m = Plain()
    m.sub = enn.Parameter(ember.ones(1))
    assert "sub" not in m._modules and "sub" in m._parameters
    m.buf = ember.ones(2)
    assert m._buffers["buf"].tolist() == [1.0, 1.0]
    with pytest.raises(TypeError):
        m.buf = 3
    m.plain = 5
    assert m.plain == 5 and "plain" in m.__dict__


def test_delattr_removes_from_registry():
    m = Plain()
    del m.w
    del m.sub
    del m.buf
    assert "w" not in m._parameters and "sub" not in m._modules and "buf" not in m._buffers
    with pytest.raises(AttributeError):
        m.w  # noqa: B018


def test_register_errors():
    m = Plain()
    with pytest.raises(KeyError):
        m.register_parameter("a.b", None)
    with pytest.raises(KeyError):
        m.register_buffer("w", ember.ones(1))
    with pytest.raises(TypeError):
        m.register_parameter("x", ember.ones(1))
    with pytest.raises(TypeError):
        m.add_module("x", 3)

    class Early(enn.Module):
        def __init__(self):
            self.w = enn.Parameter(ember.ones(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()


def test_add_module_and_register_module():
    m = enn.Module()
    m.add_module("a", enn.ReLU())
    m.register_module("b", enn.Tanh())
    assert [n for n, _ in m.named_children()] == ["a", "b"]


def test_forward_missing_raises():
    with pytest.raises(NotImplementedError):
        enn.Module()(1)


# ---------------------------------------------------------------------- walkers
def test_named_parameters_buffers_modules_match_pytorch_order():
    e, t = nested(enn), nested(torch.nn)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in e.named_children()] == [n for n, _ in t.named_children()]
    assert [n for n, _ in e.blocks[0].named_parameters(prefix="p", recurse=False)] == \
        [n for n, _ in t.blocks[0].named_parameters(prefix="p", recurse=False)]
    assert len(list(e.parameters())) == len(list(t.parameters()))
    assert len(list(e.modules())) == len(list(t.modules()))


def test_shared_parameters_and_modules_are_yielded_once():
    lin = enn.Linear(2, 2)
    m = enn.Sequential(lin, enn.ReLU(), lin)
    assert len(list(m.parameters())) == 2
    assert len(list(m.modules())) == 3
    assert list(m.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_get_submodule_and_parameter():
    e = nested(enn)
    assert e.get_submodule("blocks.1.fc") is e.blocks[1].fc
    assert e.get_parameter("head.out.bias") is e.head.out.bias
    with pytest.raises(AttributeError):
        e.get_submodule("blocks.7")


# ---------------------------------------------------------------------- modes and grads
def test_train_eval_recurse_and_return_self():
    m = nested(enn)
    assert all(mod.training for mod in m.modules())
    assert m.eval() is m
    assert not any(mod.training for mod in m.modules())
    assert m.train() is m
    assert all(mod.training for mod in m.modules())
    m.train(False)
    assert not m.blocks[1].norm.training


def test_gradients_accumulate_over_two_backward_calls():
    m = enn.Linear(3, 2)
    x = ember.randn(4, 3)
    m(x).sum().backward()
    first = m.weight.grad.numpy().copy()
    m(x).sum().backward()
    np.testing.assert_allclose(m.weight.grad.numpy(), 2 * first, rtol=1e-6)


def test_zero_grad_sets_none_by_default_and_zeros_on_request():
    m = enn.Linear(3, 2)
    m(ember.randn(4, 3)).sum().backward()
    grad = m.weight.grad
    m.zero_grad(set_to_none=False)
    assert m.weight.grad is grad and not grad.numpy().any()
    m(ember.randn(4, 3)).sum().backward()
    m.zero_grad()
    assert m.weight.grad is None and m.bias.grad is None


def test_eval_does_not_change_gradients():
    m = mlp(enn)
    m(ember.randn(6, 4)).sum().backward()
    before = [p.grad.numpy().copy() for p in m.parameters()]
    m.eval()
    after = [p.grad.numpy() for p in m.parameters()]
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)


def test_requires_grad_and_apply():
    m = mlp(enn)
    assert m.requires_grad_(False) is m
    assert not any(p.requires_grad for p in m.parameters())
    seen = []
    assert m.apply(lambda mod: seen.append(type(mod).__name__)) is m
    assert seen[-1] == "Sequential" and seen[0] == "Linear"


def test_to_double_float_keep_parameter_identity():
    m = mlp(enn)
    w = m[0].weight
    m.double()
    assert m[0].weight is w and w.dtype == ember.float64
    assert m[1].running_mean.dtype == ember.float64
    assert m[1].num_batches_tracked.dtype == ember.int64
    assert m(ember.randn(3, 4, dtype=ember.float64)).dtype == ember.float64
    m.to(ember.float32)
    assert w.dtype == ember.float32
    assert m.to("cpu") is m
    with pytest.raises(RuntimeError):
        m.to("cuda")


def test_deepcopy_and_pickle_roundtrip():
    m = mlp(enn).eval()
    x = ember.randn(2, 4)
    for clone in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert isinstance(clone[0].weight, enn.Parameter)
        assert clone[0].weight is not m[0].weight
        assert_close(clone(x), m(x))


# ---------------------------------------------------------------------- state dict
@pytest.mark.parametrize("make", [mlp, nested])
def test_state_dict_keys_and_order_match_pytorch(make):
    assert list(make(enn).state_dict()) == list(make(torch.nn).state_dict())


def test_state_dict_skips_non_persistent_buffers_and_detaches():
    sd = Plain().state_dict()
    assert list(sd) == ["w", "buf", "sub.weight", "sub.bias"]
    assert not sd["w"].requires_grad
    assert Plain().state_dict(keep_vars=True)["w"].requires_grad


def test_pytorch_state_dict_through_numpy_gives_same_outputs():
    t, e = nested(torch.nn), nested(enn)
    with torch.no_grad():
        for p in t.parameters():
            p.uniform_(-1, 1)
    t(torch.randn(8, 3))  # move the BatchNorm running statistics
    t.eval()
    e.eval()
    result = e.load_state_dict({k: v.numpy() for k, v in t.state_dict().items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    assert_close(e(ember.tensor(x)), t(torch.tensor(x)))
    assert int(e.bn.num_batches_tracked) == 1


def test_load_state_dict_accepts_torch_tensors_and_copies_in_place():
    t, e = torch.nn.Linear(3, 2), enn.Linear(3, 2)
    w = e.weight
    e.load_state_dict(t.state_dict())
    assert e.weight is w
    assert_close(e.weight, t.weight)


def test_load_state_dict_strict_errors_list_missing_and_unexpected():
    e = enn.Linear(3, 2)
    sd = {"weight": np.zeros((2, 3), np.float32), "extra": np.zeros(1)}
    with pytest.raises(RuntimeError) as info:
        e.load_state_dict(sd)
    msg = str(info.value)
    assert msg.startswith("Error(s) in loading state_dict for Linear:")
    assert 'Missing key(s) in state_dict: "bias"' in msg
    assert 'Unexpected key(s) in state_dict: "extra"' in msg
    result = e.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["extra"]
    assert not e.weight.detach().numpy().any()


def test_load_state_dict_size_mismatch_raises_even_when_not_strict():
    e = enn.Linear(3, 2)
    with pytest.raises(RuntimeError, match="size mismatch for weight"):
        e.load_state_dict({"weight": np.zeros((3, 3)), "bias": np.zeros(2)}, strict=False)


def test_ember_state_dict_loads_into_pytorch():
    e, t = mlp(enn), mlp(torch.nn)
    t.load_state_dict({k: torch.tensor(v.numpy()) for k, v in e.state_dict().items()})
    e.eval()
    t.eval()
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    assert_close(e(ember.tensor(x)), t(torch.tensor(x)))


# ---------------------------------------------------------------------- repr
@pytest.mark.parametrize("make", [mlp, nested])
def test_nested_repr_matches_pytorch(make):
    assert repr(make(enn)) == repr(make(torch.nn))


def test_extra_repr_multiline_and_custom():
    class Custom(enn.Module):
        def extra_repr(self):
            return "a=1\nb=2"

    class TCustom(torch.nn.Module):
        def extra_repr(self):
            return "a=1\nb=2"

    e, t = enn.Sequential(Custom()), torch.nn.Sequential(TCustom())
    assert repr(e).replace("Custom", "TCustom") == repr(t)


# ---------------------------------------------------------------------- hooks
def test_forward_pre_and_post_hooks_and_removal():
    m = enn.Linear(2, 2)
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    h2 = m.register_forward_hook(lambda mod, args, out: calls.append(out.shape) or out + 1)
    out = m(ember.ones(3, 2))
    assert calls == [(3, 2)]
    assert_close(out, m.bias.detach().unsqueeze(0).expand(3, 2) + 1)
    h1.remove()
    h2.remove()
    out = m(ember.ones(3, 2))
    assert len(calls) == 1
    with m.register_forward_hook(lambda mod, args, o: calls.append(1)):
        m(ember.ones(1, 2))
    m(ember.ones(1, 2))
    assert len(calls) == 2


# ---------------------------------------------------------------------- Parameter
def test_parameter_is_tensor_subclass_requiring_grad():
    p = enn.Parameter(ember.ones(2))
    assert isinstance(p, ember.Tensor) and p.requires_grad and p.is_leaf
    assert not enn.Parameter(ember.ones(2), requires_grad=False).requires_grad
    assert repr(p) == "Parameter containing:\ntensor([1., 1.], requires_grad=True)"
    assert type(p * 2) is ember.Tensor
    assert enn.Parameter().shape == (0,)


def test_forward_hooks_with_kwargs_and_prepend():
    class Scale(enn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    m = Scale()
    order = []
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"factor": 3.0}),
                                with_kwargs=True)
    m.register_forward_hook(lambda mod, args, kwargs, out: order.append(("kw", kwargs)) or out,
                            with_kwargs=True)
    m.register_forward_hook(lambda mod, args, out: order.append("first") or None, prepend=True)
    assert m(ember.ones(2)).tolist() == [3.0, 3.0]
    assert order == ["first", ("kw", {"factor": 3.0})]


def test_module_without_super_init_raises_on_registration():
    class Bad(enn.Module):
        def __init__(self):
            self.fc = enn.Linear(1, 1)

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Bad()


def test_buffer_assignment_registers_buffers():
    m = enn.Module()
    m.stats = enn.Buffer(ember.zeros(3))
    m.scratch = enn.Buffer(ember.ones(2), persistent=False)
    assert list(m._buffers) == ["stats", "scratch"]
    assert list(m.state_dict()) == ["stats"]
    t = torch.nn.Module()
    t.stats = torch.nn.Buffer(torch.zeros(3))
    t.scratch = torch.nn.Buffer(torch.ones(2), persistent=False)
    assert list(t.state_dict()) == ["stats"]


def test_none_child_and_parameter_placeholders_like_pytorch():
    def make(nn):
        m = nn.Sequential(nn.Linear(2, 2))
        m.add_module("gap", None)
        m.fc = nn.Linear(2, 1, bias=False)
        return m

    e, t = make(enn), make(torch.nn)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]


def _hooked_net(lib):
    net = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2))
    with lib.no_grad():
        for p in net.parameters():
            p.copy_(lib.tensor(np.linspace(-1, 1, p.numel(), dtype=np.float32).reshape(p.shape)))
    return net


@pytest.mark.parametrize("input_requires_grad", [False, True])
def test_full_backward_hooks_see_torchs_gradients(input_requires_grad):


    seen = {}
    for lib in (torch, ember):
        net = _hooked_net(lib)
        rec = seen[lib.__name__] = []
        net[2].register_full_backward_hook(lambda m, gi, go, r=rec: r.append((gi[0], go[0])))
        net[0].register_full_backward_hook(lambda m, gi, go, r=rec: r.append((gi[0], go[0])))
        net[2].register_full_backward_pre_hook(lambda m, go: (go[0] * 3,))
        x = lib.tensor(np.ones((2, 3), np.float32), requires_grad=input_requires_grad)
        net(x).pow(2).sum().backward()
        rec.append((net[0].weight.grad, x.grad))
    for got, want in zip(seen["ember"], seen["torch"], strict=True):
        for g, w in zip(got, want, strict=True):
            assert (g is None) == (w is None)
            if w is not None:
                assert_close(g, w)


def test_full_backward_hook_can_replace_grad_input_and_be_removed():
    net = _hooked_net(ember)
    x = ember.ones(2, 3, requires_grad=True)
    handle = net[1].register_full_backward_hook(lambda m, gi, go: (gi[0] * 0,))
    net(x).sum().backward()
    assert x.grad.abs().sum().item() == 0  # everything upstream of the Tanh got zeros
    handle.remove()
    x.grad = None
    net(x).sum().backward()
    assert x.grad.abs().sum().item() > 0
    assert list(net.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


BAD_CALLS = {
    "getattr_typo": lambda lib: lib.nn.Linear(2, 2).wieght,
    "assign_tensor_to_param": lambda lib: setattr(lib.nn.Linear(2, 2), "weight", lib.ones(2, 2)),
}

@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name", list(BAD_CALLS))
def test_error_types_match_pytorch(name):
    raises_like_torch(BAD_CALLS[name])

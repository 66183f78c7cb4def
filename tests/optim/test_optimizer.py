"""Optimizer base behaviour: param groups, zero_grad, skipping grad-less params, closures,
state keyed by parameter, state_dict layout (as torch's) and round trips."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import ember

from ._net import batches, initial_weights, loss_fn, make_params, run

torch = pytest.importorskip("torch")

OPTIMIZERS = {
    "SGD": dict(lr=0.05, momentum=0.9, nesterov=True),
    "SGD-plain": dict(lr=0.05),
    "Adam": dict(lr=0.01, amsgrad=True),
    "AdamW": dict(lr=0.01),
    "RMSprop": dict(lr=0.01, momentum=0.5, centered=True),
    "Adagrad": dict(lr=0.05, lr_decay=0.01),
    "Adadelta": dict(lr=1.0, weight_decay=0.01),
    "Adamax": dict(lr=0.01),
    "NAdam": dict(lr=0.01, decoupled_weight_decay=True, weight_decay=0.01),
    "RAdam": dict(lr=0.01, betas=(0.9, 0.9)),  # ρ_t > 5 from step 6: the round trip crosses it
}


def _make(lib, name, params):
    return getattr(lib.optim, name.split("-")[0])(params, **OPTIMIZERS[name])


def _structure(sd):
    """state_dict with tensors replaced by (type, shape): what must agree with torch."""
    def leaf(v):
        if isinstance(v, (ember.Tensor, torch.Tensor)):
            return ("tensor", tuple(v.shape), str(v.dtype).split(".")[-1])
        return v

    return {
        "state": {k: {n: leaf(v) for n, v in s.items()} for k, s in sd["state"].items()},
        "param_groups": [dict(g) for g in sd["param_groups"]],
    }


# ---------------------------------------------------------------------- construction
def test_empty_parameter_list_raises_value_error():
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        ember.optim.SGD([], lr=0.1)


def test_single_tensor_instead_of_iterable_raises_type_error():
    with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts"):
        ember.optim.SGD(ember.zeros(2, requires_grad=True), lr=0.1)


def test_non_iterable_params_raise_type_error():
    with pytest.raises(TypeError):
        ember.optim.Adam(5)
    with pytest.raises(TypeError):
        torch.optim.Adam(5)


def test_non_tensor_param_raises_type_error():
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors"):
        ember.optim.SGD([1.0], lr=0.1)


def test_non_leaf_param_raises_value_error():
    a = ember.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        ember.optim.SGD([a * 2], lr=0.1)


def test_param_in_two_groups_raises():
    p = ember.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="some parameters appear in more than one"):
        ember.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)


def test_params_as_set_raise_type_error():
    opt = ember.optim.SGD([ember.ones(1, requires_grad=True)], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        opt.add_param_group({"params": {ember.ones(1, requires_grad=True)}})


def test_add_param_group_fills_defaults_and_is_trained():
    p, q = ember.ones(2, requires_grad=True), ember.ones(2, requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": q, "lr": 0.5})
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["lr"] == 0.5
    q.grad = ember.ones(2)
    opt.step()
    assert q.tolist() == [0.5, 0.5]
    assert p.tolist() == [1.0, 1.0]


def test_param_groups_dict_keys_match_torch():
    for name in OPTIMIZERS:
        e = _make(ember, name, [ember.zeros(2, requires_grad=True)])
        t = _make(torch, name, [torch.zeros(2, requires_grad=True)])
        ge = {k: v for k, v in e.param_groups[0].items() if k != "params"}
        gt = {k: v for k, v in t.param_groups[0].items() if k != "params"}
        assert ge == gt, name


def test_named_parameters_are_accepted_and_saved_like_torch():
    e = ember.optim.SGD([("w", ember.zeros(2, requires_grad=True))], lr=0.1)
    t = torch.optim.SGD([("w", torch.zeros(2, requires_grad=True))], lr=0.1)
    assert e.state_dict()["param_groups"] == t.state_dict()["param_groups"]


# ---------------------------------------------------------------------- zero_grad / step
def test_zero_grad_sets_grads_to_none_by_default():
    ps = make_params(ember, initial_weights())
    opt = ember.optim.SGD(ps, lr=0.1)
    loss_fn(ember, ps, *batches()[0]).backward()
    assert all(p.grad is not None for p in ps)
    opt.zero_grad()
    assert all(p.grad is None for p in ps)


def test_zero_grad_set_to_none_false_zeroes_in_place():
    ps = make_params(ember, initial_weights())
    opt = ember.optim.SGD(ps, lr=0.1)
    loss_fn(ember, ps, *batches()[0]).backward()
    grads = [p.grad for p in ps]
    opt.zero_grad(set_to_none=False)
    for p, g in zip(ps, grads, strict=True):
        assert p.grad is g
        assert not np.any(p.grad.numpy())


def test_step_skips_params_without_grad():
    p, q = ember.ones(2, requires_grad=True), ember.ones(2, requires_grad=True)
    opt = ember.optim.Adam([p, q], lr=0.1)
    p.grad = ember.ones(2)
    opt.step()
    assert q.tolist() == [1.0, 1.0]
    assert q not in opt.state and p in opt.state
    assert float(opt.state[p]["step"]) == 1.0


def test_sgd_without_momentum_keeps_no_state_like_torch():
    p = ember.ones(2, requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1)
    p.grad = ember.ones(2)
    opt.step()
    assert opt.state_dict()["state"] == {}


def test_state_is_keyed_by_the_parameter_object():
    p = ember.ones(2, requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = ember.ones(2)
    opt.step()
    assert list(opt.state.keys())[0] is p
    assert isinstance(opt.state[p]["momentum_buffer"], ember.Tensor)


def test_step_returns_closure_loss_and_runs_it_with_grad_enabled():
    ps = make_params(ember, initial_weights())
    opt = ember.optim.SGD(ps, lr=0.1)
    x, y = batches()[0]

    def closure():
        opt.zero_grad()
        loss = loss_fn(ember, ps, x, y)
        loss.backward()
        return loss

    with ember.no_grad():
        loss = opt.step(closure)
    assert isinstance(loss, ember.Tensor) and loss.item() > 0
    assert opt.step() is None


def test_step_writes_in_place_and_bumps_the_version():
    p = ember.ones(3, requires_grad=True)
    storage = p._data
    v0 = p._version
    opt = ember.optim.Adam([p], lr=0.1)
    p.grad = ember.ones(3)
    opt.step()
    assert p._data is storage
    assert p._version == v0 + 1
    assert p.grad_fn is None and p.requires_grad


def test_step_does_not_modify_the_gradient():
    p = ember.ones(3, requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.1, maximize=True)
    p.grad = ember.tensor([1.0, 2.0, 3.0])
    for _ in range(3):
        opt.step()
    assert p.grad.tolist() == [1.0, 2.0, 3.0]


# ---------------------------------------------------------------------- state_dict
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_state_dict_structure_matches_torch(name):
    pe, pt = make_params(ember, initial_weights()), make_params(torch, initial_weights())
    oe, ot = _make(ember, name, pe), _make(torch, name, pt)
    assert _structure(oe.state_dict()) == _structure(ot.state_dict())
    data = batches()
    run(ember, pe, oe, data, 3)
    run(torch, pt, ot, data, 3)
    se, st = oe.state_dict(), ot.state_dict()
    assert _structure(se) == _structure(st)
    for k in st["state"]:
        for n, v in st["state"][k].items():
            np.testing.assert_allclose(se["state"][k][n].numpy(), v.numpy(), rtol=1e-4,
                                       atol=1e-6)


def test_state_dict_numbers_shared_params_once():
    p = ember.ones(2, requires_grad=True)
    q = ember.ones(2, requires_grad=True)
    opt = ember.optim.SGD([{"params": [p]}, {"params": [q], "lr": 0.5}], lr=0.1)
    groups = opt.state_dict()["param_groups"]
    assert [g["params"] for g in groups] == [[0], [1]]


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_state_dict_round_trip_continues_the_same_trajectory(name):
    data = batches()
    ps = make_params(ember, initial_weights())
    opt = _make(ember, name, ps)
    straight = run(ember, ps, opt, data, 20)

    ps2 = make_params(ember, initial_weights())
    opt2 = _make(ember, name, ps2)
    first = run(ember, ps2, opt2, data, 10)
    saved = copy.deepcopy(opt2.state_dict())
    weights = [p.detach().numpy().copy() for p in ps2]
    ps3 = make_params(ember, weights)
    opt3 = _make(ember, name, ps3)
    opt3.load_state_dict(saved)
    second = run(ember, ps3, opt3, data, 10, start=10)
    np.testing.assert_allclose(first + second, straight, rtol=1e-6)
    for a, b in zip(ps, ps3, strict=True):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6)


def test_load_state_dict_copies_state_and_keeps_own_params():
    p = ember.ones(2, requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = ember.ones(2)
    opt.step()
    sd = opt.state_dict()
    q = ember.ones(2, requires_grad=True)
    opt2 = ember.optim.SGD([q], lr=0.7)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["params"][0] is q
    assert opt2.param_groups[0]["lr"] == 0.1
    buf = opt2.state[q]["momentum_buffer"]
    assert buf is not sd["state"][0]["momentum_buffer"]
    np.testing.assert_array_equal(buf.numpy(), sd["state"][0]["momentum_buffer"].numpy())


def test_load_torch_state_dict_continues_torch_trajectory():
    data = batches()
    pt = make_params(torch, initial_weights())
    ot = torch.optim.Adam(pt, lr=0.01, amsgrad=True)
    run(torch, pt, ot, data, 10)
    st = ot.state_dict()
    converted = {
        "state": {k: {n: ember.tensor(v.numpy()) for n, v in s.items()}
                  for k, s in st["state"].items()},
        "param_groups": st["param_groups"],
    }
    pe = make_params(ember, [p.detach().numpy() for p in pt])
    oe = ember.optim.Adam(pe, lr=0.5)
    oe.load_state_dict(converted)
    le = run(ember, pe, oe, data, 10, start=10)
    lt = run(torch, pt, ot, data, 10, start=10)
    np.testing.assert_allclose(le, lt, rtol=1e-4, atol=1e-6)


def test_load_state_dict_with_wrong_group_sizes_raises():
    opt = ember.optim.SGD([ember.ones(1, requires_grad=True)], lr=0.1)
    other = ember.optim.SGD([ember.ones(1, requires_grad=True),
                             ember.ones(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size"):
        opt.load_state_dict(other.state_dict())
    two = ember.optim.SGD([{"params": [ember.ones(1, requires_grad=True)]},
                           {"params": [ember.ones(1, requires_grad=True)]}], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict(two.state_dict())


def test_zero_grad_in_place_handles_read_only_gradients():
    p = ember.ones(2, 3, requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1)
    g = ember.tensor(np.broadcast_to(np.float32(2.0), (2, 3)))  # a read-only broadcast view
    p.grad = g
    opt.zero_grad(set_to_none=False)
    assert p.grad is g and not np.any(g.numpy())


def test_step_follows_parameter_replaced_with_new_shape():
    p = ember.ones(3, requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.5)
    p.grad = ember.ones(3)
    opt.step()
    p.data = ember.ones(2, 2)
    p.grad = ember.ones(2, 2)
    opt.step()
    assert p.tolist() == [[0.5, 0.5], [0.5, 0.5]]


def test_load_state_dict_accepts_numeric_step_from_old_checkpoints():
    p = ember.ones(2, requires_grad=True)
    opt = ember.optim.Adam([p], lr=0.1)
    p.grad = ember.ones(2)
    opt.step()
    sd = opt.state_dict()
    sd["state"][0]["step"] = 1
    opt2 = ember.optim.Adam([p], lr=0.1)
    opt2.load_state_dict(sd)
    opt2.step()
    assert float(opt2.state[p]["step"]) == 2.0


def test_step_hooks_run_around_step_and_can_be_removed():
    p = ember.ones(2, requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1)
    p.grad = ember.ones(2)
    calls = []
    pre = opt.register_step_pre_hook(lambda o, a, k: calls.append(("pre", p.tolist()[0])))
    opt.register_step_post_hook(lambda o, a, k: calls.append(("post", p.tolist()[0])))
    opt.step()
    assert calls == [("pre", 1.0), ("post", pytest.approx(0.9))]
    pre.remove()
    opt.step()
    assert [c[0] for c in calls] == ["pre", "post", "post"]


def test_custom_optimizer_subclass_gets_base_machinery():
    class SignSGD(ember.optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, dict(lr=lr))

        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        p._data -= group["lr"] * np.sign(p.grad._data)
                        self.state[p]["n"] = self.state[p].get("n", 0) + 1

    p = ember.tensor([1.0, -1.0], requires_grad=True)
    opt = SignSGD([p])
    seen = []
    opt.register_step_post_hook(lambda o, a, k: seen.append(True))
    p.grad = ember.tensor([3.0, -0.5])
    opt.step()
    assert p.tolist() == pytest.approx([0.9, -0.9]) and seen == [True]
    assert opt.state_dict() == {"state": {0: {"n": 1}}, "param_groups": [{"lr": 0.1,
                                                                          "params": [0]}]}
    sched = ember.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] == 0.05


def test_reading_state_before_the_first_step_does_not_break_it():
    p = ember.ones(2, requires_grad=True)
    opt = ember.optim.Adam([p], lr=0.1)
    assert opt.state[p] == {}  # defaultdict: creates an empty entry, as in torch
    p.grad = ember.ones(2)
    opt.step()
    assert float(opt.state[p]["step"]) == 1.0


def test_load_state_dict_fills_options_missing_from_old_checkpoints():
    p = ember.ones(2, requires_grad=True)
    sd = ember.optim.AdamW([p]).state_dict()
    del sd["param_groups"][0]["decoupled_weight_decay"], sd["param_groups"][0]["amsgrad"]
    opt = ember.optim.AdamW([p])
    opt.load_state_dict(sd)
    p.grad = ember.ones(2)
    opt.step()
    assert opt.param_groups[0]["decoupled_weight_decay"] is True

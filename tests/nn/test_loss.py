"""Losses (modules and functionals): parity with PyTorch in every reduction, gradcheck,
stability and error types."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
import ember.nn as enn
import ember.nn.functional as F
from helpers import assert_close, check_op, check_parity, gradcheck64, torch

from ._parity import function_parity as pair
from ._parity import raises_like_torch

REDUCTIONS = ["mean", "sum", "none"]
RNG = np.random.default_rng(0)


def f32(*shape, low=-2.0, high=2.0):
    return RNG.uniform(low, high, shape).astype(np.float32)


def module_pair(name, arrays, grad_idx=(0,), **kwargs):
    def build(lib):
        kw = {k: (lib.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
        return getattr(lib.nn, name)(**kw)

    pair(build(ember), build(torch), arrays, grad_idx)


# ---------------------------------------------------------------------- regression losses
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kwargs", [
    ("MSELoss", {}), ("L1Loss", {}), ("SmoothL1Loss", {}), ("SmoothL1Loss", {"beta": 0.5}),
    ("HuberLoss", {}), ("HuberLoss", {"delta": 0.3}),
])
def test_regression_losses_match_pytorch(name, kwargs, reduction):
    module_pair(name, [f32(4, 5), f32(4, 5)], grad_idx=(0, 1), reduction=reduction, **kwargs)


def test_mse_broadcast_warns_like_pytorch():
    with pytest.warns(UserWarning, match="Using a target size"):
        F.mse_loss(ember.ones(3, 1), ember.ones(3))


@pytest.mark.parametrize("fn", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_regression_gradcheck(fn):
    gradcheck64(lambda a, b: getattr(F, fn)(a, b), [(3, 4), (3, 4)],
                second_order=fn == "mse_loss")


# ---------------------------------------------------------------------- cross-entropy family
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kwargs", [
    {}, {"weight": np.array([0.2, 1.0, 3.0, 0.5, 1.5], np.float32)}, {"ignore_index": 1},
    {"label_smoothing": 0.1},
    {"label_smoothing": 0.2, "ignore_index": 2,
     "weight": np.array([0.2, 1.0, 3.0, 0.5, 1.5], np.float32)},
])
def test_cross_entropy_class_indices_matches_pytorch(kwargs, reduction):
    target = np.array([0, 1, 4, 2, 1, 3], np.int64)
    module_pair("CrossEntropyLoss", [f32(6, 5, low=-4, high=4), target], reduction=reduction,
                **kwargs)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_spatial_input_matches_pytorch(reduction):
    target = RNG.integers(0, 4, (2, 3, 5)).astype(np.int64)
    target[0, 0, 0] = -100
    module_pair("CrossEntropyLoss", [f32(2, 4, 3, 5), target], reduction=reduction,
                weight=np.array([1.0, 2.0, 0.5, 1.0], np.float32), label_smoothing=0.05)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.15])
def test_cross_entropy_probability_targets_match_pytorch(reduction, smoothing):
    probs = np.exp(f32(4, 3))
    probs /= probs.sum(1, keepdims=True)
    module_pair("CrossEntropyLoss", [f32(4, 3), probs], grad_idx=(0, 1), reduction=reduction,
                label_smoothing=smoothing, weight=np.array([1.0, 0.5, 2.0], np.float32))
    probs4 = np.exp(f32(2, 3, 2, 2))
    probs4 /= probs4.sum(1, keepdims=True)
    module_pair("CrossEntropyLoss", [f32(2, 3, 2, 2), probs4], reduction=reduction)


def test_cross_entropy_unbatched_input():
    pair(lambda x, t: F.cross_entropy(x, t), lambda x, t: torch.nn.functional.cross_entropy(x, t),
         [f32(5), np.array(3, np.int64)])


def test_cross_entropy_stable_for_logits_in_the_thousands():
    x = np.array([[3000.0, -2000.0, 0.0], [-5000.0, 4000.0, 4000.0]], np.float32)
    t = np.array([1, 2], np.int64)
    pair(lambda a, b: F.cross_entropy(a, b), lambda a, b: torch.nn.functional.cross_entropy(a, b),
         [x, t])
    out = F.cross_entropy(ember.tensor(x), ember.tensor(t))
    assert np.isfinite(out.item())


def test_cross_entropy_batch_size_mismatch_is_value_error():
    with pytest.raises(ValueError, match=r"Expected input batch_size \(3\) to match target "
                                         r"batch_size \(4\)"):
        F.cross_entropy(ember.randn(3, 5), ember.tensor([1, 2, 3, 4]))


def test_cross_entropy_target_out_of_range_is_index_error():
    with pytest.raises(IndexError, match="Target 7 is out of bounds"):
        F.cross_entropy(ember.randn(3, 5), ember.tensor([1, 2, 7]))
    with pytest.raises(RuntimeError, match="Expected target size"):
        F.cross_entropy(ember.randn(3, 5, 2), ember.tensor([1, 2, 3]))


def test_cross_entropy_all_ignored_mean_is_nan_like_pytorch():
    x, t = np.zeros((2, 3), np.float32), np.array([-100, -100])
    e = F.cross_entropy(ember.tensor(x), ember.tensor(t)).item()
    p = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(t)).item()
    assert np.isnan(e) and np.isnan(p)


def test_cross_entropy_gradcheck_and_second_order():
    t = ember.tensor([0, 2, 1])
    w = ember.tensor([1.0, 2.0, 0.5], dtype=ember.float64)
    gradcheck64(lambda x: F.cross_entropy(x, t), [(3, 3)])
    gradcheck64(lambda x: F.cross_entropy(x, t, weight=w, label_smoothing=0.1,
                                          reduction="none"), [(3, 3)])
    probs = ember.tensor(np.full((3, 3), 1 / 3))
    gradcheck64(lambda x: F.cross_entropy(x, probs), [(3, 3)])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_matches_pytorch(reduction):
    logp = np.log(np.random.default_rng(1).dirichlet(np.ones(4), 5)).astype(np.float32)
    t = np.array([0, 3, 1, 1, 2], np.int64)
    module_pair("NLLLoss", [logp, t], reduction=reduction)
    module_pair("NLLLoss", [logp, t], reduction=reduction, ignore_index=1,
                weight=np.array([1.0, 2.0, 0.5, 3.0], np.float32))
    gradcheck64(lambda x: F.nll_loss(x, ember.tensor(t), reduction=reduction), [(5, 4)])


def test_cross_entropy_equals_nll_of_log_softmax():
    x, t = ember.randn(4, 6), ember.tensor([0, 5, 2, 2])
    assert_close(F.cross_entropy(x, t), F.nll_loss(F.log_softmax(x, 1), t))


# ---------------------------------------------------------------------- binary losses
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_matches_pytorch(reduction):
    x, t = f32(4, 3, low=0.05, high=0.95), f32(4, 3, low=0, high=1)
    module_pair("BCELoss", [x, t], reduction=reduction)
    module_pair("BCELoss", [x, t], reduction=reduction, weight=f32(4, 3, low=0, high=2))


def test_bce_clamps_log_at_minus_100():
    x, t = np.array([0.0, 1.0, 0.5], np.float32), np.array([1.0, 0.0, 1.0], np.float32)
    e = F.binary_cross_entropy(ember.tensor(x), ember.tensor(t), reduction="none")
    p = torch.nn.functional.binary_cross_entropy(torch.tensor(x), torch.tensor(t),
                                                 reduction="none")
    assert_close(e, p)


def test_bce_errors():
    with pytest.raises(ValueError, match="Using a target size"):
        F.binary_cross_entropy(ember.rand(3), ember.rand(4))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(ember.rand(3) + 1, ember.rand(3))
    with pytest.raises(ValueError, match="must be the same as input size"):
        F.binary_cross_entropy_with_logits(ember.rand(3), ember.rand(4))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_matches_pytorch(reduction):
    x, t = f32(4, 3, low=-30, high=30), f32(4, 3, low=0, high=1)
    module_pair("BCEWithLogitsLoss", [x, t], grad_idx=(0, 1), reduction=reduction)
    module_pair("BCEWithLogitsLoss", [x, t], reduction=reduction,
                pos_weight=np.array([0.5, 2.0, 3.0], np.float32),
                weight=f32(4, 3, low=0, high=2))


def test_bce_with_logits_stable_for_huge_logits():
    x = ember.tensor([1e4, -1e4, 0.0], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, ember.tensor([0.0, 1.0, 1.0]))
    loss.backward()
    assert np.isfinite(loss.item()) and np.isfinite(x.grad.numpy()).all()


def test_binary_losses_gradcheck():
    t = ember.tensor(np.array([0.2, 0.9, 0.0, 1.0]))
    gradcheck64(lambda x: F.binary_cross_entropy(x, t), [(4,)], low=0.1, high=0.9)
    pw = ember.tensor(np.array([2.0, 1.0, 0.5, 3.0]))
    gradcheck64(lambda x: F.binary_cross_entropy_with_logits(x, t, pos_weight=pw), [(4,)])


# ---------------------------------------------------------------------- KL divergence
@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_pytorch(reduction, log_target):
    logq = np.log(np.random.default_rng(2).dirichlet(np.ones(4), 3)).astype(np.float32)
    p = np.random.default_rng(3).dirichlet(np.ones(4), 3).astype(np.float32)
    p[0, 1] = 0.0
    target = np.log(p + 1e-12).astype(np.float32) if log_target else p
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module_pair("KLDivLoss", [logq, target], reduction=reduction, log_target=log_target)


def test_kl_div_gradcheck():
    p = ember.tensor(np.array([[0.2, 0.8, 0.0], [0.5, 0.25, 0.25]]))
    gradcheck64(lambda x: F.kl_div(x, p, reduction="batchmean"), [(2, 3)])


def test_loss_reprs_match_pytorch():
    for name in ["MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "CrossEntropyLoss",
                 "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "KLDivLoss"]:
        assert repr(getattr(enn, name)()) == repr(getattr(torch.nn, name)())


def test_bad_reduction_raises():
    with pytest.raises(ValueError, match="is not a valid value for reduction"):
        F.mse_loss(ember.ones(2), ember.ones(2), reduction="avg")


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 5), c=st.integers(1, 6), spatial=st.lists(st.integers(1, 3), max_size=2),
       smoothing=st.sampled_from([0.0, 0.1]), weighted=st.booleans(),
       reduction=st.sampled_from(REDUCTIONS), seed=st.integers(0, 1000))
def test_cross_entropy_random_shapes_match_pytorch(n, c, spatial, smoothing, weighted, reduction,
                                                    seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, *spatial)).astype(np.float32) * 3
    t = rng.integers(0, c, (n, *spatial))
    t[rng.random(t.shape) < 0.2] = -100
    w = rng.uniform(0.1, 2.0, c).astype(np.float32) if weighted else None
    kwargs = {"label_smoothing": smoothing, "reduction": reduction}
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    oe = F.cross_entropy(xe, ember.tensor(t), weight=None if w is None else ember.tensor(w),
                         **kwargs)
    ot = torch.nn.functional.cross_entropy(xt, torch.tensor(t),
                                           weight=None if w is None else torch.tensor(w),
                                           **kwargs)
    assert_close(oe, ot, atol=1e-5, rtol=1e-4)
    if np.isfinite(ot.detach().numpy()).all():
        oe.sum().backward()
        ot.sum().backward()
        assert_close(xe.grad, xt.grad, atol=1e-5, rtol=1e-4)


def _pm1(*shape):
    return np.where(RNG.random(shape) < 0.5, -1.0, 1.0).astype(np.float32)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_more_losses_match_pytorch(reduction):
    module_pair("MarginRankingLoss", [f32(6), f32(6), _pm1(6)], grad_idx=(0, 1),
                reduction=reduction, margin=0.3)
    module_pair("HingeEmbeddingLoss", [f32(4, 3), _pm1(4, 3)], reduction=reduction, margin=0.5)
    module_pair("SoftMarginLoss", [f32(4, 3), _pm1(4, 3)], reduction=reduction)
    module_pair("MultiLabelSoftMarginLoss", [f32(4, 3), (f32(4, 3) > 0).astype(np.float32)],
                reduction=reduction, weight=np.array([1.0, 2.0, 0.5], np.float32))
    module_pair("CosineEmbeddingLoss", [f32(5, 4), f32(5, 4), _pm1(5)], grad_idx=(0, 1),
                reduction=reduction, margin=0.1)
    module_pair("PoissonNLLLoss", [f32(4, 3), f32(4, 3, low=0, high=4)], reduction=reduction)
    module_pair("PoissonNLLLoss", [f32(4, 3, low=0.1, high=3), f32(4, 3, low=0, high=4)],
                reduction=reduction, log_input=False, full=True)
    module_pair("GaussianNLLLoss", [f32(4, 3), f32(4, 3), f32(4, 3, low=0.1, high=2)],
                grad_idx=(0, 1, 2), reduction=reduction)
    module_pair("GaussianNLLLoss", [f32(4, 3), f32(4, 3), f32(4, 1, low=0.1, high=2)],
                grad_idx=(0, 2), reduction=reduction, full=True)
    module_pair("TripletMarginLoss", [f32(5, 4), f32(5, 4), f32(5, 4)], grad_idx=(0, 1, 2),
                reduction=reduction, margin=2.0)
    module_pair("TripletMarginLoss", [f32(5, 4), f32(5, 4), f32(5, 4)], grad_idx=(0, 1, 2),
                reduction=reduction, p=1.0, swap=True)


@pytest.mark.parametrize("fn,make", [
    ("binary_cross_entropy", lambda L: (L.tensor([0.5]), L.tensor([1]))),
    ("binary_cross_entropy", lambda L: (L.tensor([0.5]), L.tensor([1.0], dtype=L.float64))),
    ("binary_cross_entropy_with_logits", lambda L: (L.tensor([0.5]), L.tensor([1]))),
    ("cross_entropy", lambda L: (L.zeros(2, 3), L.tensor([0, 1], dtype=L.int32))),
    ("nll_loss", lambda L: (L.zeros(2, 3), L.tensor([0, 1], dtype=L.int32))),
    ("cross_entropy", lambda L: (L.zeros(2, 3), L.tensor([0.0, 1.0]))),
])
def test_loss_target_dtype_errors_match_torch(fn, make):
    # the classic slips (integer labels to BCELoss, int32 class labels) fail as in PyTorch
    with pytest.raises(RuntimeError) as want:
        getattr(torch.nn.functional, fn)(*make(torch))
    with pytest.raises(RuntimeError) as got:
        getattr(ember.nn.functional, fn)(*make(ember))
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("fn,make", [
    ("binary_cross_entropy_with_logits",
     lambda L: (L.tensor([0.5]), L.tensor([1.0], dtype=L.float64))),
    ("cross_entropy", lambda L: (L.zeros(2, 3), L.tensor([0, 1], dtype=L.uint8))),
])
def test_loss_target_dtypes_torch_accepts(fn, make):
    got = getattr(ember.nn.functional, fn)(*make(ember))
    want = getattr(torch.nn.functional, fn)(*make(torch))
    assert_close(got, want)
    assert got.dtype.name == str(want.dtype).split(".")[-1]


def test_functional_mse_loss_matches_pytorch():
    check_op([(4, 5), (4, 5)], lambda lib, x, y: lib.nn.functional.mse_loss(x, y))


BAD_CALLS = {
    "ce_batch_mismatch": lambda lib: lib.nn.functional.cross_entropy(
        lib.zeros(3, 5), lib.tensor([1, 2, 3, 4])),
    "ce_target_out_of_range": lambda lib: lib.nn.functional.cross_entropy(
        lib.zeros(3, 5), lib.tensor([1, 2, 7])),
    "ce_multi_target": lambda lib: lib.nn.functional.cross_entropy(
        lib.zeros(3, 5), lib.zeros(3, 4, dtype=lib.long)),
    "ce_spatial_target": lambda lib: lib.nn.functional.cross_entropy(
        lib.zeros(3, 5, 2), lib.tensor([1, 2, 3])),
    "nll_negative_target": lambda lib: lib.nn.functional.nll_loss(
        lib.zeros(3, 5), lib.tensor([1, 2, -5])),
    "bce_size": lambda lib: lib.nn.functional.binary_cross_entropy(lib.ones(3) / 2,
                                                                   lib.ones(4) / 2),
    "bce_range": lambda lib: lib.nn.functional.binary_cross_entropy(lib.ones(3) * 2,
                                                                    lib.ones(3)),
    "bce_logits_size": lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(
        lib.ones(3), lib.ones(4)),
    "mse_no_broadcast": lambda lib: lib.nn.functional.mse_loss(lib.ones(3), lib.ones(4)),
    "bad_reduction": lambda lib: lib.nn.functional.l1_loss(lib.ones(2), lib.ones(2),
                                                          reduction="avg"),
}

@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name", list(BAD_CALLS))
def test_error_types_match_pytorch(name):
    raises_like_torch(BAD_CALLS[name])


@pytest.mark.parametrize("kwargs", [dict(), dict(p=2, margin=0.5), dict(reduction="none"),
                                    dict(reduction="sum", weighted=True)])
def test_multi_margin_loss_matches_torch(kwargs):
    kwargs = dict(kwargs)
    weighted = kwargs.pop("weighted", False)
    target = np.array([0, 3, 2, 3])
    w = np.linspace(0.5, 2, 4).astype(np.float32)

    def fn(lib, x):
        weight = lib.tensor(w) if weighted else None
        return lib.nn.MultiMarginLoss(weight=weight, **kwargs)(x, lib.tensor(target))

    check_op([(4, 4)], fn)
    check_op([(5,)], lambda lib, x: lib.nn.functional.multi_margin_loss(x, lib.tensor(1)))


@pytest.mark.parametrize("kwargs", [dict(), dict(swap=True, margin=0.5),
                                    dict(reduction="none"), dict(cosine=True)])
def test_triplet_margin_with_distance_loss_matches_torch(kwargs):
    kwargs = dict(kwargs)
    cosine = kwargs.pop("cosine", False)

    def fn(lib, a, p, n):
        dist = (lambda x, y: 1 - lib.nn.functional.cosine_similarity(x, y)) if cosine else None
        return lib.nn.TripletMarginWithDistanceLoss(distance_function=dist, **kwargs)(a, p, n)

    check_op([(4, 5), (4, 5), (4, 5)], fn)
    with pytest.raises(ValueError, match="expected margin to be greater than 0"):
        ember.nn.TripletMarginWithDistanceLoss(margin=0)
def test_sigmoid_then_bce_at_saturation_keeps_weight_gradients_finite_as_pytorch():
    # sigmoid(+-30) is exactly 1 / ~1e-13 in float32: PyTorch clamps x(1-x) in BCE's backward
    x = np.array([[30.0, -30.0, 0.5], [2.0, -40.0, 40.0]], dtype=np.float32)
    target = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0]], dtype=np.float32)
    grads = []
    for lib in (ember, torch):
        lin = lib.nn.Linear(3, 3)
        with lib.no_grad():
            lin.weight.copy_(lib.eye(3))
            lin.bias.zero_()
        loss = lib.nn.BCELoss()(lib.sigmoid(lin(lib.tensor(x))), lib.tensor(target))
        loss.backward()
        grads.append((loss, lin.weight.grad, lin.bias.grad))
    for e, t in zip(*grads):
        assert np.isfinite(e.detach().numpy()).all()
        assert_close(e, t)


@pytest.mark.parametrize("fn", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("weighted", [False, True])
def test_every_target_ignored_gives_pytorchs_nan_loss_and_zero_gradients(fn, weighted):
    logits = np.arange(6.0).reshape(2, 3)
    for target, smoothing in (([-100, -100], 0.0), ([0, -100], 0.0), ([-100, 5], 0.2)):
        kw = {"label_smoothing": smoothing} if fn == "cross_entropy" else {}
        if target[1] == 5:  # ignore_index=5 with smoothing
            kw["ignore_index"] = 5
            target = [5, 5]
        out = []
        for lib in (ember, torch):
            if weighted:
                kw["weight"] = lib.tensor([0.0, 1.0, 1.0], dtype=lib.float64)
            x = lib.tensor(logits, requires_grad=True)
            loss = getattr(lib.nn.functional, fn)(x, lib.tensor(target), **kw)
            loss.backward()
            out.append((loss, x.grad))
        assert_close(out[0][0], out[1][0])
        assert_close(out[0][1], out[1][1])


def test_bad_loss_arguments_raise_as_pytorch():
    from error_parity import raises_like_torch

    for delta in (0.0, -1.0):
        raises_like_torch(lambda lib, delta=delta: lib.nn.functional.huber_loss(
            lib.ones(3), lib.zeros(3), delta=delta), "delta")
    for fn in ("cross_entropy", "nll_loss"):
        for shape in ((4,), (2, 3), (2,)):
            raises_like_torch(lambda lib, fn=fn, shape=shape: getattr(lib.nn.functional, fn)(
                lib.ones(2, 3), lib.tensor([0, 1]), weight=lib.ones(*shape)),
                "3 classes", str(list(shape)))


def test_binary_cross_entropy_op_gradchecks_in_input_and_target():
    gradcheck64(lambda x, t: F.binary_cross_entropy(x, t), [(3, 4), (3, 4)], low=0.1, high=0.9)
def test_nll_loss_selects_log_probabilities_instead_of_multiplying_a_mask():
    # issue 10 (fuzzer): -inf at a class that is not the target made 0 * -inf = NaN
    inf = float("inf")
    for target in ([1, 0], [-100, -100], [1, -100]):
        for reduction in ("mean", "sum", "none"):
            def fn(lib, target=target, reduction=reduction):
                x = lib.tensor([[inf, 1.0], [1.0, -inf]], dtype=lib.float64, requires_grad=True)
                loss = lib.nn.functional.nll_loss(x, lib.tensor(target), reduction=reduction)
                loss.sum().backward()
                return loss.detach(), x.grad

            check_parity(fn)


def test_losses_of_an_empty_batch_are_nan_means():
    check_parity(lambda lib: lib.nn.functional.nll_loss(lib.ones(0, 3),
                                                        lib.ones(0, dtype=lib.int64)))
    check_parity(lambda lib: lib.nn.functional.cross_entropy(
        lib.ones(0, 3), lib.ones(0, dtype=lib.int64), label_smoothing=0.5))
    check_parity(lambda lib: lib.nn.functional.cross_entropy(lib.ones(3, 0, 1),
                                                             lib.ones(3, 0, 1)))


def test_cross_entropy_ignores_nan_and_inf_in_ignored_samples():
    # issue 10 (fuzzer): an ignored row's NaN reached the loss through a 0 coefficient
    nan, inf = float("nan"), float("inf")
    for reduction in ("mean", "sum", "none"):
        for smoothing in (0.0, 0.5):
            def fn(lib, reduction=reduction, smoothing=smoothing):
                x = lib.tensor([[1.0, nan], [1.0, 2.0], [-inf, 1.0]], requires_grad=True)
                loss = lib.nn.functional.cross_entropy(
                    x, lib.tensor([3, 1, 3]), ignore_index=3, reduction=reduction,
                    label_smoothing=smoothing)
                loss.sum().backward()
                return loss.detach(), x.grad

            check_parity(fn, rtol=1e-5, atol=1e-7)

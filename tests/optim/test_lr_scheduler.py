"""Learning-rate schedulers: the lr of every group matches torch's at every step."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _no_loop_checks():
    # these tests step optimizers without gradients on purpose, just to advance schedulers
    before = ember.get_loop_checks()
    ember.set_loop_checks("off")
    yield
    ember.set_loop_checks(before)

STEPS = 60


def _optimizer(lib, kind="SGD", lrs=(0.1, 0.02)):
    groups = [{"params": [lib.zeros(2, requires_grad=True)], "lr": lr} for lr in lrs]
    if kind == "Adam":
        return lib.optim.Adam(groups, lr=lrs[0])
    return lib.optim.SGD(groups, lr=lrs[0], momentum=0.9)


def _sequence(lib, make, steps=STEPS, kind="SGD", metrics=None):
    opt = _optimizer(lib, kind)
    sched = make(lib.optim.lr_scheduler, opt)
    lrs = [list(sched.get_last_lr())]
    momenta = [[g.get("momentum", g.get("betas", (None,))[0]) for g in opt.param_groups]]
    for i in range(steps):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i])
        lrs.append(list(sched.get_last_lr()))
        assert lrs[-1] == [g["lr"] for g in opt.param_groups]
        momenta.append([g.get("momentum", g.get("betas", (None,))[0]) for g in opt.param_groups])
    return np.array(lrs, dtype=float), np.array(momenta, dtype=float), sched


def _assert_same(make, steps=STEPS, kind="SGD", metrics=None):
    le, me, se = _sequence(ember, make, steps, kind, metrics)
    lt, mt, st = _sequence(torch, make, steps, kind, metrics)
    np.testing.assert_allclose(le, lt, rtol=1e-12, atol=0)
    np.testing.assert_allclose(me, mt, rtol=1e-12, atol=0)
    assert getattr(se, "last_epoch", None) == getattr(st, "last_epoch", None)
    return se, st


CASES = {
    "StepLR": lambda s, o: s.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda s, o: s.MultiStepLR(o, milestones=[5, 12, 12, 40], gamma=0.3),
    "ExponentialLR": lambda s, o: s.ExponentialLR(o, gamma=0.93),
    "CosineAnnealingLR": lambda s, o: s.CosineAnnealingLR(o, T_max=13, eta_min=0.001),
    "CosineAnnealingLR-zero-min": lambda s, o: s.CosineAnnealingLR(o, T_max=20),
    "LambdaLR": lambda s, o: s.LambdaLR(o, lambda e: 0.97**e / (1 + e % 3)),
    "LambdaLR-per-group": lambda s, o: s.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: e * 0.1]),
    "LinearLR": lambda s, o: s.LinearLR(o, start_factor=0.1, total_iters=10),
    "LinearLR-decay": lambda s, o: s.LinearLR(o, start_factor=1.0, end_factor=0.2,
                                              total_iters=25),
    "OneCycleLR": lambda s, o: s.OneCycleLR(o, max_lr=[1.0, 0.3], total_steps=STEPS),
    "OneCycleLR-linear-3phase": lambda s, o: s.OneCycleLR(
        o, max_lr=0.5, epochs=6, steps_per_epoch=10, anneal_strategy="linear", three_phase=True,
        pct_start=0.25),
    "OneCycleLR-no-momentum": lambda s, o: s.OneCycleLR(o, max_lr=0.5, total_steps=STEPS,
                                                        cycle_momentum=False, div_factor=10.0),
    "SequentialLR": lambda s, o: s.SequentialLR(
        o, [s.LinearLR(o, start_factor=0.1, total_iters=5), s.CosineAnnealingLR(o, T_max=30)],
        milestones=[5]),
    "MultiplicativeLR": lambda s, o: s.MultiplicativeLR(o, lambda e: 0.9 + 0.01 * (e % 5)),
    "ConstantLR": lambda s, o: s.ConstantLR(o, factor=0.25, total_iters=7),
    "PolynomialLR": lambda s, o: s.PolynomialLR(o, total_iters=40, power=2.0),
    "CosineAnnealingWarmRestarts": lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=7),
    "CosineAnnealingWarmRestarts-mult": lambda s, o: s.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.001),
    "ChainedScheduler": lambda s, o: s.ChainedScheduler(
        [s.ConstantLR(o, factor=0.5, total_iters=4), s.ExponentialLR(o, gamma=0.95)]),
    "SequentialLR-three": lambda s, o: s.SequentialLR(
        o, [s.ExponentialLR(o, gamma=0.9), s.StepLR(o, step_size=4, gamma=0.5),
            s.LinearLR(o, start_factor=0.5, total_iters=8)], milestones=[10, 30]),
    "CyclicLR": lambda s, o: s.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5),
    "CyclicLR-triangular2": lambda s, o: s.CyclicLR(o, base_lr=[0.01, 0.001], max_lr=0.1,
                                                    step_size_up=4, step_size_down=7,
                                                    mode="triangular2"),
    "CyclicLR-exp_range": lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=6,
                                                  mode="exp_range", gamma=0.97,
                                                  cycle_momentum=False),
    "CyclicLR-scale_fn": lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=3,
                                                 scale_fn=lambda x: 0.9 ** x,
                                                 scale_mode="iterations"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_lr_sequence_matches_torch(name):
    _assert_same(CASES[name])


def test_one_cycle_cycles_adam_beta1_like_torch():
    _assert_same(lambda s, o: s.OneCycleLR(o, max_lr=0.01, total_steps=STEPS), kind="Adam")


def test_cyclic_lr_cycles_adam_beta1_like_torch():
    _assert_same(lambda s, o: s.CyclicLR(o, 1e-4, 1e-2, step_size_up=4), kind="Adam")


def test_one_cycle_raises_after_total_steps():
    opt = _optimizer(ember)
    sched = ember.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=3)
    for _ in range(3):
        opt.step()
        sched.step()
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        sched.step()


@pytest.mark.parametrize("mode,threshold_mode", [("min", "rel"), ("min", "abs"),
                                                 ("max", "rel"), ("max", "abs")])
def test_reduce_lr_on_plateau_matches_torch(mode, threshold_mode):
    rng = np.random.default_rng(0)
    # noisy plateaus so decays, cooldowns and min_lr all happen
    metrics = [1.0 / (1 + i // 15) + 0.01 * rng.standard_normal() for i in range(80)]
    if mode == "max":
        metrics = [-m for m in metrics]

    def make(s, o):
        return s.ReduceLROnPlateau(o, mode=mode, factor=0.5, patience=3, cooldown=2,
                                   threshold=0.01, threshold_mode=threshold_mode,
                                   min_lr=[0.01, 0.001])

    se, st = _assert_same(make, steps=80, metrics=metrics)
    assert se.best == st.best and se.num_bad_epochs == st.num_bad_epochs


def test_chained_recursive_forms_compose_with_manual_changes():
    def make(s, o):
        return s.CosineAnnealingLR(o, T_max=10)

    def seq(lib):
        opt = _optimizer(lib)
        sched = make(lib.optim.lr_scheduler, opt)
        out = []
        for i in range(25):
            if i == 6:
                for g in opt.param_groups:
                    g["lr"] *= 0.5
            opt.step()
            sched.step()
            out.append(sched.get_last_lr())
        return np.array(out)

    np.testing.assert_allclose(seq(ember), seq(torch), rtol=1e-12)


def test_step_with_epoch_uses_closed_form_like_torch():
    for lib in (ember, torch):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
        with pytest.warns(UserWarning):
            sched.step(7)
        assert sched.get_last_lr() == pytest.approx([0.1 * 0.25, 0.02 * 0.25])


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "OneCycleLR", "SequentialLR",
                                  "LambdaLR", "LinearLR"])
def test_state_dict_round_trip_resumes_schedule(name):
    make = CASES[name]
    opt = _optimizer(ember)
    sched = make(ember.optim.lr_scheduler, opt)
    for _ in range(17):
        opt.step()
        sched.step()
    state = sched.state_dict()
    opt_state = opt.state_dict()
    expected = []
    for _ in range(10):
        opt.step()
        sched.step()
        expected.append(sched.get_last_lr())

    opt2 = _optimizer(ember)
    sched2 = make(ember.optim.lr_scheduler, opt2)
    opt2.load_state_dict(opt_state)
    sched2.load_state_dict(state)
    got = []
    for _ in range(10):
        opt2.step()
        sched2.step()
        got.append(sched2.get_last_lr())
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "CosineAnnealingLR", "LinearLR",
                                  "OneCycleLR", "ExponentialLR"])
def test_state_dict_keys_match_torch(name):
    se = CASES[name](ember.optim.lr_scheduler, _optimizer(ember)).state_dict()
    st = CASES[name](torch.optim.lr_scheduler, _optimizer(torch)).state_dict()
    assert set(se) == set(st)
    assert se["base_lrs"] == st["base_lrs"] and se["last_epoch"] == st["last_epoch"]


def test_reduce_lr_on_plateau_state_dict_round_trip():
    opt = _optimizer(ember)
    s = ember.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1)
    for m in [1.0, 1.0, 1.0, 1.0]:
        s.step(m)
    s2 = ember.optim.lr_scheduler.ReduceLROnPlateau(_optimizer(ember), patience=1)
    s2.load_state_dict(s.state_dict())
    assert s2.best == 1.0 and s2.num_bad_epochs == s.num_bad_epochs
    assert s2.last_epoch == 4


def test_initial_lr_set_and_resume_without_it_raises():
    opt = _optimizer(ember)
    ember.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.02]
    with pytest.raises(KeyError, match="initial_lr"):
        ember.optim.lr_scheduler.StepLR(_optimizer(ember), step_size=2, last_epoch=3)


def test_invalid_arguments_raise_like_torch():
    s = ember.optim.lr_scheduler
    opt = _optimizer(ember)
    with pytest.raises(ValueError, match="Starting multiplicative factor"):
        s.LinearLR(opt, start_factor=0)
    with pytest.raises(ValueError, match="Ending multiplicative factor"):
        s.LinearLR(opt, end_factor=2)
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        s.ReduceLROnPlateau(opt, factor=1.5)
    with pytest.raises(ValueError, match="You must define either total_steps"):
        s.OneCycleLR(opt, max_lr=0.1)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        s.LambdaLR(opt, [lambda e: 1.0])
    with pytest.raises(ValueError, match="one more than the number of milestone"):
        s.SequentialLR(opt, [s.StepLR(opt, 2)], milestones=[3])
    with pytest.raises(TypeError, match="is not an Optimizer"):
        s.StepLR(object(), 2)


def test_cosine_reaches_eta_min_at_t_max():
    opt = _optimizer(ember)
    sched = ember.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=8, eta_min=0.001)
    for _ in range(8):
        opt.step()
        sched.step()
    assert sched.get_last_lr() == pytest.approx([0.001, 0.001])
    assert math.isclose(opt.param_groups[0]["lr"], 0.001)


def test_warm_restarts_fractional_epochs_match_torch():
    def seq(lib):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2)
        out = []
        for epoch in range(20):
            for i in range(3):
                opt.step()
                sched.step(epoch + i / 3)
                out.append(sched.get_last_lr())
        return np.array(out)

    np.testing.assert_allclose(seq(ember), seq(torch), rtol=1e-12)


def test_scheduler_step_before_optimizer_step_warns_like_torch():
    for lib in (ember, torch):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=2)
        with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
            sched.step()


def test_no_warning_in_the_right_order():
    import warnings

    opt = _optimizer(ember)
    sched = ember.optim.lr_scheduler.StepLR(opt, step_size=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            opt.step()
            sched.step()


def test_multistep_closed_form_works_after_checkpoint_round_trip(tmp_path):
    opt = _optimizer(ember)
    sched = ember.optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 4], gamma=0.5)
    ember.save(sched.state_dict(), tmp_path / "s")
    sched2 = ember.optim.lr_scheduler.MultiStepLR(_optimizer(ember), milestones=[1])
    sched2.load_state_dict(ember.load(tmp_path / "s"))
    with pytest.warns(UserWarning):
        sched2.step(5)
    assert sched2.get_last_lr() == pytest.approx([0.025, 0.005])

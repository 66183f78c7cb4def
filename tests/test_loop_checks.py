"""Training-loop checks: each mistake at each level, and correct loops silent at every level."""

from __future__ import annotations

import warnings

import pytest

import ember
from ember import TrainingLoopError, TrainingLoopWarning, nn


@pytest.fixture(autouse=True)
def _restore_level():
    before = ember.get_loop_checks()
    yield
    ember.set_loop_checks(before)


def _model():
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.2),
                         nn.Linear(8, 2))


def _batch():
    return ember.randn(16, 4), ember.randint(0, 2, (16,))


def _correct_loop(model, opt, steps=3):
    x, y = _batch()
    for _ in range(steps):
        model.train()
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
        model.eval()
        with ember.no_grad():
            model(x)


def _no_loop_warnings(record):
    return [w for w in record if issubclass(w.category, TrainingLoopWarning)]


def test_default_level_is_warn():
    assert ember.get_loop_checks() == "warn"


def test_invalid_level_raises_value_error():
    with pytest.raises(ValueError, match="strict"):
        ember.set_loop_checks("loud")


@pytest.mark.parametrize("level", ["off", "warn", "strict"])
def test_correct_loop_is_silent_at_every_level(level):
    ember.set_loop_checks(level)
    model = _model()
    opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        _correct_loop(model, opt)
    assert _no_loop_warnings(record) == []


@pytest.mark.parametrize("level", ["off", "warn", "strict"])
def test_intentional_gradient_accumulation_is_silent(level):
    ember.set_loop_checks(level)
    model = nn.Linear(4, 2)
    opt = ember.optim.Adam(model.parameters())
    x, y = _batch()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for _ in range(2):
            opt.zero_grad()
            for xb, yb in zip(x.split(4), y.split(4)):
                nn.functional.cross_entropy(model(xb), yb).backward()
            opt.step()
    assert _no_loop_warnings(record) == []


def _forgot_zero_grad(model, opt, steps=4):
    x, y = _batch()
    for _ in range(steps):
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()


def test_stale_gradients_warn_once_per_optimizer():
    model = nn.Linear(4, 2)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    with pytest.warns(TrainingLoopWarning, match="zero_grad") as record:
        _forgot_zero_grad(model, opt, steps=5)
    assert len(_no_loop_warnings(record)) == 1
    assert "SGD" in str(record[0].message)


def test_stale_gradients_raise_when_strict():
    ember.set_loop_checks("strict")
    model = nn.Linear(4, 2)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(TrainingLoopError, match="zero_grad"):
        _forgot_zero_grad(model, opt)


def test_stale_gradients_silent_when_off():
    ember.set_loop_checks("off")
    model = nn.Linear(4, 2)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        _forgot_zero_grad(model, opt)
    assert _no_loop_warnings(record) == []


def test_zeroing_grads_in_place_is_not_stale():
    model = nn.Linear(4, 2)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    x, y = _batch()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for _ in range(3):
            opt.zero_grad(set_to_none=False)
            nn.functional.cross_entropy(model(x), y).backward()
            opt.step()
    assert _no_loop_warnings(record) == []


def test_each_optimizer_warns_for_itself():
    a, b = nn.Linear(4, 2), nn.Linear(4, 2)
    opt_a = ember.optim.SGD(a.parameters(), lr=0.1)
    opt_b = ember.optim.Adam(b.parameters())
    x, y = _batch()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for _ in range(3):
            opt_a.zero_grad()
            nn.functional.cross_entropy(a(x), y).backward()
            opt_a.step()
            nn.functional.cross_entropy(b(x), y).backward()  # b forgets zero_grad
            opt_b.step()
    messages = [str(w.message) for w in _no_loop_warnings(record)]
    assert len(messages) == 1 and "Adam" in messages[0]


def test_gan_generator_backward_into_used_discriminator_grads_is_silent():
    # the DCGAN loop: G's loss backpropagates through D into gradients D's step already used;
    # D's zero_grad() clears them before D's next step, so no step ever uses a stale sum
    G, D = nn.Linear(3, 4), nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())
    opt_g = ember.optim.Adam(G.parameters())
    opt_d = ember.optim.Adam(D.parameters())
    z, real = ember.randn(8, 3), ember.randn(8, 4)
    ones, zeros = ember.ones(8, 1), ember.zeros(8, 1)
    bce = nn.functional.binary_cross_entropy
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for set_to_none in (True, False, True):
            fake = G(z)
            opt_d.zero_grad(set_to_none=set_to_none)
            (bce(D(real), ones) + bce(D(fake.detach()), zeros)).backward()
            opt_d.step()
            opt_g.zero_grad()
            bce(D(fake), ones).backward()
            opt_g.step()
    assert _no_loop_warnings(record) == []


def test_stale_gradients_reported_after_several_accumulations():
    model = nn.Linear(4, 2)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    x, y = _batch()
    with pytest.warns(TrainingLoopWarning, match="zero_grad"):
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
        for _ in range(2):  # two backward passes onto the used gradients, then a step
            nn.functional.cross_entropy(model(x), y).backward()
        opt.step()


def test_step_without_gradients_warns_once():
    model = nn.Linear(4, 2)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    with pytest.warns(TrainingLoopWarning, match="backward") as record:
        for _ in range(3):
            opt.zero_grad()
            opt.step()
    assert len(_no_loop_warnings(record)) == 1


def test_zero_grad_between_backward_and_step_is_caught():
    ember.set_loop_checks("strict")
    model = nn.Linear(4, 2)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    x, y = _batch()
    nn.functional.cross_entropy(model(x), y).backward()
    with pytest.raises(TrainingLoopError, match="no step"):
        opt.zero_grad()


def test_step_without_gradients_raises_when_strict():
    ember.set_loop_checks("strict")
    opt = ember.optim.SGD(nn.Linear(4, 2).parameters(), lr=0.1)
    with pytest.raises(TrainingLoopError, match="none of its parameters"):
        opt.step()


def test_heuristic_checks_are_silent_at_warn():
    model = _model()
    x, _ = _batch()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with ember.no_grad():
            model(x)  # evaluation in training mode: heuristic, strict only
    assert _no_loop_warnings(record) == []


def test_evaluation_in_training_mode_raises_when_strict_naming_the_module():
    ember.set_loop_checks("strict")
    model = nn.Sequential(nn.Linear(4, 8), nn.Sequential(nn.ReLU(), nn.Dropout(0.5)))
    with pytest.raises(TrainingLoopError, match=r"model\.1\.1 \(Dropout\)"):
        with ember.no_grad():
            model(ember.randn(2, 4))


def test_recording_during_evaluation_raises_when_strict():
    ember.set_loop_checks("strict")
    model = _model().eval()
    with pytest.raises(TrainingLoopError, match="no_grad"):
        model(ember.randn(3, 4))


def test_training_through_eval_mode_layer_raises_when_strict():
    ember.set_loop_checks("strict")
    model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))
    model.train()
    model[1].eval()  # forgot model.train() for this layer
    out = model(ember.randn(3, 4))
    with pytest.raises(TrainingLoopError, match=r"model\.1 \(Dropout\)"):
        out.sum().backward()


def test_checks_never_change_numbers():
    results = []
    for level in ("off", "warn"):
        ember.set_loop_checks(level)
        ember.manual_seed(0)
        model = _model()
        opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        _correct_loop(model, opt)
        results.append([p.detach().numpy().copy() for p in model.parameters()])
    for a, b in zip(*results):
        assert (a == b).all()

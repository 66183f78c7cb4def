"""Training-loop checks: notice the classic mistakes of the loop and explain them.

PyTorch stays silent when a loop forgets ``zero_grad()``, steps without gradients or
evaluates in training mode; the model just trains badly. ember watches for them:

- ``"warn"`` (default): the unambiguous mistakes (stale gradients, a step without
  gradients) issue a ``TrainingLoopWarning``, once per kind of mistake per optimizer (or module).
- ``"strict"``: every check, the heuristic ones included, raises ``TrainingLoopError`` at the
  point of the mistake. Meant for a user's own tests of a training script.
- ``"off"``: no checks and no cost.

The hooks below are called from the optimizer and the engine; the module-side checks (train/eval
mode) live in ``ember.nn._loop_checks``. Each returns at once when checks are off.
"""

from __future__ import annotations

import weakref
from weakref import ref as _weakref

from ._warnings import warn_user

_LEVELS = ("off", "warn", "strict")


class TrainingLoopWarning(UserWarning):
    """A likely mistake in the training loop (see ``ember.set_loop_checks``)."""


class TrainingLoopError(RuntimeError):
    """A training-loop mistake, raised when checks are ``"strict"``."""


class _Config:
    level = "warn"
    warn = True
    strict = False


config = _Config()


def set_loop_checks(level: str) -> None:
    """Choose how ember reacts to training-loop mistakes: ``"warn"``, ``"strict"`` or ``"off"``."""
    if level not in _LEVELS:
        raise ValueError(f"loop checks level must be one of {_LEVELS}, got {level!r}")
    config.level = level
    config.warn = level != "off"
    config.strict = level == "strict"


def get_loop_checks() -> str:
    """The current loop-check level."""
    return config.level


# ---------------------------------------------------------------------- reporting
_reported: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _report(owner, kind: str, message: str, heuristic: bool = False) -> None:
    """Raise (strict) or warn once per (owner, kind); heuristic checks only act when strict."""
    if config.strict:
        raise TrainingLoopError(message)
    if heuristic or not config.warn:
        return
    try:
        kinds = _reported.setdefault(owner, set())
    except TypeError:  # owner cannot be weakly referenced: warn every time
        kinds = set()
    if kind in kinds:
        return
    kinds.add(kind)
    warn_user(message, TrainingLoopWarning)


def _optimizer_name(opt) -> str:
    return f"{type(opt).__name__} optimizer (id {id(opt):#x})"


# ---------------------------------------------------------------------- optimizer hooks
def after_step(optimizer, params_with_grad: list) -> None:
    """Report a step that used stale gradients or had none; record the gradients it consumed."""
    if not config.warn:
        return
    if not params_with_grad:
        _report(
            optimizer, "step_without_grad",
            f"{_optimizer_name(optimizer)}: step() was called but none of its parameters has a "
            "gradient, so nothing was updated. Did you forget loss.backward(), or call "
            "zero_grad() between backward() and step()? Fix: zero_grad(), backward(), step().",
        )
        return
    ref = optimizer.__dict__.get("_ember_ref")
    if ref is None:  # one weak reference per optimizer, made once
        ref = optimizer.__dict__["_ember_ref"] = weakref.ref(optimizer)
    stale = False
    for p in params_with_grad:  # runs every step: keep it to a few dict operations
        g = p._grad
        d = p.__dict__
        if "_ember_stale" in d:
            marker = d.pop("_ember_stale")
            if marker[0]() is g and marker[1] == g._version:
                stale = True
        vc = g._vc
        # weak: a strong reference would keep every old gradient alive after zero_grad()
        d["_ember_step"] = (_weakref(g), 0 if vc is None else vc.value, ref)
    if stale:
        _report(
            optimizer, "stale_grad",
            f"{_optimizer_name(optimizer)}: step() used gradients into which backward() "
            "accumulated on top of the gradients an earlier step() already used, with no "
            "zero_grad() in between: this step used the sum of old and new gradients. Did you "
            "forget optimizer.zero_grad()? Fix: call zero_grad() before backward() each iteration.",
        )


def before_zero_grad(optimizer, params) -> None:
    """Strict only: zero_grad() is about to discard gradients no step has used."""
    if not config.strict:
        return
    for p in params:
        g = p._grad
        if g is None:
            continue
        record = p.__dict__.get("_ember_step")
        if record is None or record[0]() is not g or record[1] != g._version:
            _report(
                optimizer, "cleared_before_use",
                f"{_optimizer_name(optimizer)}: zero_grad() discards gradients that backward() "
                "produced and no step() used. Fix: call step() after backward() and before "
                "zero_grad().",
                heuristic=True,
            )
            return


# ---------------------------------------------------------------------- engine hooks
# Accumulating into a gradient a step already used is only a mistake if a step then uses the
# sum: a GAN's generator loss legitimately backpropagates into the discriminator's used
# gradients, which the discriminator's zero_grad() clears before its next step. So backward
# only marks such gradients (the marker survives further accumulation, not zeroing or
# replacement) and the optimizer reports when its step() consumes a marked gradient.
def accumulates_stale(leaf) -> bool:
    """Before backward adds into ``leaf.grad``: is it a gradient a step used (or marked so)?"""
    g = leaf._grad
    marker = leaf.__dict__.get("_ember_stale")
    if marker is not None and marker[0]() is g and marker[1] == g._version:
        return True
    record = leaf.__dict__.get("_ember_step")
    return record is not None and record[0]() is g and g._version == record[1]


def mark_stale(leaf) -> None:
    """After backward added into a used gradient: remember it until a step or a zeroing."""
    g = leaf._grad
    leaf.__dict__["_ember_stale"] = (_weakref(g), g._version)

"""The module side of the training-loop checks (see ``ember._loop_checks``): train/eval mode.

Only ``"strict"`` checks run here, all heuristic: a layer in training mode under ``no_grad``
(looks like evaluation without ``model.eval()``), an eval-mode model recording a graph, and
backward through a layer that ran in eval mode.
"""

from __future__ import annotations

import gc
import warnings
import weakref

from .._grad_mode import state as _grad_state
from .._loop_checks import _report, config
from ..autograd.function import Op


def module_path(module) -> str:
    """``model.features.2 (Dropout)``: the module's attribute path from the outermost model."""
    # nn.Module, found from the module itself (the class defining named_modules), since
    # nn/module.py imports this file
    base = next(c for c in reversed(type(module).__mro__) if "named_modules" in vars(c))
    best = ""
    # only on the error path: find the outermost model holding this module
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # isinstance on lazy proxy objects may warn
        candidates = [o for o in gc.get_objects() if isinstance(o, base) and o is not module]
    for obj in candidates:
        try:
            for name, sub in obj.named_modules():
                if sub is module and len(name) > len(best):
                    best = name
        except Exception:  # a half-built module: skip it  # noqa: BLE001
            continue
    path = "model" + ("." + best if best else "")
    return f"{path} ({type(module).__name__})"


def training_layer_forward(module) -> None:
    """Strict only: a Dropout/BatchNorm in training mode runs under no_grad (looks like eval)."""
    if config.strict and not _grad_state.enabled:
        _report(
            module, "train_mode_in_no_grad",
            f"{module_path(module)} runs in training mode inside no_grad()/inference_mode(): this "
            "looks like evaluation without model.eval() (Dropout drops activations, BatchNorm "
            "overwrites its running statistics with this data). Fix: call model.eval() before "
            "evaluating.",
            heuristic=True,
        )


def eval_layer_forward(module, output):
    """Strict only: mark an eval-mode Dropout/BatchNorm output so backward through it reports."""
    if not config.strict or not _grad_state.enabled or not output.requires_grad:
        return output
    return _EvalModeMarker.apply(output, module=module)


_depth = [0]  # nesting of Module calls: only the outermost call is "the model"


def checked_call(module, call, args, kwargs):
    """Strict mode's Module.__call__: the heuristic module checks around ``call``."""
    _depth[0] += 1
    try:
        if (_depth[0] == 1 and not module.training and _grad_state.enabled
                and any(p.requires_grad for p in module.parameters())):
            _report(
                module, "recording_in_eval",
                f"{module_path(module)} is in eval mode but runs with gradient recording on "
                "while its parameters require grad: the graph costs memory an evaluation won't "
                "use. Fix: wrap evaluation in `with ember.no_grad():`.",
                heuristic=True,
            )
        sensitive = getattr(module, "_mode_sensitive", False)
        if sensitive and module.training:
            training_layer_forward(module)
        out = call(*args, **kwargs)
        if sensitive and not module.training:
            out = eval_layer_forward(module, out)
        return out
    finally:
        _depth[0] -= 1


class _EvalModeMarker(Op):
    """Identity whose backward reports training through an eval-mode layer (strict)."""

    @staticmethod
    def forward(ctx, a, module):
        ctx.module = weakref.ref(module)
        return a

    @staticmethod
    def backward(ctx, g):
        module = ctx.module()
        where = module_path(module) if module is not None else "a Dropout/BatchNorm layer"
        _report(
            module, "training_in_eval",
            f"backward() runs through a forward pass in which {where} was in eval mode: "
            "Dropout did not drop and BatchNorm used running statistics while training. Did "
            "you forget model.train() after evaluating? (Legitimate when fine-tuning with "
            "frozen BatchNorm.) Fix: call model.train() before the training forward pass.",
            heuristic=True,
        )
        return g

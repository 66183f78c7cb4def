"""Optimizer: PyTorch's surface (param_groups, state, zero_grad, step, state_dict) around one
pure per-parameter update.

Each optimizer defines ``_init_state(param, group)`` (the per-parameter state PyTorch creates on
the first step) and a pure ``_apply_single(g, param, state, group, scratch)`` working on NumPy
arrays in place (MLX's ``apply_single`` shape). ``step`` walks the groups, skips parameters
without a gradient, turns the gradient into the ``g_t`` of PyTorch's algorithm boxes (negated
to maximize, weight decay applied: ``_gradient``, the one preamble every optimizer shares),
calls the update on the raw storage (``param._data``), and bumps the parameter's version
counter so autograd notices the write. No graph is ever built: the update never goes through
ember ops.
"""

from __future__ import annotations

import copy
import functools
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any

import numpy as np

from .. import _loop_checks
from .._grad_mode import enable_grad
from .._loop_checks import config as _checks
from ..autograd.function import _RemovableHandle
from ..tensor import Tensor, _from_array


class _RequiredParameter:
    """Marker for an option with no default (SGD's ``lr`` in old PyTorch)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _typename(obj) -> str:
    if isinstance(obj, Tensor):
        return "ember.Tensor"
    module = type(obj).__module__
    name = type(obj).__qualname__
    return name if module in ("builtins", None) else f"{module}.{name}"


def _with_step_hooks(step):
    """Run the optimizer's step pre/post hooks around ``step`` (applied to every subclass)."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        for hook in list(self._step_pre_hooks):
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(f"{hook} must return None or a tuple of (new_args, "
                                       f"new_kwargs), but got {result}.")
                args, kwargs = result
        out = step(self, *args, **kwargs)
        for hook in list(self._step_post_hooks):
            hook(self, args, kwargs)
        return out

    wrapper._hooked = True
    return wrapper


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: an iterable of Tensors, of ``(name, Tensor)`` pairs, or of dicts (parameter
            groups, each with a ``"params"`` entry and optional per-group options).
        defaults: default values of the optimization options, used for groups that do not set
            them.

    Raises:
        TypeError: ``params`` is a single Tensor or not iterable, or holds non-Tensors.
        ValueError: ``params`` is empty.
    """

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_hooked", False):
            cls.step = _with_step_hooks(step)

    def __init__(self, params: Iterable, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._step_pre_hooks: list[Callable] = []
        self._step_post_hooks: list[Callable] = []
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                "dicts, but got " + _typename(params)
            )
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        # workspace arrays per parameter (not optimizer state: never saved)
        self._scratch: dict[Tensor, list[np.ndarray]] = {}
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __getstate__(self) -> dict:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_scratch", {})
        self.__dict__.setdefault("_step_pre_hooks", [])
        self.__dict__.setdefault("_step_post_hooks", [])

    def register_step_pre_hook(self, hook: Callable) -> _RemovableHandle:
        """Call ``hook(optimizer, args, kwargs)`` before each ``step``; it may return
        ``(new_args, new_kwargs)``. Returns a handle whose ``remove()`` unregisters it."""
        self._step_pre_hooks.append(hook)
        return _RemovableHandle(self._step_pre_hooks, hook)

    def register_step_post_hook(self, hook: Callable) -> _RemovableHandle:
        """Call ``hook(optimizer, args, kwargs)`` after each ``step``."""
        self._step_post_hooks.append(hook)
        return _RemovableHandle(self._step_post_hooks, hook)

    def __repr__(self) -> str:
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (e.g. a new layer to fine-tune).

        Args:
            param_group: a dict with ``"params"`` and optionally any option of the optimizer.

        Raises:
            TypeError: not a dict, params in a set, or a param that is not a Tensor.
            ValueError: a non-leaf param, a missing required option, or a param already in
                another group.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        tensors = []
        names = []
        for p in params:
            if isinstance(p, tuple):
                names.append(p[0])
                tensors.append(p[1])
            else:
                tensors.append(p)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are "
                    "missing"
                )
            param_group["param_names"] = names
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is " + _typename(p)
                )
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization "
                    f"parameter {name}"
                )
            param_group.setdefault(name, default)
        if len(tensors) != len(set(tensors)):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this "
                "will cause an error",
                stacklevel=3,
            )
        seen: set[Tensor] = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. cannot add param "
                    f"group {which} to the optimizer"
                )
        if not seen.isdisjoint(tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ------------------------------------------------------------------ gradients
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized parameters.

        Args:
            set_to_none: set ``.grad`` to None (the default, cheaper) instead of zeroing it in
                place.
        """
        if _checks.strict:
            _loop_checks.before_zero_grad(
                self, [p for group in self.param_groups for p in group["params"]])
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    if g._grad_fn is not None:
                        g.detach_()
                    else:
                        g._requires_grad = False
                    if g._data.flags.writeable:
                        g._data.fill(0)
                    else:  # e.g. a broadcast view produced by backward
                        g._data = np.zeros_like(g._data)
                    g._bump_version()

    # ------------------------------------------------------------------ the update
    def _init_state(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        """The state PyTorch creates for ``param`` on its first step (Tensors keyed like torch)."""
        return {}

    @staticmethod
    def _apply_single(g: np.ndarray, param: np.ndarray, state: dict, group: dict,
                      scratch: list[np.ndarray]) -> None:
        """Update ``param`` and ``state`` in place from ``g`` (``g_t``, from ``_gradient``).

        ``g`` may be the caller's gradient array (never write into it) or ``scratch[0]``
        (overwrite ``scratch[0]`` only after the last read of ``g``).
        """
        raise NotImplementedError

    _n_scratch = 2  # workspace arrays shaped like the parameter that _apply_single needs

    @_with_step_hooks
    def step(self, closure: Callable[[], Any] | None = None):
        """Perform one optimization step.

        Args:
            closure: re-evaluates the model and returns the loss (called with grad enabled).

        Returns:
            The closure's loss, or None.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        state_of = self.state
        scratch_of = self._scratch
        update = self._apply_single
        used = [] if _checks.warn else None
        for group in self.param_groups:
            # the default group (no maximize, no weight decay) skips the preamble: g_t is the grad
            plain = not group.get("maximize", False) and group.get("weight_decay", 0) == 0
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if used is not None:
                    used.append(p)
                state = state_of.get(p)
                fresh = not state  # absent, or an empty dict made by reading opt.state[p]
                if fresh:
                    state = self._init_state(p, group)
                scratch = scratch_of.get(p)
                if (scratch is None or scratch[0].shape != p._data.shape
                        or scratch[0].dtype != p._data.dtype):
                    scratch = [np.empty_like(p._data) for _ in range(self._n_scratch)]
                    scratch_of[p] = scratch
                g = g._data if plain else _gradient(g._data, p._data, group, scratch[0])
                update(g, p._data, state, group, scratch)
                p._bump_version()
                if fresh and state:  # SGD without momentum keeps no state, like PyTorch
                    state_of[p] = state
        if used is not None:
            _loop_checks.after_step(self, used)
        return loss

    # ------------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as PyTorch lays it out.

        Returns:
            ``{"state": {index: {name: value}}, "param_groups": [{..., "params": [index]}]}``,
            parameters numbered in group order. Values are references, not copies.
        """
        index: dict[Tensor, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                if p not in index:
                    index[p] = len(index)
            packed["params"] = [index[p] for p in group["params"]]
            groups.append(packed)
        state = {
            (index[k] if isinstance(k, Tensor) else k): dict(v) for k, v in self.state.items()
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load state saved by ``state_dict`` (of this optimizer type, same group sizes).

        Args:
            state_dict: as returned by ``state_dict`` (possibly after ``ember.save``/``load``).

        Raises:
            ValueError: the number of groups or of parameters in a group differs.
        """
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        pairs = zip(groups, saved_groups, strict=True)
        if any(len(g["params"]) != len(s["params"]) for g, s in pairs):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                "optimizer's group"
            )
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups), strict=True))
        state: defaultdict[Any, dict] = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = {name: _cast(param, value, name) for name, value in v.items()}
            else:
                state[k] = v
        new_groups = []
        for group, saved in zip(groups, saved_groups, strict=True):
            for key, default in self.defaults.items():  # options newer than the checkpoint
                saved.setdefault(key, default)
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            new_groups.append(saved)
        self.state = state
        self.param_groups = new_groups


def _cast(param: Tensor, value, key):
    """A private copy of a saved state value, floats cast to the parameter's dtype (not 'step')."""
    if isinstance(value, Tensor):
        arr = value._data
        dtype = param._data.dtype if key != "step" and param._data.dtype.kind == "f" else None
        return _from_array(np.array(arr, dtype=dtype, order="C", copy=True))
    if isinstance(value, np.ndarray):
        return _cast(param, _from_array(value), key)
    if key == "step" and isinstance(value, (int, float)):  # old checkpoints kept a number
        return _from_array(np.array(value, dtype=np.float32))
    if isinstance(value, dict):
        return {k: _cast(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(param, v, None) for v in value)
    return value


def _gradient(grad: np.ndarray, param: np.ndarray, group: dict[str, Any],
              out: np.ndarray) -> np.ndarray:
    """``g_t`` as PyTorch's optimizers define it, before their own rule; may decay ``param``.

    Negated when maximizing; plus ``weight_decay * param`` (L2), or, with
    ``decoupled_weight_decay`` (AdamW and the option of Adam, NAdam, RAdam), ``param`` shrunk
    in place instead. Returns ``grad`` itself when nothing changes it, else ``out``.
    """
    maximize = group.get("maximize", False)
    weight_decay = group.get("weight_decay", 0)
    if weight_decay != 0 and group.get("decoupled_weight_decay", False):
        param *= 1 - group["lr"] * weight_decay  # θ_t ← θ_{t-1} - γ λ θ_{t-1}
        weight_decay = 0
    if weight_decay == 0:
        # g_t ← ∇θ f_t(θ_{t-1}), or -∇θ f_t(θ_{t-1}) to maximize
        return np.negative(grad, out=out) if maximize else grad
    # negated before the decay term is added: PyTorch's code (SGD's docs box negates last)
    np.multiply(param, weight_decay, out=out)  # λ θ_{t-1}
    if maximize:
        out -= grad  # g_t ← -∇θ f_t(θ_{t-1}) + λ θ_{t-1}
    else:
        out += grad  # g_t ← ∇θ f_t(θ_{t-1}) + λ θ_{t-1}
    return out


def _step_tensor() -> Tensor:
    """The step counter PyTorch keeps per parameter: a float32 scalar tensor."""
    return _from_array(np.zeros((), dtype=np.float32))


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)

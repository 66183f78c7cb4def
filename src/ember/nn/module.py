"""Module: the base class of every layer and model.

A module keeps what it owns in three ordered registries, filled by ``__setattr__``:
``_parameters`` (Parameters), ``_buffers`` (non-learnable state such as running means)
and ``_modules`` (submodules). Every walker (``parameters``, ``named_buffers``,
``state_dict``...) is built on those, and all the ``named_*`` ones on one helper,
``_named_members``.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy as np

from .. import _dtype
from .._grad_mode import no_grad
from .._loop_checks import config as _checks
from ..tensor import Tensor, _check_device
from . import _loop_checks
from ._backward_hooks import after_forward as _hooks_after_forward
from ._backward_hooks import before_forward as _hooks_before_forward
from .parameter import Parameter

__all__ = ["Module"]


class _IncompatibleKeys(NamedTuple):
    missing_keys: list
    unexpected_keys: list

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (f"_IncompatibleKeys(missing_keys={self.missing_keys}, "
                f"unexpected_keys={self.unexpected_keys})")

    __str__ = __repr__


class RemovableHandle:
    """Returned by hook registrations: ``remove()`` (or leaving a ``with`` block) unregisters."""

    _next_id = itertools.count()

    def __init__(self, hooks_dict: OrderedDict) -> None:
        self._hooks_dict = hooks_dict
        self.id = next(RemovableHandle._next_id)

    def remove(self) -> None:
        """Unregister the hook; calling it again does nothing."""
        self._hooks_dict.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def _addindent(text: str, spaces: int) -> str:
    """Indent every line but the first (how nested module reprs are laid out)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    pad = " " * spaces
    return lines[0] + "\n" + "\n".join(pad + line for line in lines[1:])


def _as_array(value) -> np.ndarray:
    """A state_dict value as an ndarray: ember Tensors, NumPy arrays, PyTorch tensors."""
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch.Tensor
        return value.detach().cpu().numpy()
    return np.asarray(value)


class Module:
    """Base class for all neural-network modules; subclasses define ``forward``.

    Assigning a Parameter, a Module or (via ``register_buffer``) a buffer to an attribute
    registers it, so it shows up in ``parameters()``, ``state_dict()``, ``to()`` and so on.
    """

    training: bool
    _version: int = 1
    call_super_init: bool = False

    def __init__(self, *args, **kwargs) -> None:
        if args or kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__() got an unexpected argument: Module takes "
                "no arguments"
            )
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent_buffers_set"] = set()
        d["_modules"] = {}
        d["_forward_pre_hooks"] = OrderedDict()
        d["_forward_hooks"] = OrderedDict()

    forward: Callable[..., Any]

    def forward(self, *args, **kwargs):  # noqa: F811 - the declaration above is for typing
        """The computation of the module; subclasses must override it.

        Call the module (``module(x)``) rather than ``forward`` so that hooks run.

        Raises:
            NotImplementedError: the subclass did not define ``forward``.
        """
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    # ------------------------------------------------------------------ calling
    def __call__(self, *args, **kwargs):
        if not self._forward_pre_hooks and not self._forward_hooks and not _checks.strict:
            return self.forward(*args, **kwargs)
        if _checks.strict:  # the heuristic training-loop checks (ember.set_loop_checks)
            return _loop_checks.checked_call(self, self._call_with_hooks, args, kwargs)
        return self._call_with_hooks(*args, **kwargs)

    def _call_with_hooks(self, *args, **kwargs):
        for hook, with_kwargs in list(self._forward_pre_hooks.values()):
            if with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError(
                            "forward pre-hook must return None or a tuple of (new_args, "
                            f"new_kwargs), but got {result}."
                        )
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        output = self.forward(*args, **kwargs)
        for hook, with_kwargs in list(self._forward_hooks.values()):
            result = hook(self, args, kwargs, output) if with_kwargs else hook(self, args, output)
            if result is not None:
                output = result
        return output

    def register_forward_pre_hook(self, hook: Callable, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args)`` before forward; a non-None return replaces args.

        With ``with_kwargs`` the hook is ``hook(module, args, kwargs)`` and may return a new
        ``(args, kwargs)`` pair.
        """
        return _add_hook(self._forward_pre_hooks, (hook, with_kwargs), prepend)

    def register_forward_hook(self, hook: Callable, *, prepend: bool = False,
                              with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after forward; a non-None return replaces the
        output. With ``with_kwargs`` the hook is ``hook(module, args, kwargs, output)``."""
        return _add_hook(self._forward_hooks, (hook, with_kwargs), prepend)

    _backward_hooks: OrderedDict = OrderedDict()  # per instance once a hook is registered
    _backward_pre_hooks: OrderedDict = OrderedDict()

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False
                                    ) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` when the gradients with respect to
        the module's positional tensor inputs are computed; a non-None return replaces
        grad_input. Used for saliency maps and Grad-CAM."""
        self._install_backward_hooks()
        return _add_hook(self.__dict__["_backward_hooks"], hook, prepend)

    def register_full_backward_pre_hook(self, hook: Callable, prepend: bool = False
                                        ) -> RemovableHandle:
        """Call ``hook(module, grad_output)`` before the module's input gradients are
        computed; a non-None return replaces grad_output."""
        self._install_backward_hooks()
        return _add_hook(self.__dict__["_backward_pre_hooks"], hook, prepend)

    def register_backward_hook(self, hook: Callable) -> RemovableHandle:
        """PyTorch's deprecated form; ember gives it the full-hook semantics."""
        return self.register_full_backward_hook(hook)

    def _install_backward_hooks(self) -> None:
        if "_backward_hooks" in self.__dict__:
            return
        self.__dict__["_backward_hooks"] = OrderedDict()
        self.__dict__["_backward_pre_hooks"] = OrderedDict()
        self.register_forward_pre_hook(_hooks_before_forward)
        self.register_forward_hook(_hooks_after_forward, prepend=True)

    # ------------------------------------------------------------------ registration
    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or a None placeholder) under ``name``.

        Raises:
            AttributeError: called before ``Module.__init__``.
            KeyError: bad name, or the name is already a non-parameter attribute.
            TypeError: ``param`` is neither a Parameter nor None.
        """
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_name(name, "parameter", "_parameters")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                "(torch.nn.Parameter or None required)"
            )
        if param is not None and param.grad_fn is not None:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must "
                "be created explicitly. To express '{name}' as a function of another Tensor, "
                "compute the value in the forward() method."
            )
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a buffer (state that is not a parameter); non-persistent ones stay out of
        ``state_dict``.

        Raises:
            AttributeError: called before ``Module.__init__``.
            KeyError: bad name, or the name is already a non-buffer attribute.
            TypeError: ``tensor`` is neither a Tensor nor None.
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name(name, "buffer", "_buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                "(torch Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under ``name`` (an attribute of that name then returns it)."""
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError('module name can\'t be empty string ""')
        self._modules[name] = module

    register_module = add_module

    def _check_name(self, name, kind: str, registry: str) -> None:
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain "."')
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if hasattr(self, name) and name not in getattr(self, registry):
            raise KeyError(f"attribute '{name}' already exists")

    # ------------------------------------------------------------------ attribute protocol
    def __getattr__(self, name: str):
        # only reached when normal lookup fails: look in the three registries
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry in d and name in d[registry]:
                return d[registry][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name: str, value) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            _remove_from(name, d, self._buffers, self._modules, self._non_persistent_buffers_set)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as parameter '{name}' "
                    "(torch.nn.Parameter or None expected)"
                )
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            modules = d.get("_modules")
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            _remove_from(name, d, params, self._buffers, self._non_persistent_buffers_set)
            modules[name] = value
        elif d.get("_modules") is not None and name in d["_modules"]:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as child module '{name}' "
                    "(torch.nn.Module or None expected)"
                )
            d["_modules"][name] = value
        elif d.get("_buffers") is not None and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as buffer '{name}' "
                    "(torch.Tensor or None expected)"
                )
            d["_buffers"][name] = value
        elif isinstance(value, Tensor) and getattr(value, "_buffer_persistent", None) is not None:
            self.register_buffer(name, value, persistent=value._buffer_persistent)
        else:
            object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        if name in d.get("_parameters", ()):
            del d["_parameters"][name]
        elif name in d.get("_buffers", ()):
            del d["_buffers"][name]
            d["_non_persistent_buffers_set"].discard(name)
        elif name in d.get("_modules", ()):
            del d["_modules"][name]
        else:
            object.__delattr__(self, name)

    def __dir__(self):
        keys = list(super().__dir__())
        keys += list(self._parameters) + list(self._buffers) + list(self._modules)
        return sorted(set(keys))

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_forward_pre_hooks", OrderedDict())
        self.__dict__.setdefault("_forward_hooks", OrderedDict())
        self.__dict__.setdefault("_non_persistent_buffers_set", set())

    # ------------------------------------------------------------------ walkers
    def _named_members(self, get_members: Callable, prefix: str = "", recurse: bool = True,
                       remove_duplicate: bool = True) -> Iterator[tuple[str, Any]]:
        """Yield (qualified name, member) for the members ``get_members(module)`` returns,
        over this module and (with ``recurse``) every submodule, each object once."""
        seen = set()
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                   if recurse else [(prefix, self)])
        for module_prefix, module in modules:
            for name, value in get_members(module):
                if value is None:
                    continue
                if remove_duplicate:
                    if id(value) in seen:
                        continue
                    seen.add(id(value))
                yield (module_prefix + ("." if module_prefix else "") + name, value)

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(name, parameter) pairs, own parameters first, then each child's, in order."""
        return self._named_members(lambda m: m._parameters.items(), prefix, recurse,
                                   remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Iterate over the parameters, each once, including submodules' if ``recurse``."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """Iterate over ``(dotted name, buffer)`` pairs.

        Args:
            prefix: prepended to every name.
            recurse: include the buffers of submodules.
            remove_duplicate: yield a buffer shared by several modules only once.
        """
        return self._named_members(lambda m: m._buffers.items(), prefix, recurse,
                                   remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Iterate over the buffers, including submodules' if ``recurse``."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Iterate over ``(name, module)`` for the direct submodules."""
        return self._named_members(lambda m: m._modules.items(), recurse=False)

    def children(self) -> Iterator[Module]:
        """Iterate over the direct submodules."""
        for _, m in self.named_children():
            yield m

    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """This module and every descendant, depth first, each once (by default)."""
        if memo is None:
            memo = set()
        # explicit stack: deep models must not hit the recursion limit
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if remove_duplicate:
                if id(module) in memo:
                    continue
                memo.add(id(module))
            yield name, module
            children = [(name + ("." if name else "") + k, m)
                        for k, m in module._modules.items() if m is not None]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        """Iterate over this module and all its submodules, each once, depth first."""
        for _, m in self.named_modules():
            yield m

    def get_submodule(self, target: str) -> Module:
        """The submodule at the dotted path ``target`` (``""`` is the module itself).

        Raises:
            AttributeError: no submodule at some step of the path.
        """
        if target == "":
            return self
        module = self
        for item in target.split("."):
            if item not in module._modules:
                raise AttributeError(f"{module._get_name()} has no attribute `{item}`")
            module = module._modules[item]
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path ``target`` (e.g. ``"0.weight"``).

        Raises:
            AttributeError: no such submodule or parameter.
        """
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        if name not in module._parameters:
            raise AttributeError(f"{module._get_name()} has no parameter `{name}`")
        return module._parameters[name]

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at the dotted path ``target`` (e.g. ``"bn.running_mean"``).

        Raises:
            AttributeError: no such submodule or buffer.
        """
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        if name not in module._buffers:
            raise AttributeError(f"{module._get_name()} has no buffer `{name}`")
        return module._buffers[name]

    # ------------------------------------------------------------------ modes and grads
    def train(self, mode: bool = True) -> Module:
        """Set training mode on this module and every descendant; returns self."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)  # through the method, so subclasses' overrides run
        return self

    def eval(self) -> Module:
        """Switch this module and its submodules to evaluation mode (``train(False)``)."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` on every parameter (False freezes the module); returns self."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: to None (default) or to zeros in place."""
        for p in self.parameters():
            if p._grad is None:
                continue
            if set_to_none:
                p._grad = None
            else:
                g = p._grad
                if g._grad_fn is not None:
                    g.detach_()
                else:
                    g.requires_grad_(False)
                g._data[...] = 0
                g._bump_version()

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn`` on every submodule (children first) and then on self; returns self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ dtype / device
    def _apply_to_tensors(self, convert: Callable[[np.ndarray], np.ndarray]) -> Module:
        """Rewrite every parameter's and buffer's storage in place (identity is kept, so
        optimizers created earlier still hold the same Parameter objects)."""
        for module in self.modules():
            for t in itertools.chain(module._parameters.values(), module._buffers.values()):
                if t is None:
                    continue
                t._data = convert(t._data)
                if t._grad is not None:
                    t._grad._data = convert(t._grad._data)
        return self

    def to(self, *args, **kwargs) -> Module:
        """``to(dtype)``, ``to(device)``, ``to(tensor)``: floating tensors change dtype; only
        the CPU exists."""
        target = kwargs.get("dtype")
        for a in args:
            if isinstance(a, _dtype.dtype):
                target = a
            elif isinstance(a, Tensor):
                target = a.dtype
            elif a is not None:
                _check_device(a)
        if kwargs.get("device") is not None:
            _check_device(kwargs["device"])
        if target is None:
            return self
        np_target = _dtype.to_numpy_dtype(target)
        if np_target.kind != "f":
            raise TypeError(
                f"nn.Module.to only accepts floating point or complex dtypes, but got desired "
                f"dtype={target}"
            )
        return self._apply_to_tensors(
            lambda a: a.astype(np_target) if a.dtype.kind == "f" and a.dtype != np_target else a)

    def float(self) -> Module:
        """Cast floating parameters and buffers to float32 in place; returns self."""
        return self.to(_dtype.float32)

    def double(self) -> Module:
        """Cast floating parameters and buffers to float64 in place; returns self."""
        return self.to(_dtype.float64)

    def half(self) -> Module:
        """Cast floating parameters and buffers to float16 in place; returns self."""
        return self.to(_dtype.float16)

    def type(self, dst_type) -> Module:
        """``to(dst_type)``: cast the floating parameters and buffers; returns self.

        Unlike PyTorch, integer buffers are left alone and a non-float ``dst_type`` raises
        TypeError.
        """
        return self.to(dst_type)

    def cpu(self) -> Module:
        """Return self: every tensor already lives on the CPU."""
        return self

    def cuda(self, device=None) -> Module:
        """Always raises: ember runs on the CPU only.

        Raises:
            RuntimeError: always.
        """
        raise RuntimeError("ember runs on the CPU only: CUDA is not available")

    def share_memory(self) -> Module:
        """Return self unchanged (no shared-memory multiprocessing in ember)."""
        return self

    # ------------------------------------------------------------------ state dict
    def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False):
        """Parameters and persistent buffers by qualified name, in PyTorch's order: own
        parameters, own buffers, then each child's entries.

        Returns:
            An OrderedDict of tensors, detached unless ``keep_vars``.
        """
        if args:  # PyTorch's deprecated positional form state_dict(destination, prefix)
            destination = args[0]
            if len(args) > 1:
                prefix = args[1]
        if destination is None:
            destination = OrderedDict()
        for module_prefix, module in self.named_modules(prefix=prefix.rstrip("."),
                                                        remove_duplicate=False):
            dot = module_prefix + "." if module_prefix else ""
            for name, p in module._parameters.items():
                if p is not None:
                    destination[dot + name] = p if keep_vars else p.detach()
            for name, b in module._buffers.items():
                if b is not None and name not in module._non_persistent_buffers_set:
                    destination[dot + name] = b if keep_vars else b.detach()
        return destination

    def _state_entries(self) -> OrderedDict:
        """Qualified name -> the live tensor, for every entry state_dict would hold."""
        return self.state_dict(keep_vars=True)

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Copy values from ``state_dict`` into this module's parameters and buffers.

        Values may be ember Tensors, NumPy arrays or PyTorch tensors.

        Returns:
            A NamedTuple ``(missing_keys, unexpected_keys)``.

        Raises:
            RuntimeError: shape mismatches (always) and, with ``strict``, missing or
                unexpected keys; all problems are listed in one message.
        """
        if not hasattr(state_dict, "keys"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        own = self._state_entries()
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        with no_grad():
            for key, target in own.items():
                if key not in state_dict:
                    continue
                arr = _as_array(state_dict[key])
                if arr.shape != target._data.shape:
                    errors.append(
                        f"size mismatch for {key}: copying a param with shape "
                        f"{_size(arr.shape)} from checkpoint, the shape in current model is "
                        f"{_size(target._data.shape)}."
                    )
                    continue
                if assign:
                    target._data = np.array(arr, dtype=target._data.dtype)
                else:
                    target._data[...] = arr
                target._bump_version()
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected)))
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing)))
        if errors:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                type(self).__name__, "\n\t".join(errors)))
        return _IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ printing
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text inside this module's parentheses; subclasses override it."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({key}): " + _addindent(repr(module), 2)
                       for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        body = ""
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                body = extra_lines[0]
            else:
                body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{self._get_name()}({body})"


def _add_hook(hooks: OrderedDict, hook: Callable, prepend: bool) -> RemovableHandle:
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def _remove_from(name: str, *containers) -> None:
    for c in containers:
        if c is None:
            continue
        if isinstance(c, set):
            c.discard(name)
        elif name in c:
            del c[name]


def _typename(obj) -> str:
    if isinstance(obj, Tensor):
        return "torch." + {"float32": "FloatTensor", "float64": "DoubleTensor",
                           "int64": "LongTensor"}.get(obj.dtype.name, "Tensor")
    return type(obj).__module__ + "." + type(obj).__qualname__ if type(obj).__module__ not in (
        "builtins",) else type(obj).__name__


def _size(shape) -> str:
    return f"torch.Size({list(shape)})"

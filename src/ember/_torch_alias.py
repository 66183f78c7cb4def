"""``torch`` resolved to ember for a whole process: the import hook behind ``ember run``.

A finder placed first on ``sys.meta_path`` answers ``import torch`` and every
``import torch.<sub>`` with ember's module of the same path, the very same object
(``torch.nn.functional is ember.nn.functional``): the program and every package it imports
share one ember, and ember's own modules keep their names, so pickles and tracebacks say
``ember``.

Until the hook is installed nothing of ember changes. Once it is, each aliased module gains a
module ``__getattr__`` (PEP 562). Python consults it only after the normal lookup has missed,
so names ember has cost nothing extra; names it lacks get an error that says which PyTorch name
is missing, that the program runs on ember, and how to report it.
"""

from __future__ import annotations

import dis
import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Callable

TORCH = "torch"
EMBER = __name__.partition(".")[0]

RUN_CONTEXT = "under `ember run`"
NOTEBOOK_CONTEXT = "after ember.install_as_torch()"

# `from m import x` compiles to IMPORT_FROM, which turns any AttributeError into a generic
# "cannot import name" ImportError and drops its message; spotting the opcode lets the hook
# raise its own ImportError instead, which Python passes through unchanged.
_IMPORT_FROM = dis.opmap["IMPORT_FROM"]


def explained_name(error: BaseException) -> str | None:
    """The PyTorch name a hook error is about, or None for any other error."""
    return getattr(error, "ember_missing_name", None)


def _explained(error: Exception, torch_name: str) -> Exception:
    # Python's own error types (what PyTorch would raise; `except ImportError` keeps working),
    # marked so the runner does not explain them twice
    error.ember_missing_name = torch_name
    return error


# Frames of these modules are the hook's own machinery, skipped when asking which code looked a
# name up (the usage report adds itself: its __getattribute__ sits between program and hook).
HOOK_MODULES = {__name__}


def to_torch_name(ember_name: str) -> str:
    """``ember.nn.functional`` -> ``torch.nn.functional``."""
    return TORCH + ember_name[len(EMBER):]


def to_ember_name(torch_name: str) -> str:
    """``torch.nn.functional`` -> ``ember.nn.functional``."""
    return EMBER + torch_name[len(TORCH):]


def is_torch_name(name: str) -> bool:
    return name == TORCH or name.startswith(TORCH + ".")


def is_ember_name(name: str) -> bool:
    return name == EMBER or name.startswith(EMBER + ".")


def missing_advice(torch_name: str, context: str) -> str:
    """The explanation every missing-name error ends with."""
    return (f"this program runs on ember in place of PyTorch ({context}), and ember does not "
            f"provide {torch_name}. If PyTorch has it and the program needs it, please report it "
            f"as an ember issue titled 'missing {torch_name}' with this message; "
            f"`ember run --report <program>` lists every PyTorch name the program uses that "
            f"ember lacks.")


def accessing_frame(frame: types.FrameType | None) -> types.FrameType | None:
    """The first frame from ``frame`` outwards that is not the hook's own."""
    while frame is not None and frame.f_globals.get("__name__") in HOOK_MODULES:
        frame = frame.f_back
    return frame


def is_program_frame(frame: types.FrameType | None) -> bool:
    """True for code of the program (or a library it uses), False for ember and importlib."""
    if frame is None:
        return False
    name = frame.f_globals.get("__name__")
    if not isinstance(name, str):
        return True
    return not (is_ember_name(name) or name.startswith("importlib") or name == "runpy")


def _is_importing_from(frame: types.FrameType | None) -> bool:
    """True if ``frame`` is executing ``from module import name``."""
    if frame is None:
        return False
    code = frame.f_code.co_code
    return 0 <= frame.f_lasti < len(code) and code[frame.f_lasti] == _IMPORT_FROM


def _ember_target(ember_name: str):
    """ember's module for ``ember_name``, or None if ember has no such module.

    A missing submodule may still exist as a module-like attribute of its parent
    (``ember.backends.cudnn`` is a namespace object): ``import torch.backends.cudnn`` gets it.
    """
    try:
        return importlib.import_module(ember_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if not (ember_name == missing or ember_name.startswith(missing + ".")):
            raise  # ember itself failed to import something: a bug to show, not to hide
    parent_name, _, child = ember_name.rpartition(".")
    parent = sys.modules.get(parent_name)
    value = vars(parent).get(child) if isinstance(parent, types.ModuleType) else None
    return value if isinstance(value, (types.ModuleType, types.SimpleNamespace)) else None


class _AliasLoader(importlib.abc.Loader):
    """Hands out an existing ember module under a ``torch`` name."""

    def __init__(self, target, finder: TorchAliasFinder) -> None:
        self._target = target
        self._finder = finder

    def create_module(self, spec):
        return None  # a throwaway module: exec_module replaces it in sys.modules

    def exec_module(self, module) -> None:
        # The import system returns whatever sys.modules holds once exec_module is done, so
        # `import torch.x` yields ember.x itself (not a copy), with ember's own __spec__ intact.
        sys.modules[module.__name__] = self._target
        self._finder.apply_module_hooks(self._target)


class TorchAliasFinder(importlib.abc.MetaPathFinder):
    """The ``sys.meta_path`` entry mapping ``torch`` and ``torch.<sub>`` to ember.

    Args:
        context: how the hook was installed, quoted in errors (``under `ember run```).
    """

    def __init__(self, context: str) -> None:
        self.context = context
        self._module_hooks: list[Callable[[types.ModuleType], None]] = []
        self._listeners: list[Callable[[str, bool], None]] = []

    def find_spec(self, fullname: str, path=None, target=None):
        if not is_torch_name(fullname):
            return None
        module = _ember_target(to_ember_name(fullname))
        self._notify(fullname, module is not None)
        if module is None:
            raise _explained(ModuleNotFoundError(
                f"No module named {fullname!r}: {missing_advice(fullname, self.context)}",
                name=fullname), fullname)
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(module, self))

    def add_listener(self, listener: Callable[[str, bool], None]) -> None:
        """Call ``listener(torch_name, found)`` for each torch module imported and each name
        the program looked up and ember lacks."""
        self._listeners.append(listener)

    def add_module_hook(self, hook: Callable[[types.ModuleType], None]) -> None:
        """Apply ``hook`` to every ember module loaded now and every one aliased later."""
        self._module_hooks.append(hook)
        for module in _loaded_ember_modules():
            hook(module)

    def apply_module_hooks(self, module) -> None:
        if isinstance(module, types.ModuleType):
            for hook in self._module_hooks:
                hook(module)

    def missing_attribute(self, torch_module: str, name: str, module) -> Exception:
        """The error for ``torch_module.name`` that ember lacks, noted for the report."""
        torch_name = f"{torch_module}.{name}"
        frame = accessing_frame(sys._getframe(1))
        if is_program_frame(frame):
            self._notify(torch_name, False)
        advice = missing_advice(torch_name, self.context)
        if _is_importing_from(frame):
            return _explained(ImportError(
                f"cannot import name {name!r} from {torch_module!r}: {advice}",
                name=torch_module), torch_name)
        return _explained(AttributeError(
            f"module {torch_module!r} has no attribute {name!r}: {advice}", name=name, obj=module),
            torch_name)

    def _notify(self, torch_name: str, found: bool) -> None:
        for listener in self._listeners:
            listener(torch_name, found)


def _is_ember_object(module) -> bool:
    name = getattr(module, "__name__", None)
    return isinstance(name, str) and is_ember_name(name)


def _loaded_ember_modules() -> list[types.ModuleType]:
    return [module for name, module in list(sys.modules.items())
            if is_ember_name(name) and isinstance(module, types.ModuleType)]


def _explain_missing_names(finder: TorchAliasFinder) -> Callable[[types.ModuleType], None]:
    """The module hook giving each ember module a ``__getattr__`` that explains misses."""

    def hook(module: types.ModuleType) -> None:
        own = module.__dict__.get("__getattr__")
        if getattr(own, "_explains_missing_torch_names", False):
            return
        torch_module = to_torch_name(module.__name__)

        def __getattr__(name: str):
            if own is not None:
                try:
                    return own(name)
                except AttributeError:
                    pass
            if name.startswith("__") and name.endswith("__"):
                # inspect, pickle and copy probe dunders all the time: a plain, cheap miss
                raise AttributeError(f"module {torch_module!r} has no attribute {name!r}")
            raise finder.missing_attribute(torch_module, name, module)

        __getattr__._explains_missing_torch_names = True
        module.__getattr__ = __getattr__

    return hook


_installed: list[TorchAliasFinder] = []  # the one finder of this process, once installed


def install(context: str) -> TorchAliasFinder:
    """Install the hook (once per process) and return its finder.

    Raises:
        RuntimeError: the real PyTorch is already imported in this process.
    """
    if _installed:
        return _installed[0]
    for name, module in list(sys.modules.items()):
        if is_torch_name(name) and module is not None and not _is_ember_object(module):
            where = getattr(module, "__file__", None) or repr(module)
            raise RuntimeError(
                f"cannot resolve `torch` to ember: the real PyTorch is already imported in this "
                f"process ({name!r} from {where}), and modules already holding it would keep "
                f"using it. Install ember as torch before anything imports torch: run the "
                f"program with `ember run`, or in a notebook restart the kernel and call "
                f"ember.install_as_torch() first.")
    finder = TorchAliasFinder(context)
    finder.add_module_hook(_explain_missing_names(finder))
    sys.meta_path.insert(0, finder)
    _installed.append(finder)
    return finder


def install_as_torch() -> None:
    """Make ``import torch`` (and every ``torch.<sub>``) give ember's modules in this process.

    For notebooks and programs that cannot be started with ``ember run``: call it before
    anything imports torch. Afterwards ``import torch.nn.functional as F`` binds
    ``ember.nn.functional`` itself, in the caller's code and in every package imported later;
    a PyTorch module or name ember lacks raises an error that names it. Calling it again does
    nothing.

    Raises:
        RuntimeError: the real PyTorch is already imported in this process (restart the
            kernel and call this first).
    """
    install(NOTEBOOK_CONTEXT)

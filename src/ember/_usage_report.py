"""``ember run --report``: the PyTorch names a program used, and which of them ember lacks.

Counting has to see each attribute the program looks up on torch's modules and tensors, so
while a report is on, every ember module gets a ``__getattribute__`` (through its class) and so
does Tensor; lookups made by ember's own code are not counted, only those of the program and
the libraries it imports. That is a Python call per attribute access, which is why it is on
only with ``--report``: plain ``ember run`` changes nothing on the paths names are found by.
"""

from __future__ import annotations

import sys
import types

from . import _torch_alias
from ._torch_alias import is_program_frame, to_torch_name
from .tensor import Tensor

_torch_alias.HOOK_MODULES.add(__name__)

_module_getattribute = types.ModuleType.__getattribute__


class UsageReport:
    """The torch names seen so far: ``used`` (ember has them) and ``missing``."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.missing: set[str] = set()

    def record(self, torch_name: str, found: bool) -> None:
        (self.used if found else self.missing).add(torch_name)

    def format(self) -> str:
        """The report as printed at exit: what ember lacks first, then what it provided."""
        used = sorted(self.used - self.missing)
        missing = sorted(self.missing)
        total = len(used) + len(missing)
        lines = [f"ember run --report: the program used {total} PyTorch "
                 f"name{'' if total == 1 else 's'}; ember lacks {len(missing)} of them."]
        if missing:
            lines.append("missing in ember (please report these as ember issues):")
            lines += [f"  {name}" for name in missing]
        if used:
            lines.append("provided by ember:")
            lines += [f"  {name}" for name in used]
        return "\n".join(lines)

    def print(self, file=None) -> None:
        print(self.format(), file=sys.stderr if file is None else file, flush=True)


def start(finder: _torch_alias.TorchAliasFinder) -> UsageReport:
    """Begin counting the names looked up through ``finder``'s aliases and on tensors."""
    report = UsageReport()
    finder.add_listener(report.record)
    finder.add_module_hook(_count_module_lookups(report))
    Tensor.__getattribute__ = _counting_tensor_getattribute(report, Tensor.__getattribute__)
    return report


def _count_module_lookups(report: UsageReport):
    """A module hook switching each module to a class whose lookups are counted.

    Misses need no counting here: they reach the hook's ``__getattr__``, which reports them.
    """

    class CountedModule(types.ModuleType):
        __slots__ = ()

        def __getattribute__(self, name: str):
            value = _module_getattribute(self, name)
            if name[0] != "_" and is_program_frame(sys._getframe(1)):
                module_name = _module_getattribute(self, "__name__")
                report.record(f"{to_torch_name(module_name)}.{name}", True)
            return value

    def hook(module: types.ModuleType) -> None:
        if type(module) is types.ModuleType:
            module.__class__ = CountedModule

    return hook


def _counting_tensor_getattribute(report: UsageReport, lookup):
    # names of the Tensor class only: what a program sets on its tensors, or defines on its
    # own Tensor subclass, is not a PyTorch name
    tensor_names = frozenset(dir(Tensor))

    def __getattribute__(self, name: str):
        if name[0] == "_":
            return lookup(self, name)
        try:
            value = lookup(self, name)
        except AttributeError:
            if is_program_frame(sys._getframe(1)):
                report.record(f"torch.Tensor.{name}", False)
            raise
        if name in tensor_names and is_program_frame(sys._getframe(1)):
            report.record(f"torch.Tensor.{name}", True)
        return value

    return __getattribute__

"""A fuzz program: input tensors written as literals, then one Python statement per op.

A program is source code in which ``torch`` names the library under test, so the same text
runs on PyTorch and on ember, and a failure prints as a script anyone can paste and run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

HEADER = (
    "import numpy as np\n"
    "import torch\n"
    "import torch.nn.functional as F\n"
    "nan, inf = float('nan'), float('inf')\n"
)


def literal(v) -> str:
    """A Python literal for one element (``nan``/``inf`` are names bound by the header)."""
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    return repr(v)


@dataclass(frozen=True)
class Input:
    """A leaf tensor built from flat values; float leaves may require grad."""

    name: str
    shape: tuple
    dtype: str
    values: tuple
    requires_grad: bool = False

    def code(self) -> str:
        flat = "[" + ", ".join(literal(v) for v in self.values) + "]"
        src = f"torch.tensor({flat}, dtype=torch.{self.dtype}).reshape({self.shape!r})"
        if self.requires_grad:
            src += ".requires_grad_()"
        return f"{self.name} = {src}"


@dataclass(frozen=True)
class Stmt:
    """One statement; ``defines`` lists the names it binds, ``ties`` the index outputs whose
    ties may be broken differently (compared through the values they select instead)."""

    code: str
    defines: tuple = ()
    ties: tuple = ()  # (index name, source name, dim)


@dataclass(frozen=True)
class Program:
    seed: int
    inputs: tuple = ()
    stmts: tuple = ()
    meta: dict = field(default_factory=dict, compare=False, hash=False)

    def lines(self) -> list[str]:
        return [i.code() for i in self.inputs] + [s.code for s in self.stmts]

    def names(self) -> list[str]:
        out = [i.name for i in self.inputs]
        for s in self.stmts:
            out.extend(n for n in s.defines if n not in out)
        return out

    def with_(self, **kw) -> Program:
        return replace(self, **kw)

    def source(self, backward_names=()) -> str:
        """The program as a runnable script (PyTorch by default; ``import ember as torch``)."""
        body = "\n".join(self.lines())
        tail = ""
        if backward_names:
            terms = " + ".join(f"({n}.double() * {k + 1}).sum()" for k, n in
                               enumerate(backward_names))
            tail = f"\nloss = {terms}\nloss.backward()"
            grads = [i.name for i in self.inputs if i.requires_grad]
            if grads:
                tail += "\nprint(" + ", ".join(f"{g}.grad" for g in grads) + ")"
        shown = ", ".join(n for n in self.names())
        return f"{HEADER}{body}{tail}\nprint({shown})\n"

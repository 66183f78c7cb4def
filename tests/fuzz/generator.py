"""Seeded generator of short programs over PyTorch's tensor API.

Each program is a few leaf tensors written as literals (bool, integer and float dtypes, with
0, +-inf, NaN and extreme values mixed in) followed by 1-8 ops drawn from the families below.
While writing a program the generator runs it on PyTorch, so every op is chosen knowing the
real shapes, dtypes and requires_grad of its operands; a statement PyTorch rejects is kept
(as the program's last) now and then, so error types are compared too.

Ops whose result depends on rounding (floor, //, %, comparisons, sort order, casts to
integers) only take operands both libraries compute bit-identically: inputs, and results of
correctly rounded arithmetic (``exact``). Sums and products keep that property only over
"dyadic" operands (short binary fractions, whose sums are exact in any order).
"""

from __future__ import annotations

import math
import random
import warnings

import numpy as np
import torch
import torch.nn.functional as torch_F

from .ops import FAMILIES, FLOATS, INTS
from .program import Input, Program, Stmt, literal

DTYPE_WEIGHTS = {"float32": 30, "float64": 12, "float16": 8, "int64": 14, "int32": 8,
                 "uint8": 6, "bool": 8}
NICE_FLOATS = (0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1.25, -0.75, 2.0, 7.0, -4.0, 0.25, -1.5, 6.0)
NICE_INTS = (0, 1, -1, 2, -3, 5, 7, -8, 3, 4)
NICE_UINT8 = (0, 1, 2, 3, 7, 200, 255, 4, 9)


def special_floats(dtype: str) -> tuple:
    info = np.finfo(dtype)
    return (math.nan, math.inf, -math.inf, float(info.max), float(info.min), float(info.tiny),
            float(info.eps), -0.0)


def special_ints(dtype: str) -> tuple:
    info = np.iinfo(dtype)
    return (int(info.max), int(info.min))


class Generator:
    """Writes one program for one seed (deterministic)."""

    def __init__(self, seed: int, max_ops: int = 8) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.max_ops = max_ops
        self.ns = {"torch": torch, "F": torch_F, "np": np, "nan": math.nan, "inf": math.inf}
        self.meta = {}  # name -> {"exact", "dyadic", "terminal"}
        self.inputs = []
        self.stmts = []
        self.counter = 0
        self.special = self.rng.random() < 0.35

    # ------------------------------------------------------------------ values
    def values(self, n: int, dtype: str, special: bool | None = None) -> tuple:
        r = self.rng
        special = self.special if special is None else special
        if dtype == "bool":
            return tuple(r.random() < 0.5 for _ in range(n))
        if dtype in FLOATS:
            pool, extra = NICE_FLOATS, special_floats(dtype)
        elif dtype == "uint8":
            pool, extra = NICE_UINT8, ()
        else:
            pool, extra = NICE_INTS, special_ints(dtype)
        out = []
        for _ in range(n):
            if special and extra and r.random() < 0.25:
                out.append(r.choice(extra))
            else:
                out.append(r.choice(pool))
        if dtype in FLOATS:
            out = [float(np.array(v, dtype=dtype)) for v in out]
        return tuple(out)

    def dtype(self, kinds: str = "all") -> str:
        names = [d for d in DTYPE_WEIGHTS if kinds == "all" or
                 (kinds == "float" and d in FLOATS) or (kinds == "int" and d in INTS)]
        return self.rng.choices(names, [DTYPE_WEIGHTS[d] for d in names])[0]

    def shape(self, rank: int | None = None) -> tuple:
        r = self.rng
        rank = r.choices((0, 1, 2, 3), (2, 4, 5, 2))[0] if rank is None else rank
        return tuple(r.choices((0, 1, 2, 3, 4), (1, 5, 8, 6, 3))[0] for _ in range(rank))

    def broadcastable(self, shape: tuple) -> tuple:
        """A shape that broadcasts against ``shape`` (a suffix with some dims set to 1)."""
        r = self.rng
        k = r.randint(0, len(shape))
        return tuple(1 if r.random() < 0.3 else d for d in shape[len(shape) - k:])

    def new_input(self, shape=None, dtype=None, requires_grad=None, values=None) -> str:
        shape = self.shape() if shape is None else tuple(shape)
        dtype = self.dtype() if dtype is None else dtype
        if requires_grad is None:
            requires_grad = dtype in FLOATS and self.rng.random() < 0.5
        n = math.prod(shape)
        name = "abcdefghijklmnopqrstuvwxyz"[len(self.inputs)] if len(self.inputs) < 26 else \
            f"in{len(self.inputs)}"
        vals = self.values(n, dtype) if values is None else tuple(values)
        inp = Input(name, shape, dtype, vals, requires_grad)
        exec(inp.code(), self.ns)  # noqa: S102
        self.inputs.append(inp)
        self.meta[name] = {"exact": True, "dyadic": True, "terminal": False}
        return name

    # ------------------------------------------------------------------ operands
    def t(self, name: str):
        return self.ns[name]

    def vars(self, pred=None, exact=False) -> list[str]:
        out = []
        for name, m in self.meta.items():
            x = self.ns.get(name)
            if not isinstance(x, torch.Tensor) or m["terminal"]:
                continue
            if exact and not m["exact"]:
                continue
            try:
                ok = pred is None or pred(x)
            except RuntimeError:  # e.g. is_leaf of an unbind() output written in place
                ok = False
            if ok:
                out.append(name)
        return out

    def pick(self, pred=None, exact=False) -> str | None:
        names = self.vars(pred, exact)
        if not names:
            return None
        # favour recent results so programs chain
        weights = [1 + 2 * k for k in range(len(names))]
        return self.rng.choices(names, weights)[0]

    def scalar(self, kind=None) -> str:
        """A Python scalar, NumPy scalar or 0-d tensor literal."""
        r = self.rng
        kind = kind or r.choice(("int", "float", "bool", "np", "np", "zero_d", "zero_d"))
        if kind == "int":
            return literal(r.choice(NICE_INTS))
        if kind == "float":
            pool = NICE_FLOATS + ((math.nan, math.inf, -math.inf) if self.special else ())
            return literal(r.choice(pool))
        if kind == "bool":
            return r.choice(("True", "False"))
        if kind == "np":
            t = r.choice(("float64", "float32", "float16", "int64", "int32", "bool_"))
            if t == "bool_":
                return f"np.bool_({r.choice(('True', 'False'))})"
            v = r.choice(NICE_INTS) if t.startswith("int") else r.choice(NICE_FLOATS)
            return f"np.{t}({literal(v)})"
        dt = self.dtype()
        v = self.values(1, dt)[0]
        return f"torch.tensor({literal(v)}, dtype=torch.{dt})"

    def has_int_min(self, name: str) -> bool:
        """Whether ``name`` is a signed integer tensor holding its dtype's minimum."""
        x = self.ns.get(name)
        if not isinstance(x, torch.Tensor) or x.dtype not in (torch.int32, torch.int64):
            return False
        return bool((x == torch.iinfo(x.dtype).min).any())

    def broadcasts(self, a, b) -> bool:
        try:
            torch.broadcast_shapes(tuple(a), tuple(b))
            return True
        except RuntimeError:
            return False

    def operand(self, like: str, exact=False) -> str:
        """A second operand for ``like``: a broadcastable tensor or a scalar of any kind."""
        r = self.rng
        x = self.t(like)
        u = r.random()
        if u < 0.4:
            cands = [n for n in self.vars(exact=exact) if self.broadcasts(self.t(n).shape, x.shape)]
            if cands and r.random() < 0.7:
                return r.choice(cands)
            return self.new_input(self.broadcastable(tuple(x.shape)))
        if u < 0.985:
            return self.scalar()
        return "None"

    def dim(self, x, allow_none=False):
        if x.dim() == 0:
            return self.rng.choice((0, -1)) if not allow_none else None
        d = self.rng.randrange(-x.dim(), x.dim())
        return d

    def fresh(self, k: int = 1) -> list[str]:
        out = []
        for _ in range(k):
            self.counter += 1
            out.append(f"v{self.counter}")
        return out

    # ------------------------------------------------------------------ running
    def emit(self, code: str, defines=(), flags="D", operands=(), ties=(), terminal=()) -> bool:
        """Run ``code`` on PyTorch; keep it (True) if it ran, or sometimes as a final error."""
        stmt = Stmt(code, tuple(defines), tuple(ties))
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                exec(code, self.ns)  # noqa: S102
        except (RuntimeError, IndexError, TypeError, ValueError):
            if self.rng.random() < 0.12:
                self.stmts.append(stmt)
                self.failed = True
            return False
        self.stmts.append(stmt)
        exact = all(self.meta.get(o, {"exact": True})["exact"] for o in operands)
        dyadic = all(self.meta.get(o, {"dyadic": True})["dyadic"] for o in operands)
        for name in defines:
            x = self.ns.get(name)
            is_float = isinstance(x, torch.Tensor) and x.dtype.is_floating_point
            if not is_float:
                m = {"exact": True, "dyadic": True}
            elif flags == "D":
                m = {"exact": exact, "dyadic": dyadic}
            elif flags == "E":
                m = {"exact": exact, "dyadic": False}
            elif flags == "R":
                m = {"exact": dyadic, "dyadic": dyadic}
            else:
                m = {"exact": False, "dyadic": False}
            m["terminal"] = name in terminal
            self.meta[name] = m
        return True

    def program(self) -> Program:
        r = self.rng
        for _ in range(r.randint(1, 2)):
            self.new_input()
        self.failed = False
        n_ops = r.randint(1, self.max_ops)
        attempts = 0
        done = 0
        while done < n_ops and attempts < 60 and not self.failed:
            attempts += 1
            family = r.choices(FAMILIES, [w for _, w in FAMILIES])[0][0]
            if family(self):
                done += 1
        return Program(self.seed, tuple(self.inputs), tuple(self.stmts))


def generate(seed: int, max_ops: int = 8) -> Program:
    """The program for ``seed`` (same seed, same program)."""
    return Generator(seed, max_ops).program()

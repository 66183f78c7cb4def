"""The op families the generator draws from: each writes one or two statements through
``Generator.emit`` and returns whether it added an op.

Flags passed to ``emit`` say how a float result relates to its operands' bits: ``D`` keeps
them exact and dyadic (selection, +, -, *), ``E`` exact but no longer dyadic (/, sqrt),
``R`` exact only over dyadic operands (sums, products, matmul), ``T`` inexact
(transcendentals). Ops that branch on rounding take ``exact`` operands only.
"""

from __future__ import annotations

import torch

import ember
import ember.nn.functional as ember_F

FLOATS = ("float16", "float32", "float64")
INTS = ("int64", "int32", "uint8")


def _missing(names) -> frozenset:
    """PyTorch names ember lacks (ops using them are skipped until ember implements them)."""
    out = set()
    for full in names:
        where, _, name = full.rpartition(".")
        target = {"torch": ember, "F": ember_F, "Tensor": ember.Tensor}[where]
        if not hasattr(target, name):
            out.add(full)
    return frozenset(out)


USED_NAMES = (
    "torch.cummax", "torch.cummin", "torch.kthvalue", "torch.topk", "torch.sort",
    "torch.argsort", "torch.einsum", "torch.bmm", "torch.matmul", "torch.mm", "torch.mv",
    "torch.dot", "torch.outer", "torch.where", "torch.clamp", "torch.remainder", "torch.fmod",
    "torch.floor_divide", "torch.div", "torch.logsumexp", "torch.amax", "torch.amin",
    "torch.prod", "torch.cumsum", "torch.cumprod", "torch.nansum", "torch.std", "torch.var",
    "torch.flip", "torch.tril", "torch.triu", "torch.movedim", "torch.cat", "torch.stack",
    "torch.narrow", "torch.gather", "torch.index_select", "torch.take_along_dim",
    "torch.maximum", "torch.minimum", "torch.atan2", "torch.lerp", "torch.addcmul",
    "torch.nan_to_num", "torch.count_nonzero", "torch.logical_and", "torch.logical_or",
    "torch.logical_xor", "torch.bitwise_and", "torch.bitwise_or", "torch.bitwise_xor",
    "torch.bitwise_not", "torch.true_divide", "torch.signbit", "torch.copysign", "torch.fmax",
    "torch.fmin", "torch.float_power", "torch.aminmax", "torch.nanmean", "Tensor.cummax",
    "Tensor.kthvalue", "Tensor.masked_fill_", "Tensor.index_put_", "Tensor.scatter",
    "Tensor.scatter_add", "Tensor.index_add", "F.cross_entropy", "F.nll_loss", "F.softmax",
    "F.log_softmax", "F.hardtanh", "F.relu6", "F.hardsigmoid", "F.hardswish", "F.gelu",
    "F.silu", "F.elu", "F.leaky_relu", "F.softplus", "F.logsigmoid",
)
SKIPPED = _missing(USED_NAMES)


def _ok(template: str) -> bool:
    """False when ``template`` calls a name ember lacks."""
    for full in SKIPPED:
        where, _, name = full.rpartition(".")
        if (where == "Tensor" and f".{name}(" in template) or f"{full}(" in template:
            return False
    return True


def _draw(g, table):
    row = g.rng.choice(table)
    return row if _ok(row[0]) else None


# ---------------------------------------------------------------------- elementwise
UNARY = (
    ("torch.neg({x})", "D"), ("-{x}", "D"), ("{x}.abs()", "D"), ("torch.abs({x})", "D"),
    ("torch.exp({x})", "T"), ("torch.log({x})", "T"), ("torch.sqrt({x})", "E"),
    ("torch.sin({x})", "T"), ("torch.tanh({x})", "T"), ("torch.sigmoid({x})", "T"),
    ("torch.relu({x})", "D"), ("{x}.floor()", "X"), ("torch.ceil({x})", "X"),
    ("torch.round({x})", "X"), ("torch.trunc({x})", "X"), ("torch.sign({x})", "X"),
    ("torch.reciprocal({x})", "E"), ("torch.square({x})", "D"), ("torch.isnan({x})", "B"),
    ("torch.isinf({x})", "B"), ("torch.isfinite({x})", "B"), ("torch.logical_not({x})", "X"),
    ("torch.bitwise_not({x})", "D"), ("~{x}", "D"), ("torch.frac({x})", "X"),
    ("torch.expm1({x})", "T"), ("torch.log1p({x})", "T"), ("torch.rsqrt({x})", "T"),
    ("torch.erf({x})", "T"), ("torch.nan_to_num({x})", "D"),
    ("torch.nan_to_num({x}, nan=0.5, posinf=2.0, neginf=-3.0)", "D"),
    ("F.hardtanh({x})", "D"), ("F.hardtanh({x}, -2.0, 3.0)", "D"), ("F.relu6({x})", "D"),
    ("F.hardsigmoid({x})", "T"), ("F.hardswish({x})", "T"), ("F.gelu({x})", "T"),
    ("F.silu({x})", "T"), ("F.elu({x})", "T"), ("F.leaky_relu({x}, 0.25)", "D"),
    ("F.softplus({x})", "T"), ("F.logsigmoid({x})", "T"), ("{x}.clone()", "D"),
    ("{x}.detach()", "D"), ("{x}.contiguous()", "D"), ("torch.signbit({x})", "B"),
    ("{x}.float()", "C"), ("{x}.double()", "C"), ("{x}.half()", "C"), ("{x}.long()", "C"),
    ("{x}.int()", "C"), ("{x}.bool()", "C"), ("{x}.byte()", "C"),
    ("{x}.to(torch.float64)", "C"), ("{x}.to(torch.int32)", "C"),
)


def unary(g) -> bool:
    row = _draw(g, UNARY)
    if row is None:
        return False
    code, flag = row
    exact = flag in "XC"
    x = g.pick(exact=exact)
    if x is None:
        return False
    t = g.t(x)
    if flag == "C" and t.dtype.is_floating_point and any(
            s in code for s in ("long", "int", "byte")):
        finite = t.isfinite().all() and (t.abs() < 100).all()
        if not finite or ("byte" in code and (t < 0).any()):
            return False  # float -> int of NaN/Inf/out-of-range values is undefined in C
    (v,) = g.fresh()
    return g.emit(f"{v} = " + code.format(x=x), [v], "D" if flag in "XCB" else flag, [x])


BINARY = (
    ("{a} + {b}", "D"), ("{a} - {b}", "D"), ("{a} * {b}", "D"), ("{a} / {b}", "E"),
    ("{a} // {b}", "X"), ("{a} % {b}", "X"), ("{a} ** {b}", "T"),
    ("torch.add({a}, {b})", "D"), ("torch.add({a}, {b}, alpha=2)", "D"),
    ("torch.sub({a}, {b})", "D"), ("torch.mul({a}, {b})", "D"), ("torch.div({a}, {b})", "E"),
    ("torch.true_divide({a}, {b})", "E"),
    ("torch.div({a}, {b}, rounding_mode='floor')", "X"),
    ("torch.div({a}, {b}, rounding_mode='trunc')", "X"), ("torch.remainder({a}, {b})", "X"),
    ("torch.fmod({a}, {b})", "X"), ("torch.floor_divide({a}, {b})", "X"),
    ("torch.pow({a}, {b})", "T"), ("torch.maximum({a}, {b})", "D"),
    ("torch.minimum({a}, {b})", "D"), ("torch.fmax({a}, {b})", "D"),
    ("torch.fmin({a}, {b})", "D"), ("torch.atan2({a}, {b})", "T"), ("torch.eq({a}, {b})", "X"),
    ("torch.ne({a}, {b})", "X"), ("torch.lt({a}, {b})", "X"), ("torch.le({a}, {b})", "X"),
    ("torch.gt({a}, {b})", "X"), ("torch.ge({a}, {b})", "X"), ("{a} == {b}", "X"),
    ("{a} < {b}", "X"), ("{a} >= {b}", "X"), ("{a} != {b}", "X"),
    ("torch.logical_and({a}, {b})", "X"), ("torch.logical_or({a}, {b})", "X"),
    ("torch.logical_xor({a}, {b})", "X"), ("torch.bitwise_and({a}, {b})", "D"),
    ("torch.bitwise_or({a}, {b})", "D"), ("torch.bitwise_xor({a}, {b})", "D"),
    ("{a} & {b}", "D"), ("{a} | {b}", "D"), ("{a} ^ {b}", "D"),
    ("torch.copysign({a}, {b})", "D"), ("torch.float_power({a}, {b})", "T"),
)
INTEGER_DIVISIONS = ("//", "%", "floor_divide", "remainder", "fmod", "rounding_mode")
# forms where the scalar may come first (reflected dunders, function forms)
SCALAR_FIRST = ("+", "-", "*", "/", "//", "%", "**", "torch.add(", "torch.mul(",
                "torch.sub(", "torch.div(", "torch.pow(", "torch.remainder(", "torch.eq(")


def binary(g) -> bool:
    row = _draw(g, BINARY)
    if row is None:
        return False
    code, flag = row
    exact = flag == "X"
    a = g.pick(exact=exact)
    if a is None:
        return False
    b = g.operand(a, exact=exact)
    if any(k in code for k in INTEGER_DIVISIONS) and (g.has_int_min(a) or g.has_int_min(b)):
        return False  # PyTorch's CPU kernels die of SIGFPE on INT_MIN // -1
    operands = [a, b]
    if not b.isidentifier() and g.rng.random() < 0.3 and any(s in code for s in SCALAR_FIRST):
        a, b = b, a
    (v,) = g.fresh()
    return g.emit(f"{v} = " + code.format(a=a, b=b), [v], "D" if flag == "X" else flag,
                  operands)


def ternary(g) -> bool:
    r = g.rng
    x = g.pick()
    if x is None:
        return False
    (v,) = g.fresh()
    kind = r.choice(("where", "where", "clamp", "clamp_t", "lerp", "addcmul", "masked_fill"))
    if kind == "where":
        c = g.pick(lambda t: t.dtype == torch.bool and g.broadcasts(t.shape, g.t(x).shape))
        cond = c or f"{x} > {g.scalar('int')}"
        if c is None and not g.meta[x]["exact"]:
            return False
        other = g.operand(x)
        args = (x, other) if r.random() < 0.5 else (other, x)
        return g.emit(f"{v} = torch.where({cond}, {args[0]}, {args[1]})", [v], "D",
                      [x, other])
    if kind == "clamp":
        lo, hi = g.scalar(r.choice(("int", "float"))), g.scalar(r.choice(("int", "float")))
        form = r.choice(("torch.clamp({x}, {lo}, {hi})", "{x}.clamp(min={lo})",
                         "{x}.clamp(max={hi})", "torch.clip({x}, {lo}, {hi})",
                         "{x}.clamp_min({lo})", "{x}.clamp_max({hi})"))
        return g.emit(f"{v} = " + form.format(x=x, lo=lo, hi=hi), [v], "D", [x])
    if kind == "clamp_t":
        lo = g.operand(x)
        return g.emit(f"{v} = torch.clamp({x}, min={lo})", [v], "D", [x, lo])
    if kind == "lerp":
        b = g.operand(x)
        return g.emit(f"{v} = torch.lerp({x}, {b}, 0.25)", [v], "T", [x, b])
    if kind == "addcmul":
        b, c = g.operand(x), g.operand(x)
        return g.emit(f"{v} = torch.addcmul({x}, {b}, {c}, value=2)", [v], "D", [x, b, c])
    mask = g.pick(lambda t: t.dtype == torch.bool and g.broadcasts(t.shape, g.t(x).shape))
    if mask is None:
        return False
    return g.emit(f"{v} = {x}.masked_fill({mask}, {g.scalar()})", [v], "D", [x])


# ---------------------------------------------------------------------- reductions
REDUCE = (
    ("sum", "R"), ("mean", "R"), ("prod", "R"), ("amax", "D"), ("amin", "D"),
    ("max", "D"), ("min", "D"), ("argmax", "X"), ("argmin", "X"), ("std", "T"), ("var", "T"),
    ("logsumexp", "T"), ("all", "X"), ("any", "X"), ("cumsum", "R"), ("cumprod", "R"),
    ("norm", "T"), ("count_nonzero", "X"), ("nansum", "R"), ("nanmean", "R"),
)


def reduction(g) -> bool:
    r = g.rng
    row = _draw(g, REDUCE)
    if row is None or not _ok(f"torch.{row[0]}("):
        return False
    name, flag = row
    x = g.pick(exact=flag == "X" or name in ("max", "min"))
    if x is None:
        return False
    t = g.t(x)
    args = []
    if name in ("cumsum", "cumprod", "logsumexp") or r.random() < 0.6:
        if t.dim() >= 2 and r.random() < 0.25 and name not in ("cumsum", "cumprod", "argmax",
                                                              "argmin", "max", "min"):
            dims = r.sample(range(t.dim()), 2)
            args.append(f"dim=({dims[0]}, {dims[1] - t.dim()})")
        else:
            args.append(f"dim={g.dim(t)}")
        if name not in ("cumsum", "cumprod", "count_nonzero") and r.random() < 0.5:
            args.append("keepdim=True")
    if name in ("sum", "mean", "prod", "cumsum", "cumprod", "nansum") and r.random() < 0.3:
        args.append(f"dtype=torch.{r.choice(('float64', 'float32', 'int64', 'float16'))}")
    if name in ("std", "var") and r.random() < 0.4:
        args.append(f"correction={r.choice((0, 1, 2))}")
    call = f"torch.{name}({x}{''.join(', ' + a for a in args)})" if r.random() < 0.5 else \
        f"{x}.{name}({', '.join(args)})"
    if name in ("max", "min") and any(a.startswith("dim=") for a in args):
        v, i = g.fresh(2)
        return g.emit(f"{v}, {i} = {call}", [v, i], "D", [x])
    (v,) = g.fresh()
    return g.emit(f"{v} = {call}", [v], "D" if flag == "X" else flag, [x])


# ---------------------------------------------------------------------- linear algebra
def linalg(g) -> bool:
    r = g.rng
    kind = r.choice(("matmul", "matmul", "mm", "bmm", "einsum", "einsum", "mv", "dot",
                     "outer"))
    x = g.pick(lambda t: 1 <= t.dim() <= 3)
    if x is None:
        return False
    t = g.t(x)
    s = tuple(t.shape)
    dt = g.dtype() if r.random() < 0.4 else str(t.dtype).replace("torch.", "")
    (v,) = g.fresh()
    if kind in ("matmul", "mm", "bmm"):
        k = s[-1] if r.random() < 0.95 else s[-1] + 1
        other = g.new_input((k, r.randint(1, 3)) if kind != "bmm" and (len(s) < 3 or
                            r.random() < 0.5) else (s[0], k, r.randint(1, 3)), dt)
        form = {"matmul": r.choice(("torch.matmul({x}, {y})", "{x} @ {y}")),
                "mm": "torch.mm({x}, {y})", "bmm": "torch.bmm({x}, {y})"}[kind]
        return g.emit(f"{v} = " + form.format(x=x, y=other), [v], "R", [x, other])
    if kind == "mv":
        other = g.new_input((s[-1],), dt)
        return g.emit(f"{v} = torch.mv({x}, {other})", [v], "R", [x, other])
    if kind in ("dot", "outer"):
        other = g.new_input((s[0],) if r.random() < 0.9 else (s[0] + 1,), dt)
        return g.emit(f"{v} = torch.{kind}({x}, {other})", [v], "R", [x, other])
    letters = "ijk"[:len(s)]
    pattern = r.choice(("transpose", "sum", "diag", "pair", "batch", "ellipsis"))
    if pattern == "transpose":
        return g.emit(f"{v} = torch.einsum('{letters}->{letters[::-1]}', {x})", [v], "D", [x])
    if pattern == "sum":
        return g.emit(f"{v} = torch.einsum('{letters}->', {x})", [v], "R", [x])
    if pattern == "diag":
        if len(s) != 2:
            return False
        return g.emit(f"{v} = torch.einsum('ii->i', {x})", [v], "D", [x])
    if pattern == "ellipsis":
        return g.emit(f"{v} = torch.einsum('...i->...', {x})", [v], "R", [x])
    other = g.new_input((s[-1], 2), dt)
    spec = f"{letters},{letters[-1]}z->{letters[:-1]}z"
    return g.emit(f"{v} = torch.einsum('{spec}', {x}, {other})", [v], "R", [x, other])


# ---------------------------------------------------------------------- shapes
def shape(g) -> bool:
    r = g.rng
    x = g.pick()
    if x is None:
        return False
    t = g.t(x)
    n, s = t.dim(), tuple(t.shape)
    (v,) = g.fresh()
    kind = r.choice(("reshape", "view", "transpose", "permute", "squeeze", "unsqueeze",
                     "flatten", "expand", "cat", "stack", "flip", "narrow", "t", "movedim",
                     "tril", "repeat", "split", "unbind", "mT"))
    if kind == "reshape":
        shape_ = r.choice(((-1,), (1, -1), (-1, 1), s[::-1]))
        return g.emit(f"{v} = {x}.reshape{tuple(shape_)!r}", [v], "D", [x])
    if kind == "view":
        return g.emit(f"{v} = {x}.view(-1)", [v], "D", [x])
    if kind == "transpose" and n >= 1:
        return g.emit(f"{v} = {x}.transpose({g.dim(t)}, {g.dim(t)})", [v], "D", [x])
    if kind == "permute":
        p = list(range(n))
        r.shuffle(p)
        return g.emit(f"{v} = {x}.permute({', '.join(map(str, p))})", [v], "D", [x])
    if kind == "squeeze":
        arg = str(g.dim(t)) if n and r.random() < 0.6 else ""
        return g.emit(f"{v} = {x}.squeeze({arg})", [v], "D", [x])
    if kind == "unsqueeze":
        return g.emit(f"{v} = {x}.unsqueeze({r.randint(-n - 1, n)})", [v], "D", [x])
    if kind == "flatten":
        return g.emit(f"{v} = torch.flatten({x})", [v], "D", [x])
    if kind == "expand":
        target = tuple(r.choice((2, 3)) if d == 1 else d for d in s)
        if r.random() < 0.5:
            target = (2,) + target
        return g.emit(f"{v} = {x}.expand{target!r}" if target else f"{v} = {x}.expand(())",
                      [v], "D", [x])
    if kind in ("cat", "stack"):
        y = g.pick(lambda u: u.dim() == n) if r.random() < 0.8 else g.pick()
        d = g.dim(t) if n else 0
        return g.emit(f"{v} = torch.{kind}([{x}, {y}], dim={d})", [v], "D", [x, y])
    if kind == "flip":
        return g.emit(f"{v} = torch.flip({x}, dims=({g.dim(t)},))", [v], "D", [x])
    if kind == "narrow" and n:
        d = g.dim(t)
        size = s[d]
        start = r.randint(0, max(size - 1, 0))
        length = r.randint(0, size - start)
        return g.emit(f"{v} = torch.narrow({x}, {d}, {start}, {length})", [v], "D", [x])
    if kind == "t" and n <= 2:
        return g.emit(f"{v} = {x}.t()", [v], "D", [x])
    if kind == "mT" and n >= 2:
        return g.emit(f"{v} = {x}.mT", [v], "D", [x])
    if kind == "movedim" and n:
        return g.emit(f"{v} = torch.movedim({x}, {g.dim(t)}, {g.dim(t)})", [v], "D", [x])
    if kind == "tril":
        fn = r.choice(("tril", "triu"))
        return g.emit(f"{v} = torch.{fn}({x}, {r.randint(-1, 1)})", [v], "D", [x])
    if kind == "repeat":
        reps = tuple(r.randint(1, 2) for _ in range(n + r.randint(0, 1)))
        return g.emit(f"{v} = {x}.repeat{reps!r}" if reps else f"{v} = {x}.repeat(())",
                      [v], "D", [x])
    if kind == "split" and n:
        d = g.dim(t)
        fn = r.choice(("split", "chunk"))
        return g.emit(f"{v} = {x}.{fn}(2, dim={d})[0]", [v], "D", [x])
    if kind == "unbind" and n:
        return g.emit(f"{v} = {x}.unbind({g.dim(t)})[-1]", [v], "D", [x])
    return False


# ---------------------------------------------------------------------- indexing
def _index(g, t) -> str:
    """A random index for ``t``: basic, advanced (lists, tensors, empty lists) or boolean."""
    r = g.rng
    n = t.dim()
    kind = r.choice(("basic", "basic", "int", "list", "empty", "tensor", "bool", "mixed"))
    s = tuple(t.shape)
    if kind == "basic" or n == 0:
        parts = []
        for d in range(n if n == 0 else r.randint(1, n)):
            c = r.random()
            if c < 0.3 and s[d]:
                parts.append(str(r.randrange(-s[d], s[d])))
            elif c < 0.8:
                lo = r.choice(("", "1", "-1", "0"))
                hi = r.choice(("", "2", "-1", "5"))
                step = r.choice(("", ":2", ""))
                parts.append(f"{lo}:{hi}{step}")
            else:
                parts.append("None")
        if r.random() < 0.2:
            parts.insert(r.randint(0, len(parts)), "...")
        return ", ".join(parts) if parts else "..."
    if kind == "int":
        return str(r.randrange(-s[0], s[0] + 1)) if s[0] else "0"
    if kind == "list":
        k = r.randint(1, 3)
        vals = [r.randrange(-s[0], s[0]) if s[0] else 0 for _ in range(k)]
        return repr(vals)
    if kind == "empty":
        return r.choice(("[]", "torch.tensor([], dtype=torch.int64)", "[], 0" if n >= 2
                         else "[]"))
    if kind == "tensor":
        vals = [r.randrange(-s[0], s[0]) if s[0] else 0 for _ in range(r.randint(1, 4))]
        return f"torch.tensor({vals!r})"
    if kind == "bool":
        m = g.pick(lambda u: u.dtype == torch.bool and tuple(u.shape) == s[:u.dim()]
                   and u.dim() >= 1)
        if m is not None:
            return m
        vals = [r.random() < 0.5 for _ in range(s[0])]
        return f"torch.tensor({vals!r})"
    # mixed: a slice then a list
    if n >= 2:
        vals = [r.randrange(-s[1], s[1]) if s[1] else 0 for _ in range(2)]
        return f":, {vals!r}"
    return ":"


def getitem(g) -> bool:
    x = g.pick(lambda t: t.dim() >= 1) if g.rng.random() < 0.9 else g.pick()
    if x is None:
        return False
    (v,) = g.fresh()
    return g.emit(f"{v} = {x}[{_index(g, g.t(x))}]", [v], "D", [x])


def setitem(g) -> bool:
    r = g.rng
    x = g.pick(lambda t: t.dim() >= 1 and (not t.requires_grad or not t.is_leaf or
                                           r.random() < 0.1))
    if x is None:
        return False
    value = g.scalar() if r.random() < 0.6 else g.pick()
    if value is None:
        return False
    code = f"{x}[{_index(g, g.t(x))}] = {value}"
    return g.emit(code, [x], "D", [x, value])


def gather_family(g) -> bool:
    r = g.rng
    x = g.pick(lambda t: t.dim() >= 1 and t.shape[0] > 0)
    if x is None:
        return False
    t = g.t(x)
    s = tuple(t.shape)
    d = r.randrange(t.dim())
    size = s[d]
    bound = size + (1 if r.random() < 0.05 else 0)
    (v,) = g.fresh()
    kind = r.choice(("index_select", "gather", "take_along_dim", "scatter", "scatter_add",
                     "index_add"))
    if kind == "index_select":
        idx = [r.randrange(0, max(bound, 1)) for _ in range(r.randint(0, 3))]
        return g.emit(f"{v} = torch.index_select({x}, {d}, torch.tensor({idx!r}, "
                      f"dtype=torch.int64))", [v], "D", [x])
    shape_i = tuple(max(1, r.randint(1, k)) if k else 0 for k in s)
    idx = g.new_input(shape_i, "int64", False,
                      [r.randrange(0, max(bound, 1)) for _ in range(_prod(shape_i))])
    if kind == "take_along_dim" and bound > size:
        return False  # PyTorch does not bounds-check take_along_dim on CPU (reads garbage)
    if kind in ("gather", "take_along_dim"):
        return g.emit(f"{v} = torch.{kind}({x}, {idx}, dim={d})" if kind == "take_along_dim"
                      else f"{v} = torch.gather({x}, {d}, {idx})", [v], "D", [x])
    if kind in ("scatter", "scatter_add"):
        if kind == "scatter" and r.random() < 0.5:
            return g.emit(f"{v} = {x}.scatter({d}, {idx}, {g.scalar('int')})", [v], "D", [x])
        src = g.new_input(shape_i, str(t.dtype).replace("torch.", ""))
        return g.emit(f"{v} = {x}.{kind}({d}, {idx}, {src})", [v], "R", [x, src])
    k = r.randint(0, 3)
    idx_list = [r.randrange(0, max(bound, 1)) for _ in range(k)]
    src_shape = s[:d] + (k,) + s[d + 1:]
    src = g.new_input(src_shape, str(t.dtype).replace("torch.", ""))
    return g.emit(f"{v} = {x}.index_add({d}, torch.tensor({idx_list!r}), {src})", [v], "R",
                  [x, src])


def _prod(shape) -> int:
    out = 1
    for k in shape:
        out *= k
    return out


# ---------------------------------------------------------------------- in place
def inplace(g) -> bool:
    r = g.rng
    x = g.pick(lambda t: not t.requires_grad or not t.is_leaf or r.random() < 0.1)
    if x is None:
        return False
    t = g.t(x)
    target = x
    if r.random() < 0.5 and t.dim() >= 1:
        (view,) = g.fresh()
        vform = r.choice(("{x}[0]", "{x}[..., :1]", "{x}.t()" if t.dim() <= 2 else "{x}[1:]",
                          "{x}.view(-1)", "{x}.unsqueeze(0).expand(2, *{x}.shape)",
                          "{x}.diagonal()" if t.dim() >= 2 else "{x}[::2]"))
        if not g.emit(f"{view} = " + vform.format(x=x), [view], "D", [x]):
            return g.failed
        target = view
    op = r.choice(("add_", "sub_", "mul_", "div_", "zero_", "fill_", "copy_", "clamp_",
                   "relu_", "masked_fill_", "exp_", "neg_", "abs_", "sigmoid_", "pow_",
                   "floor_", "clamp_min_"))
    if op in ("zero_", "relu_", "exp_", "neg_", "abs_", "sigmoid_", "floor_"):
        code = f"{target}.{op}()"
    elif op == "fill_":
        code = f"{target}.fill_({g.scalar(r.choice(('int', 'float', 'zero_d', 'bool')))})"
    elif op == "clamp_":
        code = f"{target}.clamp_({g.scalar('int')}, {g.scalar('float')})"
    elif op == "copy_":
        src = g.pick(lambda u: g.broadcasts(u.shape, g.t(target).shape))
        if src is None:
            return False
        code = f"{target}.copy_({src})"
    elif op == "masked_fill_":
        m = g.pick(lambda u: u.dtype == torch.bool)
        if m is None:
            return False
        code = f"{target}.masked_fill_({m}, {g.scalar()})"
    else:
        code = f"{target}.{op}({g.operand(target)})"
    return g.emit(code, [target, x] if target != x else [x], "T", [x])


# ---------------------------------------------------------------------- nn
def nn(g) -> bool:
    r = g.rng
    kind = r.choice(("softmax", "log_softmax", "cross_entropy", "cross_entropy", "nll_loss",
                     "cross_entropy_probs"))
    (v,) = g.fresh()
    if kind in ("softmax", "log_softmax"):
        x = g.pick()
        if x is None:
            return False
        t = g.t(x)
        extra = f", dtype=torch.{r.choice(FLOATS)}" if r.random() < 0.2 else ""
        form = r.choice((f"F.{kind}({{x}}, dim={{d}}{extra})", f"torch.{kind}({{x}}, {{d}})",
                         f"{{x}}.{kind}({{d}})"))
        return g.emit(f"{v} = " + form.format(x=x, d=g.dim(t)), [v], "T", [x])
    x = g.pick(lambda t: t.dtype.is_floating_point and 1 <= t.dim() <= 3)
    if x is None or r.random() < 0.3:
        n_, c = r.randint(0, 4), r.randint(1, 4)
        x = g.new_input((n_, c) if r.random() < 0.8 else (n_, c, 2), r.choice(FLOATS))
    t = g.t(x)
    s = tuple(t.shape)
    c = s[1] if len(s) >= 2 else s[0]
    tshape = (s[0],) + s[2:] if len(s) >= 2 else ()
    args = []
    if r.random() < 0.3:
        wn = c if r.random() < 0.95 else c + 1
        w = g.new_input((wn,), str(t.dtype)[6:], False,
                        [r.choice((0.5, 1.0, 2.0, 0.0)) for _ in range(wn)])
        args.append(f"weight={w}")
    ignore = -100
    if r.random() < 0.4:
        ignore = r.choice((-100, 0, 1))
        if ignore != -100:
            args.append(f"ignore_index={ignore}")
    if kind == "cross_entropy_probs":
        tgt = g.new_input(s, str(t.dtype)[6:], False,
                          [r.choice((0.0, 0.25, 0.5, 1.0)) for _ in range(_prod(s))])
        args = [a for a in args if not a.startswith("ignore")]
    else:
        pool = list(range(c)) + [ignore] * 2 + ([c] if r.random() < 0.05 else [])
        tgt = g.new_input(tshape, "int64", False, [r.choice(pool) for _ in range(_prod(tshape))])
    if kind.startswith("cross_entropy") and r.random() < 0.3:
        args.append(f"label_smoothing={r.choice((0.1, 0.5))}")
    if r.random() < 0.4:
        args.append(f"reduction='{r.choice(('sum', 'none', 'mean'))}'")
    fn = "nll_loss" if kind == "nll_loss" else "cross_entropy"
    return g.emit(f"{v} = F.{fn}({x}, {tgt}{''.join(', ' + a for a in args)})", [v], "T",
                  [x])


# ---------------------------------------------------------------------- sorting
def sorting(g) -> bool:
    r = g.rng
    x = g.pick(exact=True)
    if x is None:
        return False
    t = g.t(x)
    d = g.dim(t)
    size = t.shape[d] if t.dim() else 1
    kind = r.choice(("sort", "sort_stable", "argsort", "topk", "kthvalue", "cummax",
                     "cummin"))
    if not _ok(f"torch.{kind}("):
        return False
    v, i = g.fresh(2)
    if kind == "sort":
        desc = r.random() < 0.5
        return g.emit(f"{v}, {i} = torch.sort({x}, dim={d}, descending={desc})", [v, i], "D",
                      [x], ties=[(i, x, d)], terminal=[i])
    if kind == "sort_stable":
        return g.emit(f"{v}, {i} = torch.sort({x}, dim={d}, stable=True, "
                      f"descending={r.random() < 0.5})", [v, i], "D", [x])
    if kind == "argsort":
        return g.emit(f"{i} = torch.argsort({x}, dim={d})", [i], "D", [x],
                      ties=[(i, x, d)], terminal=[i])
    if kind == "topk":
        k = r.randint(0, size + (1 if r.random() < 0.05 else 0))
        return g.emit(f"{v}, {i} = torch.topk({x}, {k}, dim={d}, largest={r.random() < 0.5})",
                      [v, i], "D", [x], ties=[(i, x, d)], terminal=[i])
    if kind == "kthvalue":
        k = r.randint(1, max(size, 1))
        return g.emit(f"{v}, {i} = torch.kthvalue({x}, {k}, dim={d})", [v, i], "D", [x],
                      ties=[(i, x, d)], terminal=[i])
    return g.emit(f"{v}, {i} = torch.{kind}({x}, dim={d})", [v, i], "D", [x])


FAMILIES = (
    (unary, 14), (binary, 22), (ternary, 5), (reduction, 10), (linalg, 5), (shape, 9),
    (getitem, 7), (setitem, 4), (gather_family, 3), (inplace, 8), (nn, 5), (sorting, 4),
)

"""Reduce a failing program to a minimal one that still diverges the same way.

Greedy passes to a fixed point: drop statements, drop inputs, stop requiring grad, and
replace input values by 1 (or True); a candidate is kept when it still shows a divergence of
the same kind (exception, dtype, value, ...) as the original.
"""

from __future__ import annotations

from .program import Input, Program
from .runner import run


def _kinds(program: Program) -> set[str]:
    divs, _ = run(program)
    return {d.kind for d in divs}


def shrink(program: Program, max_runs: int = 400) -> Program:
    """The smallest program found that keeps one of ``program``'s divergence kinds."""
    target = _kinds(program)
    if not target:
        return program
    runs = 0

    def still_fails(p: Program) -> bool:
        nonlocal runs
        runs += 1
        try:
            return bool(_kinds(p) & target)
        except Exception:  # noqa: BLE001 - a candidate that breaks the runner is no smaller bug
            return False

    changed = True
    while changed and runs < max_runs:
        changed = False
        for k in reversed(range(len(program.stmts))):
            cand = program.with_(stmts=program.stmts[:k] + program.stmts[k + 1:])
            if still_fails(cand):
                program, changed = cand, True
        for k in reversed(range(len(program.inputs))):
            cand = program.with_(inputs=program.inputs[:k] + program.inputs[k + 1:])
            if still_fails(cand):
                program, changed = cand, True
        for k, inp in enumerate(program.inputs):
            if inp.requires_grad:
                cand = _with_input(program, k, Input(inp.name, inp.shape, inp.dtype,
                                                     inp.values, False))
                if still_fails(cand):
                    program, changed = cand, True
        for k, inp in enumerate(program.inputs):
            for j, v in enumerate(inp.values):
                simple = _simple(inp.dtype)
                if v == simple or runs >= max_runs:
                    continue
                vals = inp.values[:j] + (simple,) + inp.values[j + 1:]
                cand = _with_input(program, k, Input(inp.name, inp.shape, inp.dtype, vals,
                                                     inp.requires_grad))
                if still_fails(cand):
                    program, changed = cand, True
                    inp = cand.inputs[k]
    return program


def _simple(dtype: str):
    if dtype == "bool":
        return True
    if dtype.startswith("float"):
        return 1.0
    return 1


def _with_input(program: Program, k: int, inp: Input) -> Program:
    inputs = list(program.inputs)
    inputs[k] = inp
    return program.with_(inputs=tuple(inputs))

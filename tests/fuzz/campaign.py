"""Run a fuzzing campaign: ``python -m fuzz.campaign -n 20000 --seed 0`` (``make fuzz``).

Prints every divergence shrunk to a runnable program, grouped so one bug shown many times
is reported once, and a summary line; exits 1 if anything diverged.
"""

from __future__ import annotations

import argparse
import sys
import time

from .generator import generate
from .ops import SKIPPED
from .runner import run
from .shrink import shrink


def campaign(n: int, seed: int, max_ops: int = 8, show: int = 20, quiet: bool = False):
    """Run ``n`` programs from ``seed``; returns the failing seeds and their divergences."""
    failures = []
    signatures = {}
    start = time.perf_counter()
    for s in range(seed, seed + n):
        try:
            program = generate(s, max_ops)
            divs, _ = run(program)
        except Exception as e:  # noqa: BLE001 - a crash of the harness is a finding too
            divs = [f"harness crash: {type(e).__name__}: {e}"]
        if divs:
            failures.append((s, divs))
            sig = _signature(program, divs)
            signatures.setdefault(sig, []).append(s)
    elapsed = time.perf_counter() - start
    if not quiet:
        ranked = sorted(signatures.items(), key=lambda kv: -len(kv[1]))
        for sig, seeds in ranked:
            print(f"{len(seeds):5d}  {sig}  (seeds {', '.join(map(str, seeds[:5]))})")
        for sig, seeds in ranked[:show]:
            program = generate(seeds[0], max_ops)
            small = shrink(program)
            divs, names = run(small)
            print(f"=== {len(seeds)} program(s), e.g. seed {seeds[0]}: {sig}")
            for d in divs[:4]:
                print(f"    {d}")
            print(small.source(names))
    print(f"{n} programs from seed {seed}: {len(failures)} diverged "
          f"({len(signatures)} signatures) in {elapsed:.1f} s; ops skipped (missing in "
          f"ember): {', '.join(sorted(SKIPPED)) or 'none'}")
    return failures


def _signature(program, divs) -> str:
    """A coarse bug identity: the divergence kind and the op of the statement involved."""
    d = divs[0]
    if isinstance(d, str):
        return d[:80]
    line = ""
    where = d.where.split("@")
    if len(where) == 2 and where[1].isdigit():
        line = program.lines()[int(where[1])]
    elif d.kind == "exception" and "`" in d.detail:
        line = d.detail.split("`")[1]
        if d.where == "run":
            ember_err = d.detail.split(";")[0].split("(")[0].replace("ember ", "")
            torch_err = d.detail.split("; torch ")[1].split("(")[0]
            return f"exception: {_op(line)}: ember {ember_err}, torch {torch_err}"
    elif d.kind == "exception":
        return f"exception at backward: {d.detail[:60]}"
    return f"{d.kind}: {_op(line)}"


def _op(line: str) -> str:
    """The op a statement calls: ``torch.add``, ``.sum``, ``//``, ``[...]``."""
    rhs = line.split(" = ", 1)[-1]
    for token in (" // ", " ** ", " % ", " + ", " - ", " * ", " / ", " @ ", " & ", " | ", " ^ ",
                  " == ", " != ", " < ", " >= "):
        if token in rhs and "(" not in rhs.split(token)[0]:
            return token.strip()
    if rhs.startswith(("torch.", "F.")):
        return rhs.split("(")[0]
    head = rhs.split("(")[0]
    if "[" in head:
        return "[]=" if " = " in line and "[" in line.split(" = ")[0] else "[]"
    return "." + head.split(".")[-1] if "." in head else head[:30]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("-n", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-ops", type=int, default=8)
    p.add_argument("--show", type=int, default=20, help="signatures to shrink and print")
    args = p.parse_args(argv)
    failures = campaign(args.n, args.seed, args.max_ops, args.show)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

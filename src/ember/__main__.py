"""Command line: ``python -m ember demo [--epochs N ...]`` (also the ``ember`` script)."""

from __future__ import annotations

import sys

from .demo import main as demo_main


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m ember demo [--epochs N] [--batch-size B] [--seed S] "
              "[--model cnn|mlp] [--out DIR]")
        return 0 if argv else 2
    if argv[0] == "demo":
        return demo_main(argv[1:])
    print(f"unknown command {argv[0]!r}; try: python -m ember demo", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

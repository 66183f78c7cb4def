"""Command line: ``python -m ember <command>`` (also the ``ember`` script).

Commands: ``run`` (an unmodified PyTorch program on ember) and ``demo`` (train on digits).
"""

from __future__ import annotations

import sys

from . import _run, demo

COMMANDS = {
    "run": "run an unmodified PyTorch program with `torch` resolved to ember",
    "demo": "train a small CNN (or MLP) on handwritten digits with ember",
}


def usage() -> str:
    """The top-level help: the commands and every option of each."""
    commands = "\n".join(f"  {name:<6}{summary}" for name, summary in COMMANDS.items())
    return (f"usage: python -m ember <command> [args...]   (or: ember <command> [args...])\n\n"
            f"commands:\n{commands}\n\n"
            f"ember run\n{_indent(_run.HELP)}\n\n"
            f"ember demo\n{_indent(demo.build_parser().format_help().rstrip())}")


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" if line else line for line in text.splitlines())


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(usage(), file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    command, args = argv[0], argv[1:]
    if command == "run":
        return _run.main(args)
    if command == "demo":
        return demo.main(args)
    print(f"unknown command {command!r}; commands: {', '.join(COMMANDS)} "
          f"(python -m ember --help)", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

"""``ember run``: run an unmodified PyTorch program on ember.

``ember run [--report] script.py [args...]`` and ``ember run [--report] -m module [args...]``
install the torch hook (``_torch_alias``) before the program imports anything, then start it
the way ``python script.py`` / ``python -m module`` would: the same ``sys.argv``,
``sys.path[0]``, ``__main__`` module, ``__file__``, working directory and exit status. An
uncaught error that comes from a PyTorch name ember lacks says so.
"""

from __future__ import annotations

import atexit
import builtins
import importlib.machinery
import io
import os
import runpy
import sys
import types
import zipfile

from . import _torch_alias, _usage_report
from .tensor import Tensor

USAGE = "usage: ember run [--report] (script.py | -m module) [args...]"
HELP = f"""{USAGE}

Run a PyTorch program unmodified, with `torch` and every `torch.<sub>` module resolved to
ember's for the whole process (in the program and in every package it imports).
Arguments after the script (or module) are the program's own.

options:
  -m module   run a library module as a script, as `python -m module`
  --report    print at exit (to stderr) which PyTorch names the program used and which of
              them ember lacks (slows the program: every tensor attribute lookup is counted)
  -h, --help  show this help"""


def main(argv: list[str]) -> int:
    """``ember run``'s command line (``argv`` without ``run``); returns the exit status."""
    report = False
    position = 0
    while position < len(argv) and argv[position].startswith("-"):
        option = argv[position]
        if option in ("-h", "--help"):
            print(HELP)
            return 0
        if option == "--report":
            report = True
        elif option == "-m":
            break
        else:
            print(f"ember run: unknown option {option!r}\n{USAGE}", file=sys.stderr)
            return 2
        position += 1
    rest = argv[position:]
    if not rest or rest == ["-m"]:
        print(f"ember run: name a script or -m module\n{USAGE}", file=sys.stderr)
        return 2
    return run(rest, report=report)


def run(program: list[str], report: bool = False) -> int:
    """Run ``program`` (``[script, *args]`` or ``["-m", module, *args]``) on ember.

    Returns the exit status ``python`` would give; a ``sys.exit`` in the program propagates.
    """
    finder = _torch_alias.install(_torch_alias.RUN_CONTEXT)
    usage = _usage_report.start(finder) if report else None
    if usage is not None:
        atexit.register(usage.print)
    try:
        if program[0] == "-m":
            _run_module(program[1], program[2:])
        else:
            _run_script(program[0], program[1:])
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as exc:  # shown as Python shows it, then status 1 as Python
        _show_uncaught(exc, finder.context, usage)
        return 1
    return 0


def _show_uncaught(exc: BaseException, context: str, usage) -> None:
    """Print ``exc`` through ``sys.excepthook`` as Python does for an uncaught error, with a note
    when it comes from a PyTorch name ember lacks."""
    missing = _missing_torch_name(exc)
    note = None
    if missing is not None:
        if usage is not None:
            usage.record(missing, False)
        note = f"ember run: {_torch_alias.missing_advice(missing, context)}"
        if hasattr(exc, "add_note"):  # Python >= 3.11: any excepthook shows it
            exc.add_note(note)
            note = None
    exc.__traceback__ = _program_traceback(exc.__traceback__)  # the one excepthook prints
    sys.excepthook(type(exc), exc, exc.__traceback__)
    if note is not None:
        print(note, file=sys.stderr)


def _run_script(path: str, args: list[str]) -> None:
    """Run a file (or a directory / zip with ``__main__.py``) as ``python path args`` does."""
    sys.argv = [path, *args]
    if os.path.isdir(path) or zipfile.is_zipfile(path):
        _set_path0(path)
        _new_main()
        runpy._run_module_as_main("__main__", alter_argv=False)
        return
    try:
        with io.open_code(path) as file:
            source = file.read()
    except OSError as exc:
        print(f"{sys.executable}: can't open file {os.path.abspath(path)!r}: "
              f"[Errno {exc.errno}] {exc.strerror}", file=sys.stderr)
        raise SystemExit(2) from None
    filename = os.path.abspath(path)
    _set_path0(os.path.dirname(os.path.realpath(path)))
    main = _new_main()
    main.__file__ = filename
    main.__cached__ = None
    main.__loader__ = importlib.machinery.SourceFileLoader("__main__", filename)
    exec(compile(source, filename, "exec"), main.__dict__)


def _run_module(name: str, args: list[str]) -> None:
    """Run a module as ``python -m name args`` does."""
    sys.argv = ["-m", *args]  # as Python: runpy replaces argv[0] with the module's file
    _set_path0(os.getcwd())
    _new_main()
    # the function `python -m` itself calls: it runs the module in the real __main__ module
    runpy._run_module_as_main(name, alter_argv=True)


def _new_main() -> types.ModuleType:
    """A fresh ``__main__`` for the program (not ember's), kept after it ends, as Python's."""
    main = types.ModuleType("__main__")
    main.__builtins__ = builtins
    sys.modules["__main__"] = main
    return main


def _set_path0(directory: str) -> None:
    """The program's ``sys.path[0]`` replaces the launcher's (cwd for ``python -m ember``, the
    scripts folder for ``ember``); ember's own folder stays importable at the end of the path."""
    ember_root = os.path.dirname(os.path.dirname(os.path.abspath(_torch_alias.__file__)))
    sys.path[0] = directory
    if all(os.path.abspath(entry or os.curdir) != ember_root for entry in sys.path):
        sys.path.append(ember_root)


def _missing_torch_name(exc: BaseException) -> str | None:
    """The PyTorch name behind an uncaught error the hook could not explain when raised."""
    if _torch_alias.explained_name(exc) is not None:
        return None
    if isinstance(exc, ModuleNotFoundError) and _torch_alias.is_torch_name(exc.name or ""):
        return exc.name  # `import torch.a.b` where ember's torch.a is a module, not a package
    if isinstance(exc, AttributeError) and (isinstance(exc.obj, Tensor) or exc.obj is Tensor):
        return f"torch.Tensor.{exc.name}"
    return None


def _program_traceback(tb: types.TracebackType | None) -> types.TracebackType | None:
    """``tb`` as Python would show it: without the runner's frames (before the program's) and
    the hook's (between the program and the name it looked up)."""
    entries = []
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    skipped = _torch_alias.HOOK_MODULES | {__name__, "runpy"}
    kept = [entry for entry in entries if entry.tb_frame.f_globals.get("__name__") not in skipped]
    if not kept:
        return entries[0] if entries else None
    rebuilt = None
    for entry in reversed(kept):
        rebuilt = types.TracebackType(rebuilt, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return rebuilt

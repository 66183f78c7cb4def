"""``python -m ember``: the command line lists its commands and every option of each."""

from __future__ import annotations

import pytest

from ember.__main__ import main
from run_helpers import run_python


def test_help_lists_commands_and_all_demo_options(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "ember run [--report] (script.py | -m module) [args...]" in out
    for option in ("--epochs", "--batch-size", "--seed", "--lr", "--model", "--out", "--quiet",
                   "--report", "-m module"):
        assert option in out, option
    assert "  run " in out and "  demo " in out


def test_no_command_prints_help_to_stderr_and_exits_2(capsys):
    assert main([]) == 2
    assert "commands:" in capsys.readouterr().err


def test_unknown_command_names_the_commands(capsys):
    assert main(["train"]) == 2
    assert "run, demo" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--help"])
def test_python_dash_m_ember_help(flag):
    result = run_python(["-m", "ember", flag])
    assert result.returncode == 0 and "--lr" in result.stdout and "ember run" in result.stdout

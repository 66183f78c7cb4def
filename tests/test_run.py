"""``ember run``: unmodified PyTorch programs run on ember and print what they print on PyTorch.

Each program in tests/run_programs/ runs twice in a subprocess, ``python prog`` (real torch)
and ``python -m ember run prog``; the outputs must agree (numbers within float32 tolerance).
"""

from __future__ import annotations

import os
import sys

import pytest

from ember._run import main
from run_helpers import PROGRAMS, assert_same_output, ember_run, run_python

pytest.importorskip("torch")


def _assert_runs_like_pytorch(args: list[str], cwd: str = PROGRAMS, status: int = 0) -> str:
    on_torch = run_python(args, cwd=cwd)
    on_ember = ember_run(args, cwd=cwd)
    assert on_torch.returncode == status, on_torch.stderr
    assert on_ember.returncode == status, on_ember.stderr
    assert_same_output(on_ember.stdout, on_torch.stdout)
    return on_ember.stdout


def test_single_file_script_trains_as_on_pytorch():
    out = _assert_runs_like_pytorch(["single_file.py", "--steps", "30"])
    assert "step 29 loss" in out


def test_functional_script_with_autograd_grad_matches_pytorch():
    out = _assert_runs_like_pytorch(["functional.py"])
    assert "step 2 loss" in out and "probabilities" in out


def test_package_importing_torch_from_several_modules_run_with_dash_m_matches_pytorch():
    out = _assert_runs_like_pytorch(["-m", "toypkg.train", "2"])
    assert out.startswith("main module __main__ ['2']")
    assert "epoch 1 loss" in out
    # the same package started from a script beside it (its folder becomes sys.path[0])
    from_script = ember_run(["run_toypkg.py", "2"])
    assert from_script.returncode == 0, from_script.stderr
    assert_same_output(from_script.stdout, out.split("\n", 1)[1])


def test_argv_file_relative_paths_and_exit_status_as_python(tmp_path):
    (tmp_path / "data.txt").write_text("0.25")
    script = os.path.join(PROGRAMS, "single_file.py")
    args = [script, "--steps", "10", "--data", "data.txt", "--exit-code", "3"]
    result = ember_run(args, cwd=str(tmp_path))
    assert result.returncode == 3, result.stderr
    assert "argv ['--steps', '10', '--data', 'data.txt', '--exit-code', '3']" in result.stdout
    assert "name __main__ file single_file.py True" in result.stdout  # __file__ absolute
    assert "path0 run_programs" in result.stdout  # the script's folder, not the cwd
    assert "shift 0.25" in result.stdout  # data.txt read relative to the cwd


def test_uncaught_error_prints_the_programs_traceback_and_exits_1(tmp_path):
    (tmp_path / "crash.py").write_text("def f():\n    raise ValueError('bad input')\n\n\nf()\n")
    on_python = run_python(["crash.py"], cwd=str(tmp_path))
    on_ember = ember_run(["crash.py"], cwd=str(tmp_path))
    assert on_ember.returncode == on_python.returncode == 1
    assert on_ember.stderr == on_python.stderr  # no runner frames in the traceback


def test_sys_exit_message_and_missing_script_as_python(tmp_path):
    (tmp_path / "bye.py").write_text("import sys\nsys.exit('goodbye')\n")
    on_python = run_python(["bye.py"], cwd=str(tmp_path))
    on_ember = ember_run(["bye.py"], cwd=str(tmp_path))
    assert (on_ember.returncode, on_ember.stderr) == (on_python.returncode, on_python.stderr)
    absent = ember_run(["absent.py"], cwd=str(tmp_path))
    assert absent.returncode == 2 and "can't open file" in absent.stderr


def test_main_module_is_the_programs_and_pickles_its_classes(tmp_path):
    (tmp_path / "pick.py").write_text(
        "import pickle, sys, torch\n"
        "class Box:\n    pass\n"
        "print(sys.modules['__main__'].__dict__ is globals(), __spec__, __package__)\n"
        "print(type(pickle.loads(pickle.dumps(Box()))).__qualname__)\n"
        "print(torch.save is __import__('ember').save)\n")
    out = ember_run(["pick.py"], cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "None", "None", "Box", "True"]


def test_cli_entry_point_runs_scripts_like_the_ember_command(tmp_path):
    # the `ember` console script calls __main__.main with sys.argv = ['ember', 'run', ...]
    (tmp_path / "helper_mod.py").write_text("import torch.nn\nLAYER = torch.nn.Linear\n")
    (tmp_path / "prog.py").write_text("import sys\nfrom helper_mod import LAYER\n"
                                      "print(LAYER.__module__, sys.argv)\n")
    code = ("import sys; from ember.__main__ import main; "
            f"sys.argv = ['ember', 'run', {str(tmp_path / 'prog.py')!r}, 'x']; sys.exit(main())")
    out = run_python(["-c", code], cwd=os.path.dirname(PROGRAMS))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ember.nn.modules.linear [")
    assert out.stdout.rstrip().endswith("'x']")


def test_usage_errors_exit_2(capsys):
    assert main([]) == 2
    assert main(["--bogus", "x.py"]) == 2
    assert main(["-m"]) == 2
    assert "usage: ember run" in capsys.readouterr().err
    assert main(["--help"]) == 0
    assert "--report" in capsys.readouterr().out
    assert sys.meta_path[0].__class__.__name__ != "TorchAliasFinder"  # nothing was installed

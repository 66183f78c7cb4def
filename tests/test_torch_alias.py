"""The torch import hook: ``torch.<sub>`` is ember's module itself; misses explain themselves.

Installing the hook changes the process for good, so everything that installs it runs in a
subprocess; this process (which has imported the real torch) checks the refusal.
"""

from __future__ import annotations

import sys
import textwrap

import pytest

import ember
from ember import _torch_alias
from run_helpers import ember_run, run_python

torch = pytest.importorskip("torch")


def _python(code: str, cwd: str):
    return run_python(["-c", textwrap.dedent(code)], cwd=cwd)


def test_install_as_torch_refuses_when_the_real_torch_is_imported():
    assert type(torch.ones(1)).__module__ == "torch"  # the real one, in this process
    with pytest.raises(RuntimeError, match="real PyTorch is already imported"):
        ember.install_as_torch()
    assert not any(isinstance(f, _torch_alias.TorchAliasFinder) for f in sys.meta_path)


def test_ember_is_untouched_until_the_hook_is_installed():
    # misses are explained by a module __getattr__ added only by the hook: none here, and no
    # __getattribute__ on Tensor, so ember's attribute lookups run at full speed
    assert "__getattr__" not in vars(ember) and "__getattr__" not in vars(ember.nn.functional)
    assert "__getattribute__" not in vars(ember.Tensor)
    with pytest.raises(AttributeError) as info:
        ember.not_a_torch_name  # noqa: B018
    assert _torch_alias.explained_name(info.value) is None
    assert str(info.value) == "module 'ember' has no attribute 'not_a_torch_name'"


def test_torch_names_map_to_ember_names():
    assert _torch_alias.to_ember_name("torch.nn.functional") == "ember.nn.functional"
    assert _torch_alias.to_torch_name("ember.utils.data") == "torch.utils.data"
    assert _torch_alias.is_torch_name("torch") and _torch_alias.is_torch_name("torch.nn")
    assert not _torch_alias.is_torch_name("torchvision")
    assert not _torch_alias.is_torch_name("torch_geometric")


def test_install_as_torch_aliases_every_torch_module_to_the_same_ember_module(tmp_path):
    result = _python("""
        import sys
        import ember
        ember.install_as_torch()
        ember.install_as_torch()  # a second call does nothing
        import torch
        import torch.nn.functional as F
        import torch.optim.lr_scheduler
        import torch.backends.cudnn as cudnn
        from torch import nn, optim
        from torch.utils.data import DataLoader
        import ember.utils.data
        checks = [
            torch is ember, F is ember.nn.functional, torch.nn.functional is F, nn is ember.nn,
            optim is ember.optim, torch.optim.lr_scheduler is ember.optim.lr_scheduler,
            sys.modules["torch.utils.data"] is ember.utils.data,
            DataLoader is ember.utils.data.DataLoader, cudnn is ember.backends.cudnn,
            ember.nn.__spec__.name == "ember.nn",  # ember's modules keep their own identity
            sys.meta_path.count(sys.meta_path[0]) == 1,
        ]
        print(checks)
        """, str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str([True] * 11)


def test_missing_names_raise_errors_that_name_them_and_stay_catchable(tmp_path):
    result = _python("""
        import ember
        ember.install_as_torch()
        import torch
        import torch.nn.functional as F
        try:
            import torch.not_a_module
        except ModuleNotFoundError as exc:
            print("module", type(exc).__name__, exc.name, exc.ember_missing_name, "|", exc)
        try:
            from torch.nn import NotALayer
        except ImportError as exc:
            print("from", type(exc).__name__, "|", exc)
        try:
            F.not_a_function
        except AttributeError as exc:
            print("attr", type(exc).__name__, exc.name, exc.obj is F, "|", exc)
        print(hasattr(torch, "not_a_name"), getattr(torch, "not_a_name", 7))
        try:
            torch.__not_a_dunder__
        except AttributeError as exc:
            print("dunder |", exc)
        """, str(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" | ", 1) for line in result.stdout.splitlines() if " | " in line)
    advice = "this program runs on ember in place of PyTorch (after ember.install_as_torch())"
    assert lines["module ModuleNotFoundError torch.not_a_module torch.not_a_module"].startswith(
        "No module named 'torch.not_a_module': " + advice)
    assert lines["from ImportError"].startswith(
        "cannot import name 'NotALayer' from 'torch.nn': " + advice)
    message = lines["attr AttributeError not_a_function True"]
    assert message.startswith("module 'torch.nn.functional' has no attribute 'not_a_function'")
    assert "ember does not provide torch.nn.functional.not_a_function" in message
    assert "report it as an ember issue titled 'missing torch.nn.functional.not_a_function'" in (
        message)
    assert lines["dunder"] == "module 'torch' has no attribute '__not_a_dunder__'"
    assert "False 7" in result.stdout


def test_program_importing_a_missing_module_gets_the_clear_error(tmp_path):
    (tmp_path / "uses_missing.py").write_text("import torch\nimport torch.not_a_module\n")
    result = ember_run(["uses_missing.py"], cwd=str(tmp_path))
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ModuleNotFoundError: No module named "
                           "'torch.not_a_module': this program runs on ember in place of "
                           "PyTorch (under `ember run`)")
    assert "ember run --report" in last
    assert 'File "' + str(tmp_path / "uses_missing.py") + '", line 2' in result.stderr


def test_uncaught_misses_the_hook_cannot_see_get_a_note(tmp_path):
    # a submodule of a plain module fails inside Python's import system, and a Tensor method
    # ember lacks is a plain AttributeError: `ember run` explains both when they end the program
    (tmp_path / "submodule.py").write_text("import torch.nn.init.nope\n")
    (tmp_path / "method.py").write_text("import torch\ntorch.ones(2).not_a_method()\n")
    submodule = ember_run(["submodule.py"], cwd=str(tmp_path))
    method = ember_run(["method.py"], cwd=str(tmp_path))
    assert submodule.returncode == method.returncode == 1
    assert "'torch.nn.init' is not a package" in submodule.stderr
    assert "ember run: this program runs on ember in place of PyTorch (under `ember run`), and " \
           "ember does not provide torch.nn.init.nope." in submodule.stderr
    assert "'Tensor' object has no attribute 'not_a_method'" in method.stderr
    assert "ember does not provide torch.Tensor.not_a_method" in method.stderr


def test_hook_leaves_other_imports_alone(tmp_path):
    (tmp_path / "torchlike.py").write_text("VALUE = 'mine'\n")
    result = _python("""
        import ember
        ember.install_as_torch()
        import torchlike, json
        print(torchlike.VALUE, json.__name__)
        """, str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["mine", "json"]

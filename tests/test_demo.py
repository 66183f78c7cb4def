"""The demo (README's first command) trains, checkpoints, reloads and plots."""

from __future__ import annotations

import io
import os

import pytest

pytest.importorskip("sklearn")

from ember import demo  # noqa: E402
from ember.__main__ import main as cli  # noqa: E402


def test_demo_mlp_trains_checkpoints_and_reloads(tmp_path):
    result = demo.run(epochs=3, out=str(tmp_path), model_kind="mlp", quiet=True)
    losses, accs = result["history"]["loss"], result["history"]["acc"]
    assert losses[-1] < losses[0]
    assert accs[-1] > 0.9
    assert result["reloaded_acc"] == accs[-1]
    assert os.path.getsize(result["checkpoint"]) > 0
    if result["plot"]:
        with open(result["plot"], "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_demo_cnn_reaches_97_percent(tmp_path):
    result = demo.run(epochs=8, out=str(tmp_path), model_kind="cnn", quiet=True)
    assert result["history"]["acc"][-1] >= 0.97
    assert result["reloaded_acc"] == result["history"]["acc"][-1]


def test_cli_runs_demo_with_flags(tmp_path, capsys):
    code = cli(["demo", "--model", "mlp", "--epochs", "1", "--out", str(tmp_path), "--quiet"])
    assert code == 0
    assert (tmp_path / "digits.ember").exists()


def test_cli_rejects_unknown_command(capsys):
    assert cli(["train"]) == 2
    assert "demo" in capsys.readouterr().err


def test_progress_bar_is_plain_iteration_when_stderr_is_not_a_terminal(monkeypatch):
    monkeypatch.setattr("sys.stderr", io.StringIO())
    items = [1, 2, 3]
    assert demo._progress_bar("epoch 1/1", quiet=False)(items) is items

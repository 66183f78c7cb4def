"""Each example runs (with reduced epochs) and shows what it claims."""

from __future__ import annotations

import importlib
import os
import sys

import pytest

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")
pytest.importorskip("sklearn")


@pytest.fixture(autouse=True)
def _examples_on_path(monkeypatch):
    monkeypatch.syspath_prepend(os.path.abspath(EXAMPLES))


def _run(name, *argv):
    module = importlib.import_module(name)
    return module.main(list(argv))


def test_mlp_digits_learns():
    assert _run("mlp_digits", "--epochs", "3") > 0.9


@pytest.mark.slow
def test_cnn_digits_learns():
    assert _run("cnn_digits", "--epochs", "2") > 0.9


def test_regression_fits():
    assert _run("regression", "--steps", "200") < 0.1


def test_gradient_accumulation_equals_big_batch():
    assert _run("grad_accumulation") < 1e-5


def test_finetuning_keeps_batchnorm_statistics():
    assert _run("finetune_frozen_bn", "--steps", "5") is True


def test_eval_and_no_grad_change_different_things():
    report = _run("eval_vs_no_grad")
    train_zero = report[("train", True)][0]
    eval_zero = report[("eval", True)][0]
    assert train_zero > eval_zero + 0.15  # dropout (p=0.5 after ReLU) only drops in train mode
    assert report[("train", False)][0] > eval_zero + 0.15  # no_grad does not disable it
    assert report[("eval", True)][1] > 0 and report[("eval", False)][1] == 0
    assert report[("eval", True)][2] and not report[("eval", False)][2]


def test_export_onnx_runs_the_cnn_in_onnxruntime(tmp_path):
    pytest.importorskip("onnxruntime")
    report = _run("export_onnx", "--epochs", "1", "--out", str(tmp_path / "cnn.onnx"))
    assert report["max_abs_diff"] < 1e-4
    assert report["onnxruntime_accuracy"] == report["ember_accuracy"] > 0.8


def test_examples_folder_has_no_untested_script():
    scripts = {f[:-3] for f in os.listdir(EXAMPLES) if f.endswith(".py") and f[0] != "_"}
    tested = {"mlp_digits", "cnn_digits", "regression", "grad_accumulation",
              "finetune_frozen_bn", "eval_vs_no_grad", "export_onnx",
              "ddp_digits"}  # under mpirun: tests/examples/test_ddp_digits.py
    assert scripts == tested, sys.modules[__name__].__doc__

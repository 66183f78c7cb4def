"""``ember run --report``: the PyTorch names a program used, and which of them ember lacks."""

from __future__ import annotations

import io

from ember._usage_report import UsageReport
from run_helpers import ember_run


def _sections(stderr: str) -> tuple[str, set[str], set[str]]:
    """The report's headline and its two lists (missing, provided)."""
    report = stderr[stderr.index("ember run --report:"):]
    headline, *rest = report.splitlines()
    missing, provided, current = set(), set(), None
    for line in rest:
        if line.startswith("missing in ember"):
            current = missing
        elif line.startswith("provided by ember"):
            current = provided
        elif line.startswith("  ") and current is not None:
            current.add(line.strip())
    return headline, missing, provided


def test_report_lists_module_attributes_and_tensor_methods_the_program_used():
    result = ember_run(["--report", "single_file.py", "--steps", "10"])
    assert result.returncode == 0, result.stderr
    assert "step 9 loss" in result.stdout  # the program's own output is untouched
    headline, missing, provided = _sections(result.stderr)
    assert headline.endswith("ember lacks 0 of them.")
    assert missing == set()
    assert {"torch.nn", "torch.nn.Linear", "torch.nn.Sequential", "torch.nn.MSELoss",
            "torch.optim.SGD", "torch.linspace", "torch.no_grad", "torch.float32",
            "torch.Tensor.backward", "torch.Tensor.item", "torch.Tensor.copy_",
            "torch.Tensor.unsqueeze", "torch.Tensor.reshape"} <= provided
    # what ember does internally on the program's behalf is not the program's usage
    assert "torch.nn.functional.linear" not in provided
    assert not any(".Tensor._" in name for name in provided)


def test_report_lists_what_ember_lacks_even_when_probed_or_caught(tmp_path):
    (tmp_path / "probe.py").write_text(
        "import torch\n"
        "x = torch.ones(3)\n"
        "print(hasattr(torch, 'not_a_name'))\n"
        "try:\n    x.not_a_method()\nexcept AttributeError:\n    pass\n"
        "try:\n    import torch.not_a_module\nexcept ImportError:\n    pass\n"
        "try:\n    from torch.nn import NotALayer\nexcept ImportError:\n    pass\n"
        "class Tagged(torch.Tensor):\n    def own_method(self):\n        return 1\n"
        "x.tag = 'mine'\n"
        "print(x.sum().item(), x.tag, Tagged.own_method(x))\n")
    result = ember_run(["--report", "probe.py"], cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "3.0", "mine", "1"]
    headline, missing, provided = _sections(result.stderr)
    assert missing == {"torch.not_a_name", "torch.Tensor.not_a_method", "torch.not_a_module",
                       "torch.nn.NotALayer"}
    assert headline.endswith("ember lacks 4 of them.")
    assert {"torch.ones", "torch.Tensor.sum", "torch.Tensor.item", "torch.nn"} <= provided
    assert "torch.Tensor.tag" not in provided  # the program's own attribute, not PyTorch's


def test_report_is_printed_when_the_program_fails(tmp_path):
    (tmp_path / "fails.py").write_text("import torch\ntorch.zeros(2).not_a_method()\n")
    result = ember_run(["--report", "fails.py"], cwd=str(tmp_path))
    assert result.returncode == 1
    # the traceback shows the program's line, not the report's lookup machinery
    assert "_usage_report" not in result.stderr
    assert result.stderr.index("Traceback") < result.stderr.index("ember run --report:")
    _, missing, provided = _sections(result.stderr)
    assert missing == {"torch.Tensor.not_a_method"} and "torch.zeros" in provided


def test_format_puts_missing_names_first_and_counts_each_name_once():
    report = UsageReport()
    for name, found in [("torch.nn.Linear", True), ("torch.fft", False),
                        ("torch.nn.Linear", True), ("torch.Tensor.add", True)]:
        report.record(name, found)
    out = io.StringIO()
    report.print(out)
    assert out.getvalue().splitlines() == [
        "ember run --report: the program used 3 PyTorch names; ember lacks 1 of them.",
        "missing in ember (please report these as ember issues):",
        "  torch.fft",
        "provided by ember:",
        "  torch.Tensor.add",
        "  torch.nn.Linear",
    ]

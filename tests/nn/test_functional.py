"""``ember.nn.functional`` as a whole: every name is PyTorch's, each lives in the file of its
family (beside ``nn/modules/<family>.py``), and the families agree on dtypes. Each function's own
tests are in ``test_<family>.py``."""

from __future__ import annotations

from pathlib import Path

import ember
import ember.nn.functional as F
from helpers import torch


def test_float32_end_to_end():
    x = ember.randn(4, 3)
    for out in (F.linear(x, ember.randn(2, 3), ember.randn(2)), F.relu(x), F.dropout(x, 0.3),
                F.softmax(x, 1), F.gelu(x), F.batch_norm(x, None, None, training=True),
                F.cross_entropy(x, ember.tensor([0, 1, 2, 1]))):
        assert out.dtype == ember.float32


def test_every_exported_name_is_pytorchs():
    assert set(F.__all__) <= set(dir(torch.nn.functional))
    assert all(callable(getattr(F, name)) for name in F.__all__)


def test_each_functional_lives_beside_its_layer_family():
    functional_dir = Path(F.__file__).parent
    modules_dir = functional_dir.parent / "modules"
    families = {p.stem for p in functional_dir.glob("*.py") if not p.stem.startswith("_")}
    assert families <= {p.stem for p in modules_dir.glob("*.py")}
    for name in F.__all__:
        family = getattr(F, name).__module__.rsplit(".", 1)[-1]
        assert family in families, (name, family)

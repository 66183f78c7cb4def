"""Export the demo's CNN to ONNX and run it in ONNX Runtime (``pip install ember[onnx]``).

python examples/export_onnx.py --epochs 2 --out digits_cnn.onnx

Trains the CNN of ``python -m ember demo`` briefly, exports it with a dynamic batch axis,
checks the file with ``onnx.checker`` and compares ONNX Runtime's predictions with ember's
on the whole test split (one batch size at export, another at inference).
"""

from __future__ import annotations

import argparse
import os
import tempfile

import numpy as np

import ember
import ember.nn.functional as F
import ember.onnx
from ember.demo import DigitsCNN, load_digits_split
from ember.utils.data import DataLoader, TensorDataset


def train(model, x, y, epochs: int) -> None:
    optimizer = ember.optim.Adam(model.parameters(), lr=1e-2)
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    model.train()
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            optimizer.step()


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--out", default=None, help="where to write the .onnx file")
    args = parser.parse_args(argv)
    try:
        import onnxruntime as ort

        import onnx
    except ImportError as exc:
        raise SystemExit(
            "this example needs onnx and onnxruntime: pip install ember[onnx]"
        ) from exc

    ember.manual_seed(0)
    x_tr, y_tr, x_te, y_te = load_digits_split(seed=0)
    model = DigitsCNN()
    train(model, x_tr, y_tr, args.epochs)

    path = args.out or os.path.join(tempfile.mkdtemp(), "digits_cnn.onnx")
    ember.onnx.export(model, x_te[:8], path, input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    onnx.checker.check_model(onnx.load(path), full_check=True)

    model.eval()
    with ember.no_grad():
        expected = model(x_te).numpy()
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    (got,) = session.run(["logits"], {"image": x_te.numpy()})
    report = {
        "path": path,
        "max_abs_diff": float(np.abs(got - expected).max()),
        "ember_accuracy": float((expected.argmax(1) == y_te.numpy()).mean()),
        "onnxruntime_accuracy": float((got.argmax(1) == y_te.numpy()).mean()),
    }
    print(f"wrote {path}")
    print(f"ONNX Runtime vs ember on {len(got)} test images: max |diff| "
          f"{report['max_abs_diff']:.2e}, accuracy {report['onnxruntime_accuracy']:.3f} "
          f"(ember {report['ember_accuracy']:.3f})")
    return report


if __name__ == "__main__":
    main()

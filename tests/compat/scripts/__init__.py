"""Tutorial-style PyTorch programs, each written once against a library argument ``torch``.

One module per family (supervised, vision, sequence, transformer, generative, reinforcement,
data, scientific). Each script takes ``(torch, sync, data)`` (see ``../_harness.py``) and
returns what a tutorial would print: losses per step, accuracies, shapes and dtypes. Written
the way people write them, not the way ember's own code is written.
"""


def _nn(torch):
    return torch.nn, torch.nn.functional

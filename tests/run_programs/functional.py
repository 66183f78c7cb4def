"""Functional PyTorch: `import torch.nn.functional as F`, hand-held weights, autograd.grad.

Run by tests/test_run.py with `python` on PyTorch and with `ember run`; both print the same.
"""

import torch
import torch.nn.functional as F


def weight(*shape: int, phase: float = 0.0) -> torch.Tensor:
    count = 1
    for size in shape:
        count *= size
    values = torch.cos(torch.arange(count, dtype=torch.float32) * 0.37 + phase) * 0.4
    return values.reshape(shape).requires_grad_()


images = torch.sin(torch.arange(2 * 1 * 6 * 6, dtype=torch.float32) * 0.11).reshape(2, 1, 6, 6)
labels = torch.tensor([1, 2])
conv_w, conv_b = weight(4, 1, 3, 3), weight(4, phase=1.0)
fc_w, fc_b = weight(3, 4 * 2 * 2, phase=2.0), weight(3, phase=3.0)

for step in range(3):
    hidden = F.relu(F.conv2d(images, conv_w, conv_b, padding=1))
    hidden = F.max_pool2d(hidden, 3)
    logits = F.linear(hidden.flatten(1), fc_w, fc_b)
    loss = F.cross_entropy(logits, labels)
    grads = torch.autograd.grad(loss, [conv_w, conv_b, fc_w, fc_b])
    with torch.no_grad():
        for param, grad in zip([conv_w, conv_b, fc_w, fc_b], grads):
            param -= 0.5 * grad
    print("step", step, "loss", f"{loss.item():.6f}",
          "grad_norms", [round(g.norm().item(), 6) for g in grads])

probabilities = F.softmax(logits.detach(), dim=1)
print("probabilities", [round(p, 5) for p in probabilities.flatten().tolist()])
print("log_softmax_sum", f"{F.log_softmax(logits.detach(), dim=1).sum().item():.5f}")

# ruff: noqa: B007, B905, E741, UP008 - written as tutorials write them, on purpose
"""Convolutional networks: the MNIST example, the CIFAR-10 tutorial net, saliency with hooks.

Each script takes ``(torch, sync, data)`` (see ``tests/compat/_harness.py``).
"""

from __future__ import annotations

from . import _nn


# --- saliency / Grad-CAM style: forward and backward hooks, input gradients -------------------
def saliency_hooks(torch, sync, data):
    nn, F = _nn(torch)
    model = sync(nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                               nn.Linear(16, 3)))
    model.eval()
    activations, gradients = {}, {}

    def forward_hook(module, inp, out):
        activations["feat"] = out.detach()

    def backward_hook(module, grad_in, grad_out):
        gradients["feat"] = grad_out[0].detach()

    fh = model[2].register_forward_hook(forward_hook)
    bh = model[2].register_full_backward_hook(backward_hook)
    x = torch.from_numpy(data["x"]).requires_grad_()
    scores = model(x)
    target = scores.argmax(dim=1)
    one_hot = torch.zeros_like(scores).scatter_(1, target.unsqueeze(1), 1.0)
    model.zero_grad()
    scores.backward(gradient=one_hot)
    weights = gradients["feat"].mean(dim=0, keepdim=True)
    cam = F.relu((weights * activations["feat"]).sum(dim=1))
    saliency = x.grad.abs().max(dim=1).values
    fh.remove()
    bh.remove()
    return {"cam": cam, "saliency": saliency, "target": target,
            "feat_shape": activations["feat"].shape}


# --- CNNs: the MNIST example and the CIFAR-10 tutorial nets -----------------------------------
def train_mnist_cnn(torch, sync, data):
    nn, F = _nn(torch)

    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.conv1 = nn.Conv2d(1, 8, 3, 1)
            self.conv2 = nn.Conv2d(8, 16, 3, 1)
            self.dropout1 = nn.Dropout(0.0)
            self.dropout2 = nn.Dropout(0.0)
            self.fc1 = nn.Linear(16 * 5 * 5, 32)
            self.fc2 = nn.Linear(32, 10)

        def forward(self, x):
            x = self.conv1(x)
            x = F.relu(x)
            x = self.conv2(x)
            x = F.relu(x)
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = torch.flatten(x, 1)
            x = self.fc1(x)
            x = F.relu(x)
            x = self.dropout2(x)
            x = self.fc2(x)
            return F.log_softmax(x, dim=1)

    images = torch.from_numpy(data["images"]).float() / 255.0        # uint8 -> [0, 1]
    images = (images - 0.1307) / 0.3081
    images = images.unsqueeze(1)                                      # (N, 1, 14, 14)
    targets = torch.from_numpy(data["labels"])
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(images, targets),
                                         batch_size=16)
    model = sync(Net())
    optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
    losses = []
    for epoch in range(1, 3):
        model.train()
        for batch_idx, (data_, target) in enumerate(loader):
            optimizer.zero_grad()
            output = model(data_)
            loss = F.nll_loss(output, target)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        scheduler.step()
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for data_, target in loader:
            output = model(data_)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    return {"losses": losses, "test_loss": test_loss / len(loader.dataset), "correct": correct,
            "conv1_grad": model.conv1.weight.grad}


def train_cifar_cnn(torch, sync, data):
    nn, F = _nn(torch)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 6, 5)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.bn = nn.BatchNorm2d(16)
            self.fc1 = nn.Linear(16 * 5 * 5, 32)
            self.fc2 = nn.Linear(32, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.bn(self.conv2(x))))
            x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            return self.fc2(x)

    net = sync(Net())
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    inputs_all = torch.from_numpy(data["images"])
    labels_all = torch.from_numpy(data["labels"])
    trainloader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(inputs_all, labels_all), batch_size=8, shuffle=False,
        num_workers=0)  # ember has no worker processes
    losses = []
    for epoch in range(2):
        running_loss = 0.0
        for i, data_ in enumerate(trainloader, 0):
            inputs, labels = data_
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        losses.append(running_loss / len(trainloader))
    correct_pred = {c: 0 for c in range(10)}
    total_pred = {c: 0 for c in range(10)}
    net.eval()
    with torch.no_grad():
        outputs = net(inputs_all)
        _, predictions = torch.max(outputs, 1)
        for label, prediction in zip(labels_all, predictions):
            if label == prediction:
                correct_pred[label.item()] += 1
            total_pred[label.item()] += 1
    return {"losses": losses, "correct": correct_pred, "total": total_pred,
            "running_var": net.bn.running_var}

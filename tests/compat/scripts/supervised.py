# ruff: noqa: B007, B905, E741, UP008 - written as tutorials write them, on purpose
"""Supervised training loops: regression and classification MLPs, BatchNorm, fine-tuning,
schedulers, checkpoints, a modern training loop.

Each script takes ``(torch, sync, data)`` (see ``tests/compat/_harness.py``).
"""

from __future__ import annotations

import os
import tempfile

from . import _nn


# --- logistic regression ---------------------------------------------------------------------
def train_logreg(torch, sync, data):
    nn, F = _nn(torch)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    class LogisticRegression(nn.Module):
        def __init__(self, n_features):
            super().__init__()
            self.linear = nn.Linear(n_features, 1)

        def forward(self, x):
            return torch.sigmoid(self.linear(x))

    X = torch.from_numpy(data["X"]).float()
    y = torch.from_numpy(data["y"]).float().unsqueeze(1)
    model = sync(LogisticRegression(X.shape[1])).to(device)
    criterion = nn.BCELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    losses = []
    for epoch in range(30):
        optimizer.zero_grad()
        out = model(X.to(device))
        loss = criterion(out, y.to(device))
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    with torch.no_grad():
        pred = (model(X) > 0.5).float()
        acc = (pred == y).sum().item() / y.size(0)
    return {"losses": losses, "acc": acc, "pred_dtype": pred.dtype, "pred_shape": pred.shape,
            "weight": model.linear.weight}


# --- MLP classifier with DataLoader, scheduler, checkpoint -----------------------------------
def train_mlp_classifier(torch, sync, data):
    nn, F = _nn(torch)
    from_numpy = torch.from_numpy
    DataLoader = torch.utils.data.DataLoader
    TensorDataset = torch.utils.data.TensorDataset
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    class Net(nn.Module):
        def __init__(self, in_dim, hidden, n_classes):
            super(Net, self).__init__()
            self.fc1 = nn.Linear(in_dim, hidden)
            self.fc2 = nn.Linear(hidden, hidden)
            self.fc3 = nn.Linear(hidden, n_classes)

        def forward(self, x):
            x = x.view(x.size(0), -1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    X = from_numpy(data["X"])
    y = from_numpy(data["y"]).long()
    train_ds = TensorDataset(X[:96], y[:96])
    test_ds = TensorDataset(X[96:], y[96:])
    train_loader = DataLoader(train_ds, batch_size=16, shuffle=False)
    test_loader = DataLoader(test_ds, batch_size=32)  # the CIFAR tutorial's num_workers=2: 0 here
    model = sync(Net(X[0].numel(), 32, 3)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    criterion = nn.CrossEntropyLoss()
    losses, lrs = [], []
    for epoch in range(4):
        model.train()
        running = 0.0
        for batch_idx, (inputs, targets) in enumerate(train_loader):
            inputs, targets = inputs.to(device), targets.to(device)
            optimizer.zero_grad()
            outputs = model(inputs)
            loss = criterion(outputs, targets)
            loss.backward()
            optimizer.step()
            running += loss.item() * inputs.size(0)
        scheduler.step()
        losses.append(running / len(train_loader.dataset))
        lrs.append(scheduler.get_last_lr()[0])

    model.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for inputs, targets in test_loader:
            outputs = model(inputs)
            _, predicted = torch.max(outputs.data, 1)
            total += targets.size(0)
            correct += (predicted == targets).sum().item()
    acc = 100.0 * correct / total

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "model.pth")
        torch.save(model.state_dict(), path)
        model2 = Net(X[0].numel(), 32, 3)
        model2.load_state_dict(torch.load(path))
        model2.eval()
        same = torch.equal(model2(X[96:]), model(X[96:]))
        ckpt = os.path.join(d, "ckpt.pt")
        torch.save({"epoch": 4, "model_state_dict": model.state_dict(),
                    "optimizer_state_dict": optimizer.state_dict(), "loss": losses[-1]}, ckpt)
        checkpoint = torch.load(ckpt)
        opt2 = torch.optim.Adam(model2.parameters(), lr=1e-2)
        opt2.load_state_dict(checkpoint["optimizer_state_dict"])
        epoch = checkpoint["epoch"]
    probs = F.softmax(model(X[96:100]), dim=1)
    return {"losses": losses, "lrs": lrs, "acc": acc, "reloaded_equal": same, "epoch": epoch,
            "probs": probs, "argmax": probs.argmax(dim=1),
            "n_params": sum(p.numel() for p in model.parameters() if p.requires_grad)}


# --- regression with gradient accumulation and clipping --------------------------------------
def train_regression_accum(torch, sync, data):
    nn, F = _nn(torch)
    X = torch.tensor(data["X"], dtype=torch.float32)
    y = torch.tensor(data["y"], dtype=torch.float32).view(-1, 1)
    model = nn.Sequential(nn.Linear(X.shape[1], 16), nn.Tanh(), nn.Linear(16, 1))
    for m in model.modules():
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    sync(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
    accum = 4
    losses, norms = [], []
    optimizer.zero_grad()
    for i in range(16):
        xb, yb = X[i * 8:(i + 1) * 8], y[i * 8:(i + 1) * 8]
        loss = F.mse_loss(model(xb), yb) / accum
        loss.backward()
        if (i + 1) % accum == 0:
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            norms.append(float(norm))
            optimizer.step()
            optimizer.zero_grad()
        losses.append(loss.item() * accum)
    return {"losses": losses, "norms": norms, "out": model(X[:4]).detach()}


# --- BatchNorm/Dropout MLP with train/eval and ReduceLROnPlateau ------------------------------
def train_bn_mlp(torch, sync, data):
    nn, F = _nn(torch)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(10, 32)
            self.bn1 = nn.BatchNorm1d(32)
            self.dropout = nn.Dropout(0.5)
            self.fc2 = nn.Linear(32, 3)

        def forward(self, x):
            x = self.dropout(F.relu(self.bn1(self.fc1(x))))
            return F.log_softmax(self.fc2(x), dim=1)

    X = torch.from_numpy(data["X"])
    y = torch.from_numpy(data["y"])
    model = sync(Net())
    model.dropout.p = 0.0     # deterministic across libraries
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", patience=1,
                                                           factor=0.5)
    losses, lrs = [], []
    for epoch in range(8):
        model.train()
        optimizer.zero_grad()
        output = model(X)
        loss = F.nll_loss(output, y)
        loss.backward()
        optimizer.step()
        model.eval()
        with torch.no_grad():
            val_loss = F.nll_loss(model(X), y, reduction="sum").item() / len(X)
        scheduler.step(val_loss)
        losses.append(val_loss)
        lrs.append(optimizer.param_groups[0]["lr"])
    pred = model(X).argmax(dim=1, keepdim=True)
    correct = pred.eq(y.view_as(pred)).sum().item()
    return {"losses": losses, "lrs": lrs, "correct": correct,
            "running_mean": model.bn1.running_mean, "num_batches":
            model.bn1.num_batches_tracked, "training": model.training,
            "state_keys": list(model.state_dict().keys())}


# --- linear regression from scratch (no nn) --------------------------------------------------
def linreg_from_scratch(torch, sync, data):
    X = torch.from_numpy(data["X"])
    y = torch.from_numpy(data["y"]).unsqueeze(-1)
    w = torch.zeros(X.shape[1], 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    lr = 0.1
    losses = []
    for epoch in range(20):
        y_pred = X @ w + b
        loss = ((y_pred - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
        losses.append(loss.item())
    return {"losses": losses, "w": w.detach().clone(), "b": b.item(),
            "w_list": [round(v, 4) for v in w.squeeze().tolist()],
            "req": w.requires_grad, "is_leaf": w.is_leaf}


# --- transfer learning: freeze a backbone, new head, only head params optimised ---------------
def train_finetune_frozen(torch, sync, data):
    nn, F = _nn(torch)
    import copy

    backbone = sync(nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.BatchNorm1d(16),
                                  nn.Linear(16, 8), nn.ReLU()))
    for param in backbone.parameters():
        param.requires_grad = False
    model = nn.Sequential(backbone, nn.Linear(8, 3))
    sync(model[1])
    optimizer = torch.optim.SGD(filter(lambda p: p.requires_grad, model.parameters()), lr=0.1,
                                momentum=0.9)
    exp_lr_scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.1)
    X, y = torch.from_numpy(data["X"]), torch.from_numpy(data["y"])
    best_acc, best_model_wts = 0.0, copy.deepcopy(model.state_dict())
    history = []
    for epoch in range(4):
        for phase in ["train", "val"]:
            if phase == "train":
                model.train()
            else:
                model.eval()
            running_loss, running_corrects = 0.0, 0
            inputs, labels = (X[:48], y[:48]) if phase == "train" else (X[48:], y[48:])
            optimizer.zero_grad()
            with torch.set_grad_enabled(phase == "train"):
                outputs = model(inputs)
                _, preds = torch.max(outputs, 1)
                loss = F.cross_entropy(outputs, labels)
                if phase == "train":
                    loss.backward()
                    optimizer.step()
            running_loss += loss.item() * inputs.size(0)
            running_corrects += torch.sum(preds == labels.data)
            if phase == "train":
                exp_lr_scheduler.step()
            epoch_acc = running_corrects.double() / len(inputs)
            history.append((phase, round(running_loss / len(inputs), 4), epoch_acc))
            if phase == "val" and epoch_acc > best_acc:
                best_acc = epoch_acc
                best_model_wts = copy.deepcopy(model.state_dict())
    model.load_state_dict(best_model_wts)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return {"history": history, "best_acc": best_acc, "trainable": trainable,
            "frozen_grad_is_none": model[0][0].weight.grad is None,
            "bn_running_var": model[0][2].running_var, "keys": list(model.state_dict())}


# --- a "modern" loop: param groups without decay, OneCycleLR per batch, AMP scaffolding, EMA,
# mixup, inference_mode evaluation, early stopping -------------------------------------------
def train_modern_loop(torch, sync, data):
    nn, F = _nn(torch)
    import copy

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    use_amp = device.type == "cuda"

    class MLP(nn.Module):
        def __init__(self, d_in=10, d=32, n_classes=3, p=0.0):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(d_in, d), nn.LayerNorm(d), nn.GELU(),
                                     nn.Dropout(p), nn.Linear(d, d), nn.SiLU(),
                                     nn.Linear(d, n_classes))

        def forward(self, x):
            return self.net(x)

    def init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            if m.bias is not None:
                nn.init.constant_(m.bias, 0.01)

    model = MLP().to(device)
    model.apply(init_weights)
    sync(model)
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        (no_decay if name.endswith("bias") or param.ndim == 1 else decay).append(param)
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=3e-3)
    X, y = torch.from_numpy(data["X"]), torch.from_numpy(data["y"])
    train = torch.utils.data.TensorDataset(X[:96], y[:96])
    loader = torch.utils.data.DataLoader(train, batch_size=32)
    epochs = 4
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1e-2, epochs=epochs,
                                                    steps_per_epoch=len(loader))
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp)
    perm = torch.from_numpy(data["perm"])
    lams = data["lams"]
    best_val, bad_epochs, patience = float("inf"), 0, 2
    history = []
    step = 0
    for epoch in range(epochs):
        model.train()
        for xb, yb in loader:
            xb, yb = xb.to(device, non_blocking=True), yb.to(device, non_blocking=True)
            lam = lams[step]
            index = perm[step]
            mixed_x = lam * xb + (1 - lam) * xb[index, :]
            with torch.autocast(device_type=device.type, enabled=use_amp):
                out = model(mixed_x)
                loss = lam * F.cross_entropy(out, yb) + (1 - lam) * F.cross_entropy(out, yb[index])
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=2.0)
            scaler.step(optimizer)
            scaler.update()
            scheduler.step()
            with torch.no_grad():
                for ema_p, p in zip(ema.parameters(), model.parameters()):
                    ema_p.mul_(0.9).add_(p.detach(), alpha=0.1)
            step += 1
        model.eval()
        with torch.inference_mode():
            val_loss = F.cross_entropy(model(X[96:]), y[96:]).item()
            ema_acc = (ema(X[96:]).argmax(-1) == y[96:]).float().mean().item()
        history.append((round(val_loss, 5), ema_acc, round(scheduler.get_last_lr()[0], 7)))
        if val_loss < best_val - 1e-4:
            best_val, bad_epochs = val_loss, 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            bad_epochs += 1
            if bad_epochs >= patience:
                break
    model.load_state_dict(best_state)
    return {"history": history, "best_val": best_val, "group_sizes":
            [len(g["params"]) for g in optimizer.param_groups],
            "lrs": [g["lr"] for g in optimizer.param_groups], "scale": scaler.get_scale(),
            "ema_w": ema.net[0].weight}

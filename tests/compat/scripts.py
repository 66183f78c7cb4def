# ruff: noqa: B007, B905, E741, UP008 - written as tutorials write them, on purpose
"""Tutorial-style PyTorch programs, each written once against a library argument ``torch``.

Each takes ``(torch, sync, data)`` (see ``_harness.py``) and returns what a tutorial would
print: losses per step, accuracies, shapes and dtypes. Written the way people write them.
"""

from __future__ import annotations

import os
import tempfile


def _nn(torch):
    return torch.nn, torch.nn.functional


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


# --- autoencoder ------------------------------------------------------------------------------
def train_autoencoder(torch, sync, data):
    nn, F = _nn(torch)

    class Autoencoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Sequential(
                nn.Linear(20, 12), nn.ReLU(True), nn.Linear(12, 4))
            self.decoder = nn.Sequential(
                nn.Linear(4, 12), nn.ReLU(True), nn.Linear(12, 20), nn.Sigmoid())

        def forward(self, x):
            z = self.encoder(x)
            return self.decoder(z), z

    X = torch.from_numpy(data["X"])
    model = sync(Autoencoder())
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    loader = torch.utils.data.DataLoader(X, batch_size=32)
    losses = []
    for epoch in range(5):
        total = 0
        for xb in loader:
            recon, z = model(xb)
            loss = nn.MSELoss()(recon, xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
        losses.append(total / len(loader))
    with torch.no_grad():
        recon, z = model(X[:5])
    return {"losses": losses, "z": z, "recon_shape": tuple(recon.shape),
            "n_batches": len(loader)}


# --- char-level / embedding model -------------------------------------------------------------
def train_char_model(torch, sync, data):
    nn, F = _nn(torch)
    text = "hello world, hello ember. the quick brown fox jumps over the lazy dog."
    chars = sorted(list(set(text)))
    stoi = {ch: i for i, ch in enumerate(chars)}
    itos = {i: ch for ch, i in stoi.items()}
    encoded = torch.tensor([stoi[c] for c in text], dtype=torch.long)
    block = 4

    class CharModel(nn.Module):
        def __init__(self, vocab_size, emb_dim=8, hidden=32):
            super().__init__()
            self.embed = nn.Embedding(vocab_size, emb_dim)
            self.fc1 = nn.Linear(block * emb_dim, hidden)
            self.ln = nn.LayerNorm(hidden)
            self.head = nn.Linear(hidden, vocab_size)

        def forward(self, idx):
            emb = self.embed(idx)                     # (B, T, C)
            h = emb.view(emb.shape[0], -1)
            h = F.gelu(self.ln(self.fc1(h)))
            return self.head(h)

    xs = torch.stack([encoded[i:i + block] for i in range(len(encoded) - block)])
    ys = encoded[block:]
    model = sync(CharModel(len(chars)))
    optimizer = torch.optim.RMSprop(model.parameters(), lr=5e-3)
    losses = []
    for step in range(20):
        logits = model(xs)
        loss = F.cross_entropy(logits, ys)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(round(loss.item(), 4))
    # greedy generation
    model.eval()
    ctx = encoded[:block].unsqueeze(0)
    out = []
    with torch.no_grad():
        for _ in range(10):
            logits = model(ctx[:, -block:])
            nxt = logits.argmax(dim=-1, keepdim=True)
            ctx = torch.cat([ctx, nxt], dim=1)
            out.append(itos[nxt.item()])
    return {"losses": losses, "generated": "".join(out), "ctx_dtype": ctx.dtype,
            "ctx_shape": ctx.shape, "emb_weight_grad_shape": tuple(model.embed.weight.grad.shape)}


# --- VAE --------------------------------------------------------------------------------------
def train_vae(torch, sync, data):
    nn, F = _nn(torch)

    class VAE(nn.Module):
        def __init__(self, in_dim=16, h=12, z=3):
            super().__init__()
            self.fc1 = nn.Linear(in_dim, h)
            self.fc_mu = nn.Linear(h, z)
            self.fc_logvar = nn.Linear(h, z)
            self.fc3 = nn.Linear(z, h)
            self.fc4 = nn.Linear(h, in_dim)

        def encode(self, x):
            h = F.relu(self.fc1(x))
            return self.fc_mu(h), self.fc_logvar(h)

        def reparameterize(self, mu, logvar):
            std = torch.exp(0.5 * logvar)
            eps = torch.randn_like(std)
            return mu + eps * std

        def decode(self, z):
            return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

        def forward(self, x):
            mu, logvar = self.encode(x)
            z = self.reparameterize(mu, logvar) if self.training else mu
            return self.decode(z), mu, logvar

    def loss_function(recon_x, x, mu, logvar):
        bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
        kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return bce + kld

    X = torch.from_numpy(data["X"])
    model = sync(VAE())
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    train_losses = []
    for epoch in range(15):
        model.train()
        optimizer.zero_grad()
        recon, mu, logvar = model(X)
        loss = loss_function(recon, X, mu, logvar)
        loss.backward()
        optimizer.step()
        train_losses.append(loss.item() / len(X))
    # random sampling: compare only what is deterministic
    model.eval()
    with torch.no_grad():
        recon, mu, logvar = model(X)
        eval_loss = loss_function(recon, X, mu, logvar).item()
        sample = model.decode(torch.randn(5, 3))
    return {"decreased": train_losses[-1] < train_losses[0],
            "finite": all(l == l for l in train_losses), "eval_finite": eval_loss == eval_loss,
            "sample_shape": sample.shape, "sample_dtype": sample.dtype,
            "in_range": bool(((sample >= 0) & (sample <= 1)).all())}


def eval_vae_deterministic(torch, sync, data):
    """VAE loss/gradients with the noise given (as when eps is passed in), compared exactly."""
    nn, F = _nn(torch)
    x = torch.from_numpy(data["X"])
    eps = torch.from_numpy(data["eps"])
    enc = sync(nn.Linear(16, 6))
    dec = sync(nn.Linear(3, 16))
    opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=1e-2)
    losses = []
    for _ in range(10):
        mu, logvar = enc(x).chunk(2, dim=1)
        std = torch.exp(0.5 * logvar)
        z = mu + eps * std
        recon = dec(z)
        kld = -0.5 * torch.mean(torch.sum(1 + logvar - mu ** 2 - logvar.exp(), dim=1), dim=0)
        loss = F.binary_cross_entropy_with_logits(recon, x) + 0.1 * kld
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return {"losses": losses, "mu": mu.detach(), "std": std.detach()}


# --- GAN with two optimizers and .detach() ----------------------------------------------------
def train_gan(torch, sync, data):
    nn, F = _nn(torch)
    latent = 4

    class Generator(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(latent, 16), nn.LeakyReLU(0.2), nn.Linear(16, 2))

        def forward(self, z):
            return self.net(z)

    class Discriminator(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1),
                                     nn.Sigmoid())

        def forward(self, x):
            return self.net(x)

    G, D = sync(Generator()), sync(Discriminator())
    opt_G = torch.optim.Adam(G.parameters(), lr=2e-3, betas=(0.5, 0.999))
    opt_D = torch.optim.Adam(D.parameters(), lr=2e-3, betas=(0.5, 0.999))
    criterion = nn.BCELoss()
    real_data = torch.from_numpy(data["real"])
    noise = torch.from_numpy(data["noise"])
    d_losses, g_losses = [], []
    bs = 16
    for step in range(8):
        real = real_data[step * bs:(step + 1) * bs]
        z = noise[step * bs:(step + 1) * bs]
        real_labels = torch.ones(bs, 1)
        fake_labels = torch.zeros(bs, 1)
        # train D
        fake = G(z)
        d_loss = criterion(D(real), real_labels) + criterion(D(fake.detach()), fake_labels)
        opt_D.zero_grad()
        d_loss.backward()
        opt_D.step()
        # train G
        g_loss = criterion(D(fake), real_labels)
        opt_G.zero_grad()
        g_loss.backward()
        opt_G.step()
        d_losses.append(d_loss.item())
        g_losses.append(g_loss.item())
    return {"d": d_losses, "g": g_losses, "fake_requires_grad": fake.requires_grad,
            "detached_requires_grad": fake.detach().requires_grad}


# --- WGAN-GP gradient penalty -----------------------------------------------------------------
def gradient_penalty(torch, sync, data):
    nn, F = _nn(torch)
    critic = sync(nn.Sequential(nn.Linear(3, 16), nn.Tanh(), nn.Linear(16, 1)))
    opt = torch.optim.Adam(critic.parameters(), lr=1e-3, betas=(0.0, 0.9))
    real = torch.from_numpy(data["real"])
    fake = torch.from_numpy(data["fake"])
    alpha = torch.from_numpy(data["alpha"])
    losses, gps = [], []
    for _ in range(6):
        interpolates = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
        d_interp = critic(interpolates)
        gradients = torch.autograd.grad(
            outputs=d_interp, inputs=interpolates,
            grad_outputs=torch.ones_like(d_interp),
            create_graph=True, retain_graph=True, only_inputs=True)[0]
        gradients = gradients.view(gradients.size(0), -1)
        gp = ((gradients.norm(2, dim=1) - 1) ** 2).mean()
        loss = critic(fake).mean() - critic(real).mean() + 10 * gp
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        gps.append(gp.item())
    return {"losses": losses, "gps": gps, "grad_w0": critic[0].weight.grad}


# --- physics-informed network: u'' = -pi^2 sin(pi x) -----------------------------------------
def train_pinn(torch, sync, data):
    nn, F = _nn(torch)
    import math

    class PINN(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(1, 16), nn.Linear(16, 16), nn.Linear(16, 1)])

        def forward(self, x):
            for layer in self.layers[:-1]:
                x = torch.tanh(layer(x))
            return self.layers[-1](x)

    model = sync(PINN())
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    x = torch.linspace(0, 1, 20).view(-1, 1).requires_grad_(True)
    xb = torch.tensor([[0.0], [1.0]])
    losses = []
    for it in range(10):
        optimizer.zero_grad()
        u = model(x)
        du = torch.autograd.grad(u, x, torch.ones_like(u), create_graph=True)[0]
        d2u = torch.autograd.grad(du, x, grad_outputs=torch.ones_like(du), create_graph=True)[0]
        residual = d2u + (math.pi ** 2) * torch.sin(math.pi * x)
        loss = torch.mean(residual ** 2) + torch.mean(model(xb) ** 2)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    # the usual finish: a few L-BFGS iterations with a closure
    lbfgs = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=4,
                              line_search_fn="strong_wolfe")

    def closure():
        lbfgs.zero_grad()
        u = model(x)
        du = torch.autograd.grad(u, x, torch.ones_like(u), create_graph=True)[0]
        d2u = torch.autograd.grad(du, x, torch.ones_like(du), create_graph=True)[0]
        res = d2u + (math.pi ** 2) * torch.sin(math.pi * x)
        loss = torch.mean(res ** 2) + torch.mean(model(xb) ** 2)
        loss.backward()
        return loss

    lbfgs_loss = lbfgs.step(closure).item()
    return {"losses": losses, "d2u": d2u.detach(), "x_grad_is_none": x.grad is None,
            "lbfgs_loss": lbfgs_loss}


# --- transformer-ish MLP block ----------------------------------------------------------------
def train_transformer_block(torch, sync, data):
    nn, F = _nn(torch)

    class Block(nn.Module):
        def __init__(self, d, n_heads=2):
            super().__init__()
            self.ln1 = nn.LayerNorm(d)
            self.qkv = nn.Linear(d, 3 * d)
            self.proj = nn.Linear(d, d)
            self.ln2 = nn.LayerNorm(d)
            self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))
            self.n_heads = n_heads

        def forward(self, x, pad_mask):
            B, T, C = x.size()
            q, k, v = self.qkv(self.ln1(x)).split(C, dim=2)
            q = q.view(B, T, self.n_heads, C // self.n_heads).transpose(1, 2)
            k = k.view(B, T, self.n_heads, C // self.n_heads).transpose(1, 2)
            v = v.view(B, T, self.n_heads, C // self.n_heads).transpose(1, 2)
            att = (q @ k.transpose(-2, -1)) * (1.0 / (k.size(-1) ** 0.5))
            causal = torch.tril(torch.ones(T, T)).view(1, 1, T, T)
            att = att.masked_fill(causal == 0, float("-inf"))
            att = att.masked_fill(pad_mask[:, None, None, :], float("-inf"))
            att = F.softmax(att, dim=-1)
            att = torch.nan_to_num(att)
            y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
            x = x + self.proj(y)
            return x + self.mlp(self.ln2(x))

    class Model(nn.Module):
        def __init__(self, vocab, d, T):
            super().__init__()
            self.tok = nn.Embedding(vocab, d, padding_idx=0)
            self.pos = nn.Parameter(torch.zeros(1, T, d))
            self.block = Block(d)
            self.head = nn.Linear(d, vocab, bias=False)

        def forward(self, idx):
            pad = idx == 0
            x = self.tok(idx) + self.pos[:, :idx.size(1)]
            return self.head(self.block(x, pad))

    idx = torch.from_numpy(data["idx"]).long()
    model = sync(Model(11, 8, 6))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.1)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)
    losses = []
    for _ in range(10):
        logits = model(idx[:, :-1])
        targets = idx[:, 1:]
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1),
                               ignore_index=0)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
    names = [n for n, _ in model.named_parameters()]
    return {"losses": losses, "names": names, "pad_grad_zero":
            bool((model.tok.weight.grad[0] == 0).all()), "lr": scheduler.get_last_lr()}


# --- custom Dataset returning dicts, shuffling, one_hot, where/clamp --------------------------
def custom_dataset_dicts(torch, sync, data):
    nn, F = _nn(torch)
    Dataset = torch.utils.data.Dataset
    DataLoader = torch.utils.data.DataLoader

    class MyDataset(Dataset):
        def __init__(self, X, y, transform=None):
            self.X = X
            self.y = y
            self.transform = transform

        def __len__(self):
            return len(self.X)

        def __getitem__(self, idx):
            x = torch.tensor(self.X[idx], dtype=torch.float32)
            if self.transform:
                x = self.transform(x)
            return {"features": x, "label": int(self.y[idx]), "idx": idx}

    ds = MyDataset(data["X"], data["y"], transform=lambda t: (t - t.mean()) / (t.std() + 1e-6))
    loader = DataLoader(ds, batch_size=12, shuffle=True, drop_last=True)
    seen = []
    shapes = []
    for batch in loader:
        seen.extend(batch["idx"].tolist())
        shapes.append((tuple(batch["features"].shape), batch["label"].dtype, batch["idx"].dtype))
    # deterministic model part
    model = sync(nn.Linear(5, 4))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    eval_loader = DataLoader(ds, batch_size=8)
    losses = []
    for batch in eval_loader:
        x, label = batch["features"], batch["label"]
        target = F.one_hot(label, num_classes=4).float()
        logits = model(x)
        probs = torch.clamp(torch.sigmoid(logits), min=1e-4, max=1 - 1e-4)
        loss = -(target * torch.log(probs) + (1 - target) * torch.log(1 - probs)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    logits = model(torch.tensor(data["X"], dtype=torch.float32))
    confident = torch.where(logits.max(dim=1).values > 0, logits.argmax(1),
                            torch.full_like(logits.argmax(1), -1))
    return {"seen_sorted": sorted(seen), "n_batches": len(loader), "shapes": shapes,
            "losses": losses, "confident": confident,
            "onehot": F.one_hot(torch.tensor([0, 2, 1])), "len": len(ds)}


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


# --- RNN sequence classifier ------------------------------------------------------------------
def train_lstm_classifier(torch, sync, data):
    nn, F = _nn(torch)

    class LSTMClassifier(nn.Module):
        def __init__(self, vocab, emb, hidden, n_classes):
            super().__init__()
            self.embedding = nn.Embedding(vocab, emb)
            self.lstm = nn.LSTM(emb, hidden, batch_first=True)
            self.fc = nn.Linear(hidden, n_classes)

        def forward(self, x):
            embedded = self.embedding(x)
            output, (hidden, cell) = self.lstm(embedded)
            return self.fc(hidden[-1])

    x = torch.from_numpy(data["seq"]).long()
    y = torch.from_numpy(data["y"]).long()
    model = sync(LSTMClassifier(10, 6, 12, 2))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(6):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        nn.utils.clip_grad_value_(model.parameters(), 0.5)
        opt.step()
        losses.append(loss.item())
    acc = (model(x).argmax(1) == y).float().mean().item()
    return {"losses": losses, "acc": acc}


# --- REINFORCE policy gradient (pytorch/examples style) ---------------------------------------
def train_reinforce(torch, sync, data):
    nn, F = _nn(torch)
    from_numpy = torch.from_numpy
    Categorical = torch.distributions.Categorical

    class Policy(nn.Module):
        def __init__(self):
            super(Policy, self).__init__()
            self.affine1 = nn.Linear(4, 16)
            self.dropout = nn.Dropout(p=0.0)
            self.affine2 = nn.Linear(16, 2)
            self.saved_log_probs = []
            self.rewards = []

        def forward(self, x):
            x = self.affine1(x)
            x = self.dropout(x)
            x = F.relu(x)
            return F.softmax(self.affine2(x), dim=1)

    policy = sync(Policy())
    optimizer = torch.optim.Adam(policy.parameters(), lr=1e-2)
    eps = 1e-7
    gamma = 0.99
    states, actions, rewards = data["states"], data["actions"], data["rewards"]
    losses, sampled = [], []
    for episode in range(3):
        for t in range(states.shape[1]):
            state = from_numpy(states[episode, t]).float().unsqueeze(0)
            probs = policy(state)
            m = Categorical(probs)
            sampled.append((tuple(m.sample().shape), str(m.sample().dtype).split(".")[-1]))
            action = torch.tensor([int(actions[episode, t])])   # the action the env took
            policy.saved_log_probs.append(m.log_prob(action))
            policy.rewards.append(float(rewards[episode, t]))
        R = 0
        returns = []
        for r in policy.rewards[::-1]:
            R = r + gamma * R
            returns.insert(0, R)
        returns = torch.tensor(returns)
        returns = (returns - returns.mean()) / (returns.std() + eps)
        policy_loss = []
        for log_prob, R in zip(policy.saved_log_probs, returns):
            policy_loss.append(-log_prob * R)
        optimizer.zero_grad()
        policy_loss = torch.cat(policy_loss).sum()
        policy_loss.backward()
        optimizer.step()
        del policy.rewards[:]
        del policy.saved_log_probs[:]
        losses.append(policy_loss.item())
    return {"losses": losses, "sampled": sampled[:2], "entropy":
            Categorical(logits=policy.affine2.weight).entropy().detach()}


# --- char-level sampling with temperature and multinomial -------------------------------------
def sample_chars(torch, sync, data):
    nn, F = _nn(torch)
    vocab = 6
    emb = sync(nn.Embedding(vocab, 4))
    head = sync(nn.Linear(4, vocab))
    idx = torch.zeros((2, 1), dtype=torch.long)
    shapes = []
    for _ in range(5):
        logits = head(emb(idx[:, -1]))              # (B, vocab)
        probs = F.softmax(logits / 0.8, dim=-1)
        nxt = torch.multinomial(probs, num_samples=1)
        shapes.append((tuple(nxt.shape), nxt.dtype))
        idx = torch.cat((idx, nxt), dim=1)
    # temperature -> 0: the distribution is one-hot and sampling is deterministic
    logits = head(emb(torch.arange(vocab)))
    greedy = torch.multinomial(F.one_hot(logits.argmax(-1), vocab).float(), 1).squeeze(1)
    topv, topi = torch.topk(logits, 2, dim=-1)
    masked = logits.masked_fill(logits < topv[:, [-1]], float("-inf"))
    return {"shapes": shapes, "idx_shape": idx.shape, "in_range":
            bool(((idx >= 0) & (idx < vocab)).all()), "greedy": greedy,
            "topk_probs": F.softmax(masked, dim=-1).detach(), "no_repeat":
            len(set(torch.multinomial(torch.ones(vocab), vocab).tolist())) == vocab}


# --- DQN update: gather, target network, soft update, smooth_l1, epsilon-greedy ----------------
def train_dqn(torch, sync, data):
    nn, F = _nn(torch)
    import copy

    class DQN(nn.Module):
        def __init__(self, n_obs, n_actions):
            super(DQN, self).__init__()
            self.layer1 = nn.Linear(n_obs, 32)
            self.layer2 = nn.Linear(32, 32)
            self.layer3 = nn.Linear(32, n_actions)

        def forward(self, x):
            x = F.relu(self.layer1(x))
            x = F.relu(self.layer2(x))
            return self.layer3(x)

    policy_net = sync(DQN(4, 2))
    target_net = DQN(4, 2)
    target_net.load_state_dict(policy_net.state_dict())
    optimizer = torch.optim.AdamW(policy_net.parameters(), lr=1e-3, amsgrad=True)
    GAMMA, TAU = 0.99, 0.05
    s, a, r, s2, done = (data[k] for k in ("s", "a", "r", "s2", "done"))
    losses, greedy = [], []
    for step in range(6):
        sl = slice(step * 16, (step + 1) * 16)
        state_batch = torch.tensor(s[sl], dtype=torch.float32)
        action_batch = torch.tensor(a[sl]).view(-1, 1)
        reward_batch = torch.tensor(r[sl], dtype=torch.float32)
        non_final_mask = torch.tensor(tuple(map(lambda d: not d, done[sl])), dtype=torch.bool)
        non_final_next_states = torch.cat([torch.tensor(x, dtype=torch.float32).unsqueeze(0)
                                           for x, d in zip(s2[sl], done[sl]) if not d])
        state_action_values = policy_net(state_batch).gather(1, action_batch)
        next_state_values = torch.zeros(16)
        with torch.no_grad():
            next_state_values[non_final_mask] = target_net(non_final_next_states).max(1).values
        expected = (next_state_values * GAMMA) + reward_batch
        criterion = nn.SmoothL1Loss()
        loss = criterion(state_action_values, expected.unsqueeze(1))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_value_(policy_net.parameters(), 100)
        optimizer.step()
        target_net_state_dict = target_net.state_dict()
        policy_net_state_dict = policy_net.state_dict()
        for key in policy_net_state_dict:
            target_net_state_dict[key] = (policy_net_state_dict[key] * TAU
                                          + target_net_state_dict[key] * (1 - TAU))
        target_net.load_state_dict(target_net_state_dict)
        losses.append(loss.item())
        with torch.no_grad():
            greedy.append(policy_net(state_batch[:1]).max(1)[1].view(1, 1))
    best = copy.deepcopy(policy_net.state_dict())
    for p in policy_net.parameters():
        p.data.fill_(0.0)
    policy_net.load_state_dict(best)
    return {"losses": losses, "greedy": greedy, "target_w": target_net.layer3.weight,
            "restored": policy_net.layer3.bias}


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


# --- seq2seq GRU with bmm attention and teacher forcing ---------------------------------------
def train_seq2seq_attention(torch, sync, data):
    nn, F = _nn(torch)

    class Encoder(nn.Module):
        def __init__(self, vocab, hidden):
            super().__init__()
            self.embedding = nn.Embedding(vocab, hidden)
            self.gru = nn.GRU(hidden, hidden, batch_first=True)

        def forward(self, src):
            return self.gru(self.embedding(src))

    class Decoder(nn.Module):
        def __init__(self, vocab, hidden):
            super().__init__()
            self.embedding = nn.Embedding(vocab, hidden)
            self.gru = nn.GRU(2 * hidden, hidden, batch_first=True)
            self.out = nn.Linear(hidden, vocab)

        def forward(self, token, hidden, enc_out):
            emb = self.embedding(token)                              # (B, 1, H)
            query = hidden.permute(1, 0, 2)                          # (B, 1, H)
            scores = torch.bmm(query, enc_out.transpose(1, 2))       # (B, 1, T)
            weights = F.softmax(scores, dim=-1)
            context = torch.bmm(weights, enc_out)                    # (B, 1, H)
            output, hidden = self.gru(torch.cat((emb, context), dim=2), hidden)
            return F.log_softmax(self.out(output.squeeze(1)), dim=1), hidden, weights

    src, tgt = torch.from_numpy(data["src"]), torch.from_numpy(data["tgt"])
    enc, dec = sync(Encoder(8, 12)), sync(Decoder(8, 12))
    enc_opt = torch.optim.Adam(enc.parameters(), lr=1e-2)
    dec_opt = torch.optim.Adam(dec.parameters(), lr=1e-2)
    criterion = nn.NLLLoss()
    losses = []
    for it in range(4):
        enc_opt.zero_grad()
        dec_opt.zero_grad()
        enc_out, hidden = enc(src)
        token = torch.zeros(src.size(0), 1, dtype=torch.long)    # SOS
        loss = 0
        for t in range(tgt.size(1)):
            out, hidden, attn = dec(token, hidden, enc_out)
            loss += criterion(out, tgt[:, t])
            token = tgt[:, t].unsqueeze(1) if it % 2 == 0 else out.argmax(1).unsqueeze(1).detach()
        loss.backward()
        enc_opt.step()
        dec_opt.step()
        losses.append(loss.item() / tgt.size(1))
    return {"losses": losses, "attn": attn.detach(), "attn_sums": attn.sum(-1).detach()}


# --- TransformerEncoder text classifier with padding mask and LambdaLR warmup ------------------
def train_transformer_classifier(torch, sync, data):
    nn, F = _nn(torch)
    import math

    class PositionalEncoding(nn.Module):
        def __init__(self, d_model, max_len=50):
            super().__init__()
            position = torch.arange(max_len).unsqueeze(1)
            div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
            pe = torch.zeros(max_len, 1, d_model)
            pe[:, 0, 0::2] = torch.sin(position * div_term)
            pe[:, 0, 1::2] = torch.cos(position * div_term)
            self.register_buffer("pe", pe)

        def forward(self, x):                      # (T, B, D)
            return x + self.pe[:x.size(0)]

    class Classifier(nn.Module):
        def __init__(self, vocab, d_model=16, nhead=2, n_classes=2):
            super().__init__()
            self.embedding = nn.Embedding(vocab, d_model, padding_idx=0)
            self.pos = PositionalEncoding(d_model)
            layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=32, dropout=0.0)
            self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
            self.fc = nn.Linear(d_model, n_classes)
            self.d_model = d_model

        def forward(self, src):                    # (B, T)
            pad = src == 0
            x = self.embedding(src).transpose(0, 1) * math.sqrt(self.d_model)
            x = self.encoder(self.pos(x), src_key_padding_mask=pad)
            x = x.masked_fill(pad.t().unsqueeze(-1), 0.0)
            pooled = x.sum(0) / (~pad).sum(1, keepdim=True).float()
            return self.fc(pooled)

    src, y = torch.from_numpy(data["src"]), torch.from_numpy(data["y"])
    model = sync(Classifier(12))
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    warmup = 3
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lr_lambda=lambda step: min(1.0, (step + 1) / warmup))
    losses, lrs = [], []
    for _ in range(6):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(src), y, label_smoothing=0.1)
        loss.backward()
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
        lrs.append(scheduler.get_last_lr()[0])
    model.eval()
    with torch.no_grad():
        acc = (model(src).argmax(1) == y).float().mean().item()
    return {"losses": losses, "lrs": lrs, "acc": acc,
            "buffers": [n for n, _ in model.named_buffers()]}


# --- SimCLR-style contrastive loss: normalize, mm, temperature, arange labels -----------------
def train_contrastive(torch, sync, data):
    nn, F = _nn(torch)
    encoder = sync(nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 8)))
    opt = torch.optim.SGD(encoder.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    x1, x2 = torch.from_numpy(data["x1"]), torch.from_numpy(data["x2"])
    losses = []
    for _ in range(5):
        z1 = F.normalize(encoder(x1), dim=1)
        z2 = F.normalize(encoder(x2), dim=1)
        z = torch.cat([z1, z2], dim=0)
        n = z1.shape[0]
        sim = torch.mm(z, z.t()) / 0.5
        sim.fill_diagonal_(-1e9)
        mask = torch.eye(2 * n, dtype=torch.bool)
        sim = sim.masked_fill(mask, float("-inf"))
        labels = torch.cat([torch.arange(n) + n, torch.arange(n)])
        loss = F.cross_entropy(sim, labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    cos = F.cosine_similarity(encoder(x1), encoder(x2), dim=1)
    return {"losses": losses, "cos": cos.detach(), "pdist":
            F.pairwise_distance(z1, z2).detach()}


# --- weight tying, manual SGD on parameters, CE on (N, C, T) logits ---------------------------
def train_tied_lm(torch, sync, data):
    nn, F = _nn(torch)

    class TinyLM(nn.Module):
        def __init__(self, vocab=10, d=6):
            super().__init__()
            self.embed = nn.Embedding(vocab, d)
            self.rnn = nn.LSTM(d, d, batch_first=True)
            self.decoder = nn.Linear(d, vocab)
            self.decoder.weight = self.embed.weight     # tie weights

        def forward(self, x, hidden=None):
            out, hidden = self.rnn(self.embed(x), hidden)
            return self.decoder(out), hidden

    def repackage_hidden(h):
        if isinstance(h, torch.Tensor):
            return h.detach()
        return tuple(repackage_hidden(v) for v in h)

    model = sync(TinyLM())
    seq = torch.from_numpy(data["seq"])
    lr = 0.5
    hidden = None
    losses = []
    for i in range(0, seq.size(1) - 1, 5):
        x, y = seq[:, i:i + 5], seq[:, i + 1:i + 6]
        if hidden is not None:
            hidden = repackage_hidden(hidden)
        model.zero_grad()
        logits, hidden = model(x, hidden)
        loss = F.cross_entropy(logits.transpose(1, 2), y)     # (N, C, T) layout
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        losses.append(loss.item())
    return {"losses": losses, "n_params": len(list(model.parameters())),
            "keys": list(model.state_dict().keys()),
            "tied": model.decoder.weight is model.embed.weight,
            "ppl": torch.exp(torch.tensor(losses[-1])).item()}


# --- data utilities: random_split, Subset, collate_fn with padding, masked loss ---------------
def data_pipeline_padding(torch, sync, data):
    nn, F = _nn(torch)
    pad_sequence = torch.nn.utils.rnn.pad_sequence    # (a script would `from torch... import`)
    DataLoader, Dataset = torch.utils.data.DataLoader, torch.utils.data.Dataset
    Subset, random_split = torch.utils.data.Subset, torch.utils.data.random_split

    class SeqDataset(Dataset):
        def __init__(self, seqs, labels):
            self.seqs, self.labels = seqs, labels

        def __len__(self):
            return len(self.seqs)

        def __getitem__(self, i):
            return torch.tensor(self.seqs[i], dtype=torch.long), torch.tensor(self.labels[i])

    def collate(batch):
        seqs, labels = zip(*batch)
        lengths = torch.tensor([len(s) for s in seqs])
        return pad_sequence(seqs, batch_first=True, padding_value=0), lengths, torch.stack(labels)

    seqs = [list(range(1, 2 + n % 5)) for n in range(20)]
    ds = SeqDataset(seqs, data["labels"])
    train_ds, val_ds = random_split(ds, [16, 4], generator=torch.Generator().manual_seed(42))
    sizes = (len(train_ds), len(val_ds), len(Subset(ds, [0, 1, 2])))
    loader = DataLoader(Subset(ds, list(range(12))), batch_size=4, collate_fn=collate)
    emb = sync(nn.Embedding(8, 3, padding_idx=0))
    head = sync(nn.Linear(3, 2))
    opt = torch.optim.Adagrad(list(emb.parameters()) + list(head.parameters()), lr=0.1)
    losses, shapes = [], []
    for padded, lengths, labels in loader:
        mask = (padded != 0).float()
        h = (emb(padded) * mask.unsqueeze(-1)).sum(1) / lengths.unsqueeze(1)
        per_example = F.cross_entropy(head(h), labels, reduction="none")
        loss = (per_example * torch.tensor([1.0, 0.5, 1.0, 0.5])).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        shapes.append((tuple(padded.shape), padded.dtype, lengths.dtype, labels.dtype))
    return {"sizes": sizes, "losses": losses, "shapes": shapes,
            "split_disjoint": len(set(train_ds.indices) & set(val_ds.indices)) == 0}


# --- text classification with EmbeddingBag and offsets (the torchtext tutorial) ---------------
def train_text_classifier(torch, sync, data):
    nn, F = _nn(torch)

    class TextClassificationModel(nn.Module):
        def __init__(self, vocab_size, embed_dim, num_class):
            super(TextClassificationModel, self).__init__()
            self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, sparse=False)
            self.fc = nn.Linear(embed_dim, num_class)
            self.init_weights()

        def init_weights(self):
            initrange = 0.5
            self.embedding.weight.data.uniform_(-initrange, initrange)
            self.fc.weight.data.uniform_(-initrange, initrange)
            self.fc.bias.data.zero_()

        def forward(self, text, offsets):
            embedded = self.embedding(text, offsets)
            return self.fc(embedded)

    def collate_batch(batch):
        label_list, text_list, offsets = [], [], [0]
        for _label, _text in batch:
            label_list.append(_label)
            processed_text = torch.tensor(_text, dtype=torch.int64)
            text_list.append(processed_text)
            offsets.append(processed_text.size(0))
        label_list = torch.tensor(label_list, dtype=torch.int64)
        offsets = torch.tensor(offsets[:-1]).cumsum(dim=0)
        text_list = torch.cat(text_list)
        return label_list, text_list, offsets

    docs = [(int(lab), list(map(int, doc[:n]))) for lab, doc, n in
            zip(data["labels"], data["docs"], data["lengths"])]
    dataloader = torch.utils.data.DataLoader(docs, batch_size=8, shuffle=False,
                                             collate_fn=collate_batch)
    model = sync(TextClassificationModel(20, 8, 4))
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=5)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.1)
    accs, losses = [], []
    for epoch in range(1, 3):
        model.train()
        total_acc, total_count = 0, 0
        for idx, (label, text, offsets) in enumerate(dataloader):
            optimizer.zero_grad()
            predicted_label = model(text, offsets)
            loss = criterion(predicted_label, label)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
            optimizer.step()
            total_acc += (predicted_label.argmax(1) == label).sum().item()
            total_count += label.size(0)
            losses.append(loss.item())
        scheduler.step()
        accs.append(total_acc / total_count)
    return {"losses": losses, "accs": accs, "lr": scheduler.get_last_lr()}


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


# --- packed variable-length sequences through a bidirectional GRU (the chatbot tutorial) ------
def train_packed_gru_encoder(torch, sync, data):
    nn, F = _nn(torch)

    class EncoderRNN(nn.Module):
        def __init__(self, hidden_size, embedding, n_layers=2, dropout=0.0):
            super(EncoderRNN, self).__init__()
            self.n_layers = n_layers
            self.hidden_size = hidden_size
            self.embedding = embedding
            self.gru = nn.GRU(hidden_size, hidden_size, n_layers,
                              dropout=(0 if n_layers == 1 else dropout), bidirectional=True)

        def forward(self, input_seq, input_lengths, hidden=None):
            embedded = self.embedding(input_seq)
            packed = nn.utils.rnn.pack_padded_sequence(embedded, input_lengths)
            outputs, hidden = self.gru(packed, hidden)
            outputs, _ = nn.utils.rnn.pad_packed_sequence(outputs)
            outputs = outputs[:, :, :self.hidden_size] + outputs[:, :, self.hidden_size:]
            return outputs, hidden

    embedding = nn.Embedding(12, 6)
    encoder = sync(EncoderRNN(6, embedding))
    head = sync(nn.Linear(6, 2))
    opt = torch.optim.Adam(list(encoder.parameters()) + list(head.parameters()), lr=1e-2)
    seqs = [torch.tensor(s[:n]) for s, n in zip(data["tokens"], data["lengths"])]
    labels = torch.from_numpy(data["labels"])
    # sort by length, longest first, as the tutorial's batch2TrainData does
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]), reverse=True)
    input_variable = nn.utils.rnn.pad_sequence([seqs[i] for i in order])      # (T, B)
    lengths = torch.tensor([len(seqs[i]) for i in order])
    target = labels[torch.tensor(order)]
    losses = []
    for _ in range(5):
        outputs, hidden = encoder(input_variable, lengths)
        mask = (torch.arange(outputs.size(0)).unsqueeze(1) < lengths.unsqueeze(0)).float()
        pooled = (outputs * mask.unsqueeze(-1)).sum(0) / lengths.unsqueeze(1).float()
        loss = F.cross_entropy(head(pooled) + head(hidden[-1]), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    unsorted = nn.utils.rnn.pack_sequence(seqs, enforce_sorted=False)
    return {"losses": losses, "outputs_shape": outputs.shape, "hidden_shape": hidden.shape,
            "unsorted_batch_sizes": unsorted.batch_sizes,
            "unsorted_indices": unsorted.sorted_indices}


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


# --- a GCN written by hand: message passing with index_add_, degree normalisation -------------
def train_gcn_by_hand(torch, sync, data):
    nn, F = _nn(torch)

    class GCNLayer(nn.Module):
        def __init__(self, d_in, d_out):
            super().__init__()
            self.linear = nn.Linear(d_in, d_out, bias=False)
            self.bias = nn.Parameter(torch.zeros(d_out))

        def forward(self, x, edge_index):
            n = x.size(0)
            loops = torch.arange(n)
            src = torch.cat([edge_index[0], loops])
            dst = torch.cat([edge_index[1], loops])
            deg = torch.zeros(n).index_add_(0, dst, torch.ones(dst.size(0)))
            norm = deg[src].pow(-0.5) * deg[dst].pow(-0.5)
            h = self.linear(x)
            messages = h[src] * norm.view(-1, 1)
            out = torch.zeros_like(h).index_add_(0, dst, messages)
            return out + self.bias

    class GCN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = GCNLayer(5, 16)
            self.conv2 = GCNLayer(16, 3)

        def forward(self, x, edge_index):
            x = F.relu(self.conv1(x, edge_index))
            return F.log_softmax(self.conv2(x, edge_index), dim=1)

    x = torch.from_numpy(data["x"])
    edge_index = torch.from_numpy(data["edges"])
    y = torch.from_numpy(data["y"])
    train_mask = torch.from_numpy(data["train_mask"])
    model = sync(GCN())
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
    losses = []
    for epoch in range(10):
        model.train()
        optimizer.zero_grad()
        out = model(x, edge_index)
        loss = F.nll_loss(out[train_mask], y[train_mask])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    pred = model(x, edge_index).argmax(dim=1)
    correct = (pred[~train_mask] == y[~train_mask]).sum()
    acc = int(correct) / int((~train_mask).sum())
    return {"losses": losses, "acc": acc, "degree_counts": torch.bincount(edge_index[1])}


# --- DDPM: noise schedule with cumprod, q_sample with gather, sinusoidal time embedding -------
def train_ddpm_toy(torch, sync, data):
    nn, F = _nn(torch)
    import math

    T = 50
    betas = torch.linspace(1e-4, 0.02, T)
    alphas = 1.0 - betas
    alphas_cumprod = torch.cumprod(alphas, dim=0)
    alphas_cumprod_prev = F.pad(alphas_cumprod[:-1], (1, 0), value=1.0)
    sqrt_alphas_cumprod = torch.sqrt(alphas_cumprod)
    sqrt_one_minus = torch.sqrt(1.0 - alphas_cumprod)
    posterior_variance = betas * (1.0 - alphas_cumprod_prev) / (1.0 - alphas_cumprod)

    def extract(a, t, x_shape):
        batch_size = t.shape[0]
        out = a.gather(-1, t.cpu())
        return out.reshape(batch_size, *((1,) * (len(x_shape) - 1))).to(t.device)

    def q_sample(x_start, t, noise):
        return (extract(sqrt_alphas_cumprod, t, x_start.shape) * x_start
                + extract(sqrt_one_minus, t, x_start.shape) * noise)

    class SinusoidalPositionEmbeddings(nn.Module):
        def __init__(self, dim):
            super().__init__()
            self.dim = dim

        def forward(self, time):
            half_dim = self.dim // 2
            embeddings = math.log(10000) / (half_dim - 1)
            embeddings = torch.exp(torch.arange(half_dim, device=time.device) * -embeddings)
            embeddings = time[:, None] * embeddings[None, :]
            return torch.cat((embeddings.sin(), embeddings.cos()), dim=-1)

    class Denoiser(nn.Module):
        def __init__(self, d=2, h=32, t_dim=8):
            super().__init__()
            self.time_mlp = nn.Sequential(SinusoidalPositionEmbeddings(t_dim),
                                          nn.Linear(t_dim, h), nn.GELU())
            self.inp = nn.Linear(d, h)
            self.out = nn.Sequential(nn.SiLU(), nn.Linear(h, h), nn.SiLU(), nn.Linear(h, d))

        def forward(self, x, t):
            return self.out(self.inp(x) + self.time_mlp(t.float()))

    model = sync(Denoiser())
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    x0 = torch.from_numpy(data["x0"])
    losses = []
    for step in range(8):
        t = torch.from_numpy(data["t"][step])
        noise = torch.from_numpy(data["noise"][step])
        x_noisy = q_sample(x0, t, noise)
        loss = F.mse_loss(noise, model(x_noisy, t))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    # one reverse step, with the sampling noise given
    with torch.no_grad():
        t = torch.full((x0.shape[0],), T - 1, dtype=torch.long)
        betas_t = extract(betas, t, x0.shape)
        model_mean = (1 / torch.sqrt(extract(alphas, t, x0.shape))) * (
            x0 - betas_t * model(x0, t) / extract(sqrt_one_minus, t, x0.shape))
        x_prev = model_mean + torch.sqrt(extract(posterior_variance, t, x0.shape)) * noise
    return {"losses": losses, "x_prev": x_prev, "alphas_cumprod": alphas_cumprod,
            "posterior_variance": posterior_variance}


# --- Gaussian-process regression from scratch: Cholesky, solve, log-det, learned kernel -------
def train_gp_regression(torch, sync, data):
    nn, F = _nn(torch)
    import math

    class GP(nn.Module):
        def __init__(self):
            super().__init__()
            self.log_lengthscale = nn.Parameter(torch.tensor(0.0))
            self.log_outputscale = nn.Parameter(torch.tensor(0.0))
            self.log_noise = nn.Parameter(torch.tensor(-1.0))

        def kernel(self, a, b):
            d2 = torch.cdist(a, b).pow(2)
            scale = self.log_lengthscale.exp() ** 2
            return self.log_outputscale.exp() * torch.exp(-0.5 * d2 / scale)

        def nll(self, x, y):
            n = x.shape[0]
            K = self.kernel(x, x) + (self.log_noise.exp() + 1e-4) * torch.eye(n)
            L = torch.linalg.cholesky(K)
            alpha = torch.linalg.solve(K, y.unsqueeze(-1))
            return (0.5 * (y.unsqueeze(0) @ alpha).squeeze() + torch.log(torch.diagonal(L)).sum()
                    + 0.5 * n * math.log(2 * math.pi)), torch.logdet(K)

        def predict(self, x, y, xs):
            K = self.kernel(x, x) + self.log_noise.exp() * torch.eye(x.shape[0])
            Ks = self.kernel(xs, x)
            mean = Ks @ torch.linalg.solve(K, y)
            var = self.log_outputscale.exp() - (Ks @ torch.linalg.inv(K) * Ks).sum(-1)
            return mean, var

    x = torch.from_numpy(data["x"])
    y = torch.from_numpy(data["y"])
    gp = sync(GP())
    opt = torch.optim.Adam(gp.parameters(), lr=0.05)
    nlls, logdets = [], []
    for _ in range(15):
        opt.zero_grad()
        nll, logdet = gp.nll(x, y)
        nll.backward()
        opt.step()
        nlls.append(nll.item())
        logdets.append(logdet.item())
    with torch.no_grad():
        mean, var = gp.predict(x, y, torch.linspace(-3, 3, 7).unsqueeze(-1))
    return {"nlls": nlls, "logdets": logdets, "mean": mean, "var": var,
            "lengthscale": gp.log_lengthscale.exp().item()}

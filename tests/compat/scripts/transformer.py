# ruff: noqa: B007, B905, E741, UP008 - written as tutorials write them, on purpose
"""Attention models: a masked transformer block and a TransformerEncoder classifier.

Each script takes ``(torch, sync, data)`` (see ``tests/compat/_harness.py``).
"""

from __future__ import annotations

from . import _nn


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

# ruff: noqa: B007, B905, E741, UP008 - written as tutorials write them, on purpose
"""Data pipelines: custom Datasets returning dicts, random_split, collate_fn with padding.

Each script takes ``(torch, sync, data)`` (see ``tests/compat/_harness.py``).
"""

from __future__ import annotations

from . import _nn


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

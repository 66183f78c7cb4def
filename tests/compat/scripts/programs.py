# ruff: noqa: B007, B023, B905, E741, F841, N806, UP008, SIM108 - written as their authors write them
"""Real programs' idioms: nanoGPT's model and training loop, minGPT/makemore's infinite loader.

Each script takes ``(torch, sync, data)`` (see ``tests/compat/_harness.py``). Where the
original draws batches with the library's RNG (``torch.randint``), the indices come from
``data`` instead, so both runs see the same batches; everything else is written as the
original programs write it.
"""

from __future__ import annotations

import inspect
import math
from contextlib import nullcontext
from dataclasses import dataclass

from . import _nn


# --- nanoGPT: model.py + train.py, shrunk -----------------------------------------------------
def train_nanogpt(torch, sync, data):
    nn, F = _nn(torch)

    @dataclass
    class GPTConfig:
        block_size: int = 8
        vocab_size: int = 13
        n_layer: int = 2
        n_head: int = 2
        n_embd: int = 16
        dropout: float = 0.0
        bias: bool = True

    class LayerNorm(nn.Module):
        """ LayerNorm but with an optional bias. PyTorch doesn't support simply bias=False """

        def __init__(self, ndim, bias):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(ndim))
            self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

        def forward(self, input):
            return F.layer_norm(input, self.weight.shape, self.weight, self.bias, 1e-5)

    class CausalSelfAttention(nn.Module):
        def __init__(self, config, flash):
            super().__init__()
            assert config.n_embd % config.n_head == 0
            self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
            self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
            self.attn_dropout = nn.Dropout(config.dropout)
            self.resid_dropout = nn.Dropout(config.dropout)
            self.n_head = config.n_head
            self.n_embd = config.n_embd
            self.dropout = config.dropout
            self.flash = flash and hasattr(torch.nn.functional, "scaled_dot_product_attention")
            if not self.flash:
                self.register_buffer("bias", torch.tril(torch.ones(config.block_size,
                                                                   config.block_size))
                                     .view(1, 1, config.block_size, config.block_size))

        def forward(self, x):
            B, T, C = x.size()
            q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
            k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            if self.flash:
                y = torch.nn.functional.scaled_dot_product_attention(
                    q, k, v, attn_mask=None, dropout_p=self.dropout if self.training else 0,
                    is_causal=True)
            else:
                att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
                att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float('-inf'))
                att = F.softmax(att, dim=-1)
                att = self.attn_dropout(att)
                y = att @ v
            y = y.transpose(1, 2).contiguous().view(B, T, C)
            return self.resid_dropout(self.c_proj(y))

    class MLP(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
            self.gelu = nn.GELU()
            self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
            self.dropout = nn.Dropout(config.dropout)

        def forward(self, x):
            return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))

    class Block(nn.Module):
        def __init__(self, config, flash):
            super().__init__()
            self.ln_1 = LayerNorm(config.n_embd, bias=config.bias)
            self.attn = CausalSelfAttention(config, flash)
            self.ln_2 = LayerNorm(config.n_embd, bias=config.bias)
            self.mlp = MLP(config)

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self, config, flash=True):
            super().__init__()
            self.config = config
            self.transformer = nn.ModuleDict(dict(
                wte=nn.Embedding(config.vocab_size, config.n_embd),
                wpe=nn.Embedding(config.block_size, config.n_embd),
                drop=nn.Dropout(config.dropout),
                h=nn.ModuleList([Block(config, flash) for _ in range(config.n_layer)]),
                ln_f=LayerNorm(config.n_embd, bias=config.bias),
            ))
            self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
            self.transformer.wte.weight = self.lm_head.weight  # weight tying
            self.apply(self._init_weights)
            for pn, p in self.named_parameters():
                if pn.endswith('c_proj.weight'):
                    torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

        def get_num_params(self, non_embedding=True):
            n_params = sum(p.numel() for p in self.parameters())
            if non_embedding:
                n_params -= self.transformer.wpe.weight.numel()
            return n_params

        def _init_weights(self, module):
            if isinstance(module, nn.Linear):
                torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
                if module.bias is not None:
                    torch.nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Embedding):
                torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

        def forward(self, idx, targets=None):
            device = idx.device
            b, t = idx.size()
            assert t <= self.config.block_size
            pos = torch.arange(0, t, dtype=torch.long, device=device)
            tok_emb = self.transformer.wte(idx)
            pos_emb = self.transformer.wpe(pos)
            x = self.transformer.drop(tok_emb + pos_emb)
            for block in self.transformer.h:
                x = block(x)
            x = self.transformer.ln_f(x)
            if targets is not None:
                logits = self.lm_head(x)
                loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1),
                                       ignore_index=-1)
            else:
                logits = self.lm_head(x[:, [-1], :])
                loss = None
            return logits, loss

        def configure_optimizers(self, weight_decay, learning_rate, betas, device_type):
            param_dict = {pn: p for pn, p in self.named_parameters()}
            param_dict = {pn: p for pn, p in param_dict.items() if p.requires_grad}
            decay_params = [p for n, p in param_dict.items() if p.dim() >= 2]
            nodecay_params = [p for n, p in param_dict.items() if p.dim() < 2]
            optim_groups = [
                {'params': decay_params, 'weight_decay': weight_decay},
                {'params': nodecay_params, 'weight_decay': 0.0}
            ]
            fused_available = 'fused' in inspect.signature(torch.optim.AdamW).parameters
            use_fused = fused_available and device_type == 'cuda'
            extra_args = dict(fused=True) if use_fused else dict()
            return torch.optim.AdamW(optim_groups, lr=learning_rate, betas=betas, **extra_args)

        @torch.no_grad()
        def next_token_probs(self, idx, temperature=1.0, top_k=None):
            # generate()'s first step, without the multinomial draw
            idx_cond = idx if idx.size(1) <= self.config.block_size \
                else idx[:, -self.config.block_size:]
            logits, _ = self(idx_cond)
            logits = logits[:, -1, :] / temperature
            if top_k is not None:
                v, _ = torch.topk(logits, min(top_k, logits.size(-1)))
                logits[logits < v[:, [-1]]] = -float('Inf')
            return F.softmax(logits, dim=-1)

    # train.py
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    device_type = 'cuda' if 'cuda' in device else 'cpu'
    # nanoGPT's table also names torch.bfloat16 (a dtype another branch adds to ember)
    ptdtype = {'float32': torch.float32, 'float16': torch.float16}['float32']
    ctx = nullcontext() if device_type == 'cpu' else torch.amp.autocast(device_type=device_type,
                                                                        dtype=ptdtype)
    train_data, ix_all = data["tokens"], data["ix"]
    block_size, batch_size = 8, 4

    def get_batch(it):
        ix = torch.from_numpy(ix_all[it])  # nanoGPT: torch.randint(len(data) - block_size, ...)
        x = torch.stack([torch.from_numpy((train_data[i:i + block_size]).astype('int64'))
                         for i in ix])
        y = torch.stack([torch.from_numpy((train_data[i + 1:i + 1 + block_size]).astype('int64'))
                         for i in ix])
        return x.to(device), y.to(device)

    results = {}
    for flash in (True, False):
        model = sync(GPT(GPTConfig(), flash=flash))
        model.to(device)
        optimizer = model.configure_optimizers(0.1, 6e-3, (0.9, 0.95), device_type)
        warmup_iters, lr_decay_iters, learning_rate, min_lr = 2, 8, 6e-3, 6e-4

        def get_lr(it):
            if it < warmup_iters:
                return learning_rate * (it + 1) / (warmup_iters + 1)
            if it > lr_decay_iters:
                return min_lr
            decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
            coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
            return min_lr + coeff * (learning_rate - min_lr)

        @torch.no_grad()
        def estimate_loss():
            model.eval()
            losses = torch.zeros(2)
            for k in range(2):
                X, Y = get_batch(k)
                with ctx:
                    logits, loss = model(X, Y)
                losses[k] = loss.item()
            model.train()
            return losses.mean()

        losses = []
        X, Y = get_batch(0)
        for iter_num in range(10):
            lr = get_lr(iter_num)
            for param_group in optimizer.param_groups:
                param_group['lr'] = lr
            with ctx:
                logits, loss = model(X, Y)
            X, Y = get_batch(iter_num + 1)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            losses.append(loss.item())
        start = torch.from_numpy(train_data[None, :5].astype('int64'))
        results[f"flash={flash}"] = {
            "losses": losses, "val": estimate_loss(),
            "params": model.get_num_params(),
            "probs": model.next_token_probs(start, temperature=0.8, top_k=5),
        }
    return results


# --- minGPT trainer / makemore: the infinite DataLoader ---------------------------------------
def infinite_loader_training(torch, sync, data):
    nn, F = _nn(torch)
    DataLoader = torch.utils.data.DataLoader  # the programs: from torch.utils.data import ...

    class CharDataset(torch.utils.data.Dataset):
        def __init__(self, words, max_len):
            self.words = words
            self.max_len = max_len

        def __len__(self):
            return len(self.words)

        def encode(self, word):
            return torch.tensor(word, dtype=torch.long)

        def __getitem__(self, idx):
            ix = self.encode(self.words[idx])
            x = torch.zeros(self.max_len + 1, dtype=torch.long)
            y = torch.zeros(self.max_len + 1, dtype=torch.long)
            x[1:1 + len(ix)] = ix
            y[:len(ix)] = ix
            y[len(ix) + 1:] = -1  # index -1 will mask the loss at the inactive locations
            return x, y

    class InfiniteDataLoader:
        """makemore's loader: a RandomSampler that never runs out."""

        def __init__(self, dataset, **kwargs):
            train_sampler = torch.utils.data.RandomSampler(dataset, replacement=True,
                                                           num_samples=int(1e10))
            self.train_loader = DataLoader(dataset, sampler=train_sampler, **kwargs)
            self.data_iter = iter(self.train_loader)

        def next(self):
            try:
                batch = next(self.data_iter)
            except StopIteration:
                self.data_iter = iter(self.train_loader)
                batch = next(self.data_iter)
            return batch

    class MLP(nn.Module):
        """makemore's MLP (Bengio et al. 2003) over a context of block_size characters."""

        def __init__(self, block_size, vocab_size, n_embd, n_embd2):
            super().__init__()
            self.block_size = block_size
            self.vocab_size = vocab_size
            self.wte = nn.Embedding(vocab_size + 1, n_embd)
            self.mlp = nn.Sequential(nn.Linear(self.block_size * n_embd, n_embd2), nn.Tanh(),
                                     nn.Linear(n_embd2, self.vocab_size))

        def forward(self, idx, targets=None):
            embs = []
            for k in range(self.block_size):
                tok_emb = self.wte(idx)
                idx = torch.roll(idx, 1, 1)
                idx[:, 0] = self.vocab_size
                embs.append(tok_emb)
            x = torch.cat(embs, -1)
            logits = self.mlp(x)
            loss = None
            if targets is not None:
                loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1),
                                       ignore_index=-1)
            return logits, loss

    @torch.inference_mode()
    def evaluate(model, dataset, batch_size=50, max_batches=None):
        model.eval()
        loader = DataLoader(dataset, shuffle=False, batch_size=batch_size, num_workers=0)
        losses = []
        for i, batch in enumerate(loader):
            X, Y = batch
            logits, loss = model(X, Y)
            losses.append(loss.item())
            if max_batches is not None and i >= max_batches:
                break
        mean_loss = torch.tensor(losses).mean().item()
        model.train()
        return mean_loss

    words = [list(w) for w in data["words"]]
    dataset = CharDataset(words, max_len=6)
    model = sync(MLP(block_size=3, vocab_size=10, n_embd=8, n_embd2=16))
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=0.01,
                                  betas=(0.9, 0.99), eps=1e-8)
    batch_loader = InfiniteDataLoader(dataset, batch_size=8, pin_memory=True, num_workers=0)
    before = evaluate(model, dataset, batch_size=5)
    shapes = []
    for step in range(30):
        batch = batch_loader.next()
        X, Y = batch
        shapes.append((tuple(X.shape), X.dtype == torch.long))
        logits, loss = model(X, Y)
        model.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    after = evaluate(model, dataset, batch_size=5)
    # the batches are drawn by each library's own RNG: compare what does not depend on them
    return {"before": before, "improved": after < before - 0.1,
            "sampler_len": len(batch_loader.train_loader.sampler),
            "shapes": sorted(set(shapes))}

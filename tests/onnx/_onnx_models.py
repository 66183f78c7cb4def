"""Small models the export tests share: a GPT-style transformer and an LSTM language model."""

from __future__ import annotations

import ember
import ember.nn.functional as F
from ember import nn


class CausalSelfAttention(nn.Module):
    """nanoGPT's attention: one qkv projection, heads by view/transpose, causal SDPA."""

    def __init__(self, d: int, heads: int) -> None:
        super().__init__()
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.heads = heads

    def forward(self, x):
        b, t, c = x.size()
        q, k, v = self.c_attn(x).split(c, dim=2)
        q = q.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        k = k.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        v = v.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        y = y.transpose(1, 2).contiguous().view(b, t, c)
        return self.c_proj(y)


class Block(nn.Module):
    def __init__(self, d: int, heads: int) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(d)
        self.attn = CausalSelfAttention(d, heads)
        self.ln_2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d),
                                 nn.Dropout(0.1))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    """Token + positional embeddings, pre-norm blocks, a tied-free LM head."""

    def __init__(self, vocab: int = 50, block_size: int = 32, d: int = 32, heads: int = 4,
                 layers: int = 2) -> None:
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(block_size, d)
        self.drop = nn.Dropout(0.1)
        self.blocks = nn.ModuleList([Block(d, heads) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        _, t = idx.size()
        pos = ember.arange(0, t, dtype=ember.long)
        x = self.drop(self.wte(idx) + self.wpe(pos))
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))


class LSTMLanguageModel(nn.Module):
    def __init__(self, vocab: int = 40, d: int = 16, hidden: int = 24, layers: int = 2) -> None:
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.rnn = nn.LSTM(d, hidden, num_layers=layers, batch_first=True, dropout=0.2)
        self.drop = nn.Dropout(0.2)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, idx):
        y, _ = self.rnn(self.emb(idx))
        return self.out(self.drop(y))

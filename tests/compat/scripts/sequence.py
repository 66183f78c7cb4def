# ruff: noqa: B007, B905, E741, UP008 - written as tutorials write them, on purpose
"""Sequence models: embeddings, LSTM/GRU, packed sequences, seq2seq attention, character sampling,
text classification.

Each script takes ``(torch, sync, data)`` (see ``tests/compat/_harness.py``).
"""

from __future__ import annotations

from . import _nn


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

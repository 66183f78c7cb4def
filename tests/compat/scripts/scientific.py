# ruff: noqa: B007, B905, E741, UP008 - written as tutorials write them, on purpose
"""Scientific models: a physics-informed network, a hand-written GCN, Gaussian-process regression.

Each script takes ``(torch, sync, data)`` (see ``tests/compat/_harness.py``).
"""

from __future__ import annotations

from . import _nn


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

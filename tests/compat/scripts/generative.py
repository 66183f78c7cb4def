# ruff: noqa: B007, B905, E741, UP008 - written as tutorials write them, on purpose
"""Generative and self-supervised models: autoencoder, VAE, GAN, WGAN-GP, DDPM, contrastive
learning.

Each script takes ``(torch, sync, data)`` (see ``tests/compat/_harness.py``).
"""

from __future__ import annotations

from . import _nn


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

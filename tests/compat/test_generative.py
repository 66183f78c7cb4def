"""Generative and self-supervised models: tutorial scripts on ember and PyTorch, compared."""

from __future__ import annotations

import numpy as np

from ._harness import run_both, seeded_rng
from .scripts import generative as scripts


def test_autoencoder():
    X = seeded_rng().uniform(size=(100, 20)).astype(np.float32)
    run_both(scripts.train_autoencoder, {"X": X})


def test_vae_with_random_reparameterisation():
    X = seeded_rng().uniform(size=(40, 16)).astype(np.float32)
    run_both(scripts.train_vae, {"X": X})


def test_vae_loss_with_given_noise():
    rng = seeded_rng()
    X = rng.uniform(size=(40, 16)).astype(np.float32)
    eps = rng.normal(size=(40, 3)).astype(np.float32)
    run_both(scripts.eval_vae_deterministic, {"X": X, "eps": eps})


def test_gan_two_optimizers_detach():
    rng = seeded_rng()
    real = rng.normal(loc=(2.0, -1.0), scale=0.5, size=(128, 2)).astype(np.float32)
    noise = rng.normal(size=(128, 4)).astype(np.float32)
    run_both(scripts.train_gan, {"real": real, "noise": noise})


def test_wgan_gradient_penalty_create_graph():
    rng = seeded_rng()
    data = {"real": rng.normal(size=(16, 3)).astype(np.float32),
            "fake": rng.normal(1.0, size=(16, 3)).astype(np.float32),
            "alpha": rng.uniform(size=(16, 1)).astype(np.float32)}
    run_both(scripts.gradient_penalty, data)


def test_contrastive_normalized_similarity():
    rng = seeded_rng()
    x1 = rng.normal(size=(8, 6)).astype(np.float32)
    run_both(scripts.train_contrastive,
             {"x1": x1, "x2": (x1 + 0.1 * rng.normal(size=(8, 6))).astype(np.float32)})


def test_ddpm_noise_schedule_and_denoiser():
    rng = seeded_rng()
    run_both(scripts.train_ddpm_toy,
             {"x0": rng.normal(size=(16, 2)).astype(np.float32),
              "t": rng.integers(0, 50, size=(8, 16)),
              "noise": rng.normal(size=(8, 16, 2)).astype(np.float32)}, rtol=1e-3, atol=1e-5)

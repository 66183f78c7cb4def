"""Tutorial-style PyTorch scripts run unchanged on ember and on PyTorch, results compared."""

from __future__ import annotations

import numpy as np

from . import scripts
from ._harness import run_both


def _rng():
    return np.random.default_rng(1234)


def _blobs(n=128, d=10, k=3):
    rng = _rng()
    centers = rng.normal(0, 2, size=(k, d))
    y = rng.integers(0, k, size=n)
    X = (centers[y] + rng.normal(0, 1, size=(n, d))).astype(np.float32)
    return {"X": X, "y": y.astype(np.int64)}


def test_logistic_regression():
    rng = _rng()
    X = rng.normal(size=(64, 3)).astype(np.float64)  # float64 source, .float() in the script
    y = (X @ np.array([1.0, -2.0, 0.5]) > 0).astype(np.float64)
    run_both(scripts.train_logreg, {"X": X, "y": y})


def test_mlp_classifier_dataloader_scheduler_checkpoint():
    data = _blobs()
    data["X"] = data["X"].reshape(128, 2, 5)  # flattened by x.view(x.size(0), -1)
    run_both(scripts.train_mlp_classifier, data)


def test_regression_gradient_accumulation_and_clipping():
    rng = _rng()
    X = rng.normal(size=(128, 5)).astype(np.float32)
    y = (np.sin(X[:, 0]) + X[:, 1] ** 2).astype(np.float32)
    run_both(scripts.train_regression_accum, {"X": X, "y": y})


def test_autoencoder():
    X = _rng().uniform(size=(100, 20)).astype(np.float32)
    run_both(scripts.train_autoencoder, {"X": X})


def test_char_level_embedding_model():
    run_both(scripts.train_char_model, {})


def test_vae_with_random_reparameterisation():
    X = _rng().uniform(size=(40, 16)).astype(np.float32)
    run_both(scripts.train_vae, {"X": X})


def test_vae_loss_with_given_noise():
    rng = _rng()
    X = rng.uniform(size=(40, 16)).astype(np.float32)
    eps = rng.normal(size=(40, 3)).astype(np.float32)
    run_both(scripts.eval_vae_deterministic, {"X": X, "eps": eps})


def test_gan_two_optimizers_detach():
    rng = _rng()
    real = rng.normal(loc=(2.0, -1.0), scale=0.5, size=(128, 2)).astype(np.float32)
    noise = rng.normal(size=(128, 4)).astype(np.float32)
    run_both(scripts.train_gan, {"real": real, "noise": noise})


def test_wgan_gradient_penalty_create_graph():
    rng = _rng()
    data = {"real": rng.normal(size=(16, 3)).astype(np.float32),
            "fake": rng.normal(1.0, size=(16, 3)).astype(np.float32),
            "alpha": rng.uniform(size=(16, 1)).astype(np.float32)}
    run_both(scripts.gradient_penalty, data)


def test_physics_informed_second_derivative():
    run_both(scripts.train_pinn, {}, rtol=1e-3, atol=1e-4)


def test_transformer_block_masked_attention():
    idx = _rng().integers(1, 11, size=(4, 7))
    idx[0, 5:] = 0  # padding
    idx[2, 4:] = 0
    run_both(scripts.train_transformer_block, {"idx": idx})


def test_custom_dataset_returning_dicts():
    rng = _rng()
    data = {"X": rng.normal(size=(36, 5)), "y": rng.integers(0, 4, size=36)}
    run_both(scripts.custom_dataset_dicts, data)


def test_batchnorm_mlp_train_eval_plateau():
    run_both(scripts.train_bn_mlp, _blobs(n=64))


def test_linear_regression_from_scratch():
    rng = _rng()
    X = rng.normal(size=(50, 3)).astype(np.float32)
    y = (X @ np.array([1.5, -0.5, 2.0]) + 0.3).astype(np.float32)
    run_both(scripts.linreg_from_scratch, {"X": X, "y": y})


def test_lstm_sequence_classifier():
    rng = _rng()
    seq = rng.integers(0, 10, size=(16, 7))
    y = (seq.sum(1) > 31).astype(np.int64)
    run_both(scripts.train_lstm_classifier, {"seq": seq, "y": y})


def test_reinforce_policy_gradient_categorical():
    rng = _rng()
    data = {"states": rng.normal(size=(3, 10, 4)), "actions": rng.integers(0, 2, size=(3, 10)),
            "rewards": rng.uniform(size=(3, 10))}
    run_both(scripts.train_reinforce, data)


def test_char_sampling_multinomial_topk():
    run_both(scripts.sample_chars, {})


def test_dqn_target_network_soft_update():
    rng = _rng()
    data = {"s": rng.normal(size=(96, 4)), "a": rng.integers(0, 2, size=96),
            "r": rng.uniform(size=96), "s2": rng.normal(size=(96, 4)),
            "done": rng.uniform(size=96) < 0.2}
    run_both(scripts.train_dqn, data)


def test_finetune_frozen_backbone_best_weights():
    run_both(scripts.train_finetune_frozen, _blobs(n=64))


def test_seq2seq_gru_attention_teacher_forcing():
    rng = _rng()
    run_both(scripts.train_seq2seq_attention,
             {"src": rng.integers(1, 8, size=(4, 6)), "tgt": rng.integers(1, 8, size=(4, 3))})


def test_transformer_encoder_classifier_padding_warmup():
    rng = _rng()
    src = rng.integers(1, 12, size=(8, 7))
    src[::2, 5:] = 0
    run_both(scripts.train_transformer_classifier,
             {"src": src, "y": (src[:, 0] > 5).astype(np.int64)}, rtol=1e-3, atol=1e-4)


def test_contrastive_normalized_similarity():
    rng = _rng()
    x1 = rng.normal(size=(8, 6)).astype(np.float32)
    run_both(scripts.train_contrastive,
             {"x1": x1, "x2": (x1 + 0.1 * rng.normal(size=(8, 6))).astype(np.float32)})


def test_tied_weights_lstm_lm_manual_sgd():
    run_both(scripts.train_tied_lm, {"seq": _rng().integers(0, 10, size=(3, 16))})


def test_data_pipeline_random_split_collate_padding():
    run_both(scripts.data_pipeline_padding, {"labels": _rng().integers(0, 2, size=20)})


def test_text_classification_embedding_bag_offsets():
    rng = _rng()
    labels = rng.integers(0, 4, size=32)
    docs = rng.integers(1, 20, size=(32, 9))
    docs[:, 0] = labels * 4 + 1  # a label-revealing token
    run_both(scripts.train_text_classifier, {"labels": labels, "docs": docs,
                                             "lengths": rng.integers(2, 10, size=32)})


def test_saliency_forward_backward_hooks():
    run_both(scripts.saliency_hooks, {"x": _rng().normal(size=(4, 8)).astype(np.float32)})


def test_modern_loop_param_groups_onecycle_amp_ema_mixup():
    data = _blobs(n=128)
    rng = _rng()
    data["perm"] = np.stack([rng.permutation(32) for _ in range(12)])
    data["lams"] = rng.beta(0.4, 0.4, size=12)  # NumPy float64 scalars times float32 batches
    run_both(scripts.train_modern_loop, data, rtol=1e-3, atol=1e-4)


def test_packed_sequences_bidirectional_gru_encoder():
    rng = _rng()
    run_both(scripts.train_packed_gru_encoder,
             {"tokens": rng.integers(1, 12, size=(6, 7)), "lengths": rng.integers(1, 8, size=6),
              "labels": rng.integers(0, 2, size=6)})


def test_mnist_example_cnn():
    rng = _rng()
    run_both(scripts.train_mnist_cnn, {"images": rng.integers(0, 256, size=(48, 14, 14),
                                                                dtype=np.uint8),
                                       "labels": rng.integers(0, 10, size=48)},
             rtol=1e-3, atol=1e-4)


def test_cifar_tutorial_cnn():
    rng = _rng()
    run_both(scripts.train_cifar_cnn,
             {"images": rng.normal(size=(32, 3, 32, 32)).astype(np.float32),
              "labels": rng.integers(0, 10, size=32)}, rtol=1e-3, atol=1e-4)


def test_gcn_message_passing_index_add():
    rng = _rng()
    n = 20
    edges = rng.integers(0, n, size=(2, 60))
    run_both(scripts.train_gcn_by_hand,
             {"x": rng.normal(size=(n, 5)).astype(np.float32), "edges": edges,
              "y": rng.integers(0, 3, size=n), "train_mask": rng.uniform(size=n) < 0.6})


def test_manual_seed_makes_random_scripts_reproducible_on_ember():
    # shuffling, dropout, randn_like and multinomial draws repeat exactly under the same seed
    import ember

    from ._harness import Sync, compare, torch

    rng = _rng()
    vae_data = {"X": rng.uniform(size=(40, 16)).astype(np.float32)}
    ds_data = {"X": rng.normal(size=(36, 5)), "y": rng.integers(0, 4, size=36)}
    for script, data in ((scripts.train_vae, vae_data), (scripts.custom_dataset_dicts, ds_data),
                         (scripts.sample_chars, {})):
        sync = Sync()
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            script(torch, sync, dict(data))  # only to record the initial weights
        finally:
            torch.set_num_threads(threads)
        sync.recording = False
        runs = []
        for _ in range(2):
            sync.i = 0
            ember.manual_seed(123)
            runs.append(script(ember, sync, dict(data)))
        compare(runs[0], _as_torch(runs[1]), rtol=0, atol=0)


def _as_torch(result):
    """ember results as torch objects, so ``compare`` can check ember against ember."""
    import ember

    from ._harness import torch

    if isinstance(result, ember.Tensor):
        return torch.from_numpy(result.detach().numpy().copy())
    if isinstance(result, ember.Size):
        return torch.Size(result)
    if isinstance(result, ember.dtype):
        return getattr(torch, result.name)
    if isinstance(result, dict):
        return {k: _as_torch(v) for k, v in result.items()}
    if isinstance(result, (list, tuple)):
        return type(result)(_as_torch(v) for v in result)
    return result


def test_ddpm_noise_schedule_and_denoiser():
    rng = _rng()
    run_both(scripts.train_ddpm_toy,
             {"x0": rng.normal(size=(16, 2)).astype(np.float32),
              "t": rng.integers(0, 50, size=(8, 16)),
              "noise": rng.normal(size=(8, 16, 2)).astype(np.float32)}, rtol=1e-3, atol=1e-5)


def test_gp_regression_cholesky_solve_logdet():
    rng = _rng()
    x = rng.uniform(-3, 3, size=(20, 1)).astype(np.float32)
    y = (np.sin(x[:, 0]) + 0.1 * rng.normal(size=20)).astype(np.float32)
    run_both(scripts.train_gp_regression, {"x": x, "y": y}, rtol=1e-3, atol=1e-4)

"""Sequence models: tutorial-style scripts run unchanged on ember and on PyTorch, compared."""

from __future__ import annotations

import numpy as np

from ._harness import run_both, seeded_rng
from .scripts import sequence as scripts


def test_char_level_embedding_model():
    run_both(scripts.train_char_model, {})


def test_lstm_sequence_classifier():
    rng = seeded_rng()
    seq = rng.integers(0, 10, size=(16, 7))
    y = (seq.sum(1) > 31).astype(np.int64)
    run_both(scripts.train_lstm_classifier, {"seq": seq, "y": y})


def test_char_sampling_multinomial_topk():
    run_both(scripts.sample_chars, {})


def test_seq2seq_gru_attention_teacher_forcing():
    rng = seeded_rng()
    run_both(scripts.train_seq2seq_attention,
             {"src": rng.integers(1, 8, size=(4, 6)), "tgt": rng.integers(1, 8, size=(4, 3))})


def test_tied_weights_lstm_lm_manual_sgd():
    run_both(scripts.train_tied_lm, {"seq": seeded_rng().integers(0, 10, size=(3, 16))})


def test_text_classification_embedding_bag_offsets():
    rng = seeded_rng()
    labels = rng.integers(0, 4, size=32)
    docs = rng.integers(1, 20, size=(32, 9))
    docs[:, 0] = labels * 4 + 1  # a label-revealing token
    run_both(scripts.train_text_classifier, {"labels": labels, "docs": docs,
                                             "lengths": rng.integers(2, 10, size=32)})


def test_packed_sequences_bidirectional_gru_encoder():
    rng = seeded_rng()
    run_both(scripts.train_packed_gru_encoder,
             {"tokens": rng.integers(1, 12, size=(6, 7)), "lengths": rng.integers(1, 8, size=6),
              "labels": rng.integers(0, 2, size=6)})

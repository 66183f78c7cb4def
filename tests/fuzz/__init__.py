"""Differential fuzzer: random short programs run on ember and on PyTorch, results compared.

``generator`` writes seeded programs (PyTorch is its oracle for shapes and dtypes while it
writes), ``runner`` executes one on both libraries and lists the divergences, ``shrink``
reduces a failing program to a minimal runnable one, ``campaign`` runs many
(``make fuzz N=20000 SEED=0``) and ``test_fuzz`` runs a fixed sample in CI.
"""

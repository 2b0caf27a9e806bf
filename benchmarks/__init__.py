"""Benchmark scripts and the synthetic data generator (not part of the installed package).

Run them from the repository root, e.g. ``python benchmarks/generate.py --help``; see
``benchmarks/README.md``.
"""

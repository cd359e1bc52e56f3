"""Pickles of skgen 0.1 name the nets' callbacks here; they live in :mod:`skgen._core._callbacks`."""

from ._core._callbacks import AdaptiveThreads, LinearLRDecay, NonFiniteLossError, TrainingMonitor  # noqa: F401

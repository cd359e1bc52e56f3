"""Pickles of skgen 0.1 name the progress callbacks here; they live in :mod:`skgen._core._progress`."""

from ._core._progress import EpochLossMeans, EpochProgress  # noqa: F401

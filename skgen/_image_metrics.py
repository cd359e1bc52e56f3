"""Pickles of skgen 0.1 name the image metrics' classes here; they live in :mod:`skgen.metrics._image_metrics`."""

from .metrics._image_metrics import DomainFeatureExtractor  # noqa: F401

"""The package version (a leaf module: read by the CLI without importing the estimators)."""

__version__ = "0.3.0"

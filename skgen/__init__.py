"""skgen: scikit-learn estimators for deep generative models."""

from .autoencoder import AutoencoderTransformer

__version__ = "0.1.0"

__all__ = ["AutoencoderTransformer", "__version__"]

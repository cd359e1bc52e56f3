"""skgen: scikit-learn estimators for deep generative models."""

from .autoencoder import AutoencoderTransformer
from .gan import GANSampler

__version__ = "0.1.0"

__all__ = ["AutoencoderTransformer", "GANSampler", "__version__"]

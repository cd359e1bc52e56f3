"""skgen: scikit-learn estimators for deep generative models."""

from ._persistence import load
from .autoencoder import AutoencoderTransformer
from .gan import GANSampler

__version__ = "0.1.0"

__all__ = ["AutoencoderTransformer", "GANSampler", "load", "__version__"]

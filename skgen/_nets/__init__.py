"""skorch nets: how each skgen model trains and runs inference.

``_lean`` (a leaner skorch loop), ``_autoencoder``, ``_gan`` (the GAN step
template, losses, EMA, chunked generation) and one module per data kind.
The names are re-exported here because pickles of skgen 0.1 look them up
in ``skgen._nets``.
"""

from .._core._base import default_optimizer_kwargs
from ._autoencoder import AutoencoderNet, EmbeddingAutoencoderNet, accelerated_autoencoder_net
from ._gan import GAN_LOSSES, GANNetMixin
from ._images import ImageGANNet
from ._lean import LeanNetMixin
from ._tabular import PrivateTabularGANNet, TabularGANNet

__all__ = [
    "GAN_LOSSES",
    "AutoencoderNet",
    "EmbeddingAutoencoderNet",
    "GANNetMixin",
    "ImageGANNet",
    "LeanNetMixin",
    "PrivateTabularGANNet",
    "TabularGANNet",
    "accelerated_autoencoder_net",
    "default_optimizer_kwargs",
]


def __getattr__(name):
    # Unpickling an accelerated net looks the class up by name.
    if name == "AcceleratedAutoencoderNet":
        return accelerated_autoencoder_net()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Default torch modules, by family: autoencoder, tabular GAN, image GAN.

The names are re-exported here because pickles of skgen 0.1 (and users'
code) look them up in ``skgen._modules``.
"""

from ._autoencoder import EncoderDecoder, ResidualAutoencoder, data_kwargs, input_statistics, linear_solution
from ._images import ClassConditionalBatchNorm, ConvDiscriminator, ConvGenerator
from ._layers import ACTIVATIONS, make_mlp
from ._tabular import (
    BlockActivation,
    TabularDiscriminator,
    TabularGenerator,
    UniformMaskDropout,
    one_hot_condition_product,
    sample_blocks,
    sparse_condition_product,
)

__all__ = [
    "ACTIVATIONS",
    "BlockActivation",
    "ClassConditionalBatchNorm",
    "ConvDiscriminator",
    "ConvGenerator",
    "EncoderDecoder",
    "ResidualAutoencoder",
    "TabularDiscriminator",
    "TabularGenerator",
    "UniformMaskDropout",
    "data_kwargs",
    "input_statistics",
    "linear_solution",
    "make_mlp",
    "one_hot_condition_product",
    "sample_blocks",
    "sparse_condition_product",
]

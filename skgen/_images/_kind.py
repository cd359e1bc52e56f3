"""Images as a GANSampler data kind: layouts in and out, class labels, the DCGAN, scores, state."""

from dataclasses import dataclass
from typing import Optional

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import column_or_1d

from .._data import InMemoryDataset
from .._gan_kind import GANDataKind
from .._io._json import decode_array, encode_array
from .._modules import ConvDiscriminator, ConvGenerator
from .._nets import ImageGANNet
from ._codec import CHANNEL_AXES, ImageCodec

# The images-only parameters of GANSampler, with their constraints.
IMAGE_CONSTRAINTS = {
    "image_shape": [tuple, list, None],
    "channel_axis": [StrOptions(set(CHANNEL_AXES))],
}


AUTO_IMAGE_EPOCHS = 300



@dataclass
class ImageFitData:
    """An image fit's data: the fitted codec, the encoded images, their label codes, the classes
    (None when unlabelled) and their prior, and the pixels per image."""

    codec: ImageCodec
    images: np.ndarray
    labels: Optional[np.ndarray]
    classes: Optional[np.ndarray]
    prior: Optional[np.ndarray]
    n_features: int

class ImageKind(GANDataKind):
    """Images: ``(n, H, W)``, ``(n, C, H, W)``, ``(n, H, W, C)`` or flat rows with
    ``image_shape``; optionally class labels ``y``."""

    name = "image"
    parameters = tuple(IMAGE_CONSTRAINTS)
    losses = ("hinge", "bce")
    default_batch_size = 128
    default_lr = 2e-4
    default_lr_schedule = "linear"

    def auto_epochs(self, n_rows):
        """``max_epochs="auto"`` is 300 passes for images (their step count follows the data already)."""
        return AUTO_IMAGE_EPOCHS

    def check_params(self):
        super().check_params()
        if self.config.dp_epsilon is not None:
            raise ValueError("dp_epsilon (differentially private training) is available for tables only.")

    # --- fit ------------------------------------------------------------------

    def validate(self, X, y):
        config = self.config
        if sp.issparse(X):
            raise TypeError("GANSampler does not support sparse input; pass a dense array of images.")
        X = np.asarray(X)
        codec = ImageCodec(config.image_shape, config.channel_axis).fit(X)
        labels, classes, prior = None, None, None
        if y is not None and config.conditional:
            y = column_or_1d(y, warn=True)
            if len(y) != len(X):
                raise ValueError(f"y has {len(y)} labels but X has {len(X)} images.")
            if y.dtype.kind == "f" and not np.isfinite(y).all():
                raise ValueError("y contains NaN or infinity; image labels must be class labels.")
            classes, labels, counts = np.unique(y, return_inverse=True, return_counts=True)
            prior = counts / counts.sum()
        return ImageFitData(codec, codec.transform(X), labels, classes, prior, int(np.prod(X.shape[1:])))

    def start_training(self, data, device, governor, rng):
        images, labels, classes = data.images, data.labels, data.classes
        n_classes = 0 if classes is None else len(classes)
        net = self.build_net(data.codec, n_classes, device, governor, n_images=len(images))
        label_tensor = None if labels is None else torch.as_tensor(labels, dtype=torch.long, device=device)
        dataset = InMemoryDataset(torch.from_numpy(images).to(device), label_tensor)
        return net.initialize(), dataset

    def fitted_state(self, net, data, extra):
        return {
            "codec_": data.codec,
            "classes_": data.classes,
            "class_prior_": data.prior,
            "n_features_in_": data.n_features,
        }

    def build_net(self, codec, n_classes, device, governor, n_images):
        """The image GAN net for ``codec`` (not initialised)."""
        config = self.config
        shape = {"channels": codec.channels_, "height": codec.height_, "width": codec.width_}
        generator_kwargs = {"latent_dim": config.latent_dim, "n_classes": n_classes, **shape}
        generator_kwargs.update(config.routed["generator"])
        discriminator_kwargs = {**shape, "n_classes": n_classes, **config.routed["discriminator"]}
        kwargs = {f"module__{k}": v for k, v in generator_kwargs.items()}
        kwargs.update(self.net_kwargs(governor, device, n_images))
        step_rows = self.step_batch_size(n_images)
        if self.rows_per_process(step_rows) != step_rows:
            kwargs["iterator_train__rows_per_process"] = self.rows_per_process(step_rows)
        return ImageGANNet(
            config.generator or ConvGenerator,
            discriminator=config.discriminator or ConvDiscriminator,
            discriminator_kwargs=discriminator_kwargs,
            latent_dim=config.latent_dim,
            gan_loss=self.gan_loss(),
            ema_decay=config.ema_decay,
            lr=self.learning_rate(),
            max_epochs=self.n_epochs(n_images),
            batch_size=step_rows,
            iterator_train__drop_last=True,
            **kwargs,
        )

    # --- sample, score ------------------------------------------------------------

    def labels(self, y, n_samples, seed):
        """Class indices of the images to generate (None: unconditional)."""
        classes = getattr(self.fitted, "classes_", None)
        if classes is None:
            if y is not None:
                raise ValueError("This sampler was fitted without labels; y= is not available.")
            return None
        if y is None:
            return np.random.RandomState(seed).choice(len(classes), size=n_samples, p=self.fitted.class_prior_)
        labels = np.asarray(y)
        if labels.ndim == 0:
            labels = np.full(n_samples, labels[()], dtype=labels.dtype)
        if labels.ndim != 1 or len(labels) != n_samples:
            raise ValueError(f"y must be one label or {n_samples} labels (one per image); got shape {labels.shape}.")
        index = {label: i for i, label in enumerate(classes.tolist())}
        unknown = sorted({repr(v) for v in labels.tolist() if v not in index})
        if unknown:
            raise ValueError(
                f"Label(s) {', '.join(unknown[:5])} were not seen in fit; known labels: {classes.tolist()[:20]}."
            )
        return np.array([index[v] for v in labels.tolist()], dtype=np.int64)

    def sample(self, n_samples, seed, conditions, y, return_y):
        config, fitted = self.config, self.fitted
        if conditions is not None:
            raise ValueError("conditions= is for tables; choose the classes of images with y=.")
        labels = self.labels(y, n_samples, seed)
        if return_y and labels is None:
            raise ValueError("return_y=True needs a conditional model (fitted with labels).")
        device = fitted.net_.device
        generator = torch.Generator(device=device).manual_seed(seed)
        label_tensor = None if labels is None else torch.as_tensor(labels)
        with config.inference_context():
            images = fitted.net_.generate(n_samples, label_tensor, generator=generator)
        images = fitted.codec_.inverse_transform(images)
        if return_y:
            return images, fitted.classes_[labels]
        return images

    def score(self, X, y, seed):
        from ..metrics._image_metrics import frechet_distance

        fitted = self.fitted
        real = fitted.codec_.transform(np.asarray(X))
        n = len(real)
        if n < 2:
            raise ValueError("score needs at least 2 real images.")
        labels = y if (y is not None and getattr(fitted, "classes_", None) is not None) else None
        fake = fitted.codec_.transform(self.sample(n, seed, None, labels, False))
        real, fake = real.reshape(n, -1), fake.reshape(n, -1)
        from sklearn.decomposition import PCA  # only to score images (importing it costs 0.15 s)

        pca = PCA(n_components=min(32, n - 1, real.shape[1]), random_state=0).fit(real)
        return -frechet_distance(pca.transform(real), pca.transform(fake))

    # --- model files ------------------------------------------------------------

    def saved_state(self):
        fitted = self.fitted
        codec = fitted.codec_
        return {
            "codec": {
                "image_shape": None if codec.image_shape is None else list(codec.image_shape),
                "channel_axis": codec.channel_axis,
                "layout_": codec.layout_,
                "channels_": codec.channels_,
                "height_": codec.height_,
                "width_": codec.width_,
                "dtype_": codec.dtype_.str,
                "low_": codec.low_,
                "high_": codec.high_,
                "sample_shape_": list(codec.sample_shape_),
            },
            "classes_": encode_array(getattr(fitted, "classes_", None)),
            "class_prior_": encode_array(getattr(fitted, "class_prior_", None)),
        }

    def restore(self, state, weights, device):
        codec = ImageCodec(state["codec"]["image_shape"], state["codec"]["channel_axis"])
        for key, value in state["codec"].items():
            if key.endswith("_"):
                setattr(codec, key, value)
        codec.dtype_ = np.dtype(codec.dtype_)
        codec.sample_shape_ = tuple(codec.sample_shape_)
        fitted = {"codec_": codec}
        classes = decode_array(state["classes_"])
        if classes is not None:
            fitted.update(classes_=classes, class_prior_=decode_array(state["class_prior_"]))
        n_classes = 0 if classes is None else len(classes)
        return self.build_net(codec, n_classes, device, None, n_images=1 << 30), fitted

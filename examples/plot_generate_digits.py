"""
Generating digits of a chosen class
===================================

:class:`skgen.GANSampler` fitted on images and their labels is a
class-conditional GAN: ``sample(n, y=3)`` returns ``n`` new images of a 3, in
the layout, dtype and value range of the training images.

This example fits it on scikit-learn's 8x8 digits, draws a row of generated
images per class next to real ones, and compares the domain Fréchet distance
(in the last hidden layer of a classifier trained on the real training
images, :class:`skgen.metrics.DomainFeatureExtractor`) with a
:class:`~sklearn.mixture.GaussianMixture` fitted per class.
"""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.mixture import GaussianMixture  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from skgen import GANSampler  # noqa: E402
from skgen.metrics import DomainFeatureExtractor, conditional_accuracy, frechet_distance  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=300)
parser.add_argument("--output", default="generate_digits.png")
args, _ = parser.parse_known_args()

digits = load_digits()
X_train, X_test, y_train, y_test = train_test_split(
    digits.images, digits.target, test_size=0.25, random_state=0, stratify=digits.target
)

sampler = GANSampler(
    max_epochs=args.epochs, generator__base_width=64, discriminator__base_width=64, random_state=0
).fit(X_train, y_train)
generated, labels = sampler.sample(len(X_test), y=y_test, return_y=True, random_state=1)


def gaussian_mixture_per_class(X, y, labels, n_components=10):
    """A GaussianMixture per class, sampled for the requested labels."""
    out = np.empty((len(labels), *X.shape[1:]))
    for label in np.unique(labels):
        rows = labels == label
        model = GaussianMixture(n_components, random_state=0).fit(X[y == label].reshape(-1, X[0].size))
        out[rows] = model.sample(rows.sum())[0].reshape(-1, *X.shape[1:])
    return out


baseline = gaussian_mixture_per_class(X_train, y_train, y_test)
extractor = DomainFeatureExtractor().fit(X_train, y_train)
for name, images in [("real held-out", X_test), ("GANSampler", generated), ("GaussianMixture(10) per class", baseline)]:
    fd = frechet_distance(X_test if name != "real held-out" else X_train, images, feature_extractor=extractor)
    accuracy = conditional_accuracy(images, y_test, extractor)
    print(f"{name:32s} domain FD {fd:7.3f}   images classified as requested {accuracy:.1%}")

fig, axes = plt.subplots(10, 12, figsize=(9, 8))
for digit in range(10):
    real = X_train[y_train == digit][:4]
    fake = sampler.sample(8, y=digit, random_state=digit)
    for j, image in enumerate([*real, *fake]):
        ax = axes[digit, j]
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=16)
        ax.set_axis_off()
axes[0, 0].set_title("real", fontsize=8, loc="left")
axes[0, 4].set_title("generated", fontsize=8, loc="left")
fig.tight_layout()
fig.savefig(args.output, dpi=100)
print(f"saved {args.output}")

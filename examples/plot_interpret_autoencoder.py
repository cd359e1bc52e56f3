"""
Interpreting an autoencoder's components
========================================

PCA is easy to read: each row of ``components_`` is an image of what a
component adds to the mean digit. :class:`skgen.AutoencoderTransformer` has
the same attribute, ``components_``: the decoder's Jacobian at the centre of
the code space, i.e. what a one-standard-deviation step along each component
adds to the reconstruction there. Because the decoder is non-linear the
effect changes along the way; :meth:`~skgen.AutoencoderTransformer.latent_traversal`
decodes a whole line through one component to show it.

This example fits both models on scikit-learn's 8x8 digits, draws their
components side by side, then a traversal grid (one row per component,
-2 to +2 standard deviations) of the label-aware autoencoder, whose codes
were trained to also predict the digit.
"""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402

from skgen import AutoencoderTransformer  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=100)
parser.add_argument("--output", default="interpret_autoencoder.png")
args, _ = parser.parse_known_args()

X, y = load_digits(return_X_y=True)
X = X / 16.0
n_components = 4

pca = PCA(n_components=n_components).fit(X)
autoencoder = AutoencoderTransformer(n_components=n_components, max_epochs=args.epochs, random_state=0).fit(X)
label_aware = AutoencoderTransformer(
    n_components=n_components, supervision="classification", max_epochs=args.epochs, random_state=0
).fit(X, y)

fig, axes = plt.subplots(3 + n_components, 9, figsize=(9, 1.1 * (3 + n_components)))
for ax in axes.ravel():
    ax.set_axis_off()
rows = [
    ("PCA", pca.components_ * np.sqrt(pca.explained_variance_)[:, None]),
    ("AE", autoencoder.components_),
    ("label-aware AE", label_aware.components_),
]
for row, (name, components) in enumerate(rows):
    axes[row, 0].set_title(name, fontsize=8, loc="left")
    for i, component in enumerate(components):
        limit = np.abs(component).max()
        axes[row, i].imshow(component.reshape(8, 8), cmap="RdBu_r", vmin=-limit, vmax=limit)
for i in range(n_components):
    path = label_aware.latent_traversal(i, np.linspace(-2, 2, 9))
    axes[3 + i, 0].set_title(f"traversal of component {i}", fontsize=8, loc="left")
    for j, image in enumerate(path):
        axes[3 + i, j].imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
fig.tight_layout()
fig.savefig(args.output, dpi=100)
print(f"saved {args.output}")

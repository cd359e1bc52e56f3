"""
PCA and autoencoder embeddings of digits
========================================

Both reduce the 64 pixels of scikit-learn's digits to two components. PCA
keeps the directions of largest variance; :class:`skgen.AutoencoderTransformer`
starts from PCA and learns a non-linear map, which separates the classes
better. A third panel trains the autoencoder with the labels
(``supervision="classification"``).
"""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402

from skgen import AutoencoderTransformer  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=100)
parser.add_argument("--output", default="embeddings.png")
args, _ = parser.parse_known_args()

X, y = load_digits(return_X_y=True)
X = X / 16.0
embeddings = {
    "PCA": PCA(n_components=2).fit_transform(X),
    "AutoencoderTransformer": AutoencoderTransformer(n_components=2, max_epochs=args.epochs, random_state=0)
    .fit_transform(X),
    "label-aware AutoencoderTransformer": AutoencoderTransformer(
        n_components=2, supervision="classification", max_epochs=args.epochs, random_state=0
    ).fit_transform(X, y),
}
fig, axes = plt.subplots(1, 3, figsize=(13, 4))
for ax, (name, codes) in zip(axes, embeddings.items()):
    points = ax.scatter(codes[:, 0], codes[:, 1], c=y, cmap="tab10", s=5)
    ax.set_title(name)
fig.colorbar(points, ax=axes, label="digit")
fig.savefig(args.output, dpi=80)
print(f"saved {args.output}")

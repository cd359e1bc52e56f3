"""
Reconstructions: PCA against the autoencoder
============================================

Held-out digits (top row) reconstructed from 8 components by PCA (middle)
and by :class:`skgen.AutoencoderTransformer` (bottom), with each method's
mean squared error.
"""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from skgen import AutoencoderTransformer  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=100)
parser.add_argument("--output", default="reconstruction.png")
args, _ = parser.parse_known_args()

X = load_digits().data / 16.0
X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)
rows = {"original": X_test}
for name, model in [
    ("PCA", PCA(n_components=8)),
    ("AutoencoderTransformer", AutoencoderTransformer(n_components=8, max_epochs=args.epochs, random_state=0)),
]:
    model.fit(X_train)
    rows[name] = model.inverse_transform(model.transform(X_test))
    print(f"{name}: held-out MSE {np.mean((rows[name] - X_test) ** 2):.4f}")

fig, axes = plt.subplots(3, 10, figsize=(10, 3.3))
for i, (name, images) in enumerate(rows.items()):
    axes[i, 0].set_title(name, fontsize=8, loc="left")
    for j in range(10):
        axes[i, j].imshow(images[j].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        axes[i, j].set_axis_off()
fig.tight_layout()
fig.savefig(args.output, dpi=80)
print(f"saved {args.output}")

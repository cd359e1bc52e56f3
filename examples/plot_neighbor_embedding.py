"""
Maps that keep neighbourhoods, with a way back
==============================================

Three 2-D maps of scikit-learn's digits, each fitted on 75% of the images
and drawn for the 25% it never saw: PCA, UMAP (umap-learn) and
:class:`skgen.AutoencoderTransformer` with ``embedding="umap"``, whose
encoder learns UMAP's layout of the training rows and whose decoder is a
fast ``inverse_transform``. Each title gives the held-out 10-NN accuracy and
trustworthiness (10 neighbours). The last panel decodes a grid of codes
spanning the map back into images, something UMAP's ``inverse_transform``
does at a few rows per second.
"""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.manifold import trustworthiness  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402

from skgen import AutoencoderTransformer  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", default="auto", help="autoencoder passes (default: its 'auto')")
parser.add_argument("--output", default="neighbor_embedding.png")
args, _ = parser.parse_known_args()

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)

reducers = {"PCA": PCA(n_components=2)}
try:
    import umap

    reducers["UMAP"] = umap.UMAP(n_components=2, random_state=0)
except ImportError:  # umap-learn is in skgen's "docs" and "benchmark" extras
    print("umap-learn is not installed: its panel is left out")
encoder = AutoencoderTransformer(
    n_components=2,
    embedding="umap",
    max_epochs=args.epochs if args.epochs == "auto" else int(args.epochs),
    random_state=0,
)
reducers['AutoencoderTransformer(embedding="umap")'] = encoder

fig, axes = plt.subplots(1, len(reducers) + 1, figsize=(4.2 * (len(reducers) + 1), 4.4))
for ax, (name, reducer) in zip(axes, reducers.items()):
    reducer.fit(X_train)
    train_codes, test_codes = reducer.transform(X_train), reducer.transform(X_test)
    knn = KNeighborsClassifier(n_neighbors=10).fit(train_codes, y_train).score(test_codes, y_test)
    trust = trustworthiness(X_test, test_codes, n_neighbors=10)
    ax.scatter(test_codes[:, 0], test_codes[:, 1], c=y_test, cmap="tab10", s=8)
    ax.set_title(f"{name}\n10-NN {knn:.3f}, trustworthiness {trust:.3f}", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])

# Decode an 8 x 8 grid spanning the encoder's map (codes are standardised).
steps = np.linspace(-1.8, 1.8, 8)
grid = np.array([[u, v] for v in steps[::-1] for u in steps])
images = encoder.inverse_transform(grid).reshape(8, 8, 8, 8).clip(0, 1)
images = np.pad(images, ((0, 0), (0, 0), (1, 1), (1, 1)))  # a blank frame around each image
mosaic = images.transpose(0, 2, 1, 3).reshape(80, 80)
axes[-1].imshow(mosaic, cmap="gray_r")
axes[-1].set_title("inverse_transform of a grid of codes", fontsize=9)
axes[-1].set_xticks([])
axes[-1].set_yticks([])
fig.tight_layout()
fig.savefig(args.output, dpi=80)
print(f"saved {args.output}")

"""
Tuning the autoencoder with GridSearchCV
========================================

:class:`skgen.AutoencoderTransformer` is an ordinary scikit-learn step: a
``Pipeline`` with a classifier after it is tuned by ``GridSearchCV`` over the
autoencoder's parameters, including nested network parameters such as
``hidden_dims``. The plot shows the cross-validated accuracy of each
candidate.
"""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

from skgen import AutoencoderTransformer  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=50)
parser.add_argument("--output", default="grid_search.png")
args, _ = parser.parse_known_args()

X, y = load_digits(return_X_y=True)
X = X / 16.0
pipeline = Pipeline([
    ("ae", AutoencoderTransformer(max_epochs=args.epochs, random_state=0)),
    ("clf", LogisticRegression(max_iter=2000)),
])
grid = {"ae__n_components": [2, 4, 8], "ae__hidden_dims": [(64,), (128, 64)]}
search = GridSearchCV(pipeline, grid, cv=3).fit(X, y)
print("best:", search.best_params_, f"accuracy {search.best_score_:.3f}")

results = search.cv_results_
fig, ax = plt.subplots(figsize=(6, 4))
for dims in grid["ae__hidden_dims"]:
    rows = [i for i, p in enumerate(results["params"]) if p["ae__hidden_dims"] == dims]
    ax.errorbar(
        [results["params"][i]["ae__n_components"] for i in rows],
        results["mean_test_score"][rows],
        yerr=results["std_test_score"][rows],
        marker="o",
        capsize=3,
        label=f"hidden_dims={dims}",
    )
ax.set_xlabel("n_components")
ax.set_ylabel("cross-validated accuracy")
ax.set_xticks(grid["ae__n_components"])
ax.legend()
fig.tight_layout()
fig.savefig(args.output, dpi=80)
print(f"saved {args.output}")
assert np.all(np.isfinite(results["mean_test_score"]))

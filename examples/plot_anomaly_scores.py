"""
Anomaly scores from reconstruction error
========================================

``score_samples`` is the negative reconstruction error of each row: an
autoencoder fitted on normal data reconstructs new normal rows well and
unusual rows badly. Here it is fitted on digits 0-4 and scores held-out
digits 0-4 (normal) against digits 5-9 (anomalies, never seen in training).
"""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from skgen import AutoencoderTransformer  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=100)
parser.add_argument("--output", default="anomaly_scores.png")
args, _ = parser.parse_known_args()

X, y = load_digits(return_X_y=True)
X = X / 16.0
normal, anomalies = X[y < 5], X[y >= 5]
X_train, X_normal = train_test_split(normal, test_size=0.3, random_state=0)
model = AutoencoderTransformer(n_components=4, max_epochs=args.epochs, random_state=0).fit(X_train)
scores_normal = model.score_samples(X_normal)
scores_anomalies = model.score_samples(anomalies)
labels = np.r_[np.zeros(len(scores_normal)), np.ones(len(scores_anomalies))]
auc = roc_auc_score(labels, -np.r_[scores_normal, scores_anomalies])
print(f"ROC-AUC of -score_samples for digits 5-9 vs held-out 0-4: {auc:.3f}")

fig, ax = plt.subplots(figsize=(6, 4))
bins = np.linspace(min(scores_normal.min(), scores_anomalies.min()), 0, 40)
ax.hist(scores_normal, bins=bins, alpha=0.6, label="held-out digits 0-4 (normal)")
ax.hist(scores_anomalies, bins=bins, alpha=0.6, label="digits 5-9 (unseen)")
ax.set_xlabel("score_samples (negative reconstruction error)")
ax.set_title(f"ROC-AUC {auc:.3f}")
ax.legend()
fig.tight_layout()
fig.savefig(args.output, dpi=80)
print(f"saved {args.output}")

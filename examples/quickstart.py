"""
Quickstart: a non-linear PCA in a scikit-learn Pipeline
=======================================================

Reduces the 64-pixel digits of :func:`sklearn.datasets.load_digits` to a few
components with :class:`~sklearn.decomposition.PCA` and with
:class:`skgen.AutoencoderTransformer`, then compares held-out reconstruction
error and the accuracy of a logistic regression trained on the codes.
Runs in well under a minute on two CPU cores.
"""

import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skgen import AutoencoderTransformer

digits = load_digits()
X = digits.data / 16.0  # pixels in [0, 1]
X_train, X_test, y_train, y_test = train_test_split(
    X, digits.target, test_size=0.25, random_state=0, stratify=digits.target
)


def evaluate(reducer):
    """Fit ``reducer`` in a Pipeline; return (seconds, test MSE, test accuracy)."""
    start = time.perf_counter()
    pipe = make_pipeline(reducer, LogisticRegression(max_iter=2000)).fit(X_train, y_train)
    seconds = time.perf_counter() - start
    fitted = pipe[0]
    reconstruction = fitted.inverse_transform(fitted.transform(X_test))
    return seconds, np.mean((reconstruction - X_test) ** 2), pipe.score(X_test, y_test)


print(f"{'reducer':<24}{'k':>3}{'fit s':>8}{'test MSE':>11}{'accuracy':>10}")
for k in (2, 8):
    for name, reducer in [
        ("PCA", PCA(n_components=k)),
        ("AutoencoderTransformer", AutoencoderTransformer(n_components=k, random_state=0)),
    ]:
        seconds, mse, accuracy = evaluate(reducer)
        print(f"{name:<24}{k:>3}{seconds:>8.2f}{mse:>11.4f}{accuracy:>10.3f}")

# Per-sample reconstruction scores flag outliers: uniform noise scores far
# below every real digit.
ae = AutoencoderTransformer(n_components=8, random_state=0).fit(X_train)
noise = np.random.RandomState(0).uniform(size=(5, 64))
print(
    f"\nscore_samples: real digits >= {ae.score_samples(X_test).min():.4f}, "
    f"noise images <= {ae.score_samples(noise).max():.4f}"
)

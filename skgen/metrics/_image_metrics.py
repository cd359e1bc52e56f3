"""Metrics for generated images, re-exported by :mod:`skgen.metrics`.

No pretrained network can be downloaded here, so the features come from a
domain classifier trained on the real training images
(:class:`DomainFeatureExtractor`): Fréchet distance, k-NN precision/recall
and the class checks are computed in its last hidden layer.
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.neighbors import NearestNeighbors
from sklearn.neural_network import MLPClassifier
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._core._threads import limited_threads
from ._frames import check_threads


def _flat(images):
    images = np.asarray(images)
    if images.ndim < 2 or len(images) == 0:
        raise ValueError(f"Expected a non-empty array of images (n, ...); got shape {images.shape}.")
    flat = images.reshape(len(images), -1).astype(np.float64)
    if not np.isfinite(flat).all():
        raise ValueError("Images contain NaN or infinity.")
    return flat


def _features(images, feature_extractor):
    if feature_extractor is None:
        return _flat(images)
    if hasattr(feature_extractor, "transform"):
        features = feature_extractor.transform(images)
    else:
        features = feature_extractor(images)
    return np.asarray(features, dtype=np.float64).reshape(len(features), -1)


class DomainFeatureExtractor(TransformerMixin, BaseEstimator):
    """Features of images from a small classifier trained on real images.

    A :class:`~sklearn.neural_network.MLPClassifier` is trained on the
    (flattened, scaled) real training images and their labels; ``transform``
    returns the activations of its last hidden layer, the space in which
    :func:`frechet_distance` and :func:`precision_recall` compare images
    (the domain analogue of Inception features), and ``predict`` labels
    generated images for the class checks.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(256, 64)
    max_iter : int, default=60
    random_state : int, default=0
    n_threads : int or None, default=None
        Threads (BLAS) for training and ``transform``: None follows the
        machine's load, -1 uses every usable core.

    Attributes
    ----------
    classifier_ : MLPClassifier
    scale_ : float
        Largest absolute pixel value of the training images; inputs are
        divided by it.
    classes_ : ndarray
    """

    def __init__(self, hidden_layer_sizes=(256, 64), max_iter=60, random_state=0, n_threads=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.max_iter = max_iter
        self.random_state = random_state
        self.n_threads = n_threads

    def fit(self, X, y):
        """Train the classifier on real images ``X`` with labels ``y``."""
        check_threads(self.n_threads)
        flat = _flat(X)
        self.scale_ = float(np.abs(flat).max()) or 1.0
        self.n_features_in_ = flat.shape[1]
        with limited_threads(self.n_threads):
            self.classifier_ = MLPClassifier(
                hidden_layer_sizes=tuple(self.hidden_layer_sizes),
                max_iter=self.max_iter,
                early_stopping=True,
                random_state=self.random_state,
            ).fit(flat / self.scale_, y)
        self.classes_ = self.classifier_.classes_
        return self

    def _inputs(self, X):
        check_is_fitted(self)
        flat = _flat(X)
        if flat.shape[1] != self.n_features_in_:
            raise ValueError(f"Images have {flat.shape[1]} pixels; the extractor was fitted on {self.n_features_in_}.")
        return flat / self.scale_

    def transform(self, X):
        """Last-hidden-layer activations, shape (n_images, hidden_layer_sizes[-1])."""
        activations = self._inputs(X)
        clf = self.classifier_
        with limited_threads(getattr(self, "n_threads", None)):  # (extractors pickled before it had n_threads)
            for weights, bias in zip(clf.coefs_[:-1], clf.intercepts_[:-1]):
                activations = np.maximum(activations @ weights + bias, 0.0)  # MLPClassifier's default relu
        return activations

    def predict(self, X):
        """Predicted class of each image."""
        return self.classifier_.predict(self._inputs(X))

    def score(self, X, y):
        """Accuracy on images ``X`` with labels ``y``."""
        return self.classifier_.score(self._inputs(X), y)


def frechet_distance(real, fake, *, feature_extractor=None, n_threads=None):
    """Fréchet distance between Gaussians fitted to two sets of features.

    ``|mu_r - mu_f|^2 + Tr(C_r + C_f - 2 (C_r^1/2 C_f C_r^1/2)^1/2)``, the
    formula of the FID, in the space of ``feature_extractor`` (e.g. a
    fitted :class:`DomainFeatureExtractor`); lower is better, 0 for equal
    statistics.

    Parameters
    ----------
    real, fake : array-like of shape (n, ...)
        Images (or feature rows when ``feature_extractor`` is None, which
        compares the flattened arrays themselves).
    feature_extractor : object with ``transform``, callable or None, default=None
    n_threads : int or None, default=None
        Threads for the computation (BLAS, OpenMP): None follows the
        machine's load, -1 uses every usable core; the result does not
        depend on it.

    Returns
    -------
    distance : float
    """
    check_threads(n_threads)
    with limited_threads(n_threads):
        return _frechet(real, fake, feature_extractor)


def _frechet(real, fake, feature_extractor):
    a = _features(real, feature_extractor)
    b = _features(fake, feature_extractor)
    if len(a) < 2 or len(b) < 2:
        raise ValueError("frechet_distance needs at least 2 samples in each set.")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"Feature widths differ: {a.shape[1]} and {b.shape[1]}.")
    mean_gap = float(np.sum((a.mean(axis=0) - b.mean(axis=0)) ** 2))
    cov_a = np.atleast_2d(np.cov(a, rowvar=False))
    cov_b = np.atleast_2d(np.cov(b, rowvar=False))
    # (C_a^1/2 C_b C_a^1/2) is symmetric PSD: its square root's trace is the
    # sum of the square roots of its eigenvalues (stable, unlike sqrtm).
    values, vectors = np.linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = np.linalg.eigvalsh(root_a @ cov_b @ root_a)
    trace_root = float(np.sum(np.sqrt(np.clip(middle, 0, None))))
    return max(mean_gap + float(np.trace(cov_a) + np.trace(cov_b)) - 2.0 * trace_root, 0.0)


def _subsample(x, max_samples, rng):
    if len(x) <= max_samples:
        return x
    return x[rng.choice(len(x), max_samples, replace=False)]


def precision_recall(real, fake, *, feature_extractor=None, k=3, max_samples=5000, random_state=0, n_threads=None):
    """k-NN precision and recall of generated images (Kynkäänniemi et al., 2019).

    Each set's manifold is the union of balls around its points reaching
    their ``k``-th nearest neighbour. Precision: the share of fake points
    inside the real manifold (are generated images realistic?). Recall: the
    share of real points inside the fake manifold (is the variety covered?).
    Precision alone misleads: a generator stuck on one class can have high
    precision and low recall.

    Parameters
    ----------
    real, fake : array-like of shape (n, ...)
    feature_extractor : object with ``transform``, callable or None, default=None
    k : int, default=3
    max_samples : int, default=5000
        Larger sets are subsampled (seeded) to bound the cost.
    random_state : int, default=0
    n_threads : int or None, default=None
        Threads for the computation (BLAS, OpenMP): None follows the
        machine's load, -1 uses every usable core; the result does not
        depend on it.

    Returns
    -------
    scores : dict
        ``{"precision": float, "recall": float}``, both in [0, 1].
    """
    check_threads(n_threads)
    rng = check_random_state(random_state)
    a = _subsample(_features(real, feature_extractor), max_samples, rng)
    b = _subsample(_features(fake, feature_extractor), max_samples, rng)
    if min(len(a), len(b)) <= k:
        raise ValueError(f"precision_recall needs more than k={k} samples in each set.")

    def coverage(reference, queries):
        # k-th neighbour radius of each reference point (itself excluded).
        radii = NearestNeighbors(n_neighbors=k + 1).fit(reference).kneighbors(reference)[0][:, -1]
        neighbours = NearestNeighbors(n_neighbors=min(len(reference), 50)).fit(reference)
        distances, indices = neighbours.kneighbors(queries)
        return float(np.mean((distances <= radii[indices]).any(axis=1)))

    with limited_threads(n_threads):
        return {"precision": coverage(a, b), "recall": coverage(b, a)}


def predicted_class_entropy(images, classifier, *, n_classes=None):
    """Normalised entropy of the predicted class distribution of ``images``.

    1.0 means every class is predicted equally often (what a balanced real
    set gives); values near 0 mean the generator collapsed onto few classes.

    Parameters
    ----------
    images : array-like of shape (n, ...)
    classifier : fitted object with ``predict`` and ``classes_``
        E.g. a :class:`DomainFeatureExtractor`.
    n_classes : int or None, default=None
        Number of classes (default: ``len(classifier.classes_)``).

    Returns
    -------
    entropy : float in [0, 1]
    """
    predicted = np.asarray(classifier.predict(images))
    n_classes = len(classifier.classes_) if n_classes is None else n_classes
    if n_classes < 2:
        raise ValueError("predicted_class_entropy needs at least 2 classes.")
    _, counts = np.unique(predicted, return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum() / np.log(n_classes))


def conditional_accuracy(images, requested, classifier):
    """Share of generated images that ``classifier`` assigns to the class requested for them."""
    requested = np.asarray(requested)
    if len(requested) != len(images):
        raise ValueError(f"{len(requested)} labels for {len(images)} images.")
    return float(np.mean(np.asarray(classifier.predict(images)) == requested))


def memorization_ratio(train, fake, holdout, *, feature_extractor=None, max_samples=2000, random_state=0,
                       n_threads=None):
    """How close generated images sit to training images, relative to real ones.

    The median distance from each generated image to its nearest training
    image, divided by the same median for real held-out images. About 1
    means generated images are as far from the training set as new real
    images are; well below 1 means the model reproduces training images
    (``KernelDensity`` with a small bandwidth does).

    Parameters
    ----------
    train, fake, holdout : array-like of shape (n, ...)
    feature_extractor : object with ``transform``, callable or None, default=None
        None compares pixels.
    max_samples : int, default=2000
    random_state : int, default=0
    n_threads : int or None, default=None
        Threads for the computation (BLAS, OpenMP): None follows the
        machine's load, -1 uses every usable core; the result does not
        depend on it.

    Returns
    -------
    ratio : float
    """
    check_threads(n_threads)
    rng = check_random_state(random_state)
    with limited_threads(n_threads):
        reference = _features(train, feature_extractor)
        neighbours = NearestNeighbors(n_neighbors=1).fit(reference)
        fake_d = neighbours.kneighbors(_subsample(_features(fake, feature_extractor), max_samples, rng))[0][:, 0]
        held_d = neighbours.kneighbors(_subsample(_features(holdout, feature_extractor), max_samples, rng))[0][:, 0]
    held = float(np.median(held_d))
    if held == 0:
        raise ValueError("The held-out images coincide with training images; the ratio is undefined.")
    return float(np.median(fake_d)) / held

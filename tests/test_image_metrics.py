"""Validation of the image metrics on real, degraded and collapsed digit sets."""

import numpy as np
import pytest
from scipy.ndimage import uniform_filter
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skgen.metrics import (
    DomainFeatureExtractor,
    conditional_accuracy,
    frechet_distance,
    memorization_ratio,
    precision_recall,
    predicted_class_entropy,
)


@pytest.fixture(scope="module")
def data():
    digits = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        digits.images, digits.target, test_size=0.3, random_state=0, stratify=digits.target
    )
    extractor = DomainFeatureExtractor().fit(X_train, y_train)
    rng = np.random.RandomState(0)
    fakes = {
        "real": X_test,
        "noise": rng.normal(X_train.mean(), X_train.std(), X_test.shape),
        "blurred": uniform_filter(X_test, size=(1, 3, 3)),
        "one class": X_train[y_train == 3][rng.randint(0, (y_train == 3).sum(), len(X_test))],
    }
    return X_train, X_test, y_train, y_test, extractor, fakes


def test_extractor_is_a_good_classifier(data):
    X_train, X_test, y_train, y_test, extractor, _ = data
    assert extractor.score(X_test, y_test) > 0.9
    assert extractor.transform(X_test).shape == (len(X_test), 64)


def test_frechet_distance_ranks_real_above_degraded_sets(data):
    X_train, _, _, _, extractor, fakes = data
    fd = {name: frechet_distance(X_train, fake, feature_extractor=extractor) for name, fake in fakes.items()}
    assert fd["real"] * 20 < fd["noise"]
    assert fd["real"] < fd["blurred"]
    assert fd["real"] * 5 < fd["one class"]
    assert frechet_distance(X_train, X_train, feature_extractor=extractor) == pytest.approx(0, abs=1e-6)


def test_frechet_distance_of_gaussians_matches_the_closed_form():
    rng = np.random.RandomState(0)
    a = rng.normal(0, 1, (20000, 2))
    b = rng.normal(1, 2, (20000, 2))
    # |mu gap|^2 = 2; trace terms: 2 + 8 - 2 * 2 * 2 = 2.
    assert frechet_distance(a, b) == pytest.approx(4.0, rel=0.05)


def test_precision_recall_separate_fidelity_from_variety(data):
    X_train, _, _, _, extractor, fakes = data
    scores = {name: precision_recall(X_train, fake, feature_extractor=extractor) for name, fake in fakes.items()}
    assert scores["real"]["precision"] > 0.7 and scores["real"]["recall"] > 0.7
    assert scores["noise"]["precision"] < 0.2
    # A single class is realistic (high precision) but covers little (low recall).
    assert scores["one class"]["precision"] > 0.7
    assert scores["one class"]["recall"] < 0.3


def test_class_entropy_and_conditional_accuracy(data):
    _, X_test, _, y_test, extractor, fakes = data
    assert predicted_class_entropy(fakes["real"], extractor) > 0.95
    assert predicted_class_entropy(fakes["one class"], extractor) < 0.2
    assert conditional_accuracy(X_test, y_test, extractor) > 0.9
    assert conditional_accuracy(X_test, (y_test + 1) % 10, extractor) < 0.1


def test_memorization_ratio_flags_copies(data):
    X_train, X_test, _, _, _, _ = data
    assert memorization_ratio(X_train, X_test, X_test) == pytest.approx(1.0)
    copies = X_train[:300] + 0.01
    assert memorization_ratio(X_train, copies, X_test) < 0.1


def test_bad_metric_input():
    with pytest.raises(ValueError, match="at least 2"):
        frechet_distance(np.zeros((1, 3)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="NaN"):
        frechet_distance(np.full((3, 3), np.nan), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="Feature widths"):
        frechet_distance(np.zeros((3, 3)), np.zeros((5, 4)))
    with pytest.raises(ValueError, match="more than k"):
        precision_recall(np.zeros((3, 2)), np.zeros((3, 2)))

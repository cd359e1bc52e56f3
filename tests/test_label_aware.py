"""Label-aware training of AutoencoderTransformer (``supervision=``)."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline

from skgen import AutoencoderTransformer

# The default networks, trained long enough for the codes to show what supervision adds.
FAST = dict(max_epochs=30, batch_size=64, random_state=0)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.3, random_state=0, stratify=y)


def held_out_accuracy(model, digits):
    X_train, X_test, y_train, y_test = digits
    model.fit(X_train, y_train)
    classifier = LogisticRegression(max_iter=2000).fit(model.transform(X_train), y_train)
    return classifier.score(model.transform(X_test), y_test)


def test_label_aware_codes_separate_classes_better(digits):
    plain = held_out_accuracy(AutoencoderTransformer(n_components=2, **FAST), digits)
    aware = held_out_accuracy(AutoencoderTransformer(n_components=2, supervision="classification", **FAST), digits)
    # Measured: 0.72 unsupervised, 0.91 label-aware.
    assert aware > 0.85
    assert aware > plain + 0.1


def test_unsupervised_by_default_ignores_y(digits):
    X_train, _, y_train, _ = digits
    with_y = AutoencoderTransformer(n_components=2, max_epochs=3, random_state=0).fit(X_train, y_train)
    without_y = AutoencoderTransformer(n_components=2, max_epochs=3, random_state=0).fit(X_train)
    np.testing.assert_array_equal(with_y.transform(X_train), without_y.transform(X_train))
    assert with_y.supervision_ is None


def test_shuffled_labels_give_chance_level_cross_validation(digits):
    """Only fit sees labels: shuffled labels cannot be predicted on held-out folds."""
    X_train, _, y_train, _ = digits
    pipeline = make_pipeline(
        AutoencoderTransformer(n_components=2, supervision="classification", max_epochs=15, batch_size=64, random_state=0),
        LogisticRegression(max_iter=2000),
    )
    folds = KFold(3, shuffle=True, random_state=0)
    shuffled = np.random.RandomState(0).permutation(y_train)
    chance = cross_val_score(pipeline, X_train, shuffled, cv=folds).mean()
    real = cross_val_score(pipeline, X_train, y_train, cv=folds).mean()
    assert chance < 0.2  # ten classes: chance is 0.1
    assert real > 0.8


def test_regression_supervision_keeps_the_target(digits):
    X_train, X_test, y_train, y_test = digits
    rng = np.random.RandomState(0)
    target = lambda X, labels: labels + 0.1 * rng.standard_normal(len(labels))  # noqa: E731
    t_train, t_test = target(X_train, y_train), target(X_test, y_test)

    def r2(model):
        model.fit(X_train, t_train)
        regression = LinearRegression().fit(model.transform(X_train), t_train)
        return regression.score(model.transform(X_test), t_test)

    aware_model = AutoencoderTransformer(n_components=2, supervision="auto", **FAST)
    aware = r2(aware_model)
    assert aware_model.supervision_ == "regression"
    plain = r2(AutoencoderTransformer(n_components=2, **FAST))
    assert aware > plain + 0.2


def test_auto_infers_classification_and_allows_no_y(digits):
    X_train, _, y_train, _ = digits
    model = AutoencoderTransformer(n_components=2, supervision="auto", max_epochs=2, random_state=0)
    model.fit(X_train, y_train)
    assert model.supervision_ == "classification"
    np.testing.assert_array_equal(model.supervision_classes_, np.arange(10))
    model.fit(X_train)
    assert model.supervision_ is None
    assert not hasattr(model, "supervision_classes_")


def test_string_labels_and_early_stopping(digits):
    X_train, _, y_train, _ = digits
    labels = np.array([f"digit {d}" for d in y_train], dtype=object)
    model = AutoencoderTransformer(
        n_components=2, supervision="classification", early_stopping=True, patience=2, max_epochs=20, random_state=0
    ).fit(X_train, labels)
    assert model.supervision_classes_[0] == "digit 0"
    valid_loss = model.history_[:, "valid_loss"]
    assert np.all(np.isfinite(valid_loss))


def test_grid_search_tunes_the_supervision_weight(digits):
    X_train, _, y_train, _ = digits
    pipeline = make_pipeline(
        AutoencoderTransformer(n_components=2, supervision="classification", max_epochs=15, batch_size=64, random_state=0),
        LogisticRegression(max_iter=2000),
    )
    search = GridSearchCV(pipeline, {"autoencodertransformer__supervision_weight": [0.0, 1.0]}, cv=2)
    search.fit(X_train, y_train)
    scores = search.cv_results_["mean_test_score"]
    # Weight 0 is the unsupervised objective; the labels help.
    assert scores[1] > scores[0] + 0.1
    assert clone(search.best_estimator_).get_params()["autoencodertransformer__supervision"] == "classification"


@pytest.mark.parametrize(
    "params, y, message",
    [
        (dict(supervision="classification"), None, "needs the targets"),
        (dict(supervision="regression"), None, "needs the targets"),
        (dict(supervision="clasification"), "labels", "'supervision' parameter .* must be a str among"),
        (dict(supervision="classification", supervision_weight=-1.0), "labels", "supervision_weight"),
        (dict(supervision="classification"), "short", "y has"),
        (dict(supervision="classification"), "one class", "at least 2 classes"),
        (dict(supervision="auto"), "multilabel", "cannot tell the task"),
        (dict(supervision="regression"), "nan", "NaN"),
    ],
)
def test_bad_supervision_input_is_named(digits, params, y, message):
    X_train, _, y_train, _ = digits
    X = X_train[:50]
    targets = {
        None: None,
        "labels": y_train[:50],
        "short": y_train[:10],
        "one class": np.zeros(50),
        "multilabel": np.eye(2, dtype=int)[np.arange(50) % 2],
        "nan": np.r_[np.nan, np.ones(49)],
    }[y]
    with pytest.raises(ValueError, match=message):
        AutoencoderTransformer(n_components=2, max_epochs=1, **params).fit(X, targets)

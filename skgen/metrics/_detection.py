"""Detection (a classifier two-sample test): can a model tell synthetic rows from real ones?"""

import warnings

import numpy as np
import pandas as pd

from .._core._threads import limited_threads
from ._frames import (
    as_matching_frames,
    boosting_threads,
    capped_categories,
    check_count,
    check_threads,
    column_kind,
    model_frame,
    subsample,
)


def _auc(y, proba):
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, proba))


def detection_score(real, synthetic, *, n_splits=5, max_rows=10_000, random_state=0, return_details=False,
                    n_threads=None):
    """How hard it is to tell synthetic rows from real ones (1 = indistinguishable).

    A classifier two-sample test (C2ST): a HistGradientBoosting classifier
    (native categorical support, missing values handled; categorical
    columns capped at their 254 most frequent levels) learns to separate
    ``real`` rows from as many ``synthetic`` rows, and its ``n_splits``-fold
    cross-validated ROC-AUC gives ``score = 1 - (2 * max(AUC, 0.5) - 1)``.
    The classifier stops boosting when 10% of its training rows stop
    improving (early stopping, as scikit-learn does by default above 10,000
    rows; here from 200 training rows on), so tables it cannot separate
    cost little.
    Pass real rows the generator never saw (a holdout): against its own
    training rows a generator that copies them would look perfect.

    Parameters
    ----------
    real, synthetic : DataFrame or array-like
    n_splits : int, default=5
    max_rows : int, default=10000
        Each side is subsampled to at most this many rows (and both to the
        smaller side's count), which bounds the cost on large tables.
    random_state : int, default=0
    return_details : bool, default=False
        Also return, per column, how much the detector's AUC drops when that
        column is shuffled in a held-out fold (permutation importance): the
        columns that give the synthetic rows away come first. On tables of
        more than 30 columns only the 30 the detector's trees gain most
        from are shuffled; the others count 0.

    Returns
    -------
    score : float in [0, 1]
    details : pandas.Series, only if ``return_details``
        AUC drop per column, largest first.
    """
    auc, importance = cross_validated_auc(real, synthetic, n_splits, max_rows, random_state, return_details, n_threads)
    score = 1.0 - (2.0 * max(auc, 0.5) - 1.0)
    return (score, importance) if return_details else score


def cross_validated_auc(real, synthetic, n_splits=5, max_rows=10_000, random_state=0, return_details=False,
                        n_threads=None, detector_params=None):
    """The detector's cross-validated ROC-AUC (not clipped at 0.5) and, with ``return_details``, the
    AUC drop per shuffled column (else None): :func:`detection_score` before its score is formed.
    ``detector_params`` (a dict) overrides the HistGradientBoostingClassifier's settings."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import StratifiedKFold

    check_count(n_splits, "n_splits", 2)
    check_count(max_rows, "max_rows", 2)
    check_threads(n_threads)
    real, synthetic = as_matching_frames(real, synthetic)
    rng = np.random.RandomState(random_state)
    n = min(len(real), len(synthetic), max_rows)
    if n < n_splits:
        raise ValueError(f"detection_score needs at least {n_splits} real and synthetic rows; got {n}.")
    real, synthetic = subsample(real, n, rng), subsample(synthetic, n, rng)
    categorical = [c for c in real.columns if column_kind(real[c]) == "categorical"]
    categories = capped_categories([real, synthetic], categorical)
    frame = model_frame(pd.concat([real, synthetic], ignore_index=True), categories)
    # Category codes in a float array: the model (and each permuted
    # prediction) skips pandas' per-call categorical checks.
    columns = list(frame.columns)
    X = np.column_stack([
        frame[c].cat.codes.to_numpy(dtype=np.float64) if c in categories else frame[c].to_numpy(dtype=np.float64)
        for c in columns
    ])
    is_categorical = np.array([c in categories for c in columns])
    y = np.r_[np.zeros(len(real)), np.ones(len(synthetic))]
    aucs = []
    importance = None
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    with warnings.catch_warnings(), limited_threads(boosting_threads(n_threads, len(X))):
        warnings.simplefilter("ignore")
        for k, (train_index, test_index) in enumerate(folds.split(X, y)):
            settings = {"early_stopping": len(train_index) >= MIN_ROWS_EARLY_STOPPING, **(detector_params or {})}
            model = HistGradientBoostingClassifier(
                categorical_features=is_categorical if is_categorical.any() else None,
                random_state=random_state, **settings,
            )
            model.fit(X[train_index], y[train_index])
            X_test, y_test = X[test_index], y[test_index]
            auc = _auc(y_test, model.predict_proba(X_test)[:, 1])
            aucs.append(auc)
            if return_details and k == 0:
                importance = _permutation_drop(model, X_test, y_test, auc, rng, columns)
    return float(np.mean(aucs)), importance


MAX_PERMUTED = 30
MIN_ROWS_EARLY_STOPPING = 200  # a 10% validation split needs rows of both classes


def _split_gains(model, n_features):
    """Total split gain per feature over the fitted trees (None if the
    model's trees cannot be read: they are a private part of scikit-learn)."""
    try:
        gains = np.zeros(n_features)
        for trees in model._predictors:
            for tree in trees:
                nodes = tree.nodes[~tree.nodes["is_leaf"].astype(bool)]
                np.add.at(gains, nodes["feature_idx"].astype(int), nodes["gain"])
        return gains
    except (AttributeError, KeyError, TypeError, ValueError, IndexError):
        return None


def _permutation_drop(model, X_test, y_test, auc, rng, columns):
    """AUC drop when each column is shuffled; on a wide table only the
    ``MAX_PERMUTED`` columns with the largest split gains are shuffled (the
    others, barely or never split on, count 0)."""
    candidates = range(len(columns))
    gains = _split_gains(model, len(columns))
    if gains is not None and len(columns) > MAX_PERMUTED:
        candidates = [j for j in np.argsort(-gains, kind="stable")[:MAX_PERMUTED] if gains[j] > 0]
    drops = dict.fromkeys(columns, 0.0)
    shuffled = X_test.copy()
    for j in candidates:
        column = columns[j]
        shuffled[:, j] = X_test[rng.permutation(len(X_test)), j]
        drops[column] = auc - _auc(y_test, model.predict_proba(shuffled)[:, 1])
        shuffled[:, j] = X_test[:, j]
    return pd.Series(drops, dtype=float).sort_values(ascending=False)

"""Quality, utility and privacy metrics for synthetic data.

Fidelity follows the definitions of SDMetrics' quality report, so figures are
comparable with published ones (one deliberate difference: in a pair of a
numeric and a categorical column, SDMetrics bins each table's numeric column
on that table's own range, which hides a shifted synthetic column; here both
tables are binned on the real data's edges):

- :func:`column_shapes_score`: per column, ``1 - KS statistic`` (numeric and
  datetime) or ``1 - total variation distance`` (categorical, boolean),
  averaged.
- :func:`column_pairs_score`: per pair of columns, ``1 - |corr_real -
  corr_synthetic| / 2`` (Pearson; both numeric) or ``1 - TVD`` of the joint
  frequency tables (otherwise; numeric columns cut into 10 equal-width bins
  of the real range), averaged.
- :func:`quality_score`: the mean of the two, in [0, 1].

Utility: :func:`tstr_score` (train on synthetic, test on real). Privacy:
:func:`dcr_score` (distance to closest record) and
:func:`membership_inference_auc` (a distance-based membership attack).

Images: :func:`frechet_distance` (in the feature space of a
:class:`DomainFeatureExtractor`, a classifier trained on the real images),
:func:`precision_recall` (k-NN manifolds), :func:`predicted_class_entropy`,
:func:`conditional_accuracy` and :func:`memorization_ratio`.
"""

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from ._image_metrics import (
    DomainFeatureExtractor,
    conditional_accuracy,
    frechet_distance,
    memorization_ratio,
    precision_recall,
    predicted_class_entropy,
)

__all__ = [
    "column_shapes_score",
    "column_pairs_score",
    "quality_score",
    "tstr_score",
    "dcr_score",
    "membership_inference_auc",
    "DomainFeatureExtractor",
    "frechet_distance",
    "precision_recall",
    "predicted_class_entropy",
    "conditional_accuracy",
    "memorization_ratio",
]


def _as_frames(real, synthetic):
    real = real if isinstance(real, pd.DataFrame) else pd.DataFrame(np.asarray(real))
    synthetic = synthetic if isinstance(synthetic, pd.DataFrame) else pd.DataFrame(np.asarray(synthetic))
    missing = [c for c in real.columns if c not in synthetic.columns]
    if missing:
        raise ValueError(f"synthetic data lacks column(s) {missing} of the real data.")
    if len(real) == 0 or len(synthetic) == 0:
        raise ValueError("Both real and synthetic data need at least one row.")
    return real, synthetic[list(real.columns)]


def _is_numeric(series):
    dtype = series.dtype
    if ptypes.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return False
    return ptypes.is_numeric_dtype(dtype) or ptypes.is_datetime64_any_dtype(dtype)


def _numeric_values(series):
    if ptypes.is_datetime64_any_dtype(series.dtype):
        values = series.dropna()
        return values.astype("int64").to_numpy(dtype=np.float64)
    return pd.to_numeric(series, errors="coerce").dropna().to_numpy(dtype=np.float64)


def _ks_statistic(a, b):
    """Two-sample Kolmogorov-Smirnov statistic (max CDF gap)."""
    if len(a) == 0 or len(b) == 0:
        return 1.0 if len(a) != len(b) else 0.0
    a = np.sort(a)
    b = np.sort(b)
    grid = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, grid, side="right") / len(a)
    cdf_b = np.searchsorted(b, grid, side="right") / len(b)
    return float(np.max(np.abs(cdf_a - cdf_b)))


def _category_codes(real, synthetic):
    """Shared integer codes for a categorical column (missing is a category)."""
    r = real.astype(object).where(real.notna(), "__missing__")
    s = synthetic.astype(object).where(synthetic.notna(), "__missing__")
    levels = pd.Index(pd.unique(pd.concat([r, s], ignore_index=True).astype(str)))
    return levels.get_indexer(r.astype(str)), levels.get_indexer(s.astype(str)), len(levels)


def _binned_codes(real, synthetic, bins=10):
    """Equal-width bins of the real range; missing gets its own bin."""
    r = _to_float(real)
    s = _to_float(synthetic)
    finite = r[~np.isnan(r)]
    low, high = (finite.min(), finite.max()) if len(finite) else (0.0, 1.0)
    edges = np.linspace(low, high, bins + 1)[1:-1]

    def codes(x):
        out = np.searchsorted(edges, x, side="right")
        out[np.isnan(x)] = bins
        return out

    return codes(r), codes(s), bins + 1


def _to_float(series):
    if ptypes.is_datetime64_any_dtype(series.dtype):
        out = np.full(len(series), np.nan)
        present = series.notna().to_numpy()
        out[present] = series[present].astype("int64").to_numpy(dtype=np.float64)
        return out
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64)


def column_shapes_score(real, synthetic, *, return_details=False):
    """How well each column's marginal distribution is reproduced.

    Parameters
    ----------
    real, synthetic : DataFrame or array-like
        The synthetic data must have the real data's columns.
    return_details : bool, default=False
        Also return the per-column scores as a Series.

    Returns
    -------
    score : float in [0, 1]
        Mean over columns of ``1 - KS`` (numeric, datetime) or ``1 - TVD``
        (categorical, boolean). 1 means identical marginals.
    details : pandas.Series, only if ``return_details``
    """
    real, synthetic = _as_frames(real, synthetic)
    scores = {}
    for column in real.columns:
        r, s = real[column], synthetic[column]
        if _is_numeric(r):
            scores[column] = 1.0 - _ks_statistic(_numeric_values(r), _numeric_values(s))
        else:
            rc, sc, n = _category_codes(r, s)
            p = np.bincount(rc, minlength=n) / len(rc)
            q = np.bincount(sc, minlength=n) / len(sc)
            scores[column] = 1.0 - 0.5 * float(np.abs(p - q).sum())
    details = pd.Series(scores, dtype=float)
    score = float(details.mean())
    return (score, details) if return_details else score


def column_pairs_score(real, synthetic, *, bins=10, return_details=False):
    """How well relationships between pairs of columns are reproduced.

    Parameters
    ----------
    real, synthetic : DataFrame or array-like
    bins : int, default=10
        Equal-width bins (over the real range) for numeric columns in pairs
        with a categorical column.
    return_details : bool, default=False
        Also return the per-pair scores as a Series indexed by pairs.

    Returns
    -------
    score : float in [0, 1]
        Mean over column pairs: ``1 - |corr_r - corr_s| / 2`` for two numeric
        columns, ``1 - TVD`` of the joint frequency table otherwise. A frame
        with a single column scores 1.
    details : pandas.Series, only if ``return_details``
    """
    real, synthetic = _as_frames(real, synthetic)
    columns = list(real.columns)
    numeric = {c: _is_numeric(real[c]) for c in columns}
    codes = {}
    for c in columns:
        if numeric[c]:
            codes[c] = _binned_codes(real[c], synthetic[c], bins)
        else:
            codes[c] = _category_codes(real[c], synthetic[c])
    floats = {c: (_to_float(real[c]), _to_float(synthetic[c])) for c in columns if numeric[c]}
    scores = {}
    for i, a in enumerate(columns):
        for b in columns[i + 1 :]:
            if numeric[a] and numeric[b]:
                scores[(a, b)] = 1.0 - abs(_pearson(floats[a][0], floats[b][0]) - _pearson(floats[a][1], floats[b][1])) / 2
            else:
                ra, sa, na = codes[a]
                rb, sb, nb = codes[b]
                p = np.bincount(ra * nb + rb, minlength=na * nb) / len(ra)
                q = np.bincount(sa * nb + sb, minlength=na * nb) / len(sa)
                scores[(a, b)] = 1.0 - 0.5 * float(np.abs(p - q).sum())
    if not scores:
        return (1.0, pd.Series(dtype=float)) if return_details else 1.0
    details = pd.Series(scores, dtype=float)
    score = float(details.mean())
    return (score, details) if return_details else score


def _pearson(x, y):
    both = ~(np.isnan(x) | np.isnan(y))
    x, y = x[both], y[both]
    if len(x) < 2 or x.std() == 0 or y.std() == 0:
        return 0.0
    return float(np.corrcoef(x, y)[0, 1])


def quality_score(real, synthetic):
    """Overall fidelity: mean of :func:`column_shapes_score` and
    :func:`column_pairs_score`, in [0, 1] (1 for identical data).

    Parameters
    ----------
    real, synthetic : DataFrame or array-like

    Returns
    -------
    score : float
    """
    return 0.5 * (column_shapes_score(real, synthetic) + column_pairs_score(real, synthetic))


def _model_frame(frame, categories):
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        series = frame[column]
        if column in categories:
            out[column] = pd.Categorical(series.astype(object).where(series.notna(), "__missing__").astype(str),
                                         categories=categories[column])
        else:
            out[column] = _to_float(series)
    return out


def tstr_score(synthetic, real_test, target, *, real_train=None, random_state=0):
    """Train-on-synthetic, test-on-real utility of a classification target.

    A ``HistGradientBoostingClassifier`` (native categorical support) is
    trained on the synthetic rows and scored on real held-out rows; with
    ``real_train`` the same model trained on real rows gives the reference.

    Parameters
    ----------
    synthetic : DataFrame
    real_test : DataFrame
    target : str
        Name of the (categorical) target column.
    real_train : DataFrame or None, default=None
    random_state : int, default=0

    Returns
    -------
    scores : dict
        ``accuracy``, ``f1`` (macro) and ``roc_auc`` (binary, or one-vs-rest
        macro) of the synthetic-trained model; ``real_accuracy``, ``real_f1``,
        ``real_roc_auc`` with ``real_train``.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

    for name, frame in (("synthetic", synthetic), ("real_test", real_test)):
        if target not in frame.columns:
            raise ValueError(f"target column {target!r} is not in {name}.")
    features = [c for c in real_test.columns if c != target]
    frames = [synthetic, real_test] + ([real_train] if real_train is not None else [])
    categories = {}
    for column in features:
        if not _is_numeric(real_test[column]):
            values = pd.concat([f[column].astype(object).where(f[column].notna(), "__missing__").astype(str)
                                for f in frames])
            categories[column] = sorted(values.unique())
    y_test = real_test[target].astype(str).to_numpy()
    classes = np.unique(y_test)

    def evaluate(train):
        y_train = train[target].astype(str).to_numpy()
        model = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=random_state)
        model.fit(_model_frame(train[features], categories), y_train)
        X_test = _model_frame(real_test[features], categories)
        pred = model.predict(X_test)
        result = {"accuracy": accuracy_score(y_test, pred), "f1": f1_score(y_test, pred, average="macro")}
        proba = model.predict_proba(X_test)
        known = list(model.classes_)
        full = np.zeros((len(X_test), len(classes)))
        for i, c in enumerate(classes):
            if c in known:
                full[:, i] = proba[:, known.index(c)]
        if len(classes) == 2:
            result["roc_auc"] = roc_auc_score(y_test == classes[1], full[:, 1])
        else:
            result["roc_auc"] = roc_auc_score(y_test, full / np.clip(full.sum(1, keepdims=True), 1e-12, None),
                                              multi_class="ovr", labels=classes)
        return result

    scores = evaluate(synthetic)
    if real_train is not None:
        scores.update({f"real_{k}": v for k, v in evaluate(real_train).items()})
    return {k: float(v) for k, v in scores.items()}


def _distance_matrix_features(frames, reference):
    """Numeric columns min-max scaled on ``reference`` (missing -> indicator),
    categorical columns one-hot; returns one float32 matrix per frame."""
    blocks = [[] for _ in frames]
    for column in reference.columns:
        if _is_numeric(reference[column]):
            ref = _to_float(reference[column])
            low, high = np.nanmin(ref), np.nanmax(ref)
            span = high - low if high > low else 1.0
            for out, frame in zip(blocks, frames):
                x = (_to_float(frame[column]) - low) / span
                out.append(np.nan_to_num(x, nan=0.0)[:, None])
                if np.isnan(ref).any():
                    out.append(np.isnan(_to_float(frame[column]))[:, None].astype(float))
        else:
            levels = pd.Index(pd.unique(reference[column].astype(object).where(reference[column].notna(), "__missing__").astype(str)))
            for out, frame in zip(blocks, frames):
                codes = levels.get_indexer(frame[column].astype(object).where(frame[column].notna(), "__missing__").astype(str))
                onehot = np.zeros((len(frame), len(levels)), dtype=np.float32)
                rows = codes >= 0
                onehot[np.flatnonzero(rows), codes[rows]] = 1.0
                out.append(onehot)
    return [np.hstack(b).astype(np.float32) for b in blocks]


def dcr_score(train, synthetic, holdout=None, *, max_rows=5000, random_state=0):
    """Distance to closest record: does the synthetic data copy training rows?

    Distances are Euclidean over numeric columns min-max scaled on ``train``
    and one-hot categorical columns. Real ``holdout`` rows (not used to fit
    the generator) show what "close" means for genuinely new rows.

    Parameters
    ----------
    train : DataFrame
        The rows the generator was fitted on.
    synthetic : DataFrame
    holdout : DataFrame or None, default=None
        Real rows the generator never saw; without them only the
        ``synthetic_*`` figures are returned.
    max_rows : int, default=5000
        Synthetic and holdout rows are subsampled to this many.
    random_state : int, default=0

    Returns
    -------
    scores : dict
        ``synthetic_median_dcr`` and ``holdout_median_dcr`` (higher means
        farther from training rows), ``synthetic_exact_copies`` and
        ``holdout_exact_copies`` (share at distance 0), and ``near_copies``:
        the share of synthetic rows closer to a training row than 95% of
        holdout rows are (about 5% for data as private as real new rows).
    """
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.RandomState(random_state)
    train, synthetic = _as_frames(train, synthetic)
    holdout = synthetic.iloc[:0] if holdout is None else holdout[list(train.columns)]

    def subsample(frame):
        if len(frame) <= max_rows:
            return frame
        return frame.iloc[np.sort(rng.choice(len(frame), max_rows, replace=False))]

    synthetic, holdout = subsample(synthetic), subsample(holdout)
    X_train, X_syn, X_hold = _distance_matrix_features([train, synthetic, holdout], train)
    nn = NearestNeighbors(n_neighbors=1).fit(X_train)
    d_syn = nn.kneighbors(X_syn)[0].ravel()
    if not len(X_hold):
        return {"synthetic_median_dcr": float(np.median(d_syn)), "synthetic_exact_copies": float(np.mean(d_syn < 1e-9))}
    d_hold = nn.kneighbors(X_hold)[0].ravel()
    threshold = np.quantile(d_hold, 0.05)
    return {
        "synthetic_median_dcr": float(np.median(d_syn)),
        "holdout_median_dcr": float(np.median(d_hold)),
        "synthetic_exact_copies": float(np.mean(d_syn < 1e-9)),
        "holdout_exact_copies": float(np.mean(d_hold < 1e-9)),
        "near_copies": float(np.mean(d_syn < threshold)) if threshold > 0 else float(np.mean(d_syn <= threshold)),
    }


def membership_inference_auc(train, holdout, synthetic, *, max_rows=5000, random_state=0):
    """ROC-AUC of a distance-based membership-inference attack.

    The attacker holds the synthetic rows and a candidate real row and
    guesses "the row was in the training data" when the row has a close
    synthetic neighbour. Scoring each real row by minus its distance to the
    closest synthetic row, the AUC separates training rows (members) from
    real holdout rows (non-members): 0.5 means the synthetic data tell the
    attacker nothing about membership; values near 1 mean they leak it.
    Distances as in :func:`dcr_score`.

    Parameters
    ----------
    train : DataFrame
        Rows the generator was fitted on.
    holdout : DataFrame
        Real rows it never saw.
    synthetic : DataFrame
    max_rows : int, default=5000
        Each table is subsampled to this many rows.
    random_state : int, default=0

    Returns
    -------
    auc : float
    """
    from sklearn.metrics import roc_auc_score
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.RandomState(random_state)
    train, synthetic = _as_frames(train, synthetic)
    holdout = holdout[list(train.columns)]

    def subsample(frame):
        if len(frame) <= max_rows:
            return frame
        return frame.iloc[np.sort(rng.choice(len(frame), max_rows, replace=False))]

    train, holdout, synthetic = subsample(train), subsample(holdout), subsample(synthetic)
    X_train, X_hold, X_syn = _distance_matrix_features([train, holdout, synthetic], train)
    nearest = NearestNeighbors(n_neighbors=1).fit(X_syn)
    scores = -np.concatenate([nearest.kneighbors(X_train)[0].ravel(), nearest.kneighbors(X_hold)[0].ravel()])
    members = np.r_[np.ones(len(X_train)), np.zeros(len(X_hold))]
    return float(roc_auc_score(members, scores))

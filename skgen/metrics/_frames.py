"""Turning what users pass to a metric into frames the metric can trust.

Every table metric starts with :func:`as_matching_frames`: arrays become
frames (typed after the real data), the synthetic frame must hold the real
columns with values of a compatible kind, and a mismatch is a one-line
``ValueError`` naming the column and a value, never a silently lower score.
The helpers below encode columns the same way for every metric.
"""

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from .._core._threads import resolve_thread_count

MISSING = "__missing__"
OTHER = "__other__"


def column_kind(series):
    """``"numeric"``, ``"datetime"`` or ``"categorical"`` (booleans and pandas categories included)."""
    dtype = series.dtype
    if ptypes.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return "categorical"
    if ptypes.is_datetime64_any_dtype(dtype):
        return "datetime"
    if ptypes.is_numeric_dtype(dtype):
        return "numeric"
    return "categorical"


def check_count(value, name, minimum):
    """A metric's integer parameter, or a one-line ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer of at least {minimum}; got {value!r}.")


def check_threads(value):
    """A metric's ``n_threads``: None, "adaptive", -1 or a positive integer, or a one-line ValueError."""
    if value is None or (isinstance(value, str) and value == "adaptive") or (
            isinstance(value, (int, np.integer)) and not isinstance(value, bool) and (value == -1 or value >= 1)):
        return
    raise ValueError(f"n_threads must be None, 'adaptive', -1 or a positive integer; got {value!r}.")


# Gradient boosting on fewer rows than this per thread runs faster on one
# thread: each of its many small parallel loops pays for waking the others
# (measured: Adult's 26,000 rows, 0.7-0.9 s on one thread, 1.2-1.4 s on two).
BOOSTING_ROWS_PER_THREAD = 100_000


def boosting_threads(n_threads, n_rows):
    """The thread count for a gradient-boosting model fitted on ``n_rows`` rows:
    ``n_threads`` when given, else one per ``BOOSTING_ROWS_PER_THREAD`` rows
    within what the machine's load leaves free."""
    if n_threads is not None and n_threads != "adaptive":  # (None and "adaptive" both follow the load)
        return n_threads
    return max(1, min(resolve_thread_count(None), n_rows // BOOSTING_ROWS_PER_THREAD))


def _frame(data, name, like=None):
    if data is None:
        raise ValueError(f"{name} is None; pass a DataFrame or a 2-D array.")
    if isinstance(data, pd.DataFrame):
        return data
    array = np.asarray(data)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a DataFrame or a 2-D array; got an array of shape {array.shape}.")
    if like is not None and array.shape[1] == like.shape[1]:
        frame = pd.DataFrame(array, columns=like.columns)
    else:
        frame = pd.DataFrame(array)
    # An object array of a mixed table holds numbers as objects: give each
    # column the type its values have.
    for column in frame.columns:
        if frame[column].dtype == object:
            numbers = pd.to_numeric(frame[column], errors="coerce")
            if numbers.notna().sum() == frame[column].notna().sum():
                frame[column] = numbers
            elif frame[column].dropna().map(lambda v: isinstance(v, (bool, np.bool_))).all():
                frame[column] = frame[column].astype(bool)
    return frame


def _first_bad(values, parsed):
    bad = values[values.notna() & parsed.isna()]
    return bad.iloc[0] if len(bad) else None


def _matching_column(column, real, synthetic, name):
    """``synthetic`` converted to ``real``'s kind, or a ValueError naming the mismatch."""
    kind = column_kind(real)
    other = column_kind(synthetic)
    if kind == other:
        return synthetic
    if kind == "numeric" and other == "categorical" and not ptypes.is_bool_dtype(synthetic.dtype):
        parsed = pd.to_numeric(synthetic.astype(object), errors="coerce")
        bad = _first_bad(synthetic, parsed)
        if bad is None:
            return parsed
        raise ValueError(f"Column {column!r} is numeric in the real data but {name} holds {bad!r} in it.")
    if kind == "datetime" and other == "categorical":
        parsed = pd.to_datetime(synthetic, errors="coerce")
        bad = _first_bad(synthetic, parsed)
        if bad is None:
            return parsed
        raise ValueError(f"Column {column!r} holds dates in the real data but {name} holds {bad!r} in it.")
    if kind == "categorical":
        # Numbers where the real column holds labels: fine only when the
        # real labels are numbers themselves (integer codes, booleans).
        present = real.dropna()
        parsed = pd.to_numeric(present.astype(object), errors="coerce")
        if parsed.notna().all():
            return synthetic
        raise ValueError(
            f"Column {column!r} is categorical in the real data (e.g. {_first_bad(present, parsed)!r}) but "
            f"{name} holds {other} values in it (e.g. {synthetic.dropna().iloc[0]!r})."
        )
    raise ValueError(f"Column {column!r} is {kind} in the real data but {other} in {name}.")


def as_matching_frames(real, synthetic, *, names=("the real data", "the synthetic data")):
    """``(real, synthetic)`` as DataFrames with the real columns, in order, of matching kinds.

    Raises
    ------
    ValueError
        None, empty frames, no common columns, missing columns, a real
        column with only missing values, or values of the wrong kind.
    """
    real = _frame(real, names[0])
    synthetic = _frame(synthetic, names[1], like=real)
    for frame, name in ((real, names[0]), (synthetic, names[1])):
        if frame.shape[1] == 0:
            raise ValueError(f"{name} has no columns.")
        if len(frame) == 0:
            raise ValueError(f"{name} has no rows.")
    common = [c for c in real.columns if c in synthetic.columns]
    if not common:
        raise ValueError(
            f"{names[0]} and {names[1]} have no column in common "
            f"({list(real.columns)[:5]} vs {list(synthetic.columns)[:5]})."
        )
    missing = [c for c in real.columns if c not in synthetic.columns]
    if missing:
        raise ValueError(f"{names[1]} lacks column(s) {missing} of {names[0]}.")
    empty = [c for c in real.columns if real[c].isna().all()]
    if empty:
        raise ValueError(f"Column(s) {empty} of {names[0]} hold only missing values; drop them first.")
    synthetic = synthetic[list(real.columns)]
    converted = {c: _matching_column(c, real[c], synthetic[c], names[1]) for c in real.columns}
    if any(converted[c] is not synthetic[c] for c in real.columns):
        synthetic = pd.DataFrame(converted, index=synthetic.index)
    return real, synthetic


def to_float(series):
    """Numeric and datetime columns as float64 (missing -> NaN)."""
    if ptypes.is_datetime64_any_dtype(series.dtype):
        out = np.full(len(series), np.nan)
        present = series.notna().to_numpy()
        out[present] = series[present].astype("int64").to_numpy(dtype=np.float64)
        return out
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64)


def numeric_values(series):
    """The present values of a numeric or datetime column as float64."""
    values = to_float(series)
    return values[~np.isnan(values)]


def as_labels(series):
    """A column's values as strings, missing as its own label."""
    return series.astype(object).where(series.notna(), MISSING).astype(str)


def category_codes(real, synthetic, max_levels=None):
    """Shared integer codes for a categorical column (missing is a category).

    With ``max_levels``, a column with more levels keeps its
    ``max_levels - 1`` most frequent real levels and pools the rest (and
    synthetic levels never seen in the real data) into one code, so joint
    tables of two such columns stay small.
    """
    r, s = as_labels(real), as_labels(synthetic)
    levels = pd.Index(pd.unique(pd.concat([r, s], ignore_index=True)))
    if max_levels is None or len(levels) <= max_levels:
        return levels.get_indexer(r), levels.get_indexer(s), len(levels)
    kept = pd.Index(r.value_counts().index[: max_levels - 1])
    pooled = max_levels - 1

    def codes(labels):
        out = kept.get_indexer(labels)
        out[out < 0] = pooled
        return out

    return codes(r), codes(s), max_levels


def binned_codes(real, synthetic, bins=10):
    """Equal-width bins of the real range; missing gets its own bin."""
    r, s = to_float(real), to_float(synthetic)
    finite = r[~np.isnan(r)]
    low, high = (finite.min(), finite.max()) if len(finite) else (0.0, 1.0)
    edges = np.linspace(low, high, bins + 1)[1:-1]

    def codes(x):
        out = np.searchsorted(edges, x, side="right")
        out[np.isnan(x)] = bins
        return out

    return codes(r), codes(s), bins + 1


def row_keys(frame, kinds):
    """One 64-bit hash per row of its values (numbers compared as float64, missing
    values equal to each other), for exact-copy counts that no float distance blurs."""
    normalised = pd.DataFrame(
        {
            column: (to_float(frame[column]) if kinds[column] != "categorical" else as_labels(frame[column]))
            for column in frame.columns
        },
        index=frame.index,
    )
    return pd.util.hash_pandas_object(normalised, index=False).to_numpy()


def capped_categories(frames, columns, max_levels=254):
    """Per categorical column, its most frequent labels across ``frames`` (at
    most ``max_levels``; the rest are read as ``OTHER``), for models with a
    limit on categories such as HistGradientBoosting (255 bins)."""
    categories = {}
    for column in columns:
        counts = pd.concat([as_labels(f[column]) for f in frames]).value_counts()
        kept = list(counts.index[:max_levels])
        categories[column] = sorted(kept) + ([OTHER] if len(counts) > max_levels else [])
    return categories


def model_frame(frame, categories):
    """Features for a HistGradientBoosting model: categorical columns as pandas
    categories over ``categories`` (others -> ``OTHER``), the rest as floats."""
    out = {}
    for column in frame.columns:
        if column in categories:
            labels = as_labels(frame[column])
            levels = categories[column]
            if OTHER in levels:
                labels = labels.where(labels.isin(levels), OTHER)
            out[column] = pd.Categorical(labels, categories=levels)
        else:
            out[column] = to_float(frame[column])
    return pd.DataFrame(out, index=frame.index)


def subsample(frame, max_rows, rng):
    if len(frame) <= max_rows:
        return frame
    return frame.iloc[np.sort(rng.choice(len(frame), max_rows, replace=False))]

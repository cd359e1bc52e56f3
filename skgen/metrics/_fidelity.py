"""Column shapes, column pairs and their mean: fidelity as SDMetrics defines it.

One deliberate difference from SDMetrics: in a pair of a numeric and a
categorical column, SDMetrics bins each table's numeric column on that
table's own range, which hides a shifted synthetic column; here both tables
are binned on the real data's edges.
"""

import numpy as np
import pandas as pd

from ._frames import (
    as_matching_frames,
    binned_codes,
    category_codes,
    check_count,
    column_kind,
    numeric_values,
    to_float,
)

MAX_PAIRS = 20_000
MAX_PAIR_LEVELS = 100  # categorical levels per column in a joint table (the rest pooled)


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


def _tvd_score(codes_real, codes_synthetic, n_levels):
    p = np.bincount(codes_real, minlength=n_levels) / len(codes_real)
    q = np.bincount(codes_synthetic, minlength=n_levels) / len(codes_synthetic)
    return 1.0 - 0.5 * float(np.abs(p - q).sum())


def column_shapes_score(real, synthetic, *, return_details=False):
    """How well each column's marginal distribution is reproduced.

    Parameters
    ----------
    real, synthetic : DataFrame or array-like
        The synthetic data must hold the real data's columns with values of
        the same kinds (a ValueError names a mismatch); arrays take the
        column names and types of a real DataFrame.
    return_details : bool, default=False
        Also return the per-column scores as a Series.

    Returns
    -------
    score : float in [0, 1]
        Mean over columns of ``1 - KS`` (numeric, datetime) or ``1 - TVD``
        (categorical, boolean). 1 means identical marginals.
    details : pandas.Series, only if ``return_details``
    """
    real, synthetic = as_matching_frames(real, synthetic)
    scores = {}
    for column in real.columns:
        r, s = real[column], synthetic[column]
        if column_kind(r) != "categorical":
            scores[column] = 1.0 - _ks_statistic(numeric_values(r), numeric_values(s))
        else:
            scores[column] = _tvd_score(*category_codes(r, s))
    details = pd.Series(scores, dtype=float)
    score = float(details.mean())
    return (score, details) if return_details else score


def _correlations(frame, columns):
    """Pearson correlations of numeric columns, pairwise-complete; 0 where undefined."""
    values = pd.DataFrame({c: to_float(frame[c]) for c in columns})
    return np.nan_to_num(values.corr(min_periods=2).to_numpy(), nan=0.0)


def _pairs(columns, max_pairs, random_state):
    n = len(columns)
    total = n * (n - 1) // 2
    if total <= max_pairs:
        return [(i, j) for i in range(n) for j in range(i + 1, n)]
    rng = np.random.RandomState(random_state)
    chosen = np.sort(rng.choice(total, max_pairs, replace=False))
    # Pair number k -> (i, j) in row-major order of the upper triangle.
    starts = np.cumsum([0] + [n - 1 - i for i in range(n - 1)])
    rows = np.searchsorted(starts, chosen, side="right") - 1
    cols = chosen - starts[rows] + rows + 1
    return list(zip(rows.tolist(), cols.tolist()))


def column_pairs_score(real, synthetic, *, bins=10, max_pairs=MAX_PAIRS, random_state=0, return_details=False):
    """How well relationships between pairs of columns are reproduced.

    Parameters
    ----------
    real, synthetic : DataFrame or array-like
    bins : int, default=10
        Equal-width bins (over the real range) for numeric columns in pairs
        with a categorical column.
    max_pairs : int, default=20000
        A wider table (more than 200 columns) is scored on this many pairs
        drawn at random, which keeps the cost linear in the rows and bounded
        in the columns (a 1,000-column table has 499,500 pairs); the mean
        over a random sample of 20,000 pairs is within about 0.002 of the
        full mean.
    random_state : int, default=0
        Seeds the choice of pairs when they are sampled.
    return_details : bool, default=False
        Also return the per-pair scores as a Series indexed by pairs.

    Returns
    -------
    score : float in [0, 1]
        Mean over column pairs: ``1 - |corr_r - corr_s| / 2`` for two numeric
        columns, ``1 - TVD`` of the joint frequency table otherwise (a
        categorical column with more than 100 levels enters it with its 99
        most frequent real levels and one pooled level, so an ID-like
        column costs no more than others). A frame with a single column
        scores 1.
    details : pandas.Series, only if ``return_details``
    """
    real, synthetic = as_matching_frames(real, synthetic)
    columns = list(real.columns)
    numeric = [column_kind(real[c]) != "categorical" for c in columns]
    check_count(max_pairs, "max_pairs", 1)
    pairs = _pairs(columns, max_pairs, random_state)
    if not pairs:
        return (1.0, pd.Series(dtype=float)) if return_details else 1.0
    numeric_columns = [c for c, is_numeric in zip(columns, numeric) if is_numeric]
    position = {c: k for k, c in enumerate(numeric_columns)}
    if numeric_columns:
        corr_real, corr_synthetic = (_correlations(f, numeric_columns) for f in (real, synthetic))
    codes = {}

    def codes_of(i):
        if i not in codes:
            c = columns[i]
            codes[i] = (binned_codes(real[c], synthetic[c], bins) if numeric[i]
                        else category_codes(real[c], synthetic[c], MAX_PAIR_LEVELS))
        return codes[i]

    scores = {}
    for i, j in pairs:
        a, b = columns[i], columns[j]
        if numeric[i] and numeric[j]:
            pa, pb = position[a], position[b]
            scores[(a, b)] = 1.0 - abs(corr_real[pa, pb] - corr_synthetic[pa, pb]) / 2
        else:
            ra, sa, na = codes_of(i)
            rb, sb, nb = codes_of(j)
            scores[(a, b)] = _tvd_score(ra * nb + rb, sa * nb + sb, na * nb)
    details = pd.Series(scores, dtype=float)
    score = float(details.mean())
    return (score, details) if return_details else score


def quality_score(real, synthetic):
    """Overall fidelity: mean of :func:`column_shapes_score` and
    :func:`column_pairs_score`, in [0, 1] (1 for identical data).

    Read it next to a yardstick: an independent-columns bootstrap of the
    real rows (:func:`independent_columns_bootstrap`) keeps every marginal
    and no relation, and often scores above 0.9; :func:`report` shows both.

    Parameters
    ----------
    real, synthetic : DataFrame or array-like

    Returns
    -------
    score : float
    """
    real, synthetic = as_matching_frames(real, synthetic)
    return 0.5 * (column_shapes_score(real, synthetic) + column_pairs_score(real, synthetic))

"""Rules GANSampler reads off the training table itself: key columns and one-to-one column groups.

Both become ordinary constraints (:mod:`skgen.constraints`), so they are
fitted, saved and kept like the user's own:

- a **key** (a text column with a distinct value on every row: an id, a
  name, free text) is a :class:`~skgen.constraints.Unique` rule: sampled
  rows get new values, never a training one (a model that learned the
  column would copy real names);
- a **one-to-one group** (discrete columns whose levels map one to one,
  Adult's ``education`` and ``education-num``) is a
  :class:`~skgen.constraints.FixedCombinations` rule: learned as one column,
  so no row gets a pair the data never has (a GAN drawing each column's
  level on its own gave 5-40% such rows on Adult).
"""

import warnings

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from ..constraints import FixedCombinations, Unique
from ._constraint_set import spec_columns

# Tables shorter than this get no inferred rule (a coincidence is too likely).
MIN_ROWS = 20
# Discrete columns for one-to-one groups: at most this many levels (and at least 2).
MAX_GROUP_LEVELS = 100
# Integer columns with at most this many distinct values count as discrete (the codec's threshold).
DISCRETE_INTEGER_LEVELS = 20


def inferred_constraints(frame, config):
    """Unique rules for the key columns, then FixedCombinations for the one-to-one groups."""
    if len(frame) < MIN_ROWS or not all(isinstance(c, str) for c in frame.columns) or frame.columns.duplicated().any():
        return []  # (duplicate names are refused by the codec)
    named = set()
    for spec in config.constraints or ():
        named.update(spec_columns(spec, frame.columns))
    keys = [c for c in frame.columns if c not in named and c not in set(config.categorical_columns or ())
            and _is_text_key(frame[c])]
    if keys:
        warnings.warn(
            f"Column(s) {keys} hold a distinct text value on every row (keys, names or free text): sampled rows "
            "get new values ('syn-0', 'syn-1', ...), never a training value. List a column in "
            "categorical_columns to learn its values instead.",
            UserWarning,
            stacklevel=8,
        )
    candidates = [c for c in frame.columns if c not in named and c not in keys]
    groups = one_to_one_groups(frame, candidates, min(MAX_GROUP_LEVELS, config.max_categories))
    return [Unique(c) for c in keys] + [FixedCombinations(group) for group in groups]


def _is_text_key(series):
    if not (ptypes.is_object_dtype(series.dtype) or ptypes.is_string_dtype(series.dtype)
            or isinstance(series.dtype, pd.CategoricalDtype)):
        return False
    values = series.dropna()
    return len(values) == len(series) and values.is_unique and values.map(type).eq(str).all()


def _discrete_codes(series, max_levels):
    """Level codes of a discrete column (missing a level of its own), or None for other columns."""
    dtype = series.dtype
    integer = ptypes.is_integer_dtype(dtype) or (
        ptypes.is_float_dtype(dtype) and bool((series.dropna() % 1 == 0).all())
    )
    text = ptypes.is_object_dtype(dtype) or ptypes.is_string_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype)
    if not (text or integer or ptypes.is_bool_dtype(dtype)):
        return None
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    limit = min(DISCRETE_INTEGER_LEVELS, max_levels) if integer else max_levels
    return codes.astype(np.int64) if 2 <= len(uniques) <= limit else None


def one_to_one_groups(frame, columns, max_levels=MAX_GROUP_LEVELS):
    """Groups of discrete ``columns`` (2 to ``max_levels`` levels) whose levels map one to one
    (every level of one column goes with one level of the other, both ways), in table order."""
    codes = {c: k for c in columns if (k := _discrete_codes(frame[c], max_levels)) is not None}
    names = list(codes)
    parent = {c: c for c in names}

    def root(c):
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    levels = {c: int(codes[c].max()) + 1 for c in names}
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if levels[a] != levels[b] or root(a) == root(b):
                continue
            pairs = np.unique(codes[a] * levels[b] + codes[b]).size
            if pairs == levels[a]:
                parent[root(b)] = root(a)
    groups = {}
    for c in names:
        groups.setdefault(root(c), []).append(c)
    return [group for group in groups.values() if len(group) > 1]

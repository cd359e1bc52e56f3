"""Inequalities between numeric columns kept where the value trees draw a value.

A value drawn from the training rows like the generated one still breaks
``YearsInCurrentRole <= YearsAtCompany`` where the generator's levels pair
a long time in the role with a short one at the company (attrition: 6-15%
of rows for each such rule). Kept as rules, the rows that break them are
mended after the fact, and a mended value no longer goes with the rest of
its row (attrition's detection 0.92 -> 0.80 raising the upper side, 0.72
taking a training row's upper side for the lower one). So the inequalities
the finder sees between the table's numeric columns
(:func:`inequality_pairs`) bound the draw itself: a value is drawn from the
donors of its leaf and bin that keep every inequality with the columns
already known (the discrete ones, the point masses the generator chose,
and the binned values drawn before it); where none does, from the donors
of its leaf, whatever their bin; where none does either, the value is the
column's training value (or point mass) within the bounds nearest to the
one drawn (ames' ``Bsmt_Unf_SF <= Total_Bsmt_SF``: a leaf of basements all
larger than the total drawn before them).
"""

import numpy as np
import pandas as pd

from ._columns import CATEGORICAL, BOOLEAN


def inequality_pairs(codec, model_frame):
    """``[(low, high)]``: the inequalities :func:`skgen.constraints.infer` finds between the numeric
    columns of ``model_frame``, at least one side a column the trees draw."""
    from ..constraints._finder import find_relations

    numeric = {c.name for c in codec.codecs_ if c.kind not in (CATEGORICAL, BOOLEAN) and c.constant is None}
    binned = {c.name for c in codec.codecs_ if c.bins is not None and c.quantiles is not None and c.constant is None}
    frame = model_frame[[c for c in model_frame.columns if c in numeric and isinstance(c, str)]]
    pairs = []
    for relation in find_relations(frame, ("inequalities",)):
        rule = relation.constraint
        if not rule.strict and {rule.low, rule.high} <= numeric and {rule.low, rule.high} & binned:
            pairs.append((rule.low, rule.high))
    return pairs


def pair_columns(pairs):
    """The columns the inequalities ``pairs`` name."""
    return {name for pair in pairs for name in pair}


def discrete_values(codec, level_of, names):
    """``{column: values}`` of the numeric columns among ``names`` the generator's levels give whole
    (NaN for missing)."""
    out = {}
    for column in codec.codecs_:
        if column.name not in names or column.levels is None or column.kind in (CATEGORICAL, BOOLEAN) \
                or column.constant is not None:
            continue
        table = pd.to_numeric(pd.Series(column.levels, dtype=object), errors="coerce").to_numpy(dtype=np.float64)
        out[column.name] = table[np.asarray(level_of(column.discrete_segment), dtype=np.int64)]
    return out


def binned_values(column, level, drawn):
    """A binned column's values: the drawn ones, its point masses, NaN for missing."""
    values = np.array(drawn, dtype=np.float64)
    spikes = np.asarray(column.spikes, dtype=np.float64)
    at_spike = level < len(spikes)
    values[at_spike] = spikes[level[at_spike]]
    return values


def bounds(name, pairs, known, n_rows):
    """Each row's ``(lower, upper)`` for column ``name`` from the inequalities with known columns
    (-inf / +inf where none)."""
    lower, upper = np.full(n_rows, -np.inf), np.full(n_rows, np.inf)
    for low, high in pairs:
        if high == name and low in known:
            lower = np.fmax(lower, known[low])
        elif low == name and high in known:
            upper = np.fmin(upper, known[high])
    return lower, upper


def sorted_donors(values, groups):
    """``(composite, distinct)``: each donor's ``group * len(distinct) + rank of its value`` (donors
    sorted by group, then value) and the distinct values, to find a group's donors in a range."""
    distinct = np.unique(values)
    rank = np.searchsorted(distinct, values)
    return groups.astype(np.int64) * len(distinct) + rank, distinct


def in_range(composite, distinct, groups, lower, upper):
    """``(first, count)``: each row's donors of its group with a value in ``[lower, upper]``."""
    size = len(distinct)
    first = np.searchsorted(composite, groups * size + np.searchsorted(distinct, lower, side="left"))
    stop = np.searchsorted(composite, groups * size + np.searchsorted(distinct, upper, side="right"))
    return first, np.maximum(stop - first, 0)


def nearest_within(candidates, values, lower, upper):
    """Each of ``values`` moved to the nearest of the sorted ``candidates`` in ``[lower, upper]``
    (unchanged where none is)."""
    target = np.clip(values, lower, upper)
    index = np.searchsorted(candidates, target)
    below = candidates[np.maximum(index - 1, 0)]
    above = candidates[np.minimum(index, len(candidates) - 1)]
    below_ok = (below >= lower) & (below <= upper)
    above_ok = (above >= lower) & (above <= upper)
    take_above = above_ok & (~below_ok | (above - target < target - below))
    return np.where(take_above, above, np.where(below_ok, below, values))

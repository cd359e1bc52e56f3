"""Categories ordered by the values they go with, so that a value tree splits them in one step.

A regression tree splits a feature at a threshold, so it reads a
category's level index as an order -- an arbitrary one (levels are indexed
by frequency). Where a category with many levels sets a value (a route its
flight time, a neighbourhood its prices), the tree needs a split per level
to tell them apart and runs out of rows first. Ordered by the mean target
of their training rows, the levels that go with similar values sit side by
side, and for a squared-error split the best partition of the levels is
one threshold in that order (Breiman et al., *Classification and
Regression Trees*, 1984, section 9.4) -- how rpart, and so synthpop's
CART synthesiser, splits a factor.

Each binned numeric column has its own order (the mean of its quantile,
over its training rows in a bin), shared by its two trees. Categories of
one or two levels need none.
"""

import numpy as np

from ._columns import BOOLEAN, CATEGORICAL

_MIN_LEVELS = 3


def ordered_features(codec):
    """``{feature: number of levels}`` of the categorical level features worth ordering, indexed
    as the columns of the value trees' level matrix (every codec with a discrete segment)."""
    with_levels = [c for c in codec.codecs_ if c.discrete_segment is not None]
    return {
        j: c.discrete_segment.width
        for j, c in enumerate(with_levels)
        if c.kind in (CATEGORICAL, BOOLEAN) and c.discrete_segment.width >= _MIN_LEVELS
    }


def level_means(X, target, sizes):
    """``{feature: mean target per level}`` over the rows of ``X``; a level none of them has takes
    the mean of all of them."""
    overall = float(np.mean(target)) if len(target) else 0.5
    means = {}
    for j, size in sizes.items():
        codes = X[:, j].astype(np.int64)
        count = np.bincount(codes, minlength=size)[:size]
        total = np.bincount(codes, weights=target, minlength=size)[:size]
        means[j] = np.where(count > 0, total / np.maximum(count, 1), overall)
    return means


def in_order(X, means, rows):
    """The ``rows`` of ``X`` (a copy) with each ordered feature's level replaced by its mean."""
    out = X[rows]
    for j, table in means.items():
        out[:, j] = table[out[:, j].astype(np.int64)]
    return out

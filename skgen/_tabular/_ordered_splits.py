"""The value trees' categorical features, their levels ordered by the target (CART's split on a factor).

A regression tree that reads a category's level codes as numbers can only
split them into runs of consecutive codes, so it needs several splits, and
leaves too small to keep, to set one level apart (a neighbourhood among
Ames' 28, whose coordinates the next column's tree must find). With the
levels ranked by their mean target, the best split of the levels into two
groups is one of those runs (Fisher 1958; Breiman et al. 1984, section
9.4): the split CART makes on an unordered factor. Each tree ranks the
levels by the rows it is grown on; a level none of them has takes their
overall mean. The ranks are kept per tree for the nodes that split on them.
"""

import numpy as np


def categorical_features(codec):
    """``{feature: number of levels}`` of the discrete-level columns (categories, integer levels)
    among the features of :func:`._value_trees._levels_matrix`."""
    discrete = [c for c in codec.codecs_ if c.discrete_segment is not None]
    return {j: c.discrete_segment.width for j, c in enumerate(discrete) if c.levels is not None}


def ranked_levels(X, target, categorical):
    """``(X with each categorical feature's codes replaced by their rank, {feature: rank of each
    code})``; the ranks order the codes by the mean ``target`` of their rows."""
    ranked = np.array(X, dtype=np.float64, copy=True)
    overall = float(target.mean()) if len(target) else 0.0
    ranks = {}
    for feature, n_levels in categorical.items():
        codes = X[:, feature].astype(np.int64)
        counts = np.bincount(codes, minlength=n_levels)
        sums = np.bincount(codes, weights=target, minlength=n_levels)
        means = np.where(counts > 0, sums / np.maximum(counts, 1), overall)
        rank = np.empty(len(means))
        rank[np.argsort(means, kind="stable")] = np.arange(len(means))
        ranks[feature] = rank
        ranked[:, feature] = rank[codes]
    return ranked, ranks


def split_ranks(feature, ranks):
    """``(row of each node in the table, -1 where the node reads the value itself; table of ranks)``
    of the categorical features a tree's nodes (``feature``, sklearn's node array) split on."""
    used = sorted({int(f) for f in feature if int(f) in ranks})
    row = np.full(len(feature), -1, dtype=np.int64)
    table = np.zeros((len(used), max([len(ranks[f]) for f in used], default=1)))
    for r, f in enumerate(used):
        table[r, : len(ranks[f])] = ranks[f]
        row[feature == f] = r
    return row, table


def rank_lookup(tree):
    """``(whether each node splits on a category's rank, where its ranks start in the flat table,
    the flat table)`` of a tree's node arrays; None for a tree with no such node, or one saved before
    the ranks (four arrays), which reads the values themselves."""
    if len(tree) < 6 or not (tree[4] >= 0).any():
        return None
    row, table = tree[4], tree[5]
    return row >= 0, np.maximum(row, 0) * table.shape[1], table.ravel()


def split_values(values, at, lookup):
    """The values the nodes ``at`` compare with their thresholds: a categorical node reads its
    level's rank (``lookup`` from :func:`rank_lookup`)."""
    categorical, start, ranks = lookup
    inner = np.flatnonzero(categorical[at])
    if len(inner):
        values[inner] = ranks[start[at[inner]] + values[inner].astype(np.int64)]
    return values

"""Numeric values drawn from training rows like the generated one: a regression tree per column.

The generator picks each numeric value's mode level (a point mass, a
quantile bin, missing) well -- the latent classes carry those -- but its
score places a value inside its bin no better than chance: in the trained
states judged training kept on nyc_weather and ames, 74-92% of the scores
fell outside their row's bin and were placed uniformly. The relations finer
than a bin (``humid`` given ``temp`` and ``dewp``, a total and its parts)
were lost.

So each binned numeric column gets two regression trees fitted on the
training rows, predicting the value's quantile from the row's discrete
levels (categories, and the mode levels of the numeric columns) and the
quantiles of the numeric columns before it. The first also reads the
column's own bin: a generated row's value is drawn from the training values
in its leaf *and* its bin, column after column, the way a CART synthesiser
draws real values from a leaf. The second does not: where none of its
leaf's training rows is in the generator's bin, the bin does not go with
the rest of the row -- as where a many-level category the latent classes
do not resolve sets the value (``air_time`` by route on flights) -- and
the value is drawn from that leaf, whatever its bin; the trees after it
see the donor's bin. The first tree alone left flights at 0.36 detection;
the second alone (drawing from leaf and bin, the whole leaf where the bin
has no row) took flights to 0.68 but Adult's 300-row sample from 0.20 to
0.17, since leaves that mix bins leave few values in each; with both,
0.59 and 0.21 (three seeds each). Point masses and missing values stay the
generator's, and each column's value comes from its own training row.

A small leaf can still rebuild training rows whole where the table's
discrete part pins a row down (Ecdat/Computers: 15% of rows were exact
copies at 10 rows a leaf, against 2.2% from the generator's places and
2.3% of new real rows). So after training the leaves are sized by copies:
the fewest rows a leaf whose rows copy no more training rows than the
generator's own places do, or than the table repeats its own rows, plus
a fifth of a point (:func:`._value_tree_sizing.fit_without_copies`; half a point let wage copy
0.71% of its rows where its holdout copies 0.17%).
"""

import numpy as np
from scipy.special import ndtr

from .._io._json import decode_array, decode_value, encode_array, encode_value
from ._ordered_splits import categorical_features, rank_lookup, ranked_levels, split_ranks, split_values
from ._value_bounds import (binned_values, bounds, discrete_values, in_range, inequality_pairs, nearest_within,
                            pair_columns, sorted_donors)

# The fewest training rows in a leaf (synthpop's CART default is 5; 10 keeps more rows to draw from),
# then larger leaves, until the drawn rows copy few enough training rows; none passing: no trees.
LEAF_ROWS = (10, 20, 40, 80, 160, 320, 640)
MIN_LEAF_ROWS = LEAF_ROWS[0]
# Rows generated to count copies, and the share of copies allowed above the reference.
COPY_CHECK_ROWS = 5_000
COPY_MARGIN = 0.002
# Trees are grown on at most this many training rows (a seeded subsample), which are also the donors.
MAX_FIT_ROWS = 50_000
_NOT_IN_BIN = -1.0  # the quantile feature of a row whose value is a point mass or missing
_WALK_ROWS = 8192  # rows a tree is walked for at a time


def binned_columns(codec):
    """The numeric column codecs with quantile bins, whose values the trees draw."""
    return [c for c in codec.codecs_ if c.bins is not None and c.quantiles is not None and c.constant is None]


def _levels(codec, level_of, n_rows):
    """Each row's mode level of a numeric codec (0 when it has no mode block)."""
    if codec.discrete_segment is None:
        return np.zeros(n_rows, dtype=np.int64)
    return np.asarray(level_of(codec.discrete_segment), dtype=np.int64)


class ValueTrees:
    """Per binned numeric column: two trees' arrays and their donors, grouped by (leaf, mode level).

    Parameters
    ----------
    columns : list
        The binned numeric columns, in the order their values are drawn.
    trees : list of tuple
        ``(left, right, feature, threshold, rank row, rank table)`` node arrays of each column's first
        tree (it reads the bin); the last two give the ranks a node splitting on a category reads
        (:mod:`._ordered_splits`; absent from a model saved before them).
    keys, values : list of ndarray
        Each column's donors: the sorted ``leaf * mode levels + level`` key
        of each training row in a bin, and its value (float; datetimes as
        the codec reads them, an int64 count of their unit), in the key's order.
    min_leaf_rows : int
        The fewest training rows in a leaf.
    leaf_trees : tuple of list or None
        ``(trees, keys, values)`` of the second tree per column, which does
        not read the column's own bin; None (a model saved before them):
        every value is drawn from the generator's bin.
    pairs : list of tuple
        ``(low, high)`` inequalities between numeric columns that the draws
        keep where a donor can (:mod:`._value_bounds`); donors are sorted by
        key, then value. Empty for a model saved before them.
    """

    def __init__(self, columns, trees, keys, values, min_leaf_rows=MIN_LEAF_ROWS, leaf_trees=None, pairs=()):
        self.columns = list(columns)
        self.trees = trees
        self.keys = keys
        self.values = values
        self.min_leaf_rows = int(min_leaf_rows)
        self.leaf_trees = leaf_trees
        self.pairs = [tuple(p) for p in pairs]

    @classmethod
    def fit(cls, codec, model_frame, encoded, rows, rng, min_leaf_rows=MIN_LEAF_ROWS, pairs=None):
        """Grow the trees on the training ``rows`` of ``encoded`` (the codec's matrix of ``model_frame``),
        at least ``min_leaf_rows`` rows a leaf; None when the codec has no binned column. ``pairs``:
        the inequalities to keep (None: found in ``model_frame``)."""
        numeric = binned_columns(codec)
        if not numeric:
            return None
        pairs = inequality_pairs(codec, model_frame) if pairs is None else pairs
        rows = np.asarray(rows)
        if len(rows) > MAX_FIT_ROWS:
            rows = np.sort(rng.choice(rows, MAX_FIT_ROWS, replace=False))
        encoded = encoded[rows]
        level_of = lambda segment: encoded[:, segment.start : segment.start + segment.width].argmax(1)  # noqa: E731
        features = [_levels_matrix(codec, level_of, len(rows))]
        own_level = _level_features(codec)
        categorical = categorical_features(codec)
        grown = {"bin": ([], [], []), "leaf": ([], [], [])}
        for column in numeric:
            level = _levels(column, level_of, len(rows))
            in_bin = _in_bin(column, level)
            quantile = np.full(len(rows), _NOT_IN_BIN)
            position = encoded[:, column.segments[-1].start].astype(np.float64)
            quantile[in_bin] = ndtr(position[in_bin])
            raw = _column_values(model_frame[column.name].iloc[rows])[in_bin]
            X = np.column_stack(features)[in_bin]
            seed = int(rng.randint(2**31 - 1))
            for kind in ("bin", "leaf"):
                if kind == "leaf" and column.name in own_level:
                    X[:, own_level[column.name]] = 0.0  # a tree that never reads the column's own bin
                node_arrays, key, value = _grown(X, quantile[in_bin], level[in_bin], raw, column, min_leaf_rows, seed,
                                                 categorical)
                for store, item in zip(grown[kind], (node_arrays, key, value)):
                    store.append(item)
            features.append(quantile)
        return cls([c.name for c in numeric], *grown["bin"], min_leaf_rows, grown["leaf"], pairs)

    def draw(self, codec, level_of, n_rows, rng, skip=()):
        """``{column: values}``: a donor value for each row in a bin (NaN where none is drawn).

        ``level_of(segment)`` gives each row's level of a discrete segment;
        columns in ``skip`` (under a range condition) keep the generator's
        values but still inform the columns after them.
        """
        by_name = {c.name: c for c in binned_columns(codec)}
        own_level = _level_features(codec)
        # Every feature a tree may read, filled column by column (a tree reads only those before it).
        X = _levels_matrix(codec, level_of, n_rows, extra=len(self.columns))
        n_levels = X.shape[1] - len(self.columns)
        drawn = {}
        bounded = pair_columns(self.pairs)  # the columns whose values bound others, or are bounded
        known = discrete_values(codec, level_of, bounded) if bounded else {}
        for name in bounded & set(self.columns):  # the point masses the generator chose are known already
            nothing_drawn = np.full(n_rows, np.nan)
            known[name] = binned_values(by_name[name], _levels(by_name[name], level_of, n_rows), nothing_drawn)
        for i, name in enumerate(self.columns):
            column = by_name[name]
            level = _levels(column, level_of, n_rows)
            limits = bounds(name, self.pairs, known, n_rows) if name in bounded else None
            in_bin = _in_bin(column, level)
            width = _width(column)
            # Only rows in a bin get a value: the trees are walked for those alone.
            active = np.flatnonzero(in_bin) if name not in skip else np.empty(0, dtype=np.int64)
            start, count, _ = self._lookup(i, column, "bin")
            key = _keys(self.trees[i], X, level, column, active)
            low, size = np.zeros(n_rows, dtype=np.int64), np.zeros(n_rows, dtype=np.int64)
            low[active], size[active] = start[key], count[key]
            from_leaf = np.zeros(n_rows, dtype=bool)
            if self.leaf_trees is not None:
                # No training row like this one, its own bin aside, is in the generator's bin: the
                # value comes from those rows, whatever their bin.
                leaf_start, leaf_count, _ = self._lookup(i, column, "leaf")
                leaf_key = _keys(self.leaf_trees[0][i], X, level, column, active)
                unsupported = leaf_count[leaf_key] == 0
                moved, first = active[unsupported], leaf_key[unsupported] - leaf_key[unsupported] % width
                from_leaf[moved] = True
                low[moved] = leaf_start[first]
                size[moved] = leaf_start[first + width - 1] + leaf_count[first + width - 1] - low[moved]
                if limits is not None:
                    self._bound(i, column, limits, active, key, leaf_key, low, size, from_leaf)
            has = np.zeros(n_rows, dtype=bool)
            has[active] = size[active] > 0
            pick = low + np.floor(rng.uniform(size=n_rows) * size).astype(np.int64)
            out = np.full(n_rows, np.nan)
            feature = X[:, n_levels + i]  # the next columns see the donor's quantile and bin
            feature[:] = _NOT_IN_BIN
            for kind, rows in (("bin", has & ~from_leaf), ("leaf", has & from_leaf)):
                if not rows.any():
                    continue
                _, keys, values = self._donor_set(kind)
                picked = np.minimum(pick[rows], len(values[i]) - 1)
                out[rows] = values[i][picked]
                feature[rows] = self._lookup(i, column, kind)[2][picked]
                if kind == "leaf" and name in own_level:  # a bin row's donor is in the generator's bin
                    X[rows, own_level[name]] = keys[i][picked] % width
            if limits is not None:
                self._within(i, column, limits, has, out, feature)
            drawn[name] = out
            if name in bounded and name not in skip:
                known[name] = binned_values(column, level, out)
        return drawn

    def _bound(self, i, column, limits, active, key, leaf_key, low, size, from_leaf):
        """Narrow the ``active`` rows' donors (``low``, ``size``, ``from_leaf``, in place) to those
        within ``limits`` (lower, upper): of the row's leaf and bin, else of its leaf, else unchanged."""
        lower, upper = limits
        limited = np.isfinite(lower[active]) | np.isfinite(upper[active])
        rows, width = active[limited], _width(column)
        if not len(rows):
            return
        composite, distinct = self._sorted(i, "bin", width)
        first, count = in_range(composite, distinct, key[limited], lower[rows], upper[rows])
        found = (count > 0) & ~from_leaf[rows]
        low[rows[found]], size[rows[found]] = first[found], count[found]
        rows, leaf_groups = rows[~found], leaf_key[limited][~found] // width
        composite, distinct = self._sorted(i, "leaf", width)
        first, count = in_range(composite, distinct, leaf_groups, lower[rows], upper[rows])
        found = count > 0
        low[rows[found]], size[rows[found]] = first[found], count[found]
        from_leaf[rows[found]] = True

    def _within(self, i, column, limits, has, out, feature):
        """Move the drawn values (``out``, ``feature``, in place) that break ``limits`` to the nearest
        training value or point mass within them, where one is."""
        lower, upper = limits
        rows = np.flatnonzero(has & ((out < lower) | (out > upper)))
        if len(rows):
            candidates = np.union1d(self._sorted(i, "bin", _width(column))[1], column.spikes)
            out[rows] = nearest_within(candidates, out[rows], lower[rows], upper[rows])
            feature[rows] = _quantiles(column, out[rows])

    def _sorted(self, i, kind, width):
        """Column ``i``'s donors of ``kind`` as :func:`._value_bounds.sorted_donors` (by key for the
        first tree, by leaf for the second); built on first use."""
        cache = self.__dict__.setdefault("_lookups", {})
        if ("sorted", kind, i) not in cache:
            _, keys, values = self._donor_set(kind)
            groups = keys[i].astype(np.int64) if kind == "bin" else keys[i].astype(np.int64) // width
            cache[("sorted", kind, i)] = sorted_donors(values[i], groups)
        return cache[("sorted", kind, i)]

    def _donor_set(self, kind):
        """``(trees, keys, values)`` of the trees that read the bin (``"bin"``) or not (``"leaf"``)."""
        return (self.trees, self.keys, self.values) if kind == "bin" else self.leaf_trees

    def _lookup(self, i, column, kind):
        """Column ``i``'s donors by key, of the trees that read its bin (``kind="bin"``) or not
        (``"leaf"``): first position and count for every possible key, and each donor's quantile;
        built on first use (not saved: the keys and values are)."""
        cache = self.__dict__.setdefault("_lookups", {})
        if (kind, i) not in cache:
            trees, keys, values = self._donor_set(kind)
            n_keys = len(trees[i][0]) * _width(column)
            count = np.bincount(keys[i].astype(np.int64), minlength=n_keys)
            start = np.concatenate([[0], np.cumsum(count)[:-1]])
            cache[(kind, i)] = (start, count, _quantiles(column, values[i]) if len(values[i]) else np.empty(0))
        return cache[(kind, i)]

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_lookups", None)
        return state

    def get_state(self):
        return {
            "columns": [encode_value(c) for c in self.columns],
            "trees": [[encode_array(a) for a in tree] for tree in self.trees],
            "keys": [encode_array(k) for k in self.keys],
            "values": [encode_array(v) for v in self.values],
            "min_leaf_rows": self.min_leaf_rows,
            "pairs": [[encode_value(low), encode_value(high)] for low, high in self.pairs],
            "leaf_trees": None if self.leaf_trees is None else [
                [[encode_array(a) for a in tree] for tree in self.leaf_trees[0]],
                [encode_array(k) for k in self.leaf_trees[1]], [encode_array(v) for v in self.leaf_trees[2]]],
        }

    @classmethod
    def from_state(cls, state):
        return cls([decode_value(c) for c in state["columns"]],
                   [tuple(decode_array(a) for a in tree) for tree in state["trees"]],
                   [decode_array(k) for k in state["keys"]], [decode_array(v) for v in state["values"]],
                   state["min_leaf_rows"], _decoded_leaf_trees(state.get("leaf_trees")),
                   [tuple(decode_value(v) for v in pair) for pair in state.get("pairs", [])])


def _decoded_leaf_trees(state):
    if state is None:  # a model saved before these trees: the generator's bin is always kept
        return None
    trees, keys, values = state
    return ([tuple(decode_array(a) for a in tree) for tree in trees], [decode_array(k) for k in keys],
            [decode_array(v) for v in values])


def _grown(X, quantile, level, raw, column, min_leaf_rows, seed, categorical=None):
    """One column's tree grown on the rows in a bin (``X``, their ``quantile``, mode ``level`` and
    ``raw`` value): its node arrays, and its donors' sorted keys and values. The ``categorical``
    features (:func:`._ordered_splits.categorical_features`) are split on their levels ranked by
    the quantile."""
    from sklearn.tree import DecisionTreeRegressor

    if len(X) >= 2 * min_leaf_rows:
        ranked, ranks = ranked_levels(X, quantile, categorical or {})
        tree = DecisionTreeRegressor(min_samples_leaf=min_leaf_rows, random_state=seed).fit(ranked, quantile).tree_
        feature = tree.feature.astype(np.int64)
        node_arrays = (tree.children_left.astype(np.int64), tree.children_right.astype(np.int64),
                       feature, tree.threshold.astype(np.float64), *split_ranks(feature, ranks))
    else:  # too few values to split: one leaf, the bin's values
        node_arrays = (np.array([-1]), np.array([-1]), np.array([-2]), np.array([-2.0]))
    key = _keys(node_arrays, X, level, column)
    order = np.lexsort((raw, key))  # by key, then value: a key's donors in a range are found by search
    return node_arrays, key[order], raw[order]


def _levels_matrix(codec, level_of, n_rows, extra=0):
    """The level of every row in every discrete segment (categories and numeric mode blocks; one
    column of zeros where there is none), then ``extra`` columns of zeros: filled and walked by
    column, so stored by column."""
    segments = [c.discrete_segment for c in codec.codecs_ if c.discrete_segment is not None]
    X = np.zeros((n_rows, max(len(segments), 1) + extra), order="F")
    for j, segment in enumerate(segments):
        X[:, j] = level_of(segment)
    return X


def _in_bin(column, level):
    n_spikes = len(column.spikes)
    return (level >= n_spikes) & (level < n_spikes + column.bins)


def _level_features(codec):
    """``{column: index}`` of each codec's level among the columns of :func:`_levels_matrix`."""
    return {c.name: i for i, c in enumerate(c for c in codec.codecs_ if c.discrete_segment is not None)}


def _width(column):
    """A numeric column's mode levels: point masses, bins, missing."""
    return len(column.spikes) + column.bins + int(column.has_missing)


def _keys(tree, X, level, column, rows=None):
    """Each row's ``leaf * mode levels + level`` (of the ``rows`` of ``X`` only, when given)."""
    return apply_tree(tree, X, rows) * _width(column) + (level if rows is None else level[rows])


def apply_tree(tree, X, rows=None):
    """The leaf each row of ``X`` (or of its ``rows``) falls in (sklearn's ``tree_.apply``, from the
    node arrays)."""
    rows = np.arange(len(X)) if rows is None else np.asarray(rows, dtype=np.int64)
    if not (X.flags.c_contiguous or X.flags.f_contiguous):  # (the walk reads X's memory through its strides)
        X = np.ascontiguousarray(X)
    if len(rows) <= _WALK_ROWS:
        return _walk(tree, X, rows)
    # Walked a block of rows at a time: the block's rows of X stay in cache (1M Adult rows: 1.8 -> 1.0 s).
    return np.concatenate([_walk(tree, X, rows[i : i + _WALK_ROWS]) for i in range(0, len(rows), _WALK_ROWS)])


def _walk(tree, X, rows):
    left, right, feature, threshold = tree[:4]
    lookup = rank_lookup(tree)
    flat = X.ravel(order="K")  # a view of a C- or F-ordered X, read through its strides
    row_step, feature_step = (stride // X.itemsize for stride in X.strides)
    node = np.zeros(len(rows), dtype=np.int64)
    inner = np.flatnonzero(left[node] >= 0)
    offset = rows[inner] * row_step
    while len(inner):
        at = node[inner]
        values = flat[offset + feature[at] * feature_step]
        if lookup is not None:
            values = split_values(values, at, lookup)
        step = np.where(values <= threshold[at], left[at], right[at])
        node[inner] = step
        going_on = left[step] >= 0
        inner, offset = inner[going_on], offset[going_on]
    return node


def _column_values(series):
    """The column's values as float64 (datetimes as the codec reads them), missing as NaN."""
    import pandas as pd

    if isinstance(series.dtype, pd.SparseDtype):
        series = series.sparse.to_dense()
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        out, present = np.full(len(series), np.nan), series.notna().to_numpy()
        out[present] = series[present].astype("int64").to_numpy(dtype=np.float64)
        return out
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _quantiles(column, values):
    from ._numeric import to_uniform

    return to_uniform(column, values)

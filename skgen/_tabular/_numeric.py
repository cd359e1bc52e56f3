"""Numeric columns (continuous, integer, datetime) in the tabular codec: a mode block and a position.

A numeric column with more values than ``discrete_threshold`` becomes

- a **mode** softmax block: one level per point mass (a value holding a
  large share of the rows, e.g. ``capital-gain == 0``), one per quantile
  *bin* of the remaining values (``n_bins`` bins of equal mass, their edges
  moved off the values a column repeats: :func:`bin_edges`), and one for
  "missing" when the column has missing values;
- a **score** (one float): the value's quantile as a standard-normal
  score, over all the non-spike values.

The mode block is a discrete block like a categorical column's: the
generator is conditioned on it and trained by sampling it, so
``sample(conditions={"age": (30, 40)})`` asks for the bins that overlap the
range and maps each row's score, read inside its bin, into the part of the
bin within the range -- every row lands in the range, generated directly.
Without a condition a value is decoded from its score alone (the bin says
only that it is not a spike or missing).

Measured on Adult (100 epochs, seed 0, one thread): a score *within* the
bin instead of over the column gave better column shapes but a detector
told the rows apart more easily (detection 0.14-0.18 against 0.20-0.23):
the generator under-produces the ends of each bin, which leaves ten small
gaps per column.

Codecs fitted by skgen 0.1 (``codec.bins is None``) keep their layout: a
present/missing block, a spike block and a global normal score.
"""

import numpy as np
from scipy.special import ndtr, ndtri

from ._columns import DATETIME, INTEGER

_EDGE = 1e-7  # keeps positions and quantiles off 0 and 1, where ndtri is infinite
# A numeric column with at most this many distinct values is a grid (ratings, wind speeds in
# whole knots, prices in steps): generated values are moved onto it, so no row carries a value
# the column never takes -- on nyc_weather such off-grid values were what a detector used most.
MAX_SUPPORT = 100


def bins_for(n_distinct, n_bins):
    """Bins for ``n_distinct`` non-spike values: about five values per bin at least."""
    return int(max(1, min(n_bins, n_distinct // 5)))


def mode_width(codec):
    """Levels of the mode block: spikes, bins, missing."""
    return len(codec.spikes) + (codec.bins if codec.quantiles is not None else 0) + int(codec.has_missing)


def layout(codec, add):
    """Add the column's segments through ``add(kind, width, codec)``."""
    if codec.bins is None:  # the 0.1 layout
        if codec.has_missing:
            add("softmax", 2, codec)
        if len(codec.spikes):
            add("softmax", len(codec.spikes) + (codec.quantiles is not None), codec)
        if codec.quantiles is not None:
            add("numeric", 1, codec)
        return
    width = mode_width(codec)
    if width > 1:
        codec.discrete_segment = add("softmax", width, codec)
    if codec.quantiles is not None:
        add("numeric", 1, codec)


def to_uniform(codec, values):
    """The quantile (in (0, 1)) of each non-spike value."""
    z = codec.quantiles.transform(np.asarray(values, dtype=np.float64).reshape(-1, 1)).ravel()
    return np.clip(ndtr(z), _EDGE, 1 - _EDGE)


def from_uniform(codec, u):
    """The value at each quantile ``u``: the fitted quantile function read at ``u`` directly
    (what ``quantiles.inverse_transform(ndtri(u))`` computes, without the round trip
    through the normal scale and back: to within 1e-14, in half the time)."""
    u = np.clip(np.asarray(u, dtype=np.float64), _EDGE, 1 - _EDGE)
    quantiles = codec.quantiles
    return np.interp(u, quantiles.references_, quantiles.quantiles_[:, 0])


def levels(codec):
    """``(kind, payload)`` per mode level: ("spike", value), ("bin", k), ("missing", None)."""
    out = [("spike", v) for v in codec.spikes]
    if codec.quantiles is not None:
        out += [("bin", k) for k in range(codec.bins)]
    if codec.has_missing:
        out.append(("missing", None))
    return out


def encode(codec, values, missing, out):
    """Write the mode levels and positions of ``values`` (float64, any value where missing)."""
    level = np.zeros(len(values), dtype=np.int64)
    position = np.zeros(len(values))
    n_spikes = len(codec.spikes)
    is_rest = ~missing
    if n_spikes:
        index = np.clip(np.searchsorted(codec.spikes, values), 0, n_spikes - 1)
        is_spike = ~missing & (codec.spikes[index] == values)
        level[is_spike] = index[is_spike]
        is_rest = ~missing & ~is_spike
    if codec.quantiles is not None and is_rest.any():
        u = to_uniform(codec, values[is_rest]) * codec.bins
        k = np.minimum(np.floor(u), codec.bins - 1)
        level[is_rest] = n_spikes + k.astype(np.int64)
        position[is_rest] = ndtri(np.clip(u / codec.bins, _EDGE, 1 - _EDGE))
    if codec.has_missing:
        level[missing] = mode_width(codec) - 1
    segments = iter(codec.segments)
    if codec.discrete_segment is not None:
        seg = next(segments)
        out[np.arange(len(values)), seg.start + level] = 1.0
    if codec.quantiles is not None:
        out[:, next(segments).start] = position


def decode(codec, matrix, level_of, bounds=None, rng=None, in_bin=False, drawn=None):
    """Values (float64) and the missing mask of a binned numeric column.

    ``bounds`` is ``(lo, hi)``: per-row quantile bounds within the row's bin
    (a range condition); the row's score is placed inside them (``rng``
    places the scores that fall outside their bin). ``in_bin`` keeps every
    value in its row's bin (the bounds are the bin's), where the row's bin
    comes from a model that knows it better than the score does (a
    latent-class model); otherwise the value is read from the score alone.
    ``drawn`` (NaN where none) replaces the value of a row in a bin: a
    training value of that bin drawn for the row (:mod:`._value_trees`).
    """
    # The bounds are then the bins' own (bin_edges), those of each row's mode level.
    own_bins = in_bin and bounds is None and codec.quantiles is not None and codec.discrete_segment is not None
    n = len(matrix)
    segments = iter(codec.segments)
    if codec.discrete_segment is not None:
        level = level_of(next(segments))
    else:
        level = np.zeros(n, dtype=np.int64)
    n_spikes = len(codec.spikes)
    missing = (level == mode_width(codec) - 1) if codec.has_missing else np.zeros(n, dtype=bool)
    values = np.zeros(n)
    if n_spikes:
        spike_rows = level < n_spikes
        values[spike_rows] = codec.spikes[level[spike_rows]]
    if codec.quantiles is not None:
        seg = next(segments)
        rest = (level >= n_spikes) & ~missing
        if rest.any():
            scores = matrix[rest, seg.start].astype(np.float64)
            t = ndtr(scores)
            if bounds is None and not own_bins:
                values[rest] = from_uniform(codec, t)
            else:
                # The score's place inside its bin, carried into the bin's part within the range.
                k = level[rest] - n_spikes
                edges = bin_edges(codec) if own_bins else np.arange(codec.bins + 1) / codec.bins
                width = edges[k + 1] - edges[k]
                inside = np.divide(t - edges[k], width, out=np.zeros_like(t), where=width > 0)
                # A score outside its bin (the generator is not always consistent) gets a uniform
                # place in it: the data's own distribution within a quantile bin.
                # So does a score of exactly 0: an untrained generator started at zero gives it to every
                # row, which is the edge of the two middle bins when the bins are even in number, and
                # pinned every row of the middle bin to its median when they are odd (births14's fage:
                # 35 in 10% of the rows, against 4% in the data).
                stray = (inside <= 0) | (inside >= 1) | (scores == 0)
                inside[stray] = rng.uniform(size=int(stray.sum()))
                lo, hi = (edges[k], edges[k + 1]) if own_bins else (bounds[0][rest], bounds[1][rest])
                values[rest] = from_uniform(codec, lo + inside * (hi - lo))
    if drawn is not None:
        replaced = ~np.isnan(drawn)
        values[replaced] = drawn[replaced]
    return finish(codec, values), missing


def bin_edges(codec):
    """The ``bins + 1`` quantile edges of the bins, moved off the values a column repeats.

    A value many rows share (an integer count) spans a range of quantiles,
    and :func:`encode` puts all its rows in the bin that holds the middle of
    that range; an edge inside the range would make that bin decode part of
    them as the next value. So the edge moves to the end of the range that
    keeps the value whole in its bin (on email, 9.6% of ``exclaim_mess``
    values decoded from a bin were values no row of the bin had).
    """
    quantiles, references = codec.quantiles.quantiles_[:, 0], codec.quantiles.references_
    edges = np.arange(codec.bins + 1) / codec.bins
    inner = edges[1:-1]
    at = np.interp(inner, references, quantiles)
    first = references[np.clip(np.searchsorted(quantiles, at, side="left"), 0, len(references) - 1)]
    last = references[np.clip(np.searchsorted(quantiles, at, side="right") - 1, 0, len(references) - 1)]
    tied = first < last  # the edge falls inside a repeated value's range
    middle_below = (first + last) / 2 < inner
    edges[1:-1] = np.where(tied, np.where(middle_below, last, first), inner)
    return np.maximum.accumulate(edges)


def finish(codec, values):
    """Observed range, the column's value grid, integer rounding and datetime steps."""
    values = np.clip(values, codec.low, codec.high)
    support = getattr(codec, "support", None)
    if support is not None:
        return nearest(support, values)
    if codec.kind == INTEGER:
        values = np.round(values)
    elif codec.kind == DATETIME:
        values = np.round(values / codec.step) * codec.step
    elif getattr(codec, "decimals", None) is not None:
        values = np.round(values, codec.decimals)
    return values



def nearest(support, values):
    """Each value moved to the nearest value of the sorted array ``support``."""
    above = np.clip(np.searchsorted(support, values), 1, len(support) - 1)
    below = above - 1
    take_below = (values - support[below]) <= (support[above] - values)
    return np.where(take_below, support[below], support[above])

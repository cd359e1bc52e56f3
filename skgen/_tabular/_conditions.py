"""``sample(conditions={...})``: requested values, ranges and missing values as the generator's conditions.

Every condition becomes, per row, a level of the column's discrete block
(a category, an integer, a point mass, a quantile bin, "missing"), drawn in
proportion to the training rows it stands for; a range on a numeric column
also squeezes each row's position into the part of its bin inside the range
(``bounds``). The generator is conditioned on those levels, so rows are
generated inside the condition. (``sample`` filters the model's own rows
instead when the condition is common enough: :mod:`._conditional_rows`.)
"""

import math
from numbers import Real

import numpy as np
import pandas as pd
import torch

from ._latent_classes import cpu_generator
from ._numeric import levels as mode_levels, to_uniform
from ._columns import _MISSING, _OTHER, BOOLEAN, CATEGORICAL, DATETIME, INTEGER, _datetime_unit


class Resolved:
    """Conditions as per-row global condition indices and numeric bounds."""

    def __init__(self):
        self.indices = []  # one int64 array of shape (n,) per conditioned column
        self.bounds = {}  # column -> (lo, hi, low, high), see TabularCodec.inverse_transform


def resolve_conditions(conditions, codec, space, discrete_columns, n_samples, rng):
    """Check ``{"column": value}`` and turn it into condition indices and bounds.

    Parameters
    ----------
    conditions : dict or None
        Values: a level (categorical, boolean, integer, point mass or any
        value in a numeric column's range), ``None`` for missing, or a
        closed range ``(low, high)`` with ``None`` for an open end (numeric
        and datetime columns).
    codec : TabularCodec
    space : ConditionSpace
        Offsets and training counts of each discrete column's levels.
    discrete_columns : list
        The columns the generator is conditioned on, in condition order.
    n_samples : int
    rng : numpy.random.RandomState
        Draws each row's level among those a range allows.

    Returns
    -------
    resolved : Resolved or None
    """
    if conditions is None:
        return None
    if not isinstance(conditions, dict) or not conditions:
        raise TypeError('conditions must be a non-empty dict like {"column": value}.')
    names = list(codec.columns_)
    resolved = Resolved()
    for column, value in conditions.items():
        if column not in names:
            raise ValueError(f"Unknown column {column!r} in conditions; columns are {names}.")
        column_codec = next(c for c in codec.codecs_ if c.name == column)
        if column not in discrete_columns:
            _refuse_unconditioned(column_codec, discrete_columns)
        j = list(discrete_columns).index(column)
        counts = space.level_counts[j].astype(np.float64)
        weights, bounds = _level_weights(column_codec, value, counts)
        probs = weights / weights.sum()
        levels = rng.choice(len(probs), size=n_samples, p=probs)
        resolved.indices.append(int(space.column_offset[j]) + levels)
        if bounds is not None:
            resolved.bounds[column] = _row_bounds(column_codec, levels, bounds)
    return resolved


def _refuse_unconditioned(codec, discrete_columns):
    if codec.constant is not None:
        raise ValueError(f"Column {codec.name!r} is constant in the training data; it needs no condition.")
    if not discrete_columns:
        raise ValueError("This sampler was fitted with conditional=False, so it cannot generate conditions.")
    raise ValueError(
        f"Cannot condition on column {codec.name!r}: its values were learned without a discrete block "
        f"(too few distinct values); columns that can be conditioned on: {list(discrete_columns)}."
    )


def _level_weights(codec, value, counts):
    """Training counts of the levels ``value`` allows (zero elsewhere) and, for
    a range on a binned numeric column, its quantile bounds."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _missing_weights(codec, counts), None
    is_range = isinstance(value, (tuple, list))
    if codec.levels is not None:
        if codec.kind in (CATEGORICAL, BOOLEAN):
            if is_range:
                raise ValueError(
                    f"Column {codec.name!r} is categorical; a range {tuple(value)!r} needs a numeric column. "
                    "Give one of its values instead."
                )
            return _exact_level(codec, value, counts), None
        low, high = _range_of(codec, value) if is_range else _point(codec, value)
        allowed = np.array(
            [not (isinstance(lv, str) and lv == _MISSING) and low <= float(lv) <= high for lv in codec.levels]
        )
        return _nonempty(codec, value, counts * allowed), None
    low, high = _range_of(codec, value) if is_range else _point(codec, value)
    kinds = mode_levels(codec)
    weights = np.zeros(len(kinds))
    ua = to_uniform(codec, [low])[0] if codec.quantiles is not None else 0.0
    ub = to_uniform(codec, [high])[0] if codec.quantiles is not None else 0.0
    for i, (kind, payload) in enumerate(kinds):
        if kind == "spike":
            weights[i] = counts[i] if low <= payload <= high else 0.0
        elif kind == "bin":
            k, n_bins = payload, codec.bins
            overlap = min(ub, (k + 1) / n_bins) - max(ua, k / n_bins)
            point = low == high and k / n_bins <= ua <= (k + 1) / n_bins
            weights[i] = counts[i] * (max(overlap, 0.0) * n_bins if low < high else float(point))
            if point and weights[i] == 0:
                weights[i] = 1.0  # a value inside the range but in a bin with no training rows left
    return _nonempty(codec, value, weights), (ua, ub, low, high)


def _missing_weights(codec, counts):
    if not codec.has_missing:
        raise ValueError(
            f"Column {codec.name!r} has no missing values in the training data, so rows where it is "
            "missing cannot be generated."
        )
    if codec.levels is not None:
        weights = np.zeros(len(counts))
        weights[codec.levels.index(_MISSING)] = 1.0
        return weights
    weights = np.zeros(len(counts))
    weights[-1] = 1.0
    return weights


def pooled_value_message(column, value):
    """The message for a condition on a value training pooled with other rare values (API and CLI)."""
    return (f"Value {value!r} of column {column!r} is too rare to condition on: training pools it with other rare "
            "values, which are sampled together but cannot be asked for one by one.")


def _exact_level(codec, value, counts):
    matches = [i for i, level in enumerate(codec.levels) if same_value(level, value)]
    if not matches and _is_pooled(codec, value):
        raise ValueError(pooled_value_message(codec.name, value))
    if not matches:
        shown = [lv for lv in codec.levels if not isinstance(lv, str) or not lv.startswith("__skgen")]
        raise ValueError(f"Value {value!r} of column {codec.name!r} was not seen in fit; known values: {shown[:20]}.")
    weights = np.zeros(len(counts))
    weights[matches[0]] = 1.0
    return weights


def _is_pooled(codec, value):
    return codec.other_values is not None and any(same_value(v, value) for v in codec.other_values) and (
        _OTHER in codec.levels
    )


def _as_number(codec, value, what):
    """A bound or value in the codec's numeric units (datetimes as integers of their unit)."""
    if codec.kind == DATETIME:
        try:
            stamp = pd.Timestamp(value)
        except (TypeError, ValueError):
            raise ValueError(f"Column {codec.name!r} holds datetimes; {what} {value!r} is not a date.") from None
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert("UTC").tz_localize(None)
        return float(np.datetime64(stamp.to_datetime64(), _datetime_unit(codec.dtype)).astype(np.int64))
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"Column {codec.name!r} is numeric; {what} {value!r} must be a finite number.")
    return float(value)


def _point(codec, value):
    number = _as_number(codec, value, "value")
    if codec.kind == INTEGER and number != round(number):
        raise ValueError(f"Column {codec.name!r} holds integers; {value!r} is not one.")
    if not codec.low <= number <= codec.high:
        raise ValueError(
            f"Value {value!r} of column {codec.name!r} is outside the range seen in fit "
            f"[{_shown(codec, codec.low)}, {_shown(codec, codec.high)}]."
        )
    return number, number


def _range_of(codec, value):
    if len(value) != 2:
        raise ValueError(f"A range condition is (low, high); got {tuple(value)!r} for column {codec.name!r}.")
    low = -math.inf if value[0] is None else _as_number(codec, value[0], "bound")
    high = math.inf if value[1] is None else _as_number(codec, value[1], "bound")
    if low > high:
        raise ValueError(f"Empty range {tuple(value)!r} for column {codec.name!r}: its low end is above its high end.")
    if codec.kind in (INTEGER, DATETIME) or (codec.levels is not None and codec.kind != CATEGORICAL):
        step = codec.step if codec.kind == DATETIME else 1.0
        if math.isfinite(low):
            low = math.ceil(low / step) * step
        if math.isfinite(high):
            high = math.floor(high / step) * step
        if low > high:
            raise ValueError(f"Range {tuple(value)!r} of column {codec.name!r} holds no value of its kind.")
    low, high = max(low, codec.low), min(high, codec.high)
    if low > high:
        raise ValueError(
            f"Range {tuple(value)!r} of column {codec.name!r} lies outside the values seen in fit "
            f"[{_shown(codec, codec.low)}, {_shown(codec, codec.high)}]."
        )
    return low, high


def _shown(codec, number):
    if codec.kind == DATETIME:
        return str(np.datetime64(int(number), _datetime_unit(codec.dtype)))
    return f"{number:g}"


def _nonempty(codec, value, weights):
    if not weights.sum() > 0:
        raise ValueError(f"No training row of column {codec.name!r} matches {value!r}, so it cannot be generated.")
    return weights


def _row_bounds(codec, levels, bounds):
    ua, ub, low, high = bounds
    kinds = mode_levels(codec)
    k = np.array([payload if kind == "bin" else 0 for kind, payload in kinds])[levels]
    n_bins = codec.bins or 1
    lo = np.maximum(ua, k / n_bins)
    hi = np.minimum(ub, (k + 1) / n_bins)
    return lo, np.maximum(hi, lo), low, high


def same_value(level, value):
    """``level == value`` for a codec level, with NaN equal to NaN."""
    if isinstance(level, float) and isinstance(value, float) and math.isnan(level) and math.isnan(value):
        return True
    try:
        return bool(level == value)
    except (TypeError, ValueError):
        return False


def unconditional_rows(space, latent, n, seed, device, generator=None):
    """The condition rows of ``n`` rows sampled without conditions: latent classes drawn
    with their conditions, else conditions drawn from the data's frequencies (None: none)."""
    if latent is not None:
        return latent.sample_conditions(n, space.column_weights, cpu_generator(seed)).to(device)
    if space.n_conditions:
        generator = generator if generator is not None else torch.Generator(device=device).manual_seed(seed)
        return space.sample(n, space.data_probs, generator=generator)
    return None

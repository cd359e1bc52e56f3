"""Column kinds and the per-column state of the tabular codec."""

import warnings

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

CONTINUOUS, INTEGER, DATETIME, BOOLEAN, CATEGORICAL = (
    "continuous",
    "integer",
    "datetime",
    "boolean",
    "categorical",
)
KINDS = (CONTINUOUS, INTEGER, DATETIME, BOOLEAN, CATEGORICAL)

_MISSING = "__skgen_missing__"
_OTHER = "__skgen_other__"


def infer_kind(series):
    """Kind of a pandas Series: one of :data:`KINDS`."""
    dtype = series.dtype
    if ptypes.is_bool_dtype(dtype):
        return BOOLEAN
    if isinstance(dtype, pd.CategoricalDtype):
        return CATEGORICAL
    if ptypes.is_datetime64_any_dtype(dtype):
        return DATETIME
    if ptypes.is_integer_dtype(dtype):
        return INTEGER
    if ptypes.is_float_dtype(dtype):
        return CONTINUOUS
    if ptypes.is_object_dtype(dtype) or ptypes.is_string_dtype(dtype):
        values = series.dropna()
        if len(values) and values.map(lambda v: isinstance(v, (bool, np.bool_))).all():
            return BOOLEAN
        return CATEGORICAL
    if ptypes.is_complex_dtype(dtype):
        raise ValueError(f"Complex data not supported: column {series.name!r} has dtype {dtype}.")
    raise TypeError(
        f"Column {series.name!r} has dtype {dtype}, which skgen cannot model; "
        "convert it to a numeric, boolean, categorical or datetime column."
    )


# Up to 6 places, a value may be off its places by 1e-9 of itself (21.10000003: float32 noise in real
# tables). Real tables also hold 7 to 9 (ames' Latitude 42.0168895, Guns' densities), which came back
# with all 17 digits: those places are looked for strictly (1e-12 of the value). (A column whose
# values are all large enough for 1e-12 of them to reach half a unit stops at 6 places, loosely.)
LOOSE_DECIMALS, MAX_DECIMALS = 6, 9


def decimal_places(values):
    """The fewest decimal places (0 to ``MAX_DECIMALS``) that every value of
    ``values`` (float64, finite) is written with, or None (more, or none)."""
    with np.errstate(invalid="ignore", over="ignore"):  # infinite values: none (the codec refuses them)
        for places in range(MAX_DECIMALS + 1):
            strict = places > LOOSE_DECIMALS
            scaled = values * 10.0**places
            if np.all(np.abs(scaled - np.round(scaled)) <= 1e-6 + (1e-12 if strict else 1e-9) * np.abs(scaled)):
                return places
    return None


# Fewer training rows than this give a warning: too few to learn from or to score on.
SMALL_TABLE_ROWS = 50


def warn_if_small(n_rows):
    """Warn (before training) that a table of fewer than ``SMALL_TABLE_ROWS`` rows is too small."""
    if n_rows < SMALL_TABLE_ROWS:
        warnings.warn(
            f"The table has {n_rows} rows: a generator learns little from fewer than {SMALL_TABLE_ROWS}, and "
            "scores on so few rows mean little (GANSampler trains for max_epochs, not judged as it goes).",
            UserWarning,
            stacklevel=5,
        )


def _warn_if_mostly_numeric(series, share=0.5, min_numbers=5):
    """Warn when a text column is mostly numbers, with some stray text values.

    Such a column (``"n/a"`` in a column of prices, say) is learned as a
    categorical with one level per distinct number, which keeps none of its
    order or shape; the user usually wants it numeric.
    """
    values = series.dropna()
    if not len(values):
        return
    numbers = pd.to_numeric(values, errors="coerce")
    stray = numbers.isna()
    if not stray.any() or stray.mean() > 1 - share or numbers.nunique() < min_numbers:
        return
    shown = ", ".join(repr(v) for v in pd.unique(values[stray])[:5])
    warnings.warn(
        f"Column {series.name!r} is learned as categorical ({values.nunique()} levels) because "
        f"{int(stray.sum())} of its {len(values)} values are not numbers: {shown}. To learn it as numeric, "
        f"convert it first, e.g. X[{series.name!r}] = pd.to_numeric(X[{series.name!r}], errors='coerce').",
        UserWarning,
        stacklevel=4,
    )


def _datetime_unit(dtype):
    unit = getattr(dtype, "unit", None)
    if unit is None:
        unit = np.datetime_data(np.dtype(dtype))[0]
    return unit


_NS_PER_UNIT = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}


def _datetime_step(values, unit):
    """Coarsest of day/hour/minute/second/ms/us/ns that all values fall on."""
    per_unit = _NS_PER_UNIT.get(unit, 1)
    for step_ns in (86_400 * 10**9, 3_600 * 10**9, 60 * 10**9, 10**9, 10**6, 10**3, 1):
        if step_ns % per_unit:
            continue
        step = step_ns // per_unit
        if np.all(values % step == 0):
            return float(step)
    return 1.0


def _index_of(levels, marker):
    """Position of a marker level (missing / pooled) or -1."""
    for i, level in enumerate(levels):
        if isinstance(level, str) and level == marker:
            return i
    return -1


class _Segment:
    """One block of the encoded matrix."""

    __slots__ = ("kind", "start", "width")

    def __init__(self, kind, start, width):
        self.kind = kind  # "numeric" or "softmax"
        self.start = start
        self.width = width

    def __setstate__(self, state):
        # Pickles of skgen 0.1 also hold a "column" slot, no longer kept.
        slots = state[1] if isinstance(state, tuple) else state
        for key, value in (slots or {}).items():
            if key in self.__slots__:
                setattr(self, key, value)


class _ColumnCodec:
    """Encoding of one column (state only; the work is in TabularCodec)."""

    bins = None  # (class defaults: older pickles have no such attributes)
    decimals = None
    support = None

    def __init__(self, name, kind, dtype):
        self.name = name
        self.kind = kind
        self.dtype = dtype
        self.constant = None  # the value of a constant column (no segments)
        self.has_missing = False
        self.missing_rate = 0.0
        self.levels = None  # discrete levels, in block order
        self.other_values = None  # pooled rare levels and their probabilities
        self.other_probs = None
        self.spikes = None  # point-mass values of a numeric column
        self.quantiles = None  # fitted QuantileTransformer
        self.bins = None  # quantile bins of the mode block (None: the 0.1 layout, see _numeric)
        self.low = None
        self.high = None
        self.step = 1.0  # datetimes: the coarsest unit (day, hour, ...) all values fall on
        self.decimals = None  # continuous columns: the decimal places every value is written with
        self.support = None  # numeric columns with few distinct values: all of them, sorted
        self.segments = []
        self.discrete_segment = None  # the block a condition on this column uses

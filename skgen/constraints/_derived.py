"""Rules that rebuild a column from another: a part of a datetime, a missing value that follows another."""

import re

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from ._rules import Constraint

DATETIME_PARTS = ("year", "quarter", "month", "day", "dayofyear", "weekday", "hour", "minute", "second")
_FIXED_OFFSET = re.compile(r"^([+-])(\d\d):(\d\d)$")


def local_times(values, timezone):
    """``values`` (a datetime Series) as wall-clock times in ``timezone``.

    None keeps them as stored. Otherwise naive values are read as UTC;
    ``timezone`` is an IANA name (``"America/New_York"``, daylight saving
    included) or a fixed offset ``"+HH:MM"`` / ``"-HH:MM"``.
    """
    if timezone is None:
        return values
    fixed = _FIXED_OFFSET.match(timezone)
    if fixed:
        sign = 1 if fixed.group(1) == "+" else -1
        shift = pd.Timedelta(hours=int(fixed.group(2)), minutes=int(fixed.group(3))) * sign
        naive = values if values.dt.tz is None else values.dt.tz_convert("UTC").dt.tz_localize(None)
        return naive + shift
    aware = values.dt.tz_localize("UTC") if values.dt.tz is None else values
    return aware.dt.tz_convert(timezone)


def datetime_part(values, part, timezone=None):
    """Float array of ``part`` (one of ``DATETIME_PARTS``) of each datetime, NaN where missing."""
    attribute = {"weekday": "day_of_week", "dayofyear": "day_of_year"}.get(part, part)
    parts = getattr(local_times(values, timezone).dt, attribute)
    return parts.to_numpy(dtype=np.float64, na_value=np.nan)


def _as_dtype(values, dtype, index):
    """A float array as a column of ``dtype`` (an integer column with missing values becomes Int64)."""
    if ptypes.is_integer_dtype(dtype):
        missing = np.isnan(values)
        if missing.any() and isinstance(dtype, np.dtype):
            dtype = "Int64"
        column = pd.array(np.where(missing, 0, values).astype(np.int64), dtype=dtype)
        if missing.any():
            column[missing] = pd.NA
        return pd.Series(column, index=index)
    return pd.Series(values, index=index).astype(dtype)


class DatetimePart(Constraint):
    """``target`` is a part of the datetime ``source`` (``month`` of ``time_hour``), computed, never generated.

    Parameters
    ----------
    target : str
    source : str
        A datetime column.
    part : {"year", "quarter", "month", "day", "dayofyear", "weekday", "hour", "minute", "second"}
        ``weekday`` counts Monday as 0.
    timezone : str or None, default=None
        Read ``source`` in this time zone first: an IANA name
        (``"America/New_York"``) or a fixed offset (``"-05:00"``); naive
        values count as UTC. None takes the parts as stored.
    """

    _params = ("target", "source", "part", "timezone")

    def __init__(self, target, source, part, timezone=None):
        self.target = target
        self.source = source
        self.part = part
        self.timezone = timezone

    def reads(self):
        return [self.source]

    def writes(self):
        return [self.target]

    def __str__(self):
        where = "" if self.timezone is None else f" in time zone {self.timezone}"
        return f"{self.target} = {self.part} of {self.source}{where}"

    def _fit(self, frame):
        if self.part not in DATETIME_PARTS:
            raise ValueError(f"DatetimePart part={self.part!r} is not one of {DATETIME_PARTS}.")
        if not ptypes.is_datetime64_any_dtype(frame[self.source].dtype):
            raise ValueError(f"DatetimePart needs a datetime column; {self.source!r} has dtype {frame[self.source].dtype}.")
        self.dtype_ = frame[self.target].dtype
        return self

    def _expected(self, frame):
        return datetime_part(frame[self.source], self.part, self.timezone)

    def satisfied(self, frame):
        expected = self._expected(frame)
        actual = frame[self.target].to_numpy(dtype=np.float64, na_value=np.nan)
        return (actual == expected) | np.isnan(expected)

    def to_model(self, frame, original):
        return frame.drop(columns=[self.target])

    def from_model(self, frame, rng):
        return frame.assign(**{self.target: _as_dtype(self._expected(frame), self.dtype_, frame.index)})

    def state(self):
        return {"dtype": self.dtype_}

    def set_state(self, state):
        self.dtype_ = state["dtype"]
        return self


class MissingWith(Constraint):
    """``column`` is missing in every row where ``when`` is missing (an arrival time with its departure).

    The model learns both columns as usual; generated rows get ``column``
    blanked wherever ``when`` is missing.

    Parameters
    ----------
    column : str
    when : str
    """

    _params = ("column", "when")

    def __init__(self, column, when):
        self.column = column
        self.when = when

    def reads(self):
        return [self.when, self.column]

    def __str__(self):
        return f"{self.column} is missing where {self.when} is missing"

    def satisfied(self, frame):
        return ~(frame[self.when].isna() & frame[self.column].notna()).to_numpy()

    def from_model(self, frame, rng):
        blank = frame[self.when].isna()
        if not blank.any():
            return frame
        return frame.assign(**{self.column: frame[self.column].mask(blank)})


# Parts a datetime can be given back (the others -- quarter, day of year, weekday -- follow from them).
SETTABLE_PARTS = ("year", "month", "day", "hour", "minute", "second")


def from_local(local, timezone, like):
    """Wall-clock times ``local`` (naive) in ``timezone`` as values of the datetime Series ``like``
    (naive values as UTC); times a zone skips or repeats (daylight saving) become NaT."""
    aware_source = like.dt.tz is not None
    if timezone is None:
        return local.dt.tz_localize(like.dt.tz) if aware_source else local
    fixed = _FIXED_OFFSET.match(timezone)
    if fixed:
        sign = 1 if fixed.group(1) == "+" else -1
        utc = local - pd.Timedelta(hours=int(fixed.group(2)), minutes=int(fixed.group(3))) * sign
        return utc.dt.tz_localize("UTC").dt.tz_convert(like.dt.tz) if aware_source else utc
    utc = local.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC")
    return utc.dt.tz_convert(like.dt.tz) if aware_source else utc.dt.tz_localize(None)


class DatetimeParts(Constraint):
    """Columns that are parts of a datetime (``year``, ``month``, ``day``, ``hour`` of ``time_hour``),
    kept the other way round: the model learns the part columns, and each generated datetime takes
    those parts (its finer parts are the model's).

    Learned as columns of their own, the parts keep their real distributions (flights leave between 5
    and 23 o'clock); computed from a generated datetime, they inherit its errors (rows at 3 am).

    Parameters
    ----------
    source : str
        A datetime column.
    parts : dict
        ``{part: column}``, parts among year, month, day, hour, minute, second.
    timezone : str or None, default=None
        As in :class:`DatetimePart`.
    """

    _params = ("source", "parts", "timezone")

    def __init__(self, source, parts, timezone=None):
        self.source = source
        self.parts = parts
        self.timezone = timezone

    def reads(self):
        return list(self.parts.values())

    def writes(self):
        return [self.source]

    def __str__(self):
        where = "" if self.timezone is None else f" in time zone {self.timezone}"
        shown = ", ".join(f"{column} = {part}" for part, column in self.parts.items())
        return f"{shown} of {self.source}{where}"

    def _fit(self, frame):
        unknown = set(self.parts) - set(SETTABLE_PARTS)
        if unknown:
            raise ValueError(f"DatetimeParts parts {sorted(unknown)} are not among {SETTABLE_PARTS}.")
        if not ptypes.is_datetime64_any_dtype(frame[self.source].dtype):
            raise ValueError(f"DatetimeParts needs a datetime column; {self.source!r} has dtype {frame[self.source].dtype}.")
        return self

    def satisfied(self, frame):
        kept = np.ones(len(frame), dtype=bool)
        for part, column in self.parts.items():
            expected = datetime_part(frame[self.source], part, self.timezone)
            actual = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
            kept &= (actual == expected) | (np.isnan(actual) & np.isnan(expected))
        return kept

    def from_model(self, frame, rng):
        values = frame[self.source]
        local = local_times(values, self.timezone)
        if local.dt.tz is not None:
            local = local.dt.tz_localize(None)
        components = {part: getattr(local.dt, part).to_numpy(dtype=np.float64, na_value=np.nan)
                      for part in SETTABLE_PARTS}
        for part, column in self.parts.items():
            components[part] = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
        composed = pd.to_datetime(pd.DataFrame(components, index=frame.index), errors="coerce")
        composed = composed + (local - local.dt.floor("s")).fillna(pd.Timedelta(0))
        rebuilt = from_local(composed.astype(local.dtype), self.timezone, values).astype(values.dtype)
        return frame.assign(**{self.source: rebuilt})

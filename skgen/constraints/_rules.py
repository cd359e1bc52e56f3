"""The rules a table keeps: inequalities, equations, fixed combinations, functions, keys."""

import numpy as np
import pandas as pd
from pandas.api import types as ptypes


class Constraint:
    """Base class: a rule between columns, with how the sampler keeps it.

    Subclasses hold their parameters (``_params``), say which columns they
    read and which they replace for the GAN, and implement ``_fit``,
    ``satisfied``, ``to_model`` and ``from_model``. Fitted state lives in
    attributes ending in ``_``; ``GANSampler`` fits copies, never the
    objects it was given.
    """

    _params = ()
    _is_skgen_constraint = True

    def get_params(self, deep=True):
        """The constructor's arguments (as in scikit-learn)."""
        return {name: getattr(self, name) for name in self._params}

    def fresh(self):
        """An unfitted copy."""
        return type(self)(**self.get_params())

    def __sklearn_clone__(self):
        return self.fresh()

    @property
    def columns(self):
        """Every column the rule involves."""
        return list(dict.fromkeys(self.reads() + self.writes()))

    def mentions(self):
        """Every column the rule names, before it is fitted."""
        return self.columns

    def reads(self):
        """Columns the rule needs, in the user's values, to rebuild its own."""
        return []

    def writes(self):
        """Columns the rule replaces or removes in the table the GAN learns."""
        return []

    def _fit(self, frame):
        return self

    def satisfied(self, frame):
        """Boolean array: rows that keep the rule (rows with a missing value in it count as kept)."""
        raise NotImplementedError

    def to_model(self, frame, original):
        """The GAN's table: ``frame`` with this rule's columns replaced (from ``original``'s values)."""
        return frame

    def from_model(self, frame, rng):
        """Undo :meth:`to_model` on generated rows."""
        return frame

    def state(self):
        """Fitted state as JSON-able data (see :meth:`set_state`)."""
        return {}

    def set_state(self, state):
        return self

    def __eq__(self, other):
        return type(self) is type(other) and self.get_params() == other.get_params()

    def __hash__(self):
        return hash((type(self).__name__, repr(self.get_params())))

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"


def _present(frame, columns):
    return frame[columns].notna().all(axis=1).to_numpy()


class Inequality(Constraint):
    """``low <= high`` (or ``<`` with ``strict=True``); each side a column or a number.

    Parameters
    ----------
    low, high : str or float
        Column names or numbers; at least one is a column.
    strict : bool, default=False
    rebuild : bool, default=True
        Learn ``high`` as the non-negative difference from ``low`` (when both
        columns are numeric and complete). False only checks the rule, and
        the few rows that break it are generated again: for a column that is
        the upper side of several inequalities.
    repair : bool, default=False
        With ``rebuild=False``, a generated row that breaks a non-strict rule
        between two columns gets its upper side raised to its lower side
        (``high = low``) instead of being generated again. Redrawing keeps
        the rows the model got right, and so shifts every column those rows
        lean on: on ames, where the sides are equal on half the real rows
        and the model broke the rule in 28% of its rows, redrawing took
        detection from 0.44 to 0.22 and raising the upper side to 0.38 (the
        rules :func:`infer` finds are repaired). Needs a column on each side
        and ``strict=False``.
    """

    _params = ("low", "high", "strict", "rebuild", "repair")

    def __init__(self, low, high, strict=False, rebuild=True, repair=False):
        self.low = low
        self.high = high
        self.strict = strict
        self.rebuild = rebuild
        self.repair = repair

    def _sides(self):
        return [side for side in (self.low, self.high) if _is_column(side)]

    def mentions(self):
        return self._sides()

    def reads(self):
        return [self.low] if self.reparametrised_ else []

    def writes(self):
        return [self.high] if self.reparametrised_ else []

    reparametrised_ = False

    def __str__(self):
        return f"{self.low} {'<' if self.strict else '<='} {self.high}"

    def _values(self, frame, side):
        if _is_column(side):
            return frame[side]
        return side

    def satisfied(self, frame):
        low, high = self._values(frame, self.low), self._values(frame, self.high)
        if isinstance(low, pd.Series) and ptypes.is_datetime64_any_dtype(low.dtype) and not isinstance(high, pd.Series):
            high = pd.Timestamp(high)
        if isinstance(high, pd.Series) and ptypes.is_datetime64_any_dtype(high.dtype) and not isinstance(low, pd.Series):
            low = pd.Timestamp(low)
        kept = (low < high) if self.strict else (low <= high)
        kept = np.asarray(kept, dtype=object)
        missing = ~_present(frame, self._sides())
        return np.where(missing, True, kept).astype(bool)

    def _fit(self, frame):
        if not isinstance(self.repair, (bool, np.bool_)):
            raise ValueError(f"Constraint {self}: repair must be True or False; got {self.repair!r}.")
        if self.repair and (self.strict or len(self._sides()) < 2):
            raise ValueError(f"Constraint {self}: repair=True raises the upper column to the lower one, so it needs "
                             "a column on each side and a non-strict rule (<=).")
        both = self.rebuild and _is_column(self.low) and _is_column(self.high)
        self.reparametrised_ = bool(both and _present(frame, [self.low, self.high]).all() and all(
            _is_numeric(frame[c]) for c in (self.low, self.high)
        ))
        if self.reparametrised_:
            self.dtype_ = frame[self.high].dtype
        return self

    def state(self):
        return {"reparametrised": self.reparametrised_, "dtype": getattr(self, "dtype_", None)}

    def set_state(self, state):
        self.reparametrised_ = state["reparametrised"]
        if state["dtype"] is not None:
            self.dtype_ = state["dtype"]
        return self

    def to_model(self, frame, original):
        if not self.reparametrised_:
            return frame
        return frame.assign(**{self.high: _difference(original[self.high], original[self.low])})

    def from_model(self, frame, rng):
        if not self.reparametrised_:
            return frame
        return frame.assign(**{self.high: _add(frame[self.low], frame[self.high], self.dtype_)})

    def repairs(self):
        """Whether :meth:`repaired` mends rows (a non-strict rule between two columns, not rebuilt)."""
        return bool(self.repair and not self.strict and not self.reparametrised_ and len(self._sides()) == 2)

    def repaired(self, frame):
        """Generated rows with the upper side raised to the lower side where they break the rule."""
        if not self.repairs():
            return frame
        broken = ~self.satisfied(frame)
        if not broken.any():
            return frame
        high = frame[self.high].copy()
        raised = frame[self.low][broken]
        if ptypes.is_integer_dtype(high.dtype) and not ptypes.is_integer_dtype(raised.dtype):
            raised = np.ceil(raised.astype(np.float64))
        high[broken] = raised.astype(high.dtype) if not ptypes.is_datetime64_any_dtype(high.dtype) else raised
        return frame.assign(**{self.high: high})


def _exact_text(number):
    """``number`` as short text that reads back as the same float (``1/12`` keeps all its digits)."""
    short = f"{number:g}"
    return short if float(short) == number else repr(float(number))


def _is_column(side):
    """Sides of an inequality: a str names a column, anything else is a number."""
    return isinstance(side, str)


def _is_numeric(series):
    dtype = series.dtype
    if ptypes.is_datetime64_any_dtype(dtype):
        return getattr(dtype, "tz", None) is None
    return ptypes.is_numeric_dtype(dtype) and not ptypes.is_bool_dtype(dtype)


def _unit(dtype):
    return np.datetime_data(np.dtype(dtype))[0]


def _difference(high, low):
    if ptypes.is_datetime64_any_dtype(high.dtype):
        unit = _unit(high.dtype)
        return (high - low).to_numpy().astype(f"timedelta64[{unit}]").astype(np.int64)
    if ptypes.is_integer_dtype(high.dtype) and ptypes.is_integer_dtype(low.dtype):
        return high.to_numpy(dtype=np.int64) - low.to_numpy(dtype=np.int64)
    return high.to_numpy(dtype=np.float64) - low.to_numpy(dtype=np.float64)


def _add(low, difference, dtype):
    if ptypes.is_datetime64_any_dtype(dtype):
        steps = np.asarray(difference, dtype=np.int64).astype(f"timedelta64[{_unit(dtype)}]")
        return (low + pd.to_timedelta(steps)).astype(dtype)
    values = low.to_numpy(dtype=np.float64) + np.asarray(difference, dtype=np.float64)
    if ptypes.is_integer_dtype(dtype):
        values = np.round(values)
    return pd.Series(values, index=low.index).astype(dtype)


class LinearEquation(Constraint):
    """``target = sum(coefficient * column) + constant``: the target is computed, never generated.

    Parameters
    ----------
    target : str
    terms : dict
        ``{column: coefficient}``.
    constant : float, default=0.0
    """

    _params = ("target", "terms", "constant")

    def __init__(self, target, terms, constant=0.0):
        self.target = target
        self.terms = terms
        self.constant = constant

    def reads(self):
        return list(self.terms)

    def writes(self):
        return [self.target]

    def __str__(self):
        # Signs between the parts ("a - 2 * b", never "a + -2 * b"), so the text parses back.
        parts = [(c, f"{_exact_text(abs(c))} * {col}" if abs(c) != 1 else str(col)) for col, c in self.terms.items()]
        if self.constant:
            parts.append((self.constant, _exact_text(abs(self.constant))))
        text = "".join(f"{' - ' if c < 0 else ' + '}{part}" for c, part in parts)
        return f"{self.target} = " + ("-" + text[3:] if text.startswith(" - ") else text[3:])

    def _value(self, frame):
        total = np.full(len(frame), float(self.constant))
        for column, coefficient in self.terms.items():
            total = total + coefficient * frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
        return total

    def satisfied(self, frame):
        expected = self._value(frame)
        actual = frame[self.target].to_numpy(dtype=np.float64, na_value=np.nan)
        scale = np.maximum(1.0, np.abs(expected))
        kept = np.abs(actual - expected) <= 1e-9 * scale
        if ptypes.is_integer_dtype(self.dtype_ if hasattr(self, "dtype_") else frame[self.target].dtype):
            kept |= np.abs(actual - np.round(expected)) == 0
        return kept | ~_present(frame, self.columns)

    def _fit(self, frame):
        self.dtype_ = frame[self.target].dtype
        return self

    def state(self):
        return {"dtype": self.dtype_}

    def set_state(self, state):
        self.dtype_ = state["dtype"]
        return self

    def to_model(self, frame, original):
        return frame.drop(columns=[self.target])

    def from_model(self, frame, rng):
        values = self._value(frame)
        dtype = self.dtype_
        if ptypes.is_integer_dtype(dtype):
            values = np.round(values)
            if isinstance(dtype, np.dtype) and np.isnan(values).any():
                dtype = "Int64"
            column = pd.array(np.where(np.isnan(values), 0, values).astype(np.int64), dtype=dtype) \
                if not isinstance(dtype, np.dtype) else values.astype(dtype)
            if not isinstance(dtype, np.dtype):
                column[np.isnan(values)] = pd.NA
        else:
            column = pd.Series(values, index=frame.index).astype(dtype)
        return frame.assign(**{self.target: column})


class FixedCombinations(Constraint):
    """Only the combinations of ``columns`` that occur in the training data.

    The columns are learned as one categorical column of their
    combinations, so generated rows hold exactly the real combinations (at
    their real frequencies given the other columns).

    Parameters
    ----------
    columns : list of str
        Two or more columns (discrete ones: categories, booleans, codes).
    """

    _params = ("columns",)

    def __init__(self, columns):
        self.columns = columns

    @property
    def columns(self):
        return self._columns

    @columns.setter
    def columns(self, value):
        self._columns = value

    def get_params(self, deep=True):
        return {"columns": self._columns}

    def writes(self):
        return list(self._columns)

    def __str__(self):
        return f"FixedCombinations({list(self._columns)})"

    def _keys(self, frame):
        cols = list(self._columns)
        parts = frame[cols].astype(object).where(frame[cols].notna(), None)
        return pd.Series(list(zip(*[parts[c].tolist() for c in cols])), index=frame.index)

    def _fit(self, frame):
        keys = self._keys(frame)
        codes, uniques = pd.factorize(keys)
        table = frame[list(self._columns)].iloc[[int(np.argmax(codes == k)) for k in range(len(uniques))]]
        self.table_ = _in_value_order(table).reset_index(drop=True)
        self._known = self._codes = self._levels = None
        return self

    @property
    def known_(self):
        """The training combinations, as tuples (None for missing)."""
        if getattr(self, "_known", None) is None:
            self._known = set(self._keys(self.table_).tolist())
        return self._known

    def satisfied(self, frame):
        keys = self._combination_codes(frame)
        if keys is None:  # too many levels for one integer per combination
            return self._keys(frame).isin(self.known_).to_numpy()
        if getattr(self, "_codes", None) is None:  # the training combinations' codes, once per fitted table
            self._codes = self._combination_codes(self.table_)
        return np.isin(keys, self._codes)

    def _combination_codes(self, frame):
        """One integer per row for its combination (the same for the same values, missing included;
        values the training data never has get codes no training combination has), or None on overflow."""
        if getattr(self, "_levels", None) is None:
            self._levels = [pd.Index(self.table_[column].dropna().unique()) for column in self._columns]
        keys = np.zeros(len(frame), dtype=np.int64)
        size = 1
        for column, levels in zip(self._columns, self._levels):
            codes = levels.get_indexer(frame[column])
            missing = frame[column].isna().to_numpy()
            codes[missing] = len(levels)
            codes[(codes == -1) & ~missing] = len(levels) + 1
            size *= len(levels) + 2
            if size >= 2**62:
                return None
            keys = keys * (len(levels) + 2) + codes
        return keys

    def combinations_for(self, values):
        """Codes of the training combinations with ``values`` (``{column: value}``: a value, None for
        missing or a range ``(low, high)``), for a condition on some of the columns; a one-line error
        when none has them."""
        match = np.ones(len(self.table_), dtype=bool)
        for column, value in values.items():
            table = self.table_[column]
            if value is None:
                match &= table.isna().to_numpy()
            elif isinstance(value, tuple) and len(value) == 2:
                low, high = (None if v is None else pd.Timestamp(v) if ptypes.is_datetime64_any_dtype(table.dtype)
                             else v for v in value)
                inside = table.notna()
                inside &= True if low is None else table >= low
                inside &= True if high is None else table <= high
                match &= inside.fillna(False).to_numpy(dtype=bool)
            else:
                match &= (table == value).fillna(False).to_numpy(dtype=bool)
        found = np.flatnonzero(match)
        if not len(found):
            shown = ", ".join(f"{c}={v!r}" for c, v in values.items())
            raise ValueError(
                f"Cannot condition on {shown}: no training row has it among the combinations of "
                f"{list(self._columns)}."
            )
        return found

    def to_model(self, frame, original):
        codes = self._keys(original).map({k: i for i, k in enumerate(self._keys(self.table_))})
        position = list(frame.columns).index(self._columns[0])
        out = frame.drop(columns=list(self._columns))
        out.insert(min(position, out.shape[1]), self.model_column_, codes.to_numpy(dtype=np.int64))
        return out

    def from_model(self, frame, rng):
        codes = frame[self.model_column_].to_numpy(dtype=np.int64)
        rows = self.table_.iloc[codes].reset_index(drop=True)
        rows.index = frame.index
        return pd.concat([frame.drop(columns=[self.model_column_]), rows], axis=1)

    def state(self):
        return {"table": self.table_}

    def set_state(self, state):
        self.table_, self._known, self._codes, self._levels = state["table"], None, None, None
        return self


def _in_value_order(table):
    """The combinations sorted by their values, numeric columns first (a route by its distance), so
    that neighbouring codes are alike; in order of appearance where the values do not sort."""
    numeric = [c for c in table.columns if ptypes.is_numeric_dtype(table[c]) or ptypes.is_datetime64_any_dtype(table[c])]
    try:
        return table.sort_values(numeric + [c for c in table.columns if c not in numeric], kind="stable")
    except TypeError:  # (values of several types in one column)
        return table


class FunctionOf(Constraint):
    """``target`` is determined by ``source`` (e.g. ``mature`` by ``mage``); the mapping is learned.

    Parameters
    ----------
    target : str
    source : str or list of str
        One column, or several whose combination determines the target
        (``["origin", "dest"]`` for ``distance``). For one numeric source, a
        new value takes the target of the nearest training value (a step
        function); otherwise the training mapping.
    """

    _params = ("target", "source")

    def __init__(self, target, source):
        self.target = target
        self.source = source

    def _sources(self):
        return [self.source] if isinstance(self.source, str) else list(self.source)

    def reads(self):
        return self._sources()

    def writes(self):
        return [self.target]

    def __str__(self):
        return f"FunctionOf({self.target!r}, {self.source!r})"

    def _fit(self, frame):
        sources = self._sources()
        pairs = frame[sources + [self.target]].drop_duplicates()
        first = pairs[pairs[sources].notna().all(axis=1)].drop_duplicates(subset=sources)
        self.numeric_ = len(sources) == 1 and _is_numeric(frame[sources[0]])
        if self.numeric_:
            first = first.sort_values(sources[0])
        self.table_ = first.reset_index(drop=True)
        missing = frame.loc[~frame[sources].notna().all(axis=1), self.target]
        self.when_missing_ = missing.iloc[:1].to_frame().reset_index(drop=True)
        return self

    def _lookup(self, frame):
        """``(index into table_, whether found)`` for each row of ``frame``."""
        sources, table = self._sources(), self.table_
        present = frame[sources].notna().all(axis=1).to_numpy().copy()
        if self.numeric_:
            x = _as_float(table[sources[0]])
            values = _as_float(frame[sources[0]])
            index = np.clip(np.searchsorted(x, values), 0, len(x) - 1)
            left = np.clip(index - 1, 0, len(x) - 1)
            nearer_left = np.abs(values - x[left]) <= np.abs(values - x[index])
            return np.where(nearer_left, left, index), present
        position = {key: i for i, key in enumerate(zip(*[table[c].tolist() for c in sources]))}
        index = np.array([position.get(key, -1) for key in zip(*[frame[c].tolist() for c in sources])], dtype=np.int64)
        present &= index >= 0
        return np.maximum(index, 0), present

    def satisfied(self, frame):
        """Rows whose target is the source's (rows with a missing source count as kept, and rows
        whose source values no training row has as broken)."""
        index, found = self._lookup(frame)
        expected = pd.Series(self.table_[self.target].to_numpy(dtype=object)[index], dtype=object)
        actual = pd.Series(frame[self.target].to_numpy(dtype=object), dtype=object)
        same = ((actual == expected) | (actual.isna() & expected.isna())).to_numpy(dtype=bool)
        return (same & found) | ~frame[self._sources()].notna().all(axis=1).to_numpy()

    def to_model(self, frame, original):
        return frame.drop(columns=[self.target])

    def from_model(self, frame, rng):
        index, _ = self._lookup(frame)
        values = self.table_[self.target].iloc[index].reset_index(drop=True)
        source_missing = ~frame[self._sources()].notna().all(axis=1).to_numpy()
        if source_missing.any() and len(self.when_missing_):
            fill = self.when_missing_[self.target].iloc[0]
            values = values.astype(object).where(~source_missing, fill).astype(self.table_[self.target].dtype)
        values.index = frame.index
        return frame.assign(**{self.target: values})

    def state(self):
        return {"table": self.table_, "when_missing": self.when_missing_, "numeric": self.numeric_}

    def set_state(self, state):
        self.table_, self.when_missing_, self.numeric_ = state["table"], state["when_missing"], state["numeric"]
        return self


def _as_float(series):
    if ptypes.is_datetime64_any_dtype(series.dtype):
        return series.astype("int64").to_numpy(dtype=np.float64)
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


class Unique(Constraint):
    """A key column: generated values are new (never a training value) and distinct within a call.

    Integer keys continue after the largest training key; text keys are a
    prefix no training value starts with (``"syn-"`` by default) and a
    counter. The model keeps no training key.

    Parameters
    ----------
    column : str
    """

    _params = ("column",)

    def __init__(self, column):
        self.column = column

    def writes(self):
        return [self.column]

    def __str__(self):
        return f"Unique({self.column!r})"

    def satisfied(self, frame):
        values = frame[self.column]
        return (~values.duplicated(keep="first") | values.isna()).to_numpy()

    def _fit(self, frame):
        values = frame[self.column].dropna()
        self.dtype_ = frame[self.column].dtype
        if ptypes.is_integer_dtype(self.dtype_) or (ptypes.is_float_dtype(self.dtype_) and (values % 1 == 0).all()):
            self.start_ = int(values.max()) + 1 if len(values) else 0
            self.prefix_ = None
        else:
            text = values.astype(str)
            prefix = "syn-"
            while text.str.startswith(prefix).any():
                prefix = "syn" + prefix
            self.prefix_, self.start_ = prefix, 0
        return self

    def to_model(self, frame, original):
        return frame.drop(columns=[self.column])

    def from_model(self, frame, rng, offset=0):
        numbers = np.arange(self.start_ + offset, self.start_ + offset + len(frame))
        if self.prefix_ is None:
            column = pd.Series(numbers, index=frame.index).astype(self.dtype_)
        else:
            column = pd.Series([f"{self.prefix_}{k}" for k in numbers], index=frame.index, dtype=object)
            if not ptypes.is_object_dtype(self.dtype_):
                column = column.astype(self.dtype_)
        return frame.assign(**{self.column: column})

    def state(self):
        return {"start": self.start_, "prefix": self.prefix_, "dtype": self.dtype_}

    def set_state(self, state):
        self.start_, self.prefix_, self.dtype_ = state["start"], state["prefix"], state["dtype"]
        return self

"""``skgen.constraints.infer``: the exact relations a table holds, each with the evidence for it."""

import time
import warnings

import numpy as np
import pandas as pd

from ._find_discrete import (find_combinations, find_datetime_parts, find_functions, find_keys,
                             find_missing_together, is_text_key)
from ._find_numeric import find_equations, find_inequalities, frame_sample
from ._rules import Inequality

# The kinds of rule, in the order they are looked for (a column rebuilt by one is not rebuilt by a later one).
KINDS = ("keys", "combinations", "datetime_parts", "equations", "functions", "inequalities", "missing")
# Tables shorter than this get no inferred rule (too few rows to tell a rule from a coincidence).
MIN_ROWS = 20
# Rows rules are searched on; each found rule is then checked on every row.
SEARCH_ROWS = 20_000
# Discrete columns: at most this many levels (for sources of functions and one-to-one groups).
MAX_LEVELS = 100

_COLUMNS = ["rule", "kind", "columns", "support", "log10_chance", "why", "constraint"]


def infer(X, kinds="all", *, exclude=(), max_levels=MAX_LEVELS, random_state=0):
    """Find the exact relations between the columns of a table.

    Each rule holds on every row, and is kept only when it would be very
    unlikely to hold by coincidence: its ``log10_chance`` (log10 of the
    chance that columns with nothing to do with each other keep it on these
    rows) must be below ``log10(0.001 / n)``, ``n`` the candidate rules of
    its kind that were tried. A table of independent columns gets no rule.

    Parameters
    ----------
    X : pandas.DataFrame
        The table, with string column names.
    kinds : "all" or list of str, default="all"
        Which kinds of rule to look for, among ``"keys"`` (text columns with
        a distinct value on every row: :class:`Unique`), ``"combinations"``
        (discrete columns whose levels map one to one:
        :class:`FixedCombinations`), ``"datetime_parts"``
        (:class:`DatetimePart`, in a time zone found if need be),
        ``"equations"`` (two or three numeric columns:
        :class:`LinearEquation`), ``"functions"`` (a column determined by one
        discrete column -- an integer one of up to 100 values counts -- or by
        two, integer ones of at most 20 values: :class:`FunctionOf`), ``"inequalities"``
        (:class:`Inequality` with ``repair=True``, implied ones left out) and ``"missing"``
        (:class:`MissingWith`).
    exclude : list of str, default=()
        Columns that take part in no rule.
    max_levels : int, default=100
        Discrete columns with more levels are no source of a function.
    random_state : int, default=0
        Tables over 20,000 rows are searched on a sample of that many rows;
        every rule is then checked on all rows.

    Returns
    -------
    rules : pandas.DataFrame
        One row per rule: ``rule`` (its text), ``kind``, ``columns``,
        ``support`` (the rows that could have broken it), ``log10_chance``,
        ``why`` and ``constraint`` (the object to pass to ``GANSampler``'s
        ``constraints``; drop the rows you do not want first).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from skgen.constraints import infer
    >>> rng = np.random.RandomState(0)
    >>> flights = pd.DataFrame({"hour": rng.randint(5, 23, 200), "minute": rng.randint(0, 60, 200)})
    >>> flights["sched_dep_time"] = 100 * flights["hour"] + flights["minute"]
    >>> infer(flights)["rule"].tolist()
    ['sched_dep_time = 100 * hour + minute']
    """
    relations = find_relations(X, kinds, exclude=exclude, max_levels=max_levels, random_state=random_state)
    return relations_table(relations)


def find_relations(frame, kinds="all", *, exclude=(), max_levels=MAX_LEVELS, random_state=0, timings=None):
    """The :class:`Relation` records :func:`infer` tabulates, in the order they are kept."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"infer needs a pandas DataFrame; got {type(frame).__name__}.")
    kinds = _check_kinds(kinds)
    if len(frame) < MIN_ROWS or not all(isinstance(c, str) for c in frame.columns) or frame.columns.duplicated().any():
        return []
    rng = np.random.RandomState(random_state)
    excluded = set(exclude)
    columns = [c for c in frame.columns if c not in excluded and frame[c].nunique(dropna=False) >= 2]
    keys = {c for c in columns if is_text_key(frame[c])}
    found = find_keys(frame, [c for c in columns if c in keys]) if "keys" in kinds else []
    columns = [c for c in columns if c not in keys]
    sample = frame_sample(frame[columns], SEARCH_ROWS, rng)
    searches = {
        "combinations": lambda taken: find_combinations(sample, columns, max_levels),
        "datetime_parts": lambda taken: find_datetime_parts(sample, columns, taken),
        "equations": lambda taken: find_equations(sample, columns, taken, rng),
        "functions": lambda taken: find_functions(sample, columns, max_levels, taken),
        "inequalities": lambda taken: find_inequalities(sample, columns),
        "missing": lambda taken: find_missing_together(sample, columns),
    }
    for kind in KINDS[1:]:
        if kind not in kinds:
            continue
        start = time.perf_counter()
        taken = {c for r in found for c in r.constraint.writes()}
        for relation in searches[kind](taken):
            relation = _checked(relation, frame, found)
            if relation is not None:
                found.append(relation)
        if timings is not None:
            timings[kind] = time.perf_counter() - start
    return found


def _checked(relation, frame, found):
    """``relation`` if it holds on every row of ``frame`` and fits with the rules ``found`` so far
    (an inequality whose upper side is rebuilt already, or would close a cycle, is checked instead
    of rebuilt), else None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitted = relation.constraint.fresh()._fit(frame)
            written = {c for r in found for c in r.constraint.writes()}
            if isinstance(fitted, Inequality) and fitted.rebuild and (
                fitted.high in written or _makes_cycle(fitted, found)
            ):
                relation.constraint = Inequality(fitted.low, fitted.high, rebuild=False, repair=fitted.repair)
                fitted = relation.constraint.fresh()._fit(frame)
            if set(fitted.writes()) & written or _makes_cycle(fitted, found):
                return None
            kept = fitted.satisfied(frame)
    except (TypeError, ValueError):
        return None
    relation.constraint = fitted
    return relation if bool(np.all(kept)) else None


def _makes_cycle(constraint, found):
    """Whether rebuilding ``constraint``'s columns would need a column it rebuilds (through other rules)."""
    writer = {c: r.constraint for r in found for c in r.constraint.writes()}
    seen, stack = set(), list(constraint.reads())
    while stack:
        column = stack.pop()
        if column in constraint.writes():
            return True
        if column in seen or column not in writer:
            continue
        seen.add(column)
        stack.extend(writer[column].reads())
    return False


def _check_kinds(kinds):
    if isinstance(kinds, str) and kinds == "all":
        return set(KINDS)
    chosen = [kinds] if isinstance(kinds, str) else list(kinds)
    unknown = [k for k in chosen if k not in KINDS]
    if unknown:
        raise ValueError(f"Unknown kind(s) of rule {unknown}; choose 'all' or some of {list(KINDS)}.")
    return set(chosen)


def relations_table(relations):
    """The rules as a table a user reads and edits (see :func:`infer`)."""
    rows = [
        {"rule": str(r.constraint), "kind": r.kind, "columns": list(r.constraint.columns), "support": r.support,
         "log10_chance": round(float(r.log10_chance), 1), "why": r.note, "constraint": r.constraint}
        for r in relations
    ]
    return pd.DataFrame(rows, columns=_COLUMNS)

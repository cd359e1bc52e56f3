"""A GANSampler's constraints, fitted: the table the GAN learns, the rows it gives back, the check."""

import warnings

import numpy as np
import pandas as pd

from .._io._json import decode_array, decode_dtype, decode_value, encode_array, encode_dtype, encode_value
from ..constraints import CONSTRAINT_CLASSES, Constraint, FixedCombinations, Inequality, Unique
from ..constraints._evidence import Relation
from ..constraints._finder import relations_table
from ._conditional_rows import MAX_ROUND_ROWS, meets
from ._constraint_parser import parse_constraint


class ConstraintSet:
    """The fitted constraints of one sampler.

    Parameters
    ----------
    constraints : list of Constraint
        Fitted, in the order given.
    columns : list
        The user's columns, in order.
    dtypes : pandas.Series
        Their dtypes.
    """

    def __init__(self, constraints, columns, dtypes, inferred=None):
        self.constraints = constraints
        self.columns = list(columns)
        self.dtypes = dtypes
        self.inferred = inferred or {}  # constraint index -> {kind, support, log10_chance, why}

    # --- fit ------------------------------------------------------------------

    @classmethod
    def fit(cls, specs, frame, violations="raise", inferred=()):
        """Parse and check ``specs`` against ``frame``, then add the ``inferred`` rules
        (:class:`~skgen.constraints._evidence.Relation` records); returns ``(set, clean frame)``.

        ``violations="drop"`` drops the training rows that break a
        constraint (with a warning) instead of raising.
        """
        if not all(isinstance(c, str) for c in frame.columns):
            raise ValueError("constraints name columns of a DataFrame by their names; fit on a DataFrame with string column names.")
        constraints = [_parse(spec, frame.columns) for spec in specs] + [r.constraint.fresh() for r in inferred]
        reasons = {
            len(specs) + i: {"kind": r.kind, "support": int(r.support), "log10_chance": float(r.log10_chance),
                             "why": r.note}
            for i, r in enumerate(inferred)
        }
        for constraint in constraints:
            unknown = [c for c in constraint.columns if c not in frame.columns]
            if unknown:
                raise ValueError(f"Constraint {constraint} names unknown column(s) {unknown}; columns are {list(frame.columns)}.")
        keep = np.ones(len(frame), dtype=bool)
        for constraint in constraints:
            constraint._fit(frame)
            broken = ~constraint.satisfied(frame)
            if broken.any():
                if violations == "raise":
                    shown = list(frame.index[broken][:5])
                    raise ValueError(
                        f"The training data breaks constraint {constraint} in {int(broken.sum())} row(s), first "
                        f"at index {shown}; fix those rows or set constraint_violations='drop'."
                    )
                keep &= ~broken
        if not keep.all():
            warnings.warn(
                f"Dropped {int((~keep).sum())} training row(s) that break the constraints.", UserWarning, stacklevel=4
            )
            frame = frame[keep]
            if len(frame) < 2:
                raise ValueError("Fewer than 2 training rows keep every constraint.")
            constraints = [c.fresh()._fit(frame) for c in constraints]
        written = {}
        for i, constraint in enumerate(constraints):
            if isinstance(constraint, FixedCombinations):
                constraint.model_column_ = f"__skgen_combination_{i}__"
            for column in constraint.writes():
                if column in written:
                    raise ValueError(
                        f"Constraints {written[column]} and {constraint} both rebuild column {column!r}; "
                        "give each column to at most one of FixedCombinations, Unique, FunctionOf, a derived "
                        "column or the upper side of an inequality between columns."
                    )
                written[column] = constraint
        result = cls(constraints, frame.columns, frame.dtypes, reasons)
        result.order = result._inverse_order()
        return result, frame



    def _inverse_order(self):
        """Constraints in an order where each rebuilds its columns after those it reads."""
        writer = {column: i for i, c in enumerate(self.constraints) for column in c.writes()}
        order, placed = [], set()
        pending = list(range(len(self.constraints)))
        while pending:
            ready = [i for i in pending if all(writer.get(r, i) in placed or writer.get(r, i) == i
                                               for r in self.constraints[i].reads())]
            if not ready:
                names = ", ".join(str(self.constraints[i]) for i in pending)
                raise ValueError(f"Constraints {names} rebuild each other's columns in a cycle.")
            order += ready
            placed |= set(ready)
            pending = [i for i in pending if i not in placed]
        return order

    # --- the GAN's table and back ------------------------------------------------

    def model_categorical_columns(self, categorical_columns):
        """``categorical_columns`` for the GAN's table: rebuilt columns out, combinations in."""
        removed = {c for constraint in self.constraints for c in constraint.writes()}
        kept = [c for c in (categorical_columns or []) if c not in removed]
        return kept + self.combination_columns()

    def combination_columns(self):
        """The GAN's columns of ``FixedCombinations`` rules (one categorical column of combinations each)."""
        return [c.model_column_ for c in self.constraints if isinstance(c, FixedCombinations)]

    def to_model(self, frame):
        model = frame
        for constraint in self.constraints:
            model = constraint.to_model(model, frame)
        return model

    def from_model(self, frame, rng):
        for i in self.order:
            frame = self.constraints[i].from_model(frame, rng)
        for constraint in self._repair_order():
            frame = constraint.repaired(frame)
        return frame[self.columns]

    def _repair_order(self):
        """The inequalities that repair rows, each after every one that raises its lower side: a
        column is raised only while it is the upper side, so one pass mends a chain ``a <= b <= c``."""
        pending = [c for c in self.constraints if isinstance(c, Inequality) and c.repairs()]
        order = []
        while pending:
            raised_later = {c.high for c in pending}
            ready = [c for c in pending if c.low not in raised_later] or pending[:1]  # a cycle: checked after
            order += ready
            pending = [c for c in pending if all(c is not r for r in ready)]
        return order

    def finish(self, frame, rng, key_offset=0):
        """Fresh keys for the final rows (a key is drawn once the rows are settled);
        ``key_offset`` keys were given to earlier rows of the same stream."""
        for constraint in self.constraints:
            if isinstance(constraint, Unique):
                frame = constraint.from_model(frame, rng, key_offset)
        return frame

    def satisfied(self, frame, keys=False):
        """Rows that keep every constraint (unique keys too with ``keys=True``:
        they are drawn by :meth:`finish`, once the rows are settled)."""
        kept = np.ones(len(frame), dtype=bool)
        for constraint in self.constraints:
            if keys or not isinstance(constraint, Unique):
                kept &= constraint.satisfied(frame)
        return kept

    def model_conditions(self, conditions):
        """``sample``'s ``conditions`` split in two: those on the model's columns (a condition on columns
        of a :class:`FixedCombinations` becomes one on its combination column when one combination
        matches) and those rows are kept by (``{column: value}``): on other rebuilt columns, on
        combination columns when several combinations match, and on the upper side of a repairing
        inequality (also passed to the model: the repair may raise its value out of the range)."""
        if not conditions:
            return conditions, {}
        rebuilt = self.rebuilt_columns()
        out, by_combination, filters = {}, {}, {}
        for column, value in conditions.items():
            constraint = rebuilt.get(column)
            if constraint is None:
                out[column] = value
            elif isinstance(constraint, FixedCombinations):
                by_combination.setdefault(id(constraint), (constraint, {}))[1][column] = value
            else:
                filters[column] = value
        for constraint, values in by_combination.values():
            codes = constraint.combinations_for(values)
            if len(codes) == 1:
                out[constraint.model_column_] = int(codes[0])
            else:  # several combinations have the values: rows are kept by them
                filters.update(values)
        raised = {c.high for c in self._repair_order()}  # a repair may lift the model's value out of the range
        filters.update({column: value for column, value in conditions.items() if column in raised})
        return out or None, filters

    def generate(self, generate, n_samples, seed, conditions, key_offset=0, finish=True):
        """``n_samples`` rows that keep every constraint and meet ``conditions``: ``generate(n, seed,
        model_conditions)`` gives the model's rows, which are rebuilt and checked; rows that break a rule
        or miss a condition on a rebuilt column are drawn again, in rounds sized by the share kept."""
        model_conditions, filters = self.model_conditions(conditions)
        _check_filters(filters)
        rng = np.random.RandomState(seed)
        kept, drawn, frames = 0, 0, []
        size, round_seed = n_samples, seed
        for _ in range(_CONSTRAINT_ROUNDS):
            rows = self.from_model(generate(size, round_seed, model_conditions), rng)
            rows = rows[self.satisfied(rows) & meets(rows, filters)]
            drawn += size
            frames.append(rows.iloc[: n_samples - kept])
            kept += len(frames[-1])
            if kept == n_samples:
                break
            rate = max(kept / drawn, 1.0 / _MAX_DRAWS_PER_ROW)
            size = int(min(_MAX_DRAWS_PER_ROW * n_samples, MAX_ROUND_ROWS, 1.2 * (n_samples - kept) / rate + 10))
            round_seed = int(rng.randint(2**31 - 1))
        if kept < n_samples:
            raise (ValueError if filters else RuntimeError)(_shortfall_message(kept, n_samples, filters, self))
        frame = pd.concat(frames, ignore_index=True)
        return self.finish(frame, rng, key_offset) if finish else frame

    def rebuilt_columns(self):
        return {c: constraint for constraint in self.constraints for c in constraint.writes()}

    # --- model files ------------------------------------------------------------------

    def get_state(self):
        return {
            "columns": [encode_value(c) for c in self.columns],
            "dtypes": [encode_dtype(d) for d in self.dtypes],
            "order": self.order,
            "inferred": [[i, {**r, "log10_chance": encode_value(r["log10_chance"])}] for i, r in sorted(self.inferred.items())],
            "constraints": [
                {
                    "class": type(c).__name__,
                    "params": _encode(c.get_params()),
                    "state": _encode(c.state()),
                    "model_column": getattr(c, "model_column_", None),
                }
                for c in self.constraints
            ],
        }

    @classmethod
    def from_state(cls, state):
        constraints = []
        for item in state["constraints"]:
            constraint = CONSTRAINT_CLASSES[item["class"]](**_decode(item["params"]))
            constraint.set_state(_decode(item["state"]))
            if item["model_column"] is not None:
                constraint.model_column_ = item["model_column"]
            constraints.append(constraint)
        columns = [decode_value(c) for c in state["columns"]]
        dtypes = pd.Series([decode_dtype(d) for d in state["dtypes"]], index=columns, dtype=object)
        inferred = {i: {**r, "log10_chance": decode_value(r["log10_chance"])} for i, r in state.get("inferred", [])}
        result = cls(constraints, columns, dtypes, inferred)
        result.order = state["order"]
        return result


# Rounds of regenerating the rows that break a constraint, before giving up, and the most rows
# drawn in a round per row asked for (a condition on a rebuilt column is met by keeping rows).
_CONSTRAINT_ROUNDS = 20
_MAX_DRAWS_PER_ROW = 200


def _check_filters(filters):
    for column, value in filters.items():
        if isinstance(value, tuple) and len(value) != 2:
            raise ValueError(f"A range condition on {column!r} is (low, high), with None for an open end; got {value!r}.")
        if isinstance(value, (list, dict, set)):
            raise TypeError(f"The condition on {column!r} must be a value, None or (low, high); got {value!r}.")


def _shortfall_message(kept, n_samples, filters, constraint_set):
    if filters:
        rebuilt = constraint_set.rebuilt_columns()
        said = "; ".join(f"{c}={v!r} (rebuilt by rule {rebuilt[c]})" for c, v in filters.items())
        met = "No generated row met" if not kept else f"Only {kept} of {n_samples} rows met"
        return (
            f"{met} the conditions {said} after {_CONSTRAINT_ROUNDS} rounds of generation; condition on the "
            "columns the rule is built from, or on values the training data has."
        )
    return (
        f"{1 - kept / n_samples:.1%} of the rows still broke a constraint after {_CONSTRAINT_ROUNDS} rounds of "
        "regeneration; train longer or check that the constraints hold together."
    )


def inferred_rules_table(constraint_set):
    """The rules a sampler read off its training table (none without a ``constraint_set``), with why
    each was kept: the table :func:`skgen.constraints.infer` returns."""
    relations = []
    if constraint_set is not None:
        for i, reason in sorted(constraint_set.inferred.items()):
            relations.append(Relation(reason["kind"], constraint_set.constraints[i], reason["support"],
                                      reason["log10_chance"], reason["why"]))
    return relations_table(relations)


def spec_columns(spec, columns):
    """The columns a constraint spec names (none when it does not parse: ``fit`` reports that)."""
    try:
        return list(_parse(spec, columns).mentions())
    except (ValueError, TypeError):
        return []


def _parse(spec, columns):
    if isinstance(spec, Constraint):
        return spec.fresh()
    return parse_constraint(spec, list(columns))


def _encode(value):
    if isinstance(value, pd.DataFrame):
        return {"frame": [[encode_value(c), encode_dtype(value[c].dtype), encode_array(value[c].to_numpy(dtype=object))]
                          for c in value.columns]}
    if isinstance(value, dict):
        return {"dict": [[encode_value(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return {"list": [_encode(v) for v in value]}
    if isinstance(value, (np.dtype, pd.api.extensions.ExtensionDtype)):
        return {"dtype": encode_dtype(value)}
    return {"value": encode_value(value)}


def _decode(value):
    if "frame" in value:
        data = {}
        for name, dtype, values in value["frame"]:
            data[decode_value(name)] = pd.Series(decode_array(values), dtype=object).astype(decode_dtype(dtype))
        return pd.DataFrame(data)
    if "dict" in value:
        return {decode_value(k): _decode(v) for k, v in value["dict"]}
    if "list" in value:
        return [_decode(v) for v in value["list"]]
    if "dtype" in value:
        return decode_dtype(value["dtype"])
    return decode_value(value["value"])

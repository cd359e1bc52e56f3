"""Rules every synthetic row obeys: ``GANSampler(constraints=[...])``.

Give a constraint as a string or as one of the classes here:

- ``"start <= end"``, ``"age >= 18"``, ``"a < b"`` -- :class:`Inequality`
  between two columns or a column and a number;
- ``"paid_total = principal + interest + fees"`` (``+``, ``-``, numbers and
  ``number * column`` terms) -- :class:`LinearEquation`: the left column
  is computed from the right;
- :class:`FixedCombinations` ``(["manufacturer", "model"])``: only the
  combinations seen in the training data;
- :class:`FunctionOf` ``("mature", "mage")``: a column determined by
  another, the mapping learned from the data;
- :class:`Unique` ``("id")``: new values, never a training value, no
  duplicates in a ``sample`` call;
- :class:`DatetimePart` ``("month", "time_hour", "month")``: a column that
  is a part of a datetime column (in a time zone, if need be), computed
  from it; :class:`DatetimeParts` ``("time_hour", {"month": "month", "hour":
  "hour"})``: the same relation kept the other way round (the datetime
  takes the generated parts: what :func:`infer` proposes);
- :class:`MissingWith` ``("arr_time", "dep_time")``: a column missing
  wherever another one is.

:func:`infer` finds such rules in a table, each with the evidence for it;
``GANSampler`` keeps the rules it finds unless ``infer_constraints=False``.

Strings are parsed by a small grammar (no ``eval``): column names are
matched against the table's columns, longest first, so names with ``-`` or
spaces work; quote a name in backticks (```my col```) when it could be
read otherwise.

How they are kept: a fixed combination is learned as one categorical
column, a derived column or function is computed after generation, a
unique key is generated apart, and an inequality between two complete
columns is learned as the non-negative difference (an inferred one instead
raises its upper side to its lower side in a row that breaks it). Every
sampled row is then checked, and the few rows that still break a rule are
generated again, so ``sample`` returns only rows that satisfy every
constraint.
"""


from .._io._constraints import register_constraint
from ._derived import DatetimePart, DatetimeParts, MissingWith
from ._finder import infer
from ._rules import Constraint, FixedCombinations, FunctionOf, Inequality, LinearEquation, Unique

__all__ = [
    "Constraint", "Inequality", "LinearEquation", "FixedCombinations", "FunctionOf", "Unique", "DatetimePart",
    "DatetimeParts", "MissingWith", "infer",
]

CONSTRAINT_CLASSES = {
    cls.__name__: cls
    for cls in (Inequality, LinearEquation, FixedCombinations, FunctionOf, Unique, DatetimePart, DatetimeParts,
                MissingWith)
}
for _cls in CONSTRAINT_CLASSES.values():
    register_constraint(_cls)

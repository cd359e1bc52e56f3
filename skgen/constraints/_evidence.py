"""How strong the evidence for an inferred rule is: the chance it would hold by coincidence.

Every rule the finder proposes holds in every row it looked at. What decides
whether it is inferred is how likely that would be if the columns had
nothing to do with each other: ``log10_chance`` below, computed per kind of
rule from the rows that could have broken it. A rule is inferred only when
that chance is below ``ALPHA`` divided by the number of candidate rules of
its kind that were tested (a Bonferroni bound), so a table of independent
columns -- 30 rows or 30,000 -- gets none, and a wide table's many tests ask
for more evidence.
"""

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

# The chance, over all tests of one kind on one table, of inferring a rule that is a coincidence.
ALPHA = 1e-3


@dataclass
class Relation:
    """One inferred rule: the constraint, its kind, the rows that support it and why it was kept."""

    kind: str
    constraint: Any
    support: int
    log10_chance: float
    note: str = ""


def threshold(n_tests):
    """The ``log10_chance`` a rule must be below among ``n_tests`` candidates of its kind."""
    return math.log10(ALPHA) - math.log10(max(1, n_tests))


def collision_log10(codes):
    """``log10`` of the chance two random rows share a value (``codes``: integer codes)."""
    counts = np.bincount(codes)
    p = counts[counts > 0] / len(codes)
    return float(np.log10(max(np.sum(p * p), 1e-300)))


def value_codes(series):
    """Integer codes of a column's values, missing as a value of its own."""
    codes, _ = pd.factorize(series, use_na_sentinel=False)
    return codes.astype(np.int64)


def function_log10_chance(source_codes, target_codes):
    """Chance that ``target`` is a function of ``source`` in every row by coincidence: each row after
    the first of its source group matches the group's target with the target's collision chance."""
    n_groups = np.unique(source_codes).size
    repeats = len(source_codes) - n_groups
    return repeats * collision_log10(target_codes), repeats


def order_log10_chance(low, high):
    """Chance that ``low <= high`` on every row where both are present by coincidence: each row is a
    draw of the two columns on their own, which keeps the order with the chance ``pi`` that a value of
    ``low`` is at most one of ``high`` (every pair of values counted; 1 when the ranges do not overlap,
    where no rule is needed: generated values stay in each column's range). ``(log10, rows)``."""
    both = ~(np.isnan(low) | np.isnan(high))
    low, high = low[both], high[both]
    pi = np.searchsorted(np.sort(low), high, side="right").sum() / (len(low) * len(high))
    if pi >= 1:
        return 0.0, 0
    return len(low) * math.log10(pi), len(low)

"""Key columns (ids, names: a distinct value on every row) in an evaluation.

A generator that does its job gives a key new values (GANSampler writes
``syn-0``, ``syn-1``, ...), so a key's marginal never matches and its
values say nothing about the other columns: scored like any column it
drags shapes and pairs down, dominates the detector and the distances, and
lets a baseline that re-uses real ids look like a copier. The report leaves
keys out of every such score and shows them on their own: are the synthetic
values new, and distinct?
"""

import pandas as pd

from ._frames import as_labels, column_kind

# A column needs this many rows to be read as a key (two distinct values are no evidence).
MIN_KEY_ROWS = 10


def is_key(series):
    """True for a text or categorical column with a distinct value on every row."""
    if column_kind(series) != "categorical" or pd.api.types.is_bool_dtype(series.dtype):
        return False
    return len(series) >= MIN_KEY_ROWS and series.notna().all() and series.is_unique


def key_columns(real, keys):
    """The key columns of ``real``: those given, or those :func:`is_key` finds for ``"auto"``.

    Raises
    ------
    ValueError
        A named key that ``real`` lacks, or every column a key.
    """
    if keys is None:
        found = []
    elif isinstance(keys, str) and keys == "auto":
        found = [c for c in real.columns if is_key(real[c])]
    else:
        found = list(keys)
        missing = [c for c in found if c not in real.columns]
        if missing:
            raise ValueError(f"keys {missing} are not columns of the real data.")
    if found and len(found) == real.shape[1]:
        raise ValueError(f"Every column is a key ({found}); there is nothing to score.")
    return found


def key_table(real, synthetic, holdout, keys):
    """Per key column: how many synthetic values there are, how many are
    distinct, and the share of them that are real values (training or holdout)."""
    rows = {}
    for column in keys:
        known = set(as_labels(real[column]).tolist())
        if holdout is not None:
            known.update(as_labels(holdout[column]).tolist())
        values = as_labels(synthetic[column])
        rows[column] = {
            "synthetic values": len(values),
            "distinct": int(values.nunique()),
            "real values copied": float(values.isin(known).mean()) if len(values) else 0.0,
        }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["synthetic values", "distinct", "real values copied"])
    table.index.name = "key column"
    return table


def key_line(table):
    """The verdict's sentence on the keys, or None without keys."""
    if not len(table):
        return None
    copied = table[table["real values copied"] > 0]
    repeated = table[table["distinct"] < table["synthetic values"]]
    names = ", ".join(map(str, table.index))
    if not len(copied) and not len(repeated):
        return f"Generated keys ({names}): none copied from the real rows, distinct on every row; left out of the " \
               "other scores."
    parts = [f"{c} {100 * share:.1f}% real values" for c, share in copied["real values copied"].items()]
    parts += [f"{c} repeats values" for c in repeated.index]
    return f"Warning: key columns left out of the other scores: {'; '.join(parts)}."

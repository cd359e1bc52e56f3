"""``sample(conditions={...})``: requested column values as the generator's condition indices."""

import math

import torch


def resolve_conditions(conditions, codec, space, discrete_columns, n_samples):
    """Turn ``{"column": value}`` into per-row and forced condition indices.

    Parameters
    ----------
    conditions : dict or None
    codec : TabularCodec
        The fitted codec (its discrete levels, in block order).
    space : ConditionSpace
        Offsets of each discrete column's conditions.
    discrete_columns : list
        The columns the generator is conditioned on, in condition order.
    n_samples : int

    Returns
    -------
    rows : LongTensor of shape (n_samples,) or None
        The first requested value's condition, for every row.
    forced : list of LongTensor
        Every requested value's condition (their blocks are set in each row).
    """
    if conditions is None:
        return None, []
    if not isinstance(conditions, dict) or not conditions:
        raise TypeError('conditions must be a non-empty dict like {"column": value}.')
    forced = []
    names = list(codec.columns_)
    for column, value in conditions.items():
        if column not in names:
            raise ValueError(f"Unknown column {column!r} in conditions; columns are {names}.")
        if column not in discrete_columns:
            raise ValueError(
                f"Cannot condition on column {column!r}: only discrete (categorical, boolean "
                f"or low-cardinality integer) columns can be conditioned on; these are "
                f"{list(discrete_columns)}."
            )
        j = list(discrete_columns).index(column)
        column_codec = next(c for c in codec.codecs_ if c.name == column)
        matches = [i for i, level in enumerate(column_codec.levels) if same_value(level, value)]
        if not matches:
            shown = [lv for lv in column_codec.levels if not isinstance(lv, str) or not lv.startswith("__skgen")]
            raise ValueError(
                f"Value {value!r} of column {column!r} was not seen in fit (or was pooled as "
                f"a rare level); known values: {shown[:20]}."
            )
        forced.append(int(space.column_offset[j]) + matches[0])
    rows = torch.full((n_samples,), forced[0], dtype=torch.long)
    return rows, [torch.tensor(g) for g in forced]


def same_value(level, value):
    """``level == value`` for a codec level, with NaN equal to NaN."""
    if isinstance(level, float) and isinstance(value, float) and math.isnan(level) and math.isnan(value):
        return True
    try:
        return bool(level == value)
    except (TypeError, ValueError):
        return False

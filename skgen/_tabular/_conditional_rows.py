"""Rows under ``sample(conditions=...)``: the model's own rows that meet the conditions, where they are common.

Filtering the model's rows gives exactly its conditional distribution: the
other columns move with the condition as the model learned them
(dependencies, missing values, rules). A generator conditioned on a level
only approximates that, so it serves where filtering would cost too much:
when fewer than ``MIN_SHARE`` of the rows meet the conditions (a rare level,
a narrow range). Conditions are checked by the generator first, so a bad
one gets the same one-line error either way.
"""

import numpy as np
import pandas as pd

# Conditions met by fewer rows than this are generated under the condition instead of filtered.
MIN_SHARE = 1 / 200
# Rows drawn first to measure the share, and the most drawn in one round.
PROBE_ROWS = 2_000
MAX_ROUND_ROWS = 1_000_000
_ROUNDS = 20


def meets(frame, conditions):
    """Rows with each ``{column: value}``: a value, None for missing, or a range ``(low, high)``."""
    kept = np.ones(len(frame), dtype=bool)
    for column, value in conditions.items():
        values = frame[column]
        if value is None:
            kept &= values.isna().to_numpy()
        elif isinstance(value, tuple):
            low, high = value
            inside = values.notna()
            if low is not None:
                inside &= values >= _like(values, low)
            if high is not None:
                inside &= values <= _like(values, high)
            kept &= inside.fillna(False).to_numpy(dtype=bool)
        else:
            kept &= (values == _like(values, value)).fillna(False).to_numpy(dtype=bool)
    return kept


def _like(values, value):
    return pd.Timestamp(value) if pd.api.types.is_datetime64_any_dtype(values.dtype) else value


def filterable(conditions, columns):
    """Whether ``conditions`` are plain values, ``None`` or ranges on known ``columns``."""
    if not isinstance(conditions, dict) or not conditions:
        return False
    for column, value in conditions.items():
        if column not in columns:
            return False
        if isinstance(value, tuple) and len(value) != 2 or isinstance(value, (list, dict, set, np.ndarray)):
            return False
    return True


def rows_meeting(generate, n_samples, seed, conditions, columns):
    """``n_samples`` rows meeting ``conditions``: filtered from ``generate(n, seed, None)`` when at least
    ``MIN_SHARE`` of them do, else ``generate(n_samples, seed, conditions)``."""
    if not filterable(conditions, columns):
        return generate(n_samples, seed, conditions)
    generate(1, seed, conditions)  # the generator's checks of the conditions: one clear error for a bad one
    rng = np.random.RandomState(seed)
    size, drawn, met, kept, frames = max(PROBE_ROWS, n_samples), 0, 0, 0, []
    for _ in range(_ROUNDS):
        rows = generate(size, int(rng.randint(2**31 - 1)), None)
        drawn += size
        meeting = meets(rows, conditions)
        met += int(meeting.sum())
        share = met / drawn
        if share < MIN_SHARE:
            break
        frames.append(rows[meeting].iloc[: n_samples - kept])
        kept += len(frames[-1])
        if kept == n_samples:
            return pd.concat(frames, ignore_index=True)
        size = int(min(MAX_ROUND_ROWS, 1.2 * (n_samples - kept) / share + 10))
    return generate(n_samples, seed, conditions)

"""What a table fit carries from one hook of :class:`~skgen._tabular._kind.TableKind` to the next."""

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np
import pandas as pd


@dataclass
class TableFitData:
    """A table fit's data and the parts fitted on it, filled in as the fit goes.

    Set by ``validate``: ``X`` (what the user passed), ``source`` (a streamed
    table, or None), ``n_rows``, ``frame`` (the table with its constraints
    applied; a streamed table's first-pass sample), ``codec``, ``encoded``
    (the frame's encoded rows) and ``constraints``. Set by ``start_training``:
    the condition ``space``, the ``private`` training plan, the ``discrete``
    (conditioned) columns, the ``latent`` classes and, for level calibration,
    ``level_frequencies`` and ``calibration_seed``; the ``validation`` rows
    that judge training (``early_stopping``; None: none); the rows the value
    trees grow on, ``value_tree_rows`` (model frame, encoded rows, training
    rows, seed), until they are sized after training.
    """

    X: Any
    source: Any
    n_rows: int
    frame: pd.DataFrame
    codec: Any
    encoded: Optional[np.ndarray]
    constraints: Any = None
    space: Any = None
    private: Optional[dict] = None
    discrete: list = field(default_factory=list)
    latent: Any = None
    level_frequencies: Optional[list] = None
    calibration_seed: Optional[int] = None
    validation: Optional[pd.DataFrame] = None
    value_tree_rows: Optional[tuple] = None

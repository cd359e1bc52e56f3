"""The tabular data kind: the DataFrame <-> matrix codec, conditions, and how GANSampler fits and samples tables.

``_columns`` (column kinds and per-column state), ``_codec``
(:class:`TabularCodec`), ``_state`` (the codec as model-file JSON),
``_conditions`` (``sample(conditions=...)``) and ``_kind`` (the data kind
GANSampler delegates to). The codec names are re-exported here because
pickles of skgen 0.1 look them up in ``skgen._tabular``.
"""

from ._codec import TabularCodec
from ._columns import BOOLEAN, CATEGORICAL, CONTINUOUS, DATETIME, INTEGER, KINDS, _ColumnCodec, _Segment, infer_kind

__all__ = ["BOOLEAN", "CATEGORICAL", "CONTINUOUS", "DATETIME", "INTEGER", "KINDS", "TabularCodec", "infer_kind"]

"""The value trees sized for a trained model: leaves large enough that its rows copy few training rows.

Trees grown at :data:`~._value_trees.MIN_LEAF_ROWS` a leaf serve the judge
during training (:func:`grow_for_training`); after it,
:func:`size_after_training` regrows them at the smallest leaf size whose
drawn rows copy no more training rows than the generator's own places do.
"""

import numpy as np

from ._value_trees import COPY_CHECK_ROWS, COPY_MARGIN, LEAF_ROWS, MIN_LEAF_ROWS, ValueTrees


def fit_without_copies(codec, model_frame, encoded, rows, seed, decode, first=None):
    """The value trees with the smallest leaves (:data:`LEAF_ROWS`) whose rows copy few training rows.

    ``decode(trees)`` returns the same generated rows decoded with ``trees``
    (None: the generator's places). A tree's rows may copy as many training
    rows (``model_frame``, compared whole) as the larger of the generator's
    places and the table's own repeats (the share of its rows another row
    repeats, about what new real rows copy), plus :data:`COPY_MARGIN`.
    ``first``: trees already grown with ``seed`` at the first size, reused.
    Returns the trees, or None where no size passes.
    """
    import pandas as pd

    seen = pd.util.hash_pandas_object(model_frame, index=False).to_numpy()

    def copied(frame):
        keys = pd.util.hash_pandas_object(frame[list(model_frame.columns)], index=False).to_numpy()
        return float(np.isin(keys, seen).mean()) if len(keys) else 0.0

    repeats = float(pd.Series(seen).duplicated(keep=False).mean())
    allowed = max(copied(decode(None)), repeats) + COPY_MARGIN
    for leaf_rows in LEAF_ROWS:
        if leaf_rows > max(MIN_LEAF_ROWS, len(rows) // 4):
            break
        if first is not None and leaf_rows == first.min_leaf_rows:
            trees = first
        else:
            trees = ValueTrees.fit(codec, model_frame, encoded, rows, np.random.RandomState(seed), leaf_rows,
                                   pairs=None if first is None else first.pairs)
        if trees is None or copied(decode(trees)) <= allowed:
            return trees
    return None


def grow_for_training(data, numeric_values, frame, encoded, rows, seed):
    """Attach first trees (:data:`MIN_LEAF_ROWS` a leaf) to ``data.codec``, which the judge's rows use,
    grown on the training ``rows`` (None: all) of ``frame`` (a streamed table's first-pass sample)
    and its ``encoded`` matrix; keep what :func:`size_after_training` needs in ``data``.

    Only with ``numeric_values="trees"`` and latent classes, since a drawn value stays in the bin
    the classes give; never with differential privacy (``data.private``), whose guarantee covers
    the networks, not training values.
    """
    if numeric_values != "trees" or data.latent is None or data.private is not None:
        return
    model_frame = frame if data.constraints is None else data.constraints.to_model(frame)
    rows = np.arange(len(encoded)) if rows is None else np.asarray(rows)
    data.codec.value_trees_ = ValueTrees.fit(data.codec, model_frame, encoded, rows, np.random.RandomState(seed))
    data.value_tree_rows = (model_frame, encoded, rows, seed)


def size_after_training(net, data):
    """Re-grow the trees with leaves large enough that the trained model's rows copy few training
    rows (:func:`fit_without_copies`); return the leaf size, or None where no trees are kept."""
    import torch

    from ._conditions import unconditional_rows

    codec = data.codec
    first = getattr(codec, "value_trees_", None)
    if first is None:
        return None
    model_frame, encoded, rows, seed = data.value_tree_rows
    data.value_tree_rows = None
    device = net.device
    generator = torch.Generator(device=device).manual_seed(seed)
    conditions = unconditional_rows(data.space, data.latent, COPY_CHECK_ROWS, seed, device, generator)
    generated, choices = net.generate(COPY_CHECK_ROWS, conditions, generator=generator)

    def decode(trees):
        codec.value_trees_ = trees
        return codec.inverse_transform(generated, rng=np.random.RandomState(seed), choices=choices, in_bin=True)

    trees = fit_without_copies(codec, model_frame, encoded, rows, seed, decode, first)
    codec.value_trees_ = trees
    if trees is None:
        del codec.value_trees_
        return None
    return trees.min_leaf_rows


def leaf_rows_state(codec):
    """``{"value_tree_leaf_rows_": n}`` for a codec with value trees (a loaded model's), else ``{}``."""
    trees = getattr(codec, "value_trees_", None)
    return {} if trees is None else {"value_tree_leaf_rows_": trees.min_leaf_rows}

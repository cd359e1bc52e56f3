"""Rules GANSampler reads off the training table itself (``infer_constraints``).

The finder is :func:`skgen.constraints.infer`; every rule it returns is an
ordinary constraint, fitted, saved and kept like the user's own. Keys (a
text column with a distinct value on every row: an id, a name, free text)
are always found: sampled rows get new values, never a training one (a
model that learned the column would copy real names). The other kinds --
one-to-one groups, datetime parts, equations, functions, inequalities,
missing values that go together -- follow ``infer_constraints``.
"""

import warnings

from ..constraints._finder import KINDS, MAX_LEVELS, find_relations
from ._constraint_set import spec_columns


def inferred_relations(frame, config):
    """The rules found in ``frame`` (:class:`~skgen.constraints._evidence.Relation` records) for a
    sampler with ``config``; columns the user's constraints name take part in none, and a column the
    user lists in ``categorical_columns`` is learned rather than taken as a key."""
    setting = config.infer_constraints
    if isinstance(setting, str):  # "auto": all but inequalities (see GANSampler's infer_constraints)
        setting = [kind for kind in KINDS if kind not in ("keys", "inequalities")]
    kinds = KINDS if setting is True else ("keys",) if setting is False else ("keys", *setting)
    named = set()
    for spec in config.constraints or ():
        named.update(spec_columns(spec, frame.columns))
    relations = find_relations(frame, kinds, exclude=named, max_levels=min(MAX_LEVELS, config.max_categories))
    learned = set(config.categorical_columns or ())
    relations = [r for r in relations if not (r.kind == "key" and set(r.constraint.columns) & learned)]
    keys = [r.constraint.columns[0] for r in relations if r.kind == "key"]
    if keys:
        warnings.warn(
            f"Column(s) {keys} hold a distinct text value on every row (keys, names or free text): sampled rows "
            "get new values ('syn-0', 'syn-1', ...), never a training value. List a column in "
            "categorical_columns to learn its values instead.",
            UserWarning,
            stacklevel=8,
        )
    return relations


def kept_on_every_piece(relations, sample, source):
    """The ``relations`` (found on ``sample``, a streamed table's) that every piece of ``source``
    keeps; one that a piece breaks is dropped with a one-line warning."""
    fitted = {id(r): r.constraint.fresh()._fit(sample) for r in relations if r.kind != "key"}
    kept = list(relations)
    for piece in source.pieces():
        for relation in [r for r in kept if id(r) in fitted]:
            if not fitted[id(relation)].satisfied(piece).all():
                kept.remove(relation)
                warnings.warn(
                    f"The inferred rule '{relation.constraint}' held on the sample but not on every row of "
                    f"{source.name}; it is not kept.",
                    UserWarning,
                    stacklevel=8,
                )
    return kept

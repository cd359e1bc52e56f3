"""How many rows of each class an over-sampler adds: imbalanced-learn's ``sampling_strategy``.

The rules and words follow imbalanced-learn's ``check_sampling_strategy``
for over-samplers, so a strategy moves between ``SMOTE`` and
``GANOverSampler`` unchanged; imbalanced-learn itself is not needed.
"""

from collections import Counter
from numbers import Real

_STRATEGIES = ("auto", "minority", "not minority", "not majority", "all")


def rows_to_add(sampling_strategy, y):
    """``{class: number of rows to generate}`` for ``sampling_strategy``.

    Parameters
    ----------
    sampling_strategy : str, float, dict or callable
        ``"minority"`` (only the smallest class), ``"not minority"``, ``"not
        majority"`` (``"auto"``), ``"all"``: the chosen classes are brought to
        the majority's count. A float (two classes only): the wanted ratio of
        minority to majority rows after resampling. A dict ``{class: wanted
        rows}``. A callable ``f(y)`` returning such a dict.
    y : ndarray of shape (n_samples,)

    Returns
    -------
    counts : dict
        Classes in sorted order, each with a non-negative number of rows.
    """
    counts = Counter(y.tolist())
    classes = sorted(counts, key=_sort_key)
    majority = max(counts.values())
    if isinstance(sampling_strategy, str):
        if sampling_strategy not in _STRATEGIES:
            raise ValueError(f"sampling_strategy={sampling_strategy!r} is not one of {list(_STRATEGIES)}.")
        chosen = _chosen_classes(sampling_strategy, counts)
        return {c: (majority - counts[c]) if c in chosen else 0 for c in classes}
    if callable(sampling_strategy):
        wanted = sampling_strategy(y)
        if not isinstance(wanted, dict):
            raise TypeError(f"A callable sampling_strategy must return a dict; it returned {type(wanted).__name__}.")
        return _from_dict(wanted, counts, classes)
    if isinstance(sampling_strategy, dict):
        return _from_dict(sampling_strategy, counts, classes)
    if isinstance(sampling_strategy, Real) and not isinstance(sampling_strategy, bool):
        return _from_ratio(float(sampling_strategy), counts, classes)
    raise TypeError(
        "sampling_strategy must be a str, a float, a dict or a callable; got "
        f"{type(sampling_strategy).__name__}."
    )


def _sort_key(value):
    return (str(type(value)), value)


def _chosen_classes(strategy, counts):
    smallest, largest = min(counts.values()), max(counts.values())
    minority = [c for c, n in counts.items() if n == smallest][:1]
    majority = [c for c, n in counts.items() if n == largest][:1]
    if strategy == "minority":
        return set(minority)
    if strategy == "not minority":
        return set(counts) - set(minority)
    if strategy in ("not majority", "auto"):
        return set(counts) - set(majority)
    return set(counts)


def _from_dict(wanted, counts, classes):
    unknown = [c for c in wanted if c not in counts]
    if unknown:
        raise ValueError(f"sampling_strategy names class(es) {unknown} not present in y; y has {classes}.")
    added = {c: 0 for c in classes}
    for c, n in wanted.items():
        if n < counts[c]:
            raise ValueError(
                f"sampling_strategy asks for {n} rows of class {c!r}, fewer than the {counts[c]} it has; "
                "an over-sampler only adds rows."
            )
        added[c] = int(n) - counts[c]
    return added


def _from_ratio(ratio, counts, classes):
    if len(counts) != 2:
        raise ValueError(
            f"A float sampling_strategy is for two classes only; y has {len(counts)}. Use a dict or a string."
        )
    if not 0 < ratio <= 1:
        raise ValueError(f"A float sampling_strategy must be in (0, 1]; got {ratio}.")
    majority = max(counts.values())
    added = {c: 0 for c in classes}
    for c in classes:
        if counts[c] == majority:
            continue
        n = int(ratio * majority) - counts[c]
        if n < 0:
            raise ValueError(
                f"sampling_strategy={ratio} asks for {int(ratio * majority)} rows of class {c!r}, fewer than "
                f"the {counts[c]} it has; an over-sampler only adds rows."
            )
        added[c] = n
    return added

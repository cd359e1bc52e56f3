"""The labels of a supervised autoencoder: which task, and the targets its head learns."""

import numpy as np
from sklearn.utils import check_array
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import column_or_1d


def prepare_targets(supervision, y, n_samples):
    """Resolve the supervision task and encode ``y`` for the head.

    Returns ``(task, targets, n_outputs, classes)``; ``targets`` is None when
    training unsupervised, ``classes`` None unless classifying.
    """
    task = supervision
    if task is None or (task == "auto" and y is None):
        return None, None, 0, None
    if y is None:
        raise ValueError(
            f"supervision={task!r} needs the targets: call fit(X, y) (a Pipeline passes y to every step)."
        )
    y = np.asarray(y)
    if len(y) != n_samples:
        raise ValueError(f"y has {len(y)} rows but X has {n_samples}.")
    if task == "auto":
        kind = type_of_target(y, input_name="y")
        if kind in ("binary", "multiclass"):
            task = "classification"
        elif kind in ("continuous", "continuous-multioutput", "multiclass-multioutput"):
            task = "regression"
        else:
            raise ValueError(
                f"Unknown label type: supervision='auto' cannot tell the task from y "
                f"(type_of_target: {kind!r}); set supervision='classification' or 'regression'."
            )
    if task == "classification":
        y = column_or_1d(y, warn=True)
        if y.dtype.kind in "fc" and not np.isfinite(y).all():
            raise ValueError("y contains NaN or infinity; classification targets must be labels.")
        classes, codes = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"supervision='classification' needs at least 2 classes in y; got {len(classes)}.")
        return task, codes.astype(np.int64), len(classes), classes
    y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
    y = y.reshape(n_samples, -1)
    std = y.std(axis=0)
    y = (y - y.mean(axis=0)) / np.where(std > 0, std, 1.0)
    return task, y.astype(np.float32), y.shape[1], None

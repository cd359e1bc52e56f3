"""Train on synthetic, test on real: does a model fitted on the synthetic rows predict real ones?"""

import warnings

import numpy as np

from .._core._threads import limited_threads
from ._frames import as_matching_frames, boosting_threads, capped_categories, check_threads, column_kind, model_frame

MAX_CLASSES_AS_NUMBERS = 10


def target_task(values):
    """``"regression"`` for a numeric target with more than 10 distinct values,
    else ``"classification"`` (text, booleans, categories, a few integer codes)."""
    present = values.dropna()
    if column_kind(values) != "categorical" and present.nunique() > MAX_CLASSES_AS_NUMBERS:
        return "regression"
    return "classification"


def _fitted(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
        return model


def _classification_scores(model, X_test, y_test, classes):
    from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pred = model.predict(X_test)
        result = {"accuracy": accuracy_score(y_test, pred), "f1": f1_score(y_test, pred, average="macro")}
        proba = model.predict_proba(X_test)
        known = list(model.classes_)
        full = np.zeros((len(X_test), len(classes)))
        for i, c in enumerate(classes):
            if c in known:
                full[:, i] = proba[:, known.index(c)]
        if len(classes) == 2:
            result["roc_auc"] = roc_auc_score(y_test == classes[1], full[:, 1])
        else:
            normalised = full / np.clip(full.sum(1, keepdims=True), 1e-12, None)
            result["roc_auc"] = roc_auc_score(y_test, normalised, multi_class="ovr", labels=classes)
    return result


def _regression_scores(model, X_test, y_test):
    from sklearn.metrics import mean_absolute_error, r2_score

    pred = model.predict(X_test)
    return {"r2": r2_score(y_test, pred), "mae": mean_absolute_error(y_test, pred)}


def tstr_score(synthetic, real_test, target, *, real_train=None, task="auto", random_state=0, n_threads=None):
    """Train-on-synthetic, test-on-real utility of a target column.

    A HistGradientBoosting model (native categorical support; categorical
    features capped at their 254 most frequent levels, the rest read as one
    "other" level) is trained on the synthetic rows and scored on real
    held-out rows; with ``real_train`` the same model trained on real rows
    gives the reference (TRTR). Rows whose target is missing are dropped
    (their count is returned). No scikit-learn warning escapes.

    Parameters
    ----------
    synthetic : DataFrame
    real_test : DataFrame
    target : str
        Name of the target column.
    real_train : DataFrame or None, default=None
    task : {"auto", "classification", "regression"}, default="auto"
        ``"auto"`` is regression for a numeric target with more than 10
        distinct values, classification otherwise.
    random_state : int, default=0
    n_threads : int or None, default=None
        Threads for the models, as in :func:`detection_score` (None: one
        per 100,000 rows within what the machine's load leaves free). The
        scores do not depend on it.

    Returns
    -------
    scores : dict
        Classification: ``accuracy``, ``f1`` (macro) and ``roc_auc``
        (binary, or one-vs-rest macro); regression: ``r2`` and ``mae``.
        With ``real_train`` the same keys prefixed ``real_``. Always
        ``task`` and ``dropped_rows`` (rows without a target, all frames).
    """
    from sklearn.dummy import DummyClassifier
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    for name, frame in (("synthetic", synthetic), ("real_test", real_test), ("real_train", real_train)):
        if frame is not None and target not in getattr(frame, "columns", ()):
            raise ValueError(f"target column {target!r} is not in {name}.")
    if task not in ("auto", "classification", "regression"):
        raise ValueError(f"task must be 'auto', 'classification' or 'regression'; got {task!r}.")
    check_threads(n_threads)
    real_test, synthetic = as_matching_frames(real_test, synthetic, names=("real_test", "synthetic"))
    frames = {"synthetic": synthetic, "real_test": real_test}
    if real_train is not None:
        frames["real_train"] = as_matching_frames(real_test, real_train, names=("real_test", "real_train"))[1]
    dropped = sum(int(f[target].isna().sum()) for f in frames.values())
    frames = {name: f[f[target].notna()] for name, f in frames.items()}
    for name, frame in frames.items():
        if not len(frame):
            raise ValueError(f"Every row of {name} lacks the target {target!r}.")
    task = target_task(real_test[target]) if task == "auto" else task
    features = [c for c in real_test.columns if c != target]
    if not features:
        raise ValueError(f"Nothing to predict {target!r} from: it is the only column.")
    categorical = [c for c in features if column_kind(real_test[c]) == "categorical"]
    categories = capped_categories(list(frames.values()), categorical)
    test = frames["real_test"]
    X_test = model_frame(test[features], categories)
    if task == "classification":
        y_test = test[target].astype(str).to_numpy()
        classes = np.unique(y_test)
        if len(classes) < 2:
            raise ValueError(f"The target {target!r} has one class ({classes[0]!r}) in real_test; nothing to score.")
    else:
        y_test = test[target].to_numpy(dtype=float)

    def evaluate(train):
        X = model_frame(train[features], categories)
        if task == "regression":
            model = HistGradientBoostingRegressor(categorical_features="from_dtype", random_state=random_state)
            return _regression_scores(_fitted(model, X, train[target].to_numpy(dtype=float)), X_test, y_test)
        y = train[target].astype(str).to_numpy()
        if len(np.unique(y)) < 2:
            model = DummyClassifier(strategy="most_frequent")
        else:
            model = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=random_state)
        return _classification_scores(_fitted(model, X, y), X_test, y_test, classes)

    n_rows = max(len(f) for f in frames.values())
    with limited_threads(boosting_threads(n_threads, n_rows)):
        scores = evaluate(frames["synthetic"])
        if real_train is not None:
            scores.update({f"real_{k}": v for k, v in evaluate(frames["real_train"]).items()})
    scores = {k: float(v) for k, v in scores.items()}
    scores.update(task=task, dropped_rows=dropped)
    return scores

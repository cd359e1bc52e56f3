"""GANOverSampler: imbalanced-learn's sampler protocol, mixed tables, test folds kept real, bad input."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score

from skgen import GANOverSampler, GANSampler
from skgen._sampling_strategy import rows_to_add

imblearn = pytest.importorskip("imblearn")
from imblearn.pipeline import Pipeline  # noqa: E402
from imblearn.utils import check_sampling_strategy  # noqa: E402
from imblearn.utils.estimator_checks import estimator_checks_generator  # noqa: E402
from sklearn.utils.estimator_checks import _get_check_estimator_ids  # noqa: E402


def _tiny(**kwargs):
    return GANSampler(max_epochs=1, batch_size=50, n_threads=1, **kwargs)


def _table(n=400, seed=0):
    """Mixed types and missing values; class 'rare' (10%) has larger x and mostly c == 'b'."""
    rng = np.random.RandomState(seed)
    rare = rng.rand(n) < 0.1
    x = np.where(rare, rng.normal(3, 0.5, n), rng.normal(0, 0.5, n))
    x[rng.rand(n) < 0.1] = np.nan
    X = pd.DataFrame(
        {
            "x": x,
            "k": pd.array(rng.randint(0, 40, n), dtype="Int64"),
            "c": pd.Categorical(np.where(rare, np.where(rng.rand(n) < 0.9, "b", "a"), rng.choice(["a", "c"], n))),
            "s": np.array(rng.choice(["u", "v", None], n), dtype=object),
            "when": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.randint(0, 365, n), unit="D"),
            "flag": rng.rand(n) > 0.5,
        },
        index=np.arange(1000, 1000 + n),
    )
    y = pd.Series(np.where(rare, "rare", "common"), index=X.index, name="label")
    return X, y


# Every check of imbalanced-learn's sampler suite applies and passes (no expected failures).
_CHECKS = list(estimator_checks_generator(GANOverSampler(_tiny(), random_state=0), mark="xfail"))


@pytest.mark.parametrize("estimator, check", _CHECKS, ids=_get_check_estimator_ids)
def test_imbalanced_learn_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    "strategy", ["auto", "minority", "not minority", "not majority", "all", {0: 50, 2: 40}, lambda y: {1: 60}]
)
def test_sampling_strategy_counts_match_imbalanced_learn(strategy):
    y = np.array([0] * 50 + [1] * 30 + [2] * 20)
    ours = {c: n for c, n in rows_to_add(strategy, y).items() if n}
    theirs = dict(check_sampling_strategy(strategy, y, "over-sampling"))
    assert ours == {c: n for c, n in theirs.items() if n}


def test_float_strategy_matches_imbalanced_learn():
    y = np.array([0] * 80 + [1] * 20)
    ours = {c: n for c, n in rows_to_add(0.5, y).items() if n}
    assert ours == dict(check_sampling_strategy(0.5, y, "over-sampling"))


def test_mixed_table_keeps_rows_dtypes_and_balances_classes():
    X, y = _table()
    X_before = X.copy()
    X_res, y_res = GANOverSampler(_tiny(), random_state=0).fit_resample(X, y)
    pd.testing.assert_frame_equal(X, X_before)  # not modified in place
    assert X_res.dtypes.equals(X.dtypes)
    assert list(X_res.columns) == list(X.columns)
    counts = y_res.value_counts()
    assert counts["rare"] == counts["common"] == (y == "common").sum()
    # The real rows come first, unchanged (a fresh index, as imbalanced-learn's samplers give).
    pd.testing.assert_frame_equal(X_res.iloc[: len(X)], X.reset_index(drop=True))
    assert (y_res.iloc[len(X):] == "rare").all() and y_res.name == "label"
    new = X_res.iloc[len(X):]
    assert new["x"].isna().any() and new["s"].isna().any()  # missing values are generated too


def test_a_class_learned_from_its_own_rows_keeps_what_sets_it_apart():
    """A classifier fitted on the real rows gives the generated malignant rows
    the probability it gives the real ones; rows of the conditional sampler
    on all rows, as tiny, get 0.07-0.09 less (checked: 0.864 / 0.889 against 0.953)."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    y = y.map({0: "malignant", 1: "benign"})
    judge = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X, y)
    malignant = list(judge.classes_).index("malignant")
    over = GANOverSampler(_tiny(), random_state=0)
    X_res, _ = over.fit_resample(X, y)
    generated = judge.predict_proba(X_res.iloc[len(X):])[:, malignant].mean()
    real = judge.predict_proba(X[y == "malignant"])[:, malignant].mean()
    assert generated >= real - 0.03
    assert over.sampler_ is None and list(over.samplers_) == ["malignant"]
    assert over.samplers_["malignant"].n_features_in_ == X.shape[1]  # the class's rows, without y


@pytest.mark.parametrize(
    "per_class, own", [("auto", {"big"}), (True, {"big", "small"}), (False, set()), (np.True_, {"big", "small"})]
)
def test_per_class_gives_classes_of_fifty_rows_their_own_sampler(per_class, own):
    X, _ = _table(n=300)
    y = np.array(["common"] * 200 + ["big"] * 60 + ["small"] * 40)
    over = GANOverSampler(_tiny(), per_class=per_class, random_state=0)
    X_res, y_res = over.fit_resample(X, y)
    assert np.unique(y_res, return_counts=True)[1].tolist() == [200, 200, 200]
    assert {label for label, sampler in over.samplers_.items() if sampler is not over.sampler_} == own
    assert (over.sampler_ is None) == (own == {"big", "small"})
    assert X_res.dtypes.equals(X.dtypes)


def test_a_column_a_class_never_fills_stays_missing_in_its_new_rows():
    """A sampler refuses a column of missing values: the class's sampler learns the other columns,
    and its rows come back with that column missing, in its place and dtype."""
    X, y = _table(n=600)
    rare = (y == "rare").to_numpy()
    X = X.assign(k=X["k"].mask(rare), s=X["s"].mask(rare), closed=np.where(rare, np.nan, 1.5))
    X_res, y_res = GANOverSampler(_tiny(), random_state=0).fit_resample(X, y)
    assert list(X_res.columns) == list(X.columns) and X_res.dtypes.equals(X.dtypes)
    new = X_res.iloc[len(X):]
    assert len(new) == (y == "common").sum() - rare.sum()
    assert new[["k", "s", "closed"]].isna().all().all() and new["x"].notna().any()
    # The same from an array: the generated rows keep the array's columns.
    array = X[["x", "closed"]].to_numpy()
    array_res, _ = GANOverSampler(_tiny(), random_state=0).fit_resample(array, y)
    assert array_res.shape == (len(X) + len(new), 2) and np.isnan(array_res[len(X):, 1]).all()


def test_a_sampler_that_is_not_conditional_serves_classes_with_their_own():
    X, y = _table(n=600)
    over = GANOverSampler(_tiny(conditional=False), random_state=0)
    _, y_res = over.fit_resample(X, y)
    assert (y_res == "rare").sum() == (y_res == "common").sum()


def test_images_of_a_class_can_have_their_own_sampler():
    rng = np.random.RandomState(0)
    images = rng.rand(60, 8, 8).astype(np.float32)
    labels = np.array([0] * 50 + [1] * 10)
    sampler = GANSampler(max_epochs=1, batch_size=20, n_threads=1)
    over = GANOverSampler(sampler, per_class=True, random_state=0)
    X_res, y_res = over.fit_resample(images, labels)
    assert X_res.shape == (100, 8, 8) and np.bincount(y_res).tolist() == [50, 50]
    assert over.sampler_ is None


@pytest.mark.slow
def test_generated_rows_follow_their_class():
    """With one conditional sampler on all rows, a classifier fitted on the real
    rows labels the generated rare rows 'rare' far more often than the rows of an
    untrained sampler."""
    X, y = _table(n=1000)
    features = lambda frame: np.column_stack([frame["x"].fillna(0), frame["c"] == "b"])  # noqa: E731
    judge = LogisticRegression().fit(features(X), y)

    def share_rare(lr, latent_classes="auto", calibrate_levels=True):
        sampler = GANSampler(max_epochs=200 if lr is None else 1, batch_size=100, lr=lr, n_threads=1,
                             latent_classes=latent_classes, calibrate_levels=calibrate_levels)
        X_res, _ = GANOverSampler(sampler, per_class=False, random_state=0).fit_resample(X, y)
        return np.mean(judge.predict(features(X_res.iloc[len(X):])) == "rare")

    # The untrained baseline has no latent classes and no level calibration: the
    # mixture is fitted by EM, the calibration by counting, not by gradient steps,
    # and either would get the class's rows right on its own.
    trained, untrained = share_rare(None), share_rare(1e-12, latent_classes=0, calibrate_levels=False)
    assert trained >= 0.8
    assert trained >= untrained + 0.3


class _RowRecorder(ClassifierMixin, BaseEstimator):
    """Remembers the `row` ids it is fitted and asked to predict on."""

    fitted, predicted = [], []

    def fit(self, X, y):
        type(self).fitted.append(X["row"].to_numpy())
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        type(self).predicted.append(X["row"].to_numpy())
        return np.full(len(X), self.classes_[0])


def test_pipeline_resamples_training_folds_only():
    X, y = _table(n=300)
    X = X.assign(row=np.arange(len(X), dtype=float))
    _RowRecorder.fitted, _RowRecorder.predicted = [], []
    pipe = Pipeline([("balance", GANOverSampler(_tiny(), random_state=0)), ("model", _RowRecorder())])
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    cross_val_score(pipe, X, y, cv=folds, scoring="accuracy")
    for (train, test), fitted, predicted in zip(folds, _RowRecorder.fitted, _RowRecorder.predicted):
        # Test folds: exactly their real rows, nothing generated.
        np.testing.assert_array_equal(predicted, X["row"].to_numpy()[test])
        # Training folds: their real rows first, then the generated rare rows.
        np.testing.assert_array_equal(fitted[: len(train)], X["row"].to_numpy()[train])
        n_common = int((y.iloc[train] == "common").sum())
        assert len(fitted) == 2 * n_common


def test_grid_search_tunes_the_inner_sampler():
    X, y = _table(n=200)
    numeric = X[["x"]].fillna(0)
    pipe = Pipeline([("balance", GANOverSampler(_tiny(), random_state=0)), ("model", LogisticRegression())])
    search = GridSearchCV(pipe, {"balance__sampler__max_epochs": [1, 2]}, cv=2, scoring="balanced_accuracy")
    search.fit(numeric, y)
    assert search.best_params_["balance__sampler__max_epochs"] in (1, 2)


def test_images_with_labels_are_over_sampled():
    rng = np.random.RandomState(0)
    images = rng.rand(60, 8, 8).astype(np.float32)
    labels = np.array([0] * 50 + [1] * 10)
    sampler = GANSampler(max_epochs=1, batch_size=20, n_threads=1)
    X_res, y_res = GANOverSampler(sampler, random_state=0).fit_resample(images, labels)
    assert X_res.shape == (100, 8, 8) and X_res.dtype == np.float32
    assert np.bincount(y_res).tolist() == [50, 50]


@pytest.mark.parametrize(
    "params, y, message",
    [
        ({}, ["a"] * 40, "single class"),
        ({"sampling_strategy": {"rare": 2}}, None, "fewer than"),
        ({"sampling_strategy": {"other": 500}}, None, "not present in y"),
        ({"sampling_strategy": 0.01}, None, "fewer than"),
        ({}, np.linspace(0, 1, 40), "Unknown label type"),
        ({}, ["a", "b"] * 10, "rows but y has"),
        ({"sampler": _tiny(conditional=False)}, None, "conditional"),
        ({"per_class": "yes"}, None, "per_class"),
        ({"sampler": _tiny(max_categories=2)}, ["a"] * 16 + ["b", "c", "d"] * 8, "max_categories"),
        ({"sampling_strategy": "most"}, None, "sampling_strategy"),
    ],
)
def test_bad_input_is_refused_before_training(params, y, message):
    X, y_default = _table(n=40)
    y = y_default if y is None else y
    over = GANOverSampler(**{"sampler": _tiny(), **params})
    with pytest.raises((ValueError, TypeError), match=message):
        over.fit_resample(X, y)
    assert not hasattr(over, "sampler_")

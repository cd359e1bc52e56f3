"""Behaviour of GANSampler on tables: API, dtypes, conditions, sklearn tooling."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV

from skgen import GANSampler
from skgen._modules import TabularGenerator

from .test_tabular import mixed_frame
from ._settings import TINY_TABLE_GAN

FAST = TINY_TABLE_GAN


@pytest.fixture(scope="module")
def frame():
    return mixed_frame(400)


@pytest.fixture(scope="module")
def fitted(frame):
    return GANSampler(**FAST).fit(frame)


def test_sample_has_the_training_columns_and_dtypes(frame, fitted):
    synthetic = fitted.sample(300, random_state=0)
    assert isinstance(synthetic, pd.DataFrame) and len(synthetic) == 300
    assert list(synthetic.columns) == list(frame.columns)
    for column in frame.columns:
        assert synthetic[column].dtype == frame[column].dtype, column
    assert synthetic["cat"].cat.categories.tolist() == frame["cat"].cat.categories.tolist()
    assert set(synthetic["city"].dropna()) <= set(frame["city"].dropna())
    assert synthetic["real"].between(frame["real"].min(), frame["real"].max()).all()


@pytest.fixture(scope="module")
def trained(frame):
    return GANSampler(**{**FAST, "max_epochs": 200}).fit(frame)


def untrained_like(sampler, X):
    """The same sampler fitted for one epoch at a learning rate of 1e-12, no latent
    classes and no level calibration: the same codec, conditions and
    clipping, networks at their initial weights (a latent-class model or the
    calibration alone already gets the marginals right: what is asserted is
    that training learns them)."""
    return clone(sampler).set_params(lr=1e-12, max_epochs=1, latent_classes=0, calibrate_levels=False).fit(X)


def test_missing_values_come_back(frame, trained):
    rate = trained.sample(2000, random_state=0)["with_nan"].isna().mean()
    baseline = untrained_like(trained, frame).sample(2000, random_state=0)["with_nan"].isna().mean()
    real = frame["with_nan"].isna().mean()
    assert abs(rate - real) < 0.05
    assert abs(rate - real) + 0.05 < abs(baseline - real)  # learned, not the codec's doing
    assert trained.sample(2000, random_state=0)["city"].isna().any()


def test_sample_reproducibility(frame, fitted):
    a = fitted.sample(50, random_state=3)
    b = fitted.sample(50, random_state=3)
    pd.testing.assert_frame_equal(a, b)
    c = fitted.sample(50)
    d = fitted.sample(50)
    assert not c.equals(d)
    refit = GANSampler(**FAST).fit(frame)
    pd.testing.assert_frame_equal(refit.sample(50, random_state=3), a)


def test_conditions_are_met_directly(fitted):
    synthetic = fitted.sample(200, conditions={"city": "rome"}, random_state=0)
    assert (synthetic["city"] == "rome").mean() >= 0.95
    both = fitted.sample(100, conditions={"city": "oslo", "flag": True}, random_state=0)
    assert (both["city"] == "oslo").all() and both["flag"].all()
    ints = fitted.sample(50, conditions={"count": 3}, random_state=0)
    assert (ints["count"] == 3).all()
    many = fitted.sample(20_000, conditions={"city": "rome"}, random_state=0)  # several chunks
    assert len(many) == 20_000 and (many["city"] == "rome").all()


@pytest.mark.parametrize(
    "conditions, error, match",
    [
        ({"nope": 1}, ValueError, "Unknown column"),
        ({"city": "tokyo"}, ValueError, "not seen in fit"),
        ({"real": (5.0, 1.0)}, ValueError, "Empty range"),
        ("city", TypeError, "dict"),
    ],
)
def test_bad_conditions(fitted, conditions, error, match):
    with pytest.raises(error, match=match):
        fitted.sample(5, conditions=conditions)


@pytest.mark.parametrize("n", [-1, 2.5, True])
def test_bad_n_samples(fitted, n):
    with pytest.raises(ValueError, match="n_samples"):
        fitted.sample(n)


def test_unfitted_sample_raises():
    with pytest.raises(NotFittedError):
        GANSampler().sample(3)


@pytest.mark.parametrize(
    "data, match",
    [
        (pd.DataFrame({"a": []}), "at least 2 rows"),
        (pd.DataFrame({"a": [1.0]}), "at least 2 rows"),
        (pd.DataFrame({"a": [np.nan] * 5, "b": range(5)}), "only missing values"),
        (np.zeros(5), "2-D array"),
    ],
)
def test_bad_training_data(data, match):
    with pytest.raises(ValueError, match=match):
        GANSampler(**FAST).fit(data)


@pytest.mark.parametrize(
    "params, error, match",
    [
        (dict(loss="wasserstein"), ValueError, "'loss' parameter of GANSampler must be a str among"),
        (dict(loss="hinge"), ValueError, "not available for tables"),
        (dict(batch_size=5, pac=10), ValueError, "at least pac"),
        (dict(lr=0.0), ValueError, "lr"),
        (dict(betas=(0.5,)), ValueError, "betas"),
        (dict(generator_dims=(0,)), ValueError, "generator_dims"),
        (dict(generator__bogus=1), TypeError, "bogus"),
        (dict(gen__width=1), TypeError, "unknown parameter"),
    ],
)
def test_bad_parameters(frame, params, error, match):
    with pytest.raises(error, match=match):
        GANSampler(**{**FAST, **params}).fit(frame.iloc[:100])


def test_edge_tables_do_not_crash():
    rng = np.random.RandomState(0)
    one_numeric = pd.DataFrame({"x": rng.randn(100)})
    assert GANSampler(**FAST).fit(one_numeric).sample(10).shape == (10, 1)
    odd = pd.DataFrame(
        {
            "const": 7.0,
            "single": "only",
            "huge": rng.randint(0, 2**62, 100).astype(np.int64),
            "many": [f"id{i}" for i in rng.randint(0, 3000, 100)],
        }
    )
    out = GANSampler(**FAST, max_categories=20).fit(odd).sample(20)
    assert (out["const"] == 7.0).all() and (out["single"] == "only").all()
    assert out["huge"].dtype == np.int64


def test_ndarray_in_ndarray_out():
    X = np.random.RandomState(0).randn(200, 3)
    sampler = GANSampler(**FAST).fit(X)
    out = sampler.sample(7)
    assert isinstance(out, np.ndarray) and out.shape == (7, 3)


def test_user_frame_is_not_modified(frame):
    copy = frame.copy()
    GANSampler(**FAST).fit(frame).sample(5)
    pd.testing.assert_frame_equal(frame, copy)


def test_bce_loss_and_unconditional_mode(frame):
    sampler = GANSampler(**FAST, loss="bce", conditional=False).fit(frame)
    assert sampler.sample(20).shape == (20, frame.shape[1])
    with pytest.raises(ValueError, match="conditional=False"):
        sampler.sample(5, conditions={"city": "rome"})


class WideGenerator(TabularGenerator):
    def __init__(self, latent_dim, cond_dim, output_dim, width=8):
        super().__init__(latent_dim, cond_dim, output_dim, hidden_dims=(width,))
        self.width = width


def test_user_generator_with_tunable_parameter(frame):
    sampler = GANSampler(**FAST, generator=WideGenerator, generator__width=5).fit(frame)
    assert sampler.net_.module_.width == 5
    assert clone(sampler).get_params()["generator__width"] == 5


def test_pickle_round_trip_keeps_sampling_and_no_training_rows(fitted):
    blob = pickle.dumps(fitted)
    restored = pickle.loads(blob)
    pd.testing.assert_frame_equal(restored.sample(20, random_state=1), fitted.sample(20, random_state=1))
    assert not any(isinstance(v, torch.Tensor) and v.shape[0] == 400 for v in vars(restored).values())


def test_score_ranks_a_trained_sampler_above_an_untrained_one(frame, trained):
    assert trained.score(frame) > untrained_like(trained, frame).score(frame) + 0.04


def test_grid_search_picks_the_better_sampler_by_score(frame):
    # (No latent classes: their fitted mixture alone already scores well after one epoch.)
    search = GridSearchCV(GANSampler(**FAST, latent_classes=0), {"max_epochs": [1, 60], "loss": ["wgan-gp", "bce"]}, cv=2)
    search.fit(frame)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_params_["max_epochs"] == 60


def test_global_torch_rng_untouched(frame):
    torch.manual_seed(5)
    expected = torch.rand(2)
    torch.manual_seed(5)
    GANSampler(**FAST).fit(frame).sample(10)
    torch.testing.assert_close(torch.rand(2), expected)


def test_pipeline_style_use(frame):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    drop_dates = FunctionTransformer(lambda df: df.drop(columns=["when"]))
    pipe = make_pipeline(drop_dates, GANSampler(**FAST)).fit(frame)
    # The pipeline scores the sampler on the transformed rows: the same figure, in (0, 1].
    score = pipe.score(frame)
    assert score == pytest.approx(pipe[-1].score(frame.drop(columns=["when"]))) and 0 < score <= 1
    synthetic = pipe[-1].sample(10, random_state=0)
    assert "when" not in synthetic.columns and len(synthetic) == 10


def test_image_only_arguments_are_refused_for_tables(fitted):
    with pytest.raises(ValueError, match="for image models"):
        fitted.sample(3, y=1)
    with pytest.raises(ValueError, match="for image models"):
        fitted.sample(3, return_y=True)


def test_default_learning_rate_depends_on_the_data(frame, fitted):
    assert fitted.lr is None  # stored untouched; resolved at fit
    assert fitted.net_.lr == 8e-4
    assert fitted.net_.optimizer_discriminator_.param_groups[0]["lr"] == 8e-4
    explicit = GANSampler(**{**FAST, "lr": 3e-4}).fit(frame)
    assert explicit.net_.optimizer_.param_groups[0]["lr"] == 3e-4


def test_auto_training_length_follows_the_table(monkeypatch):
    """Half as many optimiser steps as rows (3,000 to 10,000), batches of at most a tenth of the rows."""
    from skgen._tabular._kind import TableKind

    kind = TableKind(GANSampler()._kind_config())
    for n_rows, batch, epochs in [(300, 30, 300), (1_309, 130, 300), (26_048, 500, 193), (1_000_000, 500, 5)]:
        assert kind.step_batch_size(n_rows) == batch
        assert kind.n_epochs(n_rows) == epochs
    assert TableKind(GANSampler(batch_size=64)._kind_config()).step_batch_size(1_309) == 60  # a multiple of pac
    assert TableKind(GANSampler(max_epochs=7)._kind_config()).n_epochs(1_309) == 7
    from skgen._tabular import _kind

    monkeypatch.setattr(_kind, "MIN_AUTO_STEPS", 30)  # the wiring, on a short fit (not judged: it could stop early)
    sampler = GANSampler(generator_dims=(16,), discriminator_dims=(16,), early_stopping=False,
                         random_state=0).fit(mixed_frame(60))
    assert sampler.net_.batch_size == 10 and sampler.n_epochs_ == 5  # 6 steps an epoch, 30 steps

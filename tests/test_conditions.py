"""sample(conditions=...) on numeric ranges, exact values, missing values and several columns at once."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import skgen
from skgen import GANSampler


def _dependent_table(n=1500, seed=0):
    """``band`` follows ``x`` (low < 30 <= mid < 70 <= high, 5% noise); ``y``
    is missing mostly in band 'high'; ``n`` integers, ``when`` dates."""
    rng = np.random.RandomState(seed)
    x = rng.uniform(0, 100, n)
    band = np.where(x < 30, "low", np.where(x < 70, "mid", "high")).astype(object)
    noise = rng.rand(n) < 0.05
    band[noise] = rng.choice(["low", "mid", "high"], noise.sum())
    y = rng.normal(size=n)
    y[(band == "high") & (rng.rand(n) < 0.8)] = np.nan
    return pd.DataFrame(
        {
            "x": x,
            "band": band,
            "y": y,
            "n": rng.randint(0, 500, n),
            "gain": np.where(rng.rand(n) < 0.7, 0.0, rng.exponential(100, n)),
            "when": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.randint(0, 730, n), unit="D"),
        }
    )


@pytest.fixture(scope="module")
def table():
    return _dependent_table()


@pytest.fixture(scope="module")
def fitted(table):
    return GANSampler(max_epochs=3, batch_size=200, random_state=0, n_threads=1).fit(table)


@pytest.mark.parametrize(
    "conditions, check",
    [
        ({"x": (20.0, 40.0)}, lambda f: f["x"].between(20, 40)),
        ({"x": (None, 5.5)}, lambda f: f["x"] <= 5.5),
        ({"x": (95.0, None)}, lambda f: f["x"] >= 95),
        ({"n": (10.5, 20.5)}, lambda f: f["n"].between(11, 20)),
        ({"n": (490, None)}, lambda f: f["n"] >= 490),
        ({"when": (None, "2020-01-10")}, lambda f: f["when"] <= "2020-01-10"),
        ({"gain": 0.0}, lambda f: f["gain"] == 0),
        ({"gain": (0.0, 0.0)}, lambda f: f["gain"] == 0),
        ({"gain": (1.0, 50.0)}, lambda f: f["gain"].between(1, 50)),
        ({"n": 123}, lambda f: f["n"] == 123),
        ({"x": 42.25}, lambda f: f["x"] == 42.25),
        ({"y": None}, lambda f: f["y"].isna()),
        ({"when": ("2020-03-01", "2020-03-31")}, lambda f: f["when"].between("2020-03-01", "2020-03-31")),
        ({"x": (10.0, 30.0), "band": "mid", "y": None}, lambda f: f["x"].between(10, 30) & (f["band"] == "mid") & f["y"].isna()),
    ],
)
def test_every_row_meets_the_condition(fitted, table, conditions, check):
    rows = fitted.sample(3000, conditions=conditions, random_state=0)
    assert len(rows) == 3000 and rows.dtypes.equals(table.dtypes)
    assert check(rows).all()


def test_a_range_draws_the_values_the_data_has_in_it(fitted, table):
    """A wide range spreads over the bins it covers (not one point): over most of the values the
    training rows have inside it (value trees draw training values)."""
    rows = fitted.sample(3000, conditions={"x": (20.0, 80.0)}, random_state=0)
    assert rows["x"].min() < 25 and rows["x"].max() > 75
    assert rows["x"].nunique() > 0.8 * table["x"].between(20.0, 80.0).sum()


@pytest.mark.slow
def test_the_other_columns_follow_the_data_inside_the_condition(table):
    """Inside x < 25 the bands are mostly 'low' as in the real rows there; an
    untrained sampler (same codec, initial weights) gives no such relation."""
    sampler = GANSampler(max_epochs=400, batch_size=200, random_state=0, n_threads=1).fit(table)
    untrained = clone(sampler).set_params(lr=1e-12, max_epochs=1, latent_classes=0, calibrate_levels=False).fit(table)
    real = table[table["x"] < 25]["band"].value_counts(normalize=True)

    def tvd(model, conditions, column, real_share):
        rows = model.sample(2000, conditions=conditions, random_state=0)
        share = rows[column].value_counts(normalize=True)
        return 0.5 * share.subtract(real_share, fill_value=0).abs().sum()

    trained_tvd = tvd(sampler, {"x": (None, 25.0)}, "band", real)
    assert trained_tvd < 0.2
    assert trained_tvd + 0.2 < tvd(untrained, {"x": (None, 25.0)}, "band", real)
    # Rows where y is missing: mostly band 'high', as in the data.
    real_missing = table[table["y"].isna()]["band"].value_counts(normalize=True)
    missing_tvd = tvd(sampler, {"y": None}, "band", real_missing)
    assert missing_tvd < 0.2
    assert missing_tvd + 0.2 < tvd(untrained, {"y": None}, "band", real_missing)


def test_conditions_survive_save_and_load(fitted, tmp_path):
    fitted.save(tmp_path / "model.skgen")
    loaded = skgen.load(tmp_path / "model.skgen")
    conditions = {"x": (20.0, 40.0), "y": None}
    pd.testing.assert_frame_equal(
        loaded.sample(100, conditions=conditions, random_state=3),
        fitted.sample(100, conditions=conditions, random_state=3),
    )


@pytest.mark.parametrize(
    "conditions, match",
    [
        ({"nope": 1}, "Unknown column"),
        ({"band": (1, 2)}, "categorical; a range"),
        ({"x": (40.0, 30.0)}, "Empty range"),
        ({"band": "unseen"}, "not seen in fit"),
        ({"x": 1000.0}, "outside the range seen in fit"),
        ({"x": (200.0, 300.0)}, "lies outside the values seen in fit"),
        ({"n": 3.5}, "holds integers"),
        ({"n": (3.2, 3.8)}, "holds no value"),
        ({"x": None}, "no missing values"),
        ({"x": (1.0, 2.0, 3.0)}, "is \\(low, high\\)"),
        ({"x": "ten"}, "must be a finite number"),
        ({"when": ("soon", None)}, "is not a date"),
    ],
)
def test_bad_conditions_name_the_problem(fitted, conditions, match):
    with pytest.raises(ValueError, match=match):
        fitted.sample(5, conditions=conditions)

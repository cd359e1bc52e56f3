"""GANSampler's defaults on a census-like table: rows a detector finds hard to tell from real ones,
a one-to-one column pair kept, whole numbers and decimals kept (trained for real, slow).

The floors come from the yardsticks of the same table: the independent-columns
bootstrap (every marginal, no relation) and a sampler with latent classes, level
calibration and inferred rules turned off (the GAN of skgen 0.2).
"""

import numpy as np
import pandas as pd
import pytest

from skgen import GANSampler
from skgen.metrics import detection_score, independent_columns_bootstrap

pytestmark = pytest.mark.slow

LEVELS = ["Preschool", "HS-grad", "Some-college", "Bachelors", "Masters", "Doctorate"]


def census(n, seed):
    rng = np.random.RandomState(seed)
    level = rng.choice(len(LEVELS), n, p=[0.05, 0.35, 0.25, 0.2, 0.1, 0.05])
    sex = rng.choice(["Female", "Male"], n)
    married = rng.rand(n) < 0.5
    relationship = np.where(married, np.where(sex == "Male", "Husband", "Wife"), rng.choice(["Own-child", "Unmarried"], n))
    age = np.clip(np.round(18 + 4 * level + 10 * married + rng.gamma(2, 6, n)), 18, 90).astype(int)
    hours = np.where(rng.rand(n) < 0.4, 40, np.clip(np.round(rng.normal(38 + 2 * level, 10)), 1, 99)).astype(int)
    income = np.round(np.exp(9 + 0.25 * level + 0.01 * age + 0.3 * (sex == "Male") + 0.4 * rng.randn(n)), 2)
    year = (2020 - age + rng.randint(-1, 2, n)).astype(float)  # whole numbers in a float column...
    year[rng.rand(n) < 0.15] = np.nan  # ...because some are missing (as pandas reads them)
    return pd.DataFrame({
        "age": age, "education": np.array(LEVELS, dtype=object)[level], "education-num": level + 1,
        "sex": sex, "relationship": relationship, "hours": hours, "income": income, "birth_year": year,
        "rich": np.where(income > np.median(income), ">50K", "<=50K"),
    })


@pytest.fixture(scope="module")
def data():
    frame = census(3000, 0)
    return frame.iloc[:2400].reset_index(drop=True), frame.iloc[2400:].reset_index(drop=True)


@pytest.fixture(scope="module")
def synthetic(data):
    train, _ = data
    sampler = GANSampler(random_state=0, n_threads=1).fit(train)
    return sampler.sample(len(train), random_state=0)


@pytest.fixture(scope="module")
def plain_gan(data):
    """The same GAN without latent classes, level calibration or inferred rules (a user
    constraint on both columns of the pair switches the inference off for them), trained as long."""
    train, _ = data
    sampler = GANSampler(random_state=0, n_threads=1, latent_classes=0, calibrate_levels=False,
                         constraints=["education-num >= 1"])
    sampler.fit(train)
    return sampler.sample(len(train), random_state=0)


def test_detection_beats_its_floors(data, synthetic, plain_gan):
    train, test = data
    score = detection_score(test, synthetic, random_state=0)
    bootstrap = detection_score(test, independent_columns_bootstrap(train, len(train), random_state=0), random_state=0)
    plain = detection_score(test, plain_gan, random_state=0)
    assert score >= 0.5
    assert score > bootstrap + 0.3
    assert score > plain + 0.05


def test_the_one_to_one_pair_is_never_broken(data, synthetic, plain_gan):
    train, _ = data
    pairs = set(zip(train["education"], train["education-num"]))
    unseen = np.mean([p not in pairs for p in zip(synthetic["education"], synthetic["education-num"])])
    plain = np.mean([p not in pairs for p in zip(plain_gan["education"], plain_gan["education-num"])])
    assert unseen == 0.0 and plain > 0.02


def test_whole_numbers_decimals_and_missing_rates_are_kept(data, synthetic):
    train, _ = data
    assert synthetic.dtypes.equals(train.dtypes)
    years = synthetic["birth_year"].dropna()
    assert len(years) and (years == np.round(years)).all()
    assert abs(synthetic["birth_year"].isna().mean() - train["birth_year"].isna().mean()) < 0.02
    cents = synthetic["income"] * 100
    assert np.allclose(cents, np.round(cents), atol=1e-6)
    # Tails: the synthetic 99th percentile and maximum of income are in the real ones' range.
    real_p99, real_max = train["income"].quantile(0.99), train["income"].max()
    assert 0.8 * real_p99 < synthetic["income"].quantile(0.99) < 1.2 * real_p99
    assert synthetic["income"].max() > 0.8 * real_max

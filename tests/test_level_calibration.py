"""Level calibration: sampled level frequencies brought to the training rows' after training."""

import numpy as np
import pandas as pd
import pytest

import skgen
from skgen import GANSampler


@pytest.fixture(scope="module")
def table():
    rng = np.random.RandomState(0)
    n = 1500
    colour = rng.choice(["red", "green", "blue", "grey", "pink"], n, p=[0.5, 0.2, 0.15, 0.1, 0.05])
    x = np.where(rng.rand(n) < 0.3, np.nan, rng.gamma(2.0, 3.0, n))
    return pd.DataFrame({"colour": colour, "x": x})


def _total_variation(real, synthetic):
    p = real.value_counts(normalize=True)
    q = synthetic.value_counts(normalize=True).reindex(p.index, fill_value=0.0)
    return 0.5 * float(np.abs(p - q).sum())


def _fit(table, calibrate):
    # Networks at their initial weights: the drawn levels are whatever the random
    # initialisation gives, so only the calibration can bring them to the data's.
    params = dict(max_epochs=1, batch_size=100, lr=1e-12, latent_classes=0, random_state=0, n_threads=1)
    return GANSampler(calibrate_levels=calibrate, **params).fit(table)


def test_calibration_brings_drawn_levels_to_the_training_frequencies(table, tmp_path):
    calibrated, plain = _fit(table, True), _fit(table, False)
    assert plain.net_.level_bias is None
    tv_plain = _total_variation(table["colour"], plain.sample(20_000, random_state=1)["colour"])
    tv_calibrated = _total_variation(table["colour"], calibrated.sample(20_000, random_state=1)["colour"])
    # Measured: 0.32 without, 0.006 with.
    assert tv_plain > 0.08, tv_plain
    assert tv_calibrated < 0.03 and tv_calibrated < tv_plain / 3, (tv_calibrated, tv_plain)
    # A numeric column's modes are a block too: its missing share follows.
    missing = lambda sampler: sampler.sample(20_000, random_state=1)["x"].isna().mean()  # noqa: E731
    real_missing = table["x"].isna().mean()
    assert abs(missing(calibrated) - real_missing) < 0.02
    assert abs(missing(calibrated) - real_missing) < abs(missing(plain) - real_missing)
    # The bias travels with the model file.
    calibrated.save(tmp_path / "calibrated.skgen")
    loaded = skgen.load(tmp_path / "calibrated.skgen")
    pd.testing.assert_frame_equal(loaded.sample(500, random_state=2), calibrated.sample(500, random_state=2))


def test_private_fits_are_not_calibrated(table):
    pytest.importorskip("opacus")
    sampler = GANSampler(max_epochs=1, batch_size=100, dp_epsilon=5.0, random_state=0, n_threads=1).fit(table)
    assert sampler.net_.level_bias is None


def test_conditions_still_hold_and_the_other_columns_stay_calibrated(table):
    sampler = _fit(table, True)
    rows = sampler.sample(5000, conditions={"colour": "pink"}, random_state=0)
    assert (rows["colour"] == "pink").all()
    # colour and x are independent in the table: inside the condition, x keeps the training rows'
    # missing share, which only the calibration of x's own block gives these untrained networks.
    real_missing = table["x"].isna().mean()
    plain_rows = _fit(table, False).sample(5000, conditions={"colour": "pink"}, random_state=0)
    assert abs(rows["x"].isna().mean() - real_missing) < 0.03, rows["x"].isna().mean()
    assert abs(plain_rows["x"].isna().mean() - real_missing) > 0.05, plain_rows["x"].isna().mean()


@pytest.mark.parametrize("n_rows, drawn", [(1500, 20_000), (3000, 30_000)])
def test_calibration_draws_ten_rows_per_training_row_within_bounds(table, monkeypatch, n_rows, drawn):
    from skgen._nets._tabular import TabularGANNet

    rows = pd.concat([table] * 2, ignore_index=True).iloc[:n_rows]
    counts = []
    generate = TabularGANNet.generate

    def counted(self, n, *args, **kwargs):
        counts.append(n)
        return generate(self, n, *args, **kwargs)

    monkeypatch.setattr(TabularGANNet, "generate", counted)
    GANSampler(max_epochs=1, batch_size=100, latent_classes=0, early_stopping=False, random_state=0,
               n_threads=1).fit(rows)
    # Three rounds, each drawing ten rows per training row (at least 20,000, at most 60,000).
    assert counts == [drawn] * 3

"""Metrics a user can trust: known answers, baselines, checked inputs, bounded cost, a readable report."""

import shutil
import subprocess
import warnings

import numpy as np
import pandas as pd
import pytest

from skgen.metrics import (
    column_pairs_score,
    dcr_score,
    detection_score,
    independent_columns_bootstrap,
    quality_score,
    report,
    tstr_score,
)


def measurements(n, seed=0):
    """A real-looking table: correlated floats of very different magnitudes, an integer, categories."""
    rng = np.random.RandomState(seed)
    size = rng.lognormal(3, 0.4, n)
    return pd.DataFrame({
        "length_mm": np.round(size * 1.7 + rng.randn(n), 1),
        "depth_mm": np.round(size / 2.1 + 0.3 * rng.randn(n), 1),
        "mass_g": np.round(size * 180 + 40 * rng.randn(n), 0),
        "ratio": size / (size + 3.3),
        "year": rng.choice([2007, 2008, 2009], n),
        "island": np.where(size > 22, "Biscoe", rng.choice(["Dream", "Torgersen"], n)),
        "sex": rng.choice(["male", "female", None], n, p=[0.49, 0.48, 0.03]),
    })


def test_every_copy_of_a_real_table_is_an_exact_copy():
    table = measurements(344)
    wide = table.join(pd.DataFrame(np.random.RandomState(0).randn(344, 40) * 1000 + 5000).add_prefix("x"))
    # A float distance of a row to itself is not 0 on a wide table (it was
    # 1e-7, and 16% of the copies were missed).
    assert dcr_score(wide, wide)["synthetic_exact_copies"] == 1.0
    shuffled = table.sample(frac=1.0, random_state=0)
    assert dcr_score(table, shuffled, table)["holdout_exact_copies"] == 1.0
    nudged = table.assign(ratio=table["ratio"] + 1e-9)
    assert dcr_score(table, nudged)["synthetic_exact_copies"] == 0.0


def test_near_copies_follow_the_holdouts_own_distances():
    rng = np.random.RandomState(0)
    train, holdout, fresh = (pd.DataFrame(rng.rand(1500, 30)) for _ in range(3))
    assert dcr_score(train, fresh, holdout)["near_copies"] == pytest.approx(0.05, abs=0.025)
    jittered = train.iloc[:500] + 0.01 * rng.randn(500, 30)
    assert dcr_score(train, jittered, holdout)["near_copies"] > 0.95
    # Rows piled at the centre are closer to the training rows than new rows
    # are, but copy none of them (a distance threshold flags all of them).
    centre = pd.DataFrame(0.5 + 0.1 * rng.randn(500, 30))
    scores = dcr_score(train, centre, holdout)
    assert scores["synthetic_median_dcr"] < 0.85 * scores["holdout_median_dcr"]
    assert scores["near_copies"] < 0.2


def test_detection_of_new_real_rows_and_of_shuffled_columns():
    real, fresh = measurements(3000, seed=0), measurements(3000, seed=1)
    assert detection_score(real, fresh) > 0.85
    shuffled = independent_columns_bootstrap(fresh, random_state=0)
    score, columns = detection_score(real, shuffled, return_details=True)
    assert score < 0.5
    assert set(columns.index) == set(real.columns)
    # The size columns carry the relations the shuffle broke.
    assert columns.index[0] in ("length_mm", "depth_mm", "mass_g", "ratio", "island")


def test_shuffled_columns_score_pairs_at_the_no_relations_baseline():
    real, fresh = measurements(2000, seed=0), measurements(2000, seed=1)
    rng = np.random.RandomState(3)
    shuffled = fresh.apply(lambda col: col.to_numpy()[rng.permutation(len(col))])
    baseline = independent_columns_bootstrap(real, random_state=0)
    pairs = column_pairs_score(real, shuffled)
    assert pairs == pytest.approx(column_pairs_score(real, baseline), abs=0.02)
    assert column_pairs_score(real, fresh) > pairs + 0.1
    assert baseline.dtypes.equals(real.dtypes) and len(baseline) == len(real)
    assert baseline["sex"].isna().mean() == pytest.approx(real["sex"].isna().mean(), abs=0.015)


def test_numeric_target_is_regression_with_missing_targets_dropped():
    table = measurements(1500)
    train, test = table.iloc[:1000].copy(), table.iloc[1000:].copy()
    test.loc[test.index[:25], "mass_g"] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scores = tstr_score(train, test, "mass_g", real_train=train)
    assert scores["task"] == "regression" and scores["dropped_rows"] == 25
    assert scores["r2"] > 0.8 and scores["mae"] < 0.5 * test["mass_g"].std()
    noise = train.assign(mass_g=np.random.RandomState(0).permutation(train["mass_g"].to_numpy()))
    assert tstr_score(noise, test, "mass_g")["r2"] < 0.1
    assert tstr_score(train, test, "year")["task"] == "classification"


def test_tstr_takes_high_cardinality_features():
    rng = np.random.RandomState(0)
    n = 2000
    x = rng.randn(n)
    frame = pd.DataFrame({"city": [f"c{v}" for v in rng.randint(0, 400, n)], "x": x,
                          "label": np.where(x + 0.3 * rng.randn(n) > 0, "hi", "lo")})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 400 levels, where HistGradientBoosting takes 255
        scores = tstr_score(frame.iloc[:1500], frame.iloc[1500:], "label")
    assert scores["task"] == "classification" and scores["accuracy"] > 0.8


def test_scores_refuse_data_of_the_wrong_kind():
    real = measurements(300)
    with pytest.raises(ValueError, match="Column 'mass_g' is numeric in the real data but .* 'garbage'"):
        quality_score(real, real.assign(mass_g="garbage"))
    with pytest.raises(ValueError, match="Column 'island' is categorical .* numeric values"):
        quality_score(real, real.assign(island=np.random.RandomState(0).rand(300)))
    numeric = real.select_dtypes("number")
    assert quality_score(numeric, numeric.to_numpy()) == pytest.approx(quality_score(numeric, numeric))
    mixed = real.drop(columns="sex")
    assert quality_score(mixed, mixed.to_numpy()) == pytest.approx(quality_score(mixed, mixed))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda r: quality_score(r.iloc[:0], r), "has no rows"),
        (lambda r: quality_score(r, r.rename(columns=str.upper)), "no column in common"),
        (lambda r: tstr_score(r.drop(columns="island"), r, "island"), "not in synthetic"),
        (lambda r: tstr_score(r, r.assign(island="Dream"), "island"), "one class"),
        (lambda r: quality_score(r.assign(empty=np.nan), r.assign(empty=1.0)), "only missing values"),
        (lambda r: report(r, r, target="nope"), "target column 'nope'"),
        (lambda r: detection_score(r, r, n_splits=1), "n_splits must be an integer of at least 2"),
        (lambda r: independent_columns_bootstrap(r, -5), "n_samples must be an integer of at least 0"),
        (lambda r: column_pairs_score(r, r, max_pairs=0), "max_pairs must be an integer of at least 1"),
        (lambda r: detection_score(None, r), "is None"),
    ],
)
def test_bad_input_is_one_clear_error(call, message):
    with pytest.raises(ValueError, match=message) as info:
        call(measurements(200))
    assert "\n" not in str(info.value)


def test_wide_tables_score_a_sample_of_pairs_close_to_all_of_them():
    rng = np.random.RandomState(0)
    base = rng.randn(300, 1)
    real = pd.DataFrame(base + rng.randn(300, 250))
    synthetic = pd.DataFrame(rng.randn(300, 1) + rng.randn(300, 250))
    synthetic[0] = pd.cut(synthetic[0], 4, labels=list("abcd")).astype(str)
    real[0] = pd.cut(real[0], 4, labels=list("abcd")).astype(str)
    sampled, details = column_pairs_score(real, synthetic, max_pairs=5000, return_details=True)
    full = column_pairs_score(real, synthetic, max_pairs=10**6)
    assert len(details) == 5000 and details.index.is_unique
    assert sampled == pytest.approx(full, abs=0.005)


@pytest.fixture(scope="module")
def fitted_report(tmp_path_factory):
    real, holdout = measurements(800, seed=0), measurements(300, seed=1)
    synthetic = independent_columns_bootstrap(measurements(800, seed=2), random_state=1)
    path = tmp_path_factory.mktemp("report") / "report.html"
    return report(real, synthetic, holdout=holdout, target="island", path=path), path


def test_report_puts_every_score_next_to_its_baselines(fitted_report):
    result, path = fitted_report
    assert list(result.scores.columns) == ["synthetic", "independent columns", "real holdout"]
    for row in ("quality", "detection", "utility roc_auc", "exact copies", "near copies", "median DCR"):
        assert row in result.scores.index
    detection = result.scores.loc["detection"]
    assert detection["real holdout"] > 0.8 > detection["synthetic"]
    assert result.columns["shape (synthetic)"].is_monotonic_increasing
    assert any("give them away" in line for line in result.verdict)
    page = path.read_text()
    for section in ("Summary", "Columns, worst shape first", "Marginals", "Pairwise associations", "Detection",
                    "Utility", "Privacy"):
        assert f"<h2>{section}</h2>" in page
    assert page.count("data:image/png;base64,") == len(result.real.columns) + 3
    assert "src=\"http" not in page and "<script" not in page


def test_report_marginals_keep_every_category_as_top_levels_plus_other():
    rng = np.random.RandomState(0)
    states = [f"state number {i:02d} with a long name" for i in range(50)]
    real = pd.DataFrame({"state": rng.choice(states, 1000), "income": rng.lognormal(10, 1.5, 1000)})
    html = report(real, real.sample(frac=1.0, random_state=1)).to_html()
    assert "50 levels, top 9 shown" in html and "log axis" in html


def _chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(_chromium() is None, reason="headless Chromium is not installed (CI installs it)")
def test_report_renders_in_a_browser(fitted_report, tmp_path):
    import matplotlib.image

    _, path = fitted_report
    screenshot = tmp_path / "report.png"
    subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,2400",
         f"--screenshot={screenshot}", path.as_uri()],
        capture_output=True, timeout=120, check=True,
    )
    pixels = matplotlib.image.imread(screenshot)[..., :3]
    background = np.array([0xF6, 0xF7, 0xF9]) / 255
    drawn = np.abs(pixels - background).sum(-1) > 0.1
    assert drawn.mean() > 0.15  # text, tables and plots, not a blank page
    assert len(np.unique((pixels * 15).round().reshape(-1, 3), axis=0)) > 50  # colour plots


def test_id_like_columns_enter_pairs_with_their_top_levels_only():
    from skgen.metrics._frames import category_codes

    n = 20_000
    ids = pd.Series([f"id{i}" for i in range(n)])
    codes_real, codes_synthetic, levels = category_codes(ids, ids.sample(frac=1.0, random_state=0), max_levels=100)
    assert levels == 100 and codes_real.max() == 99 and (codes_real == 99).sum() == n - 99
    frame = pd.DataFrame({"a": ids, "b": ids.str.upper(), "x": np.arange(n, dtype=float)})
    # Two 20,000-level columns: a full joint table would have 4e8 cells.
    assert column_pairs_score(frame, frame) == pytest.approx(1.0)

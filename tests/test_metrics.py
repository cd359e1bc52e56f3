"""skgen.metrics on cases with known answers."""

import numpy as np
import pandas as pd
import pytest

from skgen.metrics import column_pairs_score, column_shapes_score, dcr_score, quality_score, tstr_score


def correlated_frame(n=2000, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(n)
    label = np.where(x + 0.3 * rng.randn(n) > 0, "hi", "lo")
    return pd.DataFrame({"x": x, "y": 2 * x + 0.1 * rng.randn(n), "label": label,
                         "color": rng.choice(["r", "g", "b"], n, p=[0.6, 0.3, 0.1])})


def test_identical_frames_score_one():
    frame = correlated_frame()
    assert column_shapes_score(frame, frame) == pytest.approx(1.0)
    assert column_pairs_score(frame, frame) == pytest.approx(1.0)
    assert quality_score(frame, frame) == pytest.approx(1.0)


def test_shuffled_columns_keep_shapes_but_lose_pairs():
    frame = correlated_frame()
    rng = np.random.RandomState(1)
    shuffled = frame.apply(lambda col: col.to_numpy()[rng.permutation(len(col))])
    assert column_shapes_score(frame, shuffled) == pytest.approx(1.0)
    _, pairs = column_pairs_score(frame, shuffled, return_details=True)
    # x and y were correlated ~1: the correlation similarity falls to ~0.5.
    assert pairs[("x", "y")] < 0.55
    assert column_pairs_score(frame, shuffled) < 0.8


def test_shapes_detect_shifted_and_reweighted_columns():
    frame = correlated_frame()
    shifted = frame.assign(x=frame["x"] + 10)
    _, details = column_shapes_score(frame, shifted, return_details=True)
    assert details["x"] == pytest.approx(0.0, abs=1e-9)
    recolored = frame.assign(color="r")
    _, details = column_shapes_score(frame, recolored, return_details=True)
    assert details["color"] == pytest.approx(1 - (0.4), abs=0.03)  # TVD = share not red


def test_missing_values_count_as_a_category_and_are_ignored_by_ks():
    frame = pd.DataFrame({"a": [1.0, 2.0, np.nan, 4.0], "c": ["x", None, "y", "x"]})
    assert quality_score(frame, frame) == pytest.approx(1.0)


def test_single_column_pairs_score_is_one_and_arrays_work():
    X = np.random.RandomState(0).randn(100, 1)
    assert column_pairs_score(X, X) == 1.0
    assert quality_score(X, X) == pytest.approx(1.0)


def test_missing_synthetic_column_is_an_error():
    frame = correlated_frame()
    with pytest.raises(ValueError, match="lacks column"):
        quality_score(frame, frame.drop(columns="x"))


def test_tstr_real_data_beats_label_noise():
    frame = correlated_frame(3000)
    train, test = frame.iloc[:2000], frame.iloc[2000:]
    scores = tstr_score(train, test, "label", real_train=train)
    assert scores["roc_auc"] > 0.9 and scores["roc_auc"] == pytest.approx(scores["real_roc_auc"])
    noisy = train.assign(label=np.random.RandomState(0).permutation(train["label"].to_numpy()))
    assert tstr_score(noisy, test, "label")["roc_auc"] < 0.65


def test_dcr_flags_copies():
    frame = correlated_frame(3000)
    train, holdout = frame.iloc[:2000], frame.iloc[2000:]
    copies = dcr_score(train, train.iloc[:500], holdout)
    assert copies["synthetic_exact_copies"] == 1.0 and copies["synthetic_median_dcr"] == 0.0
    assert copies["near_copies"] == 1.0
    fresh = dcr_score(train, holdout.iloc[:500], holdout)
    assert fresh["synthetic_exact_copies"] == 0.0
    assert fresh["near_copies"] == pytest.approx(0.05, abs=0.03)
    assert fresh["synthetic_median_dcr"] == pytest.approx(fresh["holdout_median_dcr"], rel=0.3)

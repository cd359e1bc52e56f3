"""The report reads key columns right and its verdict never contradicts its scores."""

import itertools

import numpy as np
import pandas as pd
import pytest

from skgen.metrics import report
from skgen.metrics._verdict import BASELINE, SYNTHETIC, relations_line


def _customers(n, seed, ids):
    """A key, two tied numeric columns and a category that follows them."""
    rng = np.random.RandomState(seed)
    spend = rng.lognormal(3, 0.5, n)
    return pd.DataFrame({
        "customer_id": ids,
        "spend": np.round(spend, 2),
        "visits": np.round(spend / 4 + rng.normal(size=n), 0),
        "tier": np.where(spend > 25, "gold", "basic"),
    })


@pytest.fixture(scope="module")
def keyed_report():
    real = _customers(400, 0, [f"c{i}" for i in range(400)])
    holdout = _customers(150, 1, [f"c{i}" for i in range(400, 550)])
    # What a good generator gives: new rows of the same law, keys replaced by new values.
    synthetic = _customers(400, 2, [f"syn-{i}" for i in range(400)])
    return report(real, synthetic, holdout=holdout, target="tier", n_threads=1)


def test_a_key_is_left_out_of_every_score_and_reported_on_its_own(keyed_report):
    assert "customer_id" not in keyed_report.columns.index
    assert "customer_id" not in keyed_report.detection_columns.index
    assert list(keyed_report.keys.index) == ["customer_id"]
    assert keyed_report.keys.loc["customer_id", "real values copied"] == 0.0
    assert keyed_report.keys.loc["customer_id", "distinct"] == 400
    assert any(line.startswith("Generated keys (customer_id): none copied") for line in keyed_report.verdict)
    # The shuffled baseline re-uses real ids; they are no reason to call its rows near copies.
    assert keyed_report.scores.loc["near copies", BASELINE] < 0.2


def test_the_verdict_on_a_keyed_table_agrees_with_detection_and_utility(keyed_report):
    scores = keyed_report.scores
    assert scores.loc["detection", SYNTHETIC] > scores.loc["detection", BASELINE] + 0.2
    assert scores.loc["utility roc_auc", SYNTHETIC] > scores.loc["utility roc_auc", BASELINE] + 0.1
    assert scores.loc["quality", SYNTHETIC] > scores.loc["quality", BASELINE]
    assert keyed_report.verdict[0].startswith("Relations between columns are learned")
    assert not any("not learned" in line for line in keyed_report.verdict)


def test_copied_keys_are_a_warning():
    real = _customers(200, 0, [f"c{i}" for i in range(200)])
    synthetic = _customers(200, 2, [f"c{i}" for i in range(200)])
    result = report(real, synthetic, n_threads=1)
    assert any(line.startswith("Warning: key columns") and "100.0% real values" in line for line in result.verdict)


def test_keys_can_be_named_or_turned_off():
    real = _customers(200, 0, [f"c{i}" for i in range(200)])
    synthetic = _customers(200, 2, [f"syn-{i}" for i in range(200)])
    assert "customer_id" in report(real, synthetic, keys=None, n_threads=1).columns.index
    assert list(report(real, synthetic, keys=["customer_id", "visits"], n_threads=1).keys.index) == [
        "customer_id", "visits"]
    with pytest.raises(ValueError, match=r"keys \['nope'\] are not columns"):
        report(real, synthetic, keys=["nope"])
    with pytest.raises(ValueError, match="target column 'customer_id' is a key"):
        report(real, synthetic, target="customer_id")


def _scores(pairs, detection, utility):
    rows = {"quality": (0.80, 0.85), "column shapes": (0.9, 0.95), "column pairs": pairs, "detection": detection,
            "utility roc_auc": utility}
    return pd.DataFrame(rows, index=[SYNTHETIC, BASELINE]).T


@pytest.mark.parametrize("better", list(itertools.product([False, True], repeat=3)))
def test_the_relations_sentence_follows_every_score_not_quality(better):
    # Quality is below the baseline's in every case: it must not decide the sentence.
    figures = [(0.95, 0.90) if b else (0.90, 0.95) for b in better]
    line = relations_line(_scores(*figures))
    if all(better):
        assert line.startswith("Relations between columns are learned")
    elif not any(better):
        assert line.startswith("Relations between columns are not learned")
    else:
        assert line.startswith("Relations between columns are partly learned")
    for name, (ours, theirs) in zip(("column pairs", "detection", "utility ROC-AUC"), figures):
        assert f"{name} {ours:.3f} vs {theirs:.3f}" in line


def test_a_tiny_table_is_said_to_be_too_small_to_judge():
    real = _customers(20, 0, [f"c{i}" for i in range(20)])
    result = report(real, _customers(20, 3, [f"s{i}" for i in range(20)]), n_threads=1)
    assert result.verdict[0].startswith("Warning: the real table has 20 rows")


def test_the_page_shows_the_keys_in_a_section_of_their_own(keyed_report):
    pytest.importorskip("matplotlib")
    page = keyed_report.to_html()
    section = page[page.index("<h2>Generated keys</h2>"):page.index("<h2>Columns, worst shape first</h2>")]
    assert "<td>customer_id</td><td>400</td><td>400</td><td>0.00%</td>" in section
    columns = page[page.index("<h2>Columns, worst shape first</h2>"):]
    assert "customer_id" not in columns

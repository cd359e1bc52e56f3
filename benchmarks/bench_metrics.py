"""Evaluation cost and yardsticks: a 1,000-column table, and the baselines on every real table.

    python benchmarks/bench_metrics.py [--force]

1. Cost on a wide table (2,000 rows x 1,000 columns: 800 numeric, 200
   categorical; a "synthetic" copy of as many fresh rows): wall seconds of
   each metric and of the whole report (``skgen.metrics.report`` with a
   holdout, HTML included).
2. Yardsticks on ``../shared/datasets/`` (80/20 split, seed 0): what an
   independent-columns bootstrap of the training rows scores (quality,
   column pairs, detection against the holdout) next to the real holdout
   itself; plus ``dcr_score(train, train)``'s exact copies (must be 1).

Writes ``benchmarks/results/metrics.md``.
"""

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from _common import SHARED, check_quiet, environment_line, load_sentence, machine_load, write_results

from skgen.metrics import (
    column_pairs_score,
    column_shapes_score,
    dcr_score,
    detection_score,
    independent_columns_bootstrap,
    quality_score,
    report,
)

RESULTS = Path(__file__).resolve().parent / "results" / "metrics.md"
TABLES = ["adult", "wage", "credit", "attrition", "email", "ames", "nyc_weather"]


def wide_table(n_rows, n_numeric, n_categorical, seed):
    """Rows of one distribution (five shared factors; ``seed`` draws the rows)."""
    loadings = np.random.RandomState(12345).randn(5, n_numeric)
    rng = np.random.RandomState(seed)
    factors = rng.randn(n_rows, 5)
    numeric = factors @ loadings + rng.randn(n_rows, n_numeric)
    frame = pd.DataFrame(numeric, columns=[f"x{i}" for i in range(n_numeric)])
    for j in range(n_categorical):
        score = factors[:, j % 5] + rng.randn(n_rows)
        frame[f"c{j}"] = pd.cut(score, [-np.inf, -1, 0, 1, np.inf], labels=["low", "mid", "high", "top"]).astype(str)
    return frame


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def wide_costs():
    real = wide_table(2000, 800, 200, seed=0)
    synthetic = wide_table(2000, 800, 200, seed=1)
    holdout = wide_table(500, 800, 200, seed=2)
    rows = []
    for name, fn in [
        ("column_shapes_score", lambda: column_shapes_score(real, synthetic)),
        ("column_pairs_score (20,000 of 499,500 pairs)", lambda: column_pairs_score(real, synthetic)),
        ("quality_score", lambda: quality_score(real, synthetic)),
        ("detection_score", lambda: detection_score(holdout, synthetic)),
        ("dcr_score", lambda: dcr_score(real, synthetic, holdout)["near_copies"]),
        ("report (3 tables, HTML)", lambda: len(report(real, synthetic, holdout=holdout).to_html())),
    ]:
        seconds, value = timed(fn)
        rows.append((name, seconds, value))
    return rows


def yardsticks():
    rows = []
    for name in TABLES:
        path = SHARED / f"{name}.csv"
        if not path.exists():
            continue
        frame = pd.read_csv(path)
        order = np.random.RandomState(0).permutation(len(frame))
        cut = int(0.8 * len(frame))
        train, holdout = frame.iloc[order[:cut]], frame.iloc[order[cut:]]
        baseline = independent_columns_bootstrap(train, len(holdout), random_state=0)
        start = time.perf_counter()
        rows.append({
            "table": name,
            "rows x columns": f"{len(frame):,} x {frame.shape[1]}",
            "quality: bootstrap": quality_score(train, baseline),
            "quality: holdout": quality_score(train, holdout),
            "pairs: bootstrap": column_pairs_score(train, baseline),
            "pairs: holdout": column_pairs_score(train, holdout),
            "detection: bootstrap": detection_score(holdout, baseline),
            "detection: train vs holdout": detection_score(holdout, train),
            "exact copies of train in train": dcr_score(train, train)["synthetic_exact_copies"],
            "seconds": time.perf_counter() - start,
        })
    return pd.DataFrame(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="run even when the machine is busy")
    args = parser.parse_args()
    load_before = check_quiet(args.force)
    started = time.perf_counter()
    costs = wide_costs()
    table = yardsticks()
    load_after = machine_load()
    lines = [
        "# Evaluation: cost on a wide table, and yardsticks",
        "",
        f"`python benchmarks/bench_metrics.py`; {environment_line()}.",
        load_sentence(load_before, load_after, time.perf_counter() - started),
        "",
        "## 2,000 rows x 1,000 columns (800 numeric, 200 categorical), synthetic = fresh rows",
        "",
        "| metric | seconds | value |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {seconds:.1f} | {value:.3f} |" if isinstance(value, float) else
              f"| {name} | {seconds:.1f} | {value:,} |" for name, seconds, value in costs]
    lines += [
        "",
        "## Yardsticks: an independent-columns bootstrap of the training rows vs the real holdout (80/20, seed 0)",
        "",
        "Every score of a synthetic table should be read between these two columns: the bootstrap keeps every "
        "marginal and no relation; the holdout is what new real rows reach.",
        "",
        table.to_markdown(index=False, floatfmt=".3f") if len(table) else "(no data sets found)",
    ]
    write_results(RESULTS, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""Missing rates per column: how far each model's share of missing values lands
from the training rows', on the tables of ``../shared/datasets`` that have
missing values (credit, ames, nyc_weather).

The tabular benchmark measures the gap on as many synthetic rows as training
rows (2,344 for ames), where sampling noise alone moves a 60% rate by about a
point; this one also draws 50,000 rows, where it is a fifth of a point, so
the model's own bias shows. The independent-columns bootstrap keeps each
column's training values, so its gap is sampling noise only::

    python benchmarks/bench_missing.py          # writes benchmarks/results/missing_rates.md
"""

import argparse
import datetime
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import check_quiet, environment_line, load_sentence, machine_load, write_results  # noqa: E402
from bench_tabular import build_model, load_table, run_isolated  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "missing_rates.md"
TABLES = ["credit", "ames", "nyc_weather"]
LARGE = 50_000
MODELS = [("skgen GANSampler (defaults)", "skgen"), ("latent-class mixture (K=100)", "mixture"),
          ("independent-columns bootstrap", "bootstrap")]


def _gaps(train, synthetic):
    """Points between the training and synthetic missing rates, per column with missing values."""
    columns = [c for c in train.columns if train[c].isna().any()]
    return pd.Series({c: 100 * abs(train[c].isna().mean() - synthetic[c].isna().mean()) for c in columns})


def _run(table, name, kind):
    """Runs in a child process: fit, then the gaps on len(train) and on LARGE rows."""
    import torch

    from skgen.metrics import independent_columns_bootstrap

    torch.set_num_threads(1)
    torch.manual_seed(0)
    train, _ = load_table(table)
    if kind == "bootstrap":
        def draw(n):
            return independent_columns_bootstrap(train, n, random_state=0)
    else:
        model = build_model(kind, {})
        model.fit(train)

        def draw(n):
            return model.sample(n, random_state=0)
    out = {"table": table, "name": name, "rows": len(train),
           "rates": {c: 100 * train[c].isna().mean() for c in train.columns if train[c].isna().any()}}
    for label, n in (("same", len(train)), ("large", LARGE)):
        gaps = _gaps(train, draw(n))
        out[label] = (gaps.max(), gaps.idxmax())
        out[label + "_all"] = gaps.round(2).to_dict()
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--force", action="store_true", help="run even if the machine is busy")
    args = parser.parse_args()
    load_before = check_quiet(args.force)
    start = time.perf_counter()
    rows = []
    for table in TABLES:
        for name, kind in MODELS:
            rows.append(run_isolated((_run, table, name, kind)))
            print(rows[-1], flush=True)
    lines = [
        "# Missing rates", "",
        f"Written by `python benchmarks/bench_missing.py` on {datetime.date.today().isoformat()}. {environment_line()}. "
        "One torch thread; each model in its own process. "
        + load_sentence(load_before, machine_load(), time.perf_counter() - start), "",
        "The largest gap, over the columns with missing values, between a column's missing rate in the "
        "training rows (80% split, seed 0) and in the synthetic rows, in points: on as many synthetic rows as "
        f"training rows (the tabular benchmark's measure) and on {LARGE:,} rows. The bootstrap keeps each "
        "column's training values: its gap is the sampling noise of that many rows.", "",
        f"| table | training rows | model | max gap, as many rows (column) | max gap, {LARGE:,} rows (column) |",
        "|---|---:|---|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['table']} | {r['rows']:,} | {r['name']} | {r['same'][0]:.2f} ({r['same'][1]}) | "
                     f"{r['large'][0]:.2f} ({r['large'][1]}) |")
    lines += ["", "Training missing rates (%): " + "; ".join(
        f"{r['table']}: " + ", ".join(f"{c} {v:.1f}" for c, v in r["rates"].items()) for r in rows[:: len(MODELS)]
    ) + ".", ""]
    write_results(RESULTS, lines)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()

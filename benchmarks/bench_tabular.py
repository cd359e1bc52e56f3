"""GANSampler against a latent-class mixture, CTGAN and TVAE on seven real tables, side by side.

The tables of ``../shared/datasets/`` (Adult, wage, credit, attrition,
email, ames, nyc_weather), each split 80/20 with seed 0. Every synthesizer
runs in its own process (so peak memory is its own) with one torch thread,
fits on the 80%, samples as many rows as the training set, and is scored
against the real 20% it never saw:

- detection: ``skgen.metrics.detection_score`` (a gradient-boosting
  classifier tells real holdout rows from as many synthetic rows, 5-fold
  ROC-AUC, score = 1 - (2 max(AUC, 0.5) - 1); 1 = indistinguishable) and
  the two columns that give the rows away most;
- quality: ``skgen.metrics.quality_score`` (column shapes / pairs) and
  SDMetrics' QualityReport when ``sdmetrics`` is installed (or its own
  environment is named by ``SKGEN_SDMETRICS_PYTHON``: ``_isolated_anchors.py``);
- utility: ``skgen.metrics.tstr_score`` for the table's target
  (HistGradientBoosting trained on the synthetic rows, tested on the real
  20%; none for nyc_weather);
- privacy: ``skgen.metrics.dcr_score`` (median distance to the closest
  training row against the real holdout rows', exact copies);
- what users see: the largest gap in a column's missing rate (points),
  the share of values that are whole numbers in columns whose real values
  all are, the share of values of unique-key columns copied from the
  training rows, and on Adult the share of rows whose
  ``education``/``education-num`` pair never occurs in the data;
- speed: fit seconds, sample rows/s (best of three calls of 100,000 rows),
  peak RSS.

The latent-class mixture is the anchor of issue 19 (``_mixture.py``); the
independent-columns bootstrap and real training rows give the floor and the
ceiling. CTGAN/TVAE come from the ``ctgan`` package (Business Source
License): it is installed in the benchmark's environment only and none of
its code is used by skgen. ``pip install ctgan sdmetrics`` after installing
torch.

    python benchmarks/bench_tabular.py                      # every table, every model (~25 min, 2 jobs)
    python benchmarks/bench_tabular.py --tables adult --skgen defaults latent_classes=0 --output latent_classes.md
    python benchmarks/bench_tabular.py --quick              # skgen and the anchors on two small tables
    python benchmarks/bench_tabular.py --privacy            # DP trade-off, eps 1 / 10 / off (privacy.md)
    python benchmarks/bench_tabular.py --training-length    # 300 to 26,048 rows (training_length.md)
"""

import argparse
import concurrent.futures
import datetime
import multiprocessing
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SHARED, check_quiet, environment_line, load_sentence, machine_load, write_results  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "tabular.md"
PRIVACY_RESULTS = RESULTS.with_name("privacy.md")
# name -> (file, TSTR target or None, datetime columns stored as text)
TABLES = {
    "adult": ("adult.csv", "income", []),
    "wage": ("wage.csv", "health_ins", []),
    "credit": ("credit.csv", "Status", []),
    "attrition": ("attrition.csv", "Attrition", []),
    "email": ("email.csv", "spam", ["time"]),
    "ames": ("ames.csv", "Sale_Condition", []),
    "nyc_weather": ("nyc_weather.csv", None, ["time_hour"]),
}


def load_table(name):
    """The table's 80% training and 20% test rows (seed 0), datetime text parsed."""
    from sklearn.model_selection import train_test_split

    file, _, dates = TABLES[name]
    frame = pd.read_csv(SHARED / file, skipinitialspace=True)
    for column in dates:
        frame[column] = pd.to_datetime(frame[column]).dt.tz_localize(None)
    train, test = train_test_split(frame, test_size=0.2, random_state=0)
    return train.reset_index(drop=True), test.reset_index(drop=True)


def load_adult():
    return load_table("adult")


def discrete_columns(frame):
    return [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])
            and not pd.api.types.is_datetime64_any_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c])]


class _CTGANFamily:
    """CTGAN / TVAE with datetimes as numbers (they take none) and the table's dtypes back.

    They refuse missing values in numeric columns, so each such column gets a
    discrete companion column saying whether the value is missing (the values
    filled with the column's median), and the values the companion marks
    missing are blanked after sampling -- what SDV's transformers do for them."""

    def __init__(self, name, epochs):
        import ctgan

        self.model = {"CTGAN": ctgan.CTGAN, "TVAE": ctgan.TVAE}[name](epochs=epochs)
        self.n_epochs_ = epochs

    def fit(self, frame):
        self.dates_ = [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])]
        self.dtypes_ = frame.dtypes
        numeric = frame.copy()
        for column in self.dates_:
            numeric[column] = numeric[column].astype("int64").astype(float).where(frame[column].notna())
        discrete = discrete_columns(frame)
        self.gappy_ = [c for c in numeric.columns if c not in discrete and numeric[c].isna().any()]
        for column in self.gappy_:
            numeric[column + "__missing"] = numeric[column].isna().map({True: "yes", False: "no"})
            numeric[column] = numeric[column].fillna(numeric[column].median())
        self.model.fit(numeric, discrete_columns=discrete + [c + "__missing" for c in self.gappy_])
        return self

    def sample(self, n, random_state=None):
        frame = self.model.sample(n)
        for column in self.gappy_:
            frame[column] = frame[column].where(frame.pop(column + "__missing") != "yes")
        for column in self.dates_:
            present = frame[column].notna()
            values = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
            values[present] = pd.to_datetime(frame.loc[present, column].round().astype("int64"))
            frame[column] = values
        return frame


def build_model(kind, params, n_classes=100):
    if kind == "skgen":
        from skgen import GANSampler

        return GANSampler(random_state=0, n_threads=1, **params)
    if kind == "mixture":
        from _mixture import LatentClassMixture

        return LatentClassMixture(n_classes=n_classes, random_state=0)
    return _CTGANFamily(kind, params["epochs"])


def _fit_and_sample(table, name, kind, params, threads):
    """Runs in a child process: fit, sample, evaluate."""
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    train, test = load_table(table)
    model = build_model(kind, params)
    start = time.perf_counter()
    model.fit(train)
    fit_s = time.perf_counter() - start
    epochs = getattr(model, "n_epochs_", None)
    model.sample(1000, random_state=1)
    timings = []
    for seed in range(3):  # best of three: single timings on this shared machine varied by 15%
        start = time.perf_counter()
        model.sample(100_000, random_state=2 + seed)
        timings.append(time.perf_counter() - start)
    synthetic = model.sample(len(train), random_state=0)
    from skgen.metrics import membership_inference_auc

    return {
        "table": table, "name": name, "fit_s": fit_s, "epochs": epochs, "rows_per_s": 100_000 / min(timings),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "dp_epsilon_spent": getattr(model, "dp_epsilon_", None),
        "membership_auc": membership_inference_auc(train, test, synthetic[list(train.columns)])
        if params.get("dp_epsilon") or "dp" in name else None,
        **evaluate(table, train, test, synthetic),
    }


def _training_length_row(n_rows, name, params):
    """Runs in a child process: GANSampler on ``n_rows`` Adult training rows, judged on the whole 20%."""
    import torch

    from skgen import GANSampler
    from skgen.metrics import detection_score, quality_score, tstr_score

    torch.set_num_threads(1)
    train, test = load_table("adult")
    train = train.sample(min(n_rows, len(train)), random_state=0).reset_index(drop=True)
    model = GANSampler(random_state=0, n_threads=1, **params)
    start = time.perf_counter()
    model.fit(train)
    fit_s = time.perf_counter() - start
    synthetic = model.sample(len(test), random_state=0)
    batch = model.net_.batch_size
    return {"rows": len(train), "name": name, "batch": batch, "epochs": model.n_epochs_,
            "steps": model.n_epochs_ * max(1, len(train) // batch), "fit_s": fit_s,
            "detection": detection_score(test, synthetic, random_state=0), "quality": quality_score(test, synthetic),
            "tstr": tstr_score(synthetic, test, "income")["roc_auc"]}


def training_length(args, load_before, start):
    jobs = []
    for n_rows in (300, 1_000, 3_000, 10_000, 30_000):
        jobs.append((_training_length_row, n_rows, "defaults", {}))
        jobs.append((_training_length_row, n_rows, "300 epochs of batches of 500", {"max_epochs": 300, "batch_size": 500}))
        rows = min(n_rows, 26_048)
        steps_per_epoch = max(1, rows // min(500, max(10, rows // 10 // 10 * 10)))
        jobs.append((_training_length_row, n_rows, "10,000 steps", {"max_epochs": -(-10_000 // steps_per_epoch)}))
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        rows = list(pool.map(run_isolated, jobs))
    path = RESULTS.with_name("training_length.md")
    lines = [
        "# Training length that follows the data (Adult subsamples)",
        "",
        f"Written by `python benchmarks/bench_tabular.py --training-length` on {datetime.date.today().isoformat()}. "
        f"{environment_line()}. One torch thread per fit, {args.jobs} fits at a time. "
        f"{load_sentence(load_before, machine_load(), time.perf_counter() - start)}",
        "",
        "Training rows drawn from Adult's 80% split (seed 0; 30,000 is all 26,048 of them); every fit is "
        "judged on the whole real 20% (6,513 rows) with as many synthetic rows: detection, "
        "skgen.metrics.quality_score and TSTR ROC-AUC for `income`. The defaults train for half as many "
        "optimiser steps as rows (3,000 to 10,000) in batches of at most a tenth of the rows; the second row "
        "keeps the defaults but trains for 300 epochs of batches of 500 (skgen 0.2's length: `n_rows // 500` "
        "steps an epoch, at least one), the third for 10,000 steps in the default batches.",
        "",
        "| training rows | training length | batch | epochs | steps | fit s | detection | quality | TSTR ROC-AUC |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['rows']:,} | {r['name']} | {r['batch']} | {r['epochs']} | {r['steps']:,} | {r['fit_s']:.1f} | "
                     f"{r['detection']:.3f} | {r['quality']:.3f} | {r['tstr']:.3f} |")
    write_results(path, lines)
    print(f"wrote {path}")


def _reference(table, name):
    """The floor (independent-columns bootstrap) and the ceiling (real training rows)."""
    from skgen.metrics import independent_columns_bootstrap

    train, test = load_table(table)
    if name.startswith("real"):
        rows = train.sample(len(train), replace=False, random_state=0)
    else:
        rows = independent_columns_bootstrap(train, len(train), random_state=0)
    return {"table": table, "name": name, "fit_s": None, "epochs": None, "rows_per_s": None, "peak_mb": None,
            **evaluate(table, train, test, rows.reset_index(drop=True), real_rows=name.startswith("real"))}


def _whole_number_columns(train):
    out = []
    for column in train.columns:
        series = train[column]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            values = series.dropna().to_numpy(dtype=float)
            if len(values) and np.all(values == np.round(values)):
                out.append(column)
    return out


def _key_columns(train):
    return [c for c in train.columns if train[c].nunique() == len(train)
            and not (pd.api.types.is_float_dtype(train[c]) and not train[c].dropna().eq(train[c].dropna().round()).all())]


def user_checks(table, train, synthetic):
    """Missing-rate gap, whole numbers, key copies and (Adult) the education pair."""
    gaps = [abs(train[c].isna().mean() - synthetic[c].isna().mean()) for c in train.columns]
    whole = _whole_number_columns(train)
    shares = []
    for column in whole:
        values = pd.to_numeric(synthetic[column], errors="coerce").dropna().to_numpy(dtype=float)
        shares.append(np.mean(values == np.round(values)) if len(values) else 1.0)
    keys = _key_columns(train)
    copied = [synthetic[c].isin(set(train[c].dropna())).mean() for c in keys]
    out = {
        "missing_gap": 100 * max(gaps),
        "whole_share": min(shares) if shares else None,
        "key_copied": max(copied) if copied else None,
        "n_keys": len(keys),
    }
    if table == "adult":
        pairs = set(zip(train["education"], train["education-num"]))
        out["pair_mismatch"] = 1 - np.mean([p in pairs for p in zip(synthetic["education"], synthetic["education-num"])])
    return out


def evaluate(table, train, test, synthetic, real_rows=False):
    from skgen.metrics import column_pairs_score, column_shapes_score, dcr_score, detection_score, tstr_score

    synthetic = synthetic[list(train.columns)]
    # Real training rows are judged on as many rows as the holdout (a fair detector, no size advantage).
    judged = synthetic.sample(min(len(synthetic), len(test)), random_state=0) if real_rows else synthetic
    out = {"shapes": column_shapes_score(test, judged), "pairs": column_pairs_score(test, judged)}
    out["quality"] = 0.5 * (out["shapes"] + out["pairs"])
    score, importance = detection_score(test, judged, random_state=0, return_details=True)
    out["detection"] = score
    out["telltale"] = ", ".join(f"{c} {v:.2f}" for c, v in importance.head(2).items() if v > 0.005) or "—"
    discrete = set(discrete_columns(train))
    metadata = {"columns": {c: {"sdtype": "categorical" if c in discrete else (
        "datetime" if pd.api.types.is_datetime64_any_dtype(train[c]) else "numerical")} for c in train.columns}}
    try:
        from sdmetrics.reports.single_table import QualityReport

        report = QualityReport()
        report.generate(test, judged, metadata, verbose=False)
        out["sdm_quality"] = report.get_score()
    except ImportError:  # sdmetrics wants pandas < 3: its own environment, if there is one
        from _isolated_anchors import anchor_python, sdmetrics_quality

        if anchor_python("sdmetrics"):
            out["sdm_quality"] = sdmetrics_quality(test, judged, metadata, anchor_python("sdmetrics"))
    target = TABLES[table][1]
    if target is not None:
        tstr = tstr_score(synthetic, test, target, real_train=train if real_rows else None)
        out["tstr"] = tstr["real_roc_auc"] if real_rows else tstr["roc_auc"]
    if not real_rows:
        dcr = dcr_score(train, synthetic, test)
        out.update(dcr_ratio=dcr["synthetic_median_dcr"] / dcr["holdout_median_dcr"],
                   exact_copies=dcr["synthetic_exact_copies"], holdout_copies=dcr["holdout_exact_copies"])
        out.update(user_checks(table, train, synthetic))
    return out


def run_isolated(args):
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(*args).result()


def fmt(value, spec):
    return "—" if value is None or (isinstance(value, float) and np.isnan(value)) else format(value, spec)


def _table_section(table, rows):
    file, target, _ = TABLES[table]
    train, _ = load_table(table)
    lines = [
        f"## {table} ({len(train):,} training rows × {train.shape[1]} columns; TSTR target: {target or 'none'})",
        "",
        "| model | epochs | fit s | sample rows/s | peak RSS MB | detection | gives it away (AUC drop) "
        "| quality (shapes / pairs) | SDMetrics quality | TSTR ROC-AUC | DCR / holdout's | exact copies (holdout) "
        "| max missing-rate gap (pts) | whole numbers kept | key values copied |"
        + (" education pair unseen |" if table == "adult" else ""),
        "|---|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if table == "adult" else ""),
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['name']} | failed: {r['error']} |")
            continue
        copies = "—" if "exact_copies" not in r else f"{100 * r['exact_copies']:.2f}% ({100 * r['holdout_copies']:.2f}%)"
        keys = "—" if r.get("key_copied") is None else f"{100 * r['key_copied']:.0f}% ({r['n_keys']} col.)"
        line = (
            f"| {r['name']} | {fmt(r['epochs'], 'd')} | {fmt(r['fit_s'], '.1f')} | {fmt(r['rows_per_s'], ',.0f')} | "
            f"{fmt(r['peak_mb'], ',.0f')} | **{r['detection']:.3f}** | {r['telltale']} | "
            f"{r['quality']:.3f} ({r['shapes']:.3f} / {r['pairs']:.3f}) | {fmt(r.get('sdm_quality'), '.3f')} | "
            f"{fmt(r.get('tstr'), '.3f')} | {fmt(r.get('dcr_ratio'), '.2f')} | {copies} | "
            f"{fmt(r.get('missing_gap'), '.1f')} | "
            f"{'—' if r.get('whole_share') is None else format(100 * r['whole_share'], '.1f') + '%'} | {keys} |"
        )
        if table == "adult":
            line += f" {'—' if r.get('pair_mismatch') is None else format(100 * r['pair_mismatch'], '.2f') + '%'} |"
        lines.append(line)
    return lines + [""]


def write_report(rows, tables, args, load_before, load_after, elapsed):
    models = list(dict.fromkeys(r["name"] for r in rows))
    lines = [
        "# Tabular synthesis benchmark: seven real tables",
        "",
        f"Written by `{' '.join(['python benchmarks/bench_tabular.py'] + sys.argv[1:])}` on "
        f"{datetime.date.today().isoformat()}. {environment_line()}.",
        f"One torch thread per model; each model in its own process, {args.jobs} at a time (so seconds are "
        f"inflated by the other job's contention; ratios within a table hold). 80/20 split, seed 0; synthetic "
        f"rows = training rows. {load_sentence(load_before, load_after, elapsed)}",
        "",
        "Detection: a HistGradientBoosting classifier tells the real 20% from as many synthetic rows (5-fold "
        "ROC-AUC; score 1 - (2 max(AUC, 0.5) - 1), 1 = indistinguishable); the columns whose shuffling costs "
        "the detector most AUC follow. Quality: skgen.metrics.quality_score against the real 20% (SDMetrics' "
        "QualityReport beside it when installed). TSTR: HistGradientBoosting trained on synthetic rows, tested "
        "on the real 20% (for the real rows: trained on them). DCR: median distance to the closest training row "
        "over the real holdout rows'. Whole numbers kept: the lowest share, over the columns whose real values "
        "are all whole numbers, of synthetic values that are. Key values copied: over the columns whose "
        "training values are all distinct, the largest share of synthetic values found among them.",
        "",
        "## Detection on every table",
        "",
        "| model | " + " | ".join(tables) + " |",
        "|---|" + "---:|" * len(tables),
    ]
    for model in models:
        cells = []
        for table in tables:
            match = [r for r in rows if r["name"] == model and r["table"] == table and "detection" in r]
            cells.append(f"{match[0]['detection']:.3f}" if match else "—")
        lines.append(f"| {model} | " + " | ".join(cells) + " |")
    lines.append("")
    for table in tables:
        lines += _table_section(table, [r for r in rows if r["table"] == table])
    path = RESULTS.with_name(args.output)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_results(path, lines)
    print(f"wrote {path}")


def write_privacy_report(rows, args, load_before, load_after, elapsed):
    lines = [
        "# Differential privacy trade-off (Adult)",
        "",
        f"Written by `benchmarks/bench_tabular.py --privacy` on {datetime.date.today().isoformat()}. "
        f"{environment_line()}. Torch threads: {args.threads}; each model in its own process. "
        f"{load_sentence(load_before, load_after, elapsed)}",
        "",
        "GANSampler with `dp_epsilon` (DP-SGD on the critic through Opacus, delta = 1 / (10 n), Poisson "
        "batches, loss='bce') and without. Quality: skgen.metrics against the real 20%; TSTR: "
        "HistGradientBoosting trained on synthetic rows, tested on the real 20%; membership AUC: "
        "distance-based membership-inference attack, training vs holdout rows (0.5 = no leak). The epsilon "
        "covers the networks, not the codec's statistics (see the GANSampler docstring).",
        "",
        "| model | epsilon spent | fit s | skgen quality | detection | TSTR ROC-AUC | DCR / holdout's | membership AUC |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        eps = "∞ (no DP)" if r["dp_epsilon_spent"] is None else f"{r['dp_epsilon_spent']:.2f}"
        lines.append(
            f"| {r['name']} | {eps} | {r['fit_s']:.1f} | {r['quality']:.3f} | {r['detection']:.3f} | "
            f"{r['tstr']:.3f} | {r['dcr_ratio']:.2f} | {r['membership_auc']:.3f} |"
        )
    write_results(PRIVACY_RESULTS, lines)
    print(f"wrote {PRIVACY_RESULTS}")


def _skgen_params(config):
    if config == "defaults":
        return {}

    def value(text):
        if text in ("True", "False"):
            return text == "True"
        return int(text) if text.isdigit() else float(text) if text.replace(".", "").isdigit() else text

    return {k: value(v) for k, v in (item.split("=") for item in config.split(","))}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", nargs="+", default=list(TABLES), choices=list(TABLES))
    parser.add_argument("--quick", action="store_true", help="skgen (200 epochs) and the anchors on wage and credit")
    parser.add_argument("--threads", type=int, default=1, help="torch threads per model (reference table: 1)")
    parser.add_argument("--jobs", type=int, default=2, help="models fitted at the same time")
    parser.add_argument("--skgen", nargs="+", default=["defaults"],
                        help="GANSampler settings, each 'defaults' or comma-separated name=value pairs")
    parser.add_argument("--ctgan-epochs", type=int, default=100)
    parser.add_argument("--tvae-epochs", type=int, default=300)
    parser.add_argument("--no-ctgan", action="store_true", help="skip CTGAN and TVAE")
    parser.add_argument("--force", action="store_true", help="run even if the machine is busy")
    parser.add_argument("--privacy", action="store_true", help="DP trade-off on Adult: dp_epsilon 1, 10 and off")
    parser.add_argument("--privacy-epochs", type=int, default=60)
    parser.add_argument("--output", default=RESULTS.name, help="file name under benchmarks/results/")
    parser.add_argument("--training-length", action="store_true",
                        help="defaults against 300 epochs on Adult subsamples of 300 to 26,048 rows")
    args = parser.parse_args()
    load_before = check_quiet(args.force)
    start = time.perf_counter()
    if args.training_length:
        training_length(args, load_before, start)
        return
    if args.privacy:
        rows = []
        for eps in (1, 10, None):
            params = {"max_epochs": args.privacy_epochs, **({} if eps is None else {"dp_epsilon": float(eps)})}
            name = f"skgen GANSampler ({args.privacy_epochs} epochs, " + (f"dp_epsilon={eps})" if eps else "no DP)")
            rows.append(run_isolated((_fit_and_sample, "adult", name, "skgen", params, args.threads)))
            print(rows[-1], flush=True)
        write_privacy_report(rows, args, load_before, machine_load(), time.perf_counter() - start)
        return
    tables = ["wage", "credit"] if args.quick else args.tables
    configs = ["max_epochs=200"] if args.quick else args.skgen
    jobs = []
    for table in tables:
        for config in configs:
            name = "skgen GANSampler (defaults)" if config == "defaults" else f"skgen GANSampler ({config})"
            jobs.append((_fit_and_sample, table, name, "skgen", _skgen_params(config), args.threads))
        jobs.append((_fit_and_sample, table, "latent-class mixture (K=100)", "mixture", {}, args.threads))
        if not (args.quick or args.no_ctgan):
            jobs.append((_fit_and_sample, table, f"CTGAN ({args.ctgan_epochs} epochs)", "CTGAN",
                         {"epochs": args.ctgan_epochs}, args.threads))
            jobs.append((_fit_and_sample, table, f"TVAE ({args.tvae_epochs} epochs)", "TVAE",
                         {"epochs": args.tvae_epochs}, args.threads))
        jobs.append((_reference, table, "independent-columns bootstrap"))
        jobs.append((_reference, table, "real rows (train vs holdout)"))
    listed = list(jobs)
    # The long fits first, so the two workers finish together.
    jobs.sort(key=lambda job: (job[1] not in ("adult", "nyc_weather"), job[3] not in ("CTGAN", "TVAE", "skgen")
                               if len(job) > 3 else True))
    rows = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(run_isolated, job): job for job in jobs}
        for future in concurrent.futures.as_completed(futures):
            job = futures[future]
            try:
                rows.append(future.result())
            except Exception as error:  # one failed model is reported, not fatal
                rows.append({"table": job[1], "name": job[2], "error": f"{type(error).__name__}: {error}"[:200]})
            print(f"[{time.perf_counter() - start:7.0f} s] {job[1]} / {job[2]}: "
                  f"{ {k: v for k, v in rows[-1].items() if k in ('detection', 'quality', 'sdm_quality', 'tstr', 'fit_s', 'rows_per_s', 'error')} }",
                  flush=True)
    order = {job[1:3]: i for i, job in enumerate(listed)}
    rows.sort(key=lambda r: order.get((r["table"], r["name"]), 0))
    write_report(rows, tables, args, load_before, machine_load(), time.perf_counter() - start)


if __name__ == "__main__":
    main()

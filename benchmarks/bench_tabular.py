"""GANSampler against CTGAN and TVAE on the Adult table, side by side.

Adult (``../shared/datasets/adult.csv``), 80/20 split with seed 0. Each
synthesizer runs in its own process (so peak memory is its own) with the same
torch thread count, fits on the 80%, samples as many rows as the training
set, and is scored against the real rows:

- quality: SDMetrics' QualityReport (when ``sdmetrics`` is installed) and
  ``skgen.metrics.quality_score`` (column shapes / pairs) against the 20%;
- utility: ``skgen.metrics.tstr_score`` for ``income`` (HistGradientBoosting
  trained on the synthetic rows, tested on the real 20%);
- privacy: ``skgen.metrics.dcr_score`` (median distance to closest training
  record vs real holdout rows, exact copies, near-copies);
- speed: fit seconds, seconds/epoch, sample rows/s; peak RSS.

CTGAN/TVAE come from the ``ctgan`` package (Business Source License): it is
installed in the benchmark's environment only and none of its code is used
by skgen. ``pip install ctgan sdmetrics`` after installing torch.

    python benchmarks/bench_tabular.py                 # full run (~25 min)
    python benchmarks/bench_tabular.py --quick         # skgen only, few epochs
    python benchmarks/bench_tabular.py --privacy       # DP trade-off, eps 1 / 10 / off

``--privacy`` fits GANSampler with ``dp_epsilon`` 1, 10 and without DP (same
epochs) and writes ``benchmarks/results/privacy.md`` (quality, TSTR, DCR and
the membership-inference AUC of ``skgen.metrics.membership_inference_auc``).
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
from _common import SHARED, check_quiet, environment_line, load_sentence, machine_load  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "tabular.md"
PRIVACY_RESULTS = RESULTS.with_name("privacy.md")
DISCRETE = ["workclass", "education", "marital-status", "occupation", "relationship", "race", "sex",
            "native-country", "income"]
TARGET = "income"


def load_adult():
    from sklearn.model_selection import train_test_split

    frame = pd.read_csv(SHARED / "adult.csv", skipinitialspace=True)
    train, test = train_test_split(frame, test_size=0.2, random_state=0)
    return train.reset_index(drop=True), test.reset_index(drop=True)


def _fit_and_sample(name, params, threads):
    """Runs in a child process: fit, sample, evaluate."""
    import torch

    torch.set_num_threads(threads)
    train, test = load_adult()
    start = time.perf_counter()
    if name.startswith("skgen"):
        from skgen import GANSampler

        model = GANSampler(random_state=0, n_threads=threads, **params).fit(train)
        epochs = model.n_epochs_
        sample = lambda n, seed: model.sample(n, random_state=seed)  # noqa: E731
    else:
        import ctgan

        cls = {"CTGAN": ctgan.CTGAN, "TVAE": ctgan.TVAE}[name.split()[0]]
        torch.manual_seed(0)
        model = cls(**params)
        model.fit(train, discrete_columns=DISCRETE)
        epochs = params["epochs"]
        sample = lambda n, seed: model.sample(n)  # noqa: E731
    fit_s = time.perf_counter() - start
    sample(1000, 1)
    # Best of three calls: single timings on this shared machine varied by 15%.
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        sample(100_000, 2)
        timings.append(time.perf_counter() - start)
    rows_per_s = 100_000 / min(timings)
    synthetic = sample(len(train), 0)
    from skgen.metrics import membership_inference_auc

    return {
        "name": name,
        "fit_s": fit_s,
        "epochs": epochs,
        "rows_per_s": rows_per_s,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "dp_epsilon_spent": getattr(model, "dp_epsilon_", None),
        "membership_auc": membership_inference_auc(train, test, synthetic[list(train.columns)]),
        **evaluate(train, test, synthetic),
    }


def evaluate(train, test, synthetic):
    from skgen.metrics import column_pairs_score, column_shapes_score, dcr_score, tstr_score

    synthetic = synthetic[list(train.columns)]
    out = {
        "shapes": column_shapes_score(test, synthetic),
        "pairs": column_pairs_score(test, synthetic),
    }
    out["quality"] = 0.5 * (out["shapes"] + out["pairs"])
    try:
        from sdmetrics.reports.single_table import QualityReport

        metadata = {"columns": {}}
        for column in train.columns:
            sdtype = "categorical" if column in DISCRETE else "numerical"
            metadata["columns"][column] = {"sdtype": sdtype}
        report = QualityReport()
        report.generate(test, synthetic, metadata, verbose=False)
        props = report.get_properties().set_index("Property")["Score"]
        out["sdm_quality"] = report.get_score()
        out["sdm_shapes"] = props.get("Column Shapes")
        out["sdm_pairs"] = props.get("Column Pair Trends")
    except ImportError:
        pass
    tstr = tstr_score(synthetic, test, TARGET, real_train=train)
    out.update({f"tstr_{k}": v for k, v in tstr.items()})
    out.update(dcr_score(train, synthetic, test))
    return out


def real_reference():
    train, test = load_adult()
    out = evaluate(train, test, train.sample(len(test), random_state=0))
    out.update({"name": "real data (train rows vs test)", "fit_s": None, "epochs": None, "rows_per_s": None,
                "peak_mb": None})
    return out


def run_isolated(name, params, threads):
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(_fit_and_sample, name, params, threads).result()


def fmt(value, spec):
    return "—" if value is None or (isinstance(value, float) and np.isnan(value)) else format(value, spec)


def write_report(rows, args, load_before, load_after, elapsed):
    lines = [
        "# Tabular synthesis benchmark (Adult)",
        "",
        f"Written by `benchmarks/bench_tabular.py` on {datetime.date.today().isoformat()}. {environment_line()}.",
        f"Torch threads: {args.threads} for every model; each model in its own process. 80/20 split, seed 0; "
        f"synthetic rows = training rows. {load_sentence(load_before, load_after, elapsed)}",
        "",
        "Quality against the real 20%: SDMetrics QualityReport (overall, shapes / pairs) and skgen.metrics "
        "(same definitions, except that numeric columns in mixed pairs are binned on the real data's edges "
        "for both tables, where SDMetrics bins each table on its own). TSTR: HistGradientBoosting trained on synthetic rows, tested on the real 20% "
        "(train-on-real in the last row). DCR: median distance to the closest training row (real holdout rows "
        "give the reference); near-copies: share of synthetic rows closer to a training row than 95% of "
        "holdout rows are. Sample rows/s: the best of three calls of 100,000 rows.",
        "",
        "| model | epochs | fit s | s/epoch | sample rows/s | peak RSS MB | SDMetrics quality (shapes / pairs) "
        "| skgen quality (shapes / pairs) | TSTR ROC-AUC | TSTR acc | TSTR F1 | median DCR | exact copies | near-copies |",
        "|---|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        real = r["name"].startswith("real")
        sdm = (f"{r['sdm_quality']:.3f} ({r['sdm_shapes']:.3f} / {r['sdm_pairs']:.3f})"
               if "sdm_quality" in r else "—")
        auc = r["tstr_real_roc_auc"] if real else r["tstr_roc_auc"]
        acc = r["tstr_real_accuracy"] if real else r["tstr_accuracy"]
        f1 = r["tstr_real_f1"] if real else r["tstr_f1"]
        dcr = r["holdout_median_dcr"] if real else r["synthetic_median_dcr"]
        copies = r["holdout_exact_copies"] if real else r["synthetic_exact_copies"]
        near = "5.0% (by definition)" if real else f"{100 * r['near_copies']:.1f}%"
        s_epoch = None if r["fit_s"] is None else r["fit_s"] / r["epochs"]
        lines.append(
            f"| {r['name']} | {fmt(r['epochs'], 'd')} | {fmt(r['fit_s'], '.1f')} | {fmt(s_epoch, '.2f')} | "
            f"{fmt(r['rows_per_s'], ',.0f')} | {fmt(r['peak_mb'], ',.0f')} | {sdm} | "
            f"{r['quality']:.3f} ({r['shapes']:.3f} / {r['pairs']:.3f}) | {auc:.3f} | {acc:.3f} | {f1:.3f} | "
            f"{dcr:.3f} | {100 * copies:.2f}% | {near} |"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS}")


def write_privacy_report(rows, args, load_before, load_after, elapsed):
    lines = [
        "# Differential privacy trade-off (Adult)",
        "",
        f"Written by `benchmarks/bench_tabular.py --privacy` on {datetime.date.today().isoformat()}. "
        f"{environment_line()}. Torch threads: {args.threads}; each model in its own process. "
        f"{load_sentence(load_before, load_after, elapsed)}",
        "",
        "GANSampler with `dp_epsilon` (DP-SGD on the critic through Opacus, delta = 1 / (10 n), Poisson "
        "batches, loss='bce') and without. Quality: SDMetrics QualityReport and skgen.metrics against the real "
        "20%; TSTR: HistGradientBoosting trained on synthetic rows, tested on the real 20%; membership AUC: "
        "distance-based membership-inference attack, training vs holdout rows (0.5 = no leak). The epsilon "
        "covers the networks, not the codec's statistics (see the GANSampler docstring).",
        "",
        "| model | epsilon spent | fit s | SDMetrics quality | skgen quality | TSTR ROC-AUC | median DCR (holdout) "
        "| near-copies | membership AUC |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        eps = "∞ (no DP)" if r["dp_epsilon_spent"] is None else f"{r['dp_epsilon_spent']:.2f}"
        sdm = f"{r['sdm_quality']:.3f}" if "sdm_quality" in r else "—"
        lines.append(
            f"| {r['name']} | {eps} | {r['fit_s']:.1f} | {sdm} | {r['quality']:.3f} | {r['tstr_roc_auc']:.3f} | "
            f"{r['synthetic_median_dcr']:.3f} ({r['holdout_median_dcr']:.3f}) | {100 * r['near_copies']:.1f}% | "
            f"{r['membership_auc']:.3f} |"
        )
    PRIVACY_RESULTS.write_text("\n".join(lines) + "\n")
    print(f"wrote {PRIVACY_RESULTS}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skgen only, 5 epochs")
    parser.add_argument("--threads", type=int, default=1, help="torch threads per model (reference table: 1)")
    parser.add_argument(
        "--skgen", nargs="+", default=["max_epochs=100", "max_epochs=140", "max_epochs=200"],
        help="GANSampler settings to run, each as comma-separated name=value pairs",
    )
    parser.add_argument("--ctgan-epochs", type=int, default=100)
    parser.add_argument("--tvae-epochs", type=int, default=300)
    parser.add_argument("--force", action="store_true", help="run even if the machine is busy")
    parser.add_argument("--privacy", action="store_true", help="DP trade-off: dp_epsilon 1, 10 and off")
    parser.add_argument("--privacy-epochs", type=int, default=60)
    args = parser.parse_args()
    load_before = check_quiet(args.force)
    start = time.perf_counter()
    if args.privacy:
        rows = []
        for eps in (1, 10, None):
            params = {"max_epochs": args.privacy_epochs, **({} if eps is None else {"dp_epsilon": float(eps)})}
            name = f"skgen GANSampler ({args.privacy_epochs} epochs, " + (f"dp_epsilon={eps})" if eps else "no DP)")
            print(f"running {name}", flush=True)
            rows.append(run_isolated(name, params, args.threads))
            print(rows[-1], flush=True)
        write_privacy_report(rows, args, load_before, machine_load(), time.perf_counter() - start)
        return
    configs = ["max_epochs=5"] if args.quick else args.skgen
    jobs = []
    for config in configs:
        params = {k: int(v) if v.isdigit() else float(v) for k, v in (item.split("=") for item in config.split(","))}
        jobs.append((f"skgen GANSampler ({config.replace(',', ', ')})", params))
    if not args.quick:
        jobs += [(f"CTGAN ({args.ctgan_epochs} epochs)", {"epochs": args.ctgan_epochs}),
                 (f"TVAE ({args.tvae_epochs} epochs)", {"epochs": args.tvae_epochs})]
    rows = []
    for name, params in jobs:
        print(f"running {name}", flush=True)
        try:
            rows.append(run_isolated(name, params, args.threads))
        except ImportError as error:
            print(f"skipped {name}: {error}")
        print(rows[-1] if rows else "", flush=True)
    rows.append(real_reference())
    write_report(rows, args, load_before, machine_load(), time.perf_counter() - start)


if __name__ == "__main__":
    main()

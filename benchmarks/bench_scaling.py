"""How fit time and memory grow with the data, and what a 2-worker Dask
cluster does for a grid search.

- Tabular: GANSampler on Adult tiled to 10k, 100k and 1M rows (numeric
  columns jittered so rows are not exact copies), one epoch each (plus the
  codec's fit and encoding), each size in its own process so that the peak
  resident memory is its own.
- Autoencoder: AutoencoderTransformer on MNIST-size rows (784 features; the
  MNIST test images tiled with noise) at 10k, 100k and 1M rows, two epochs.
- Search: a 12-candidate GridSearchCV of AutoencoderTransformer on digits
  (cv=3), sequential against joblib's dask backend on a 2-worker
  ``LocalCluster`` (one thread per worker).

    python benchmarks/bench_scaling.py            # ~10 min, needs ~10 GB of RAM
    python benchmarks/bench_scaling.py --quick    # 10k and 100k only

Writes ``benchmarks/results/scaling.md``.
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
from _common import SHARED, check_quiet, environment_line, load_mnist_split, load_sentence, machine_load  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "scaling.md"


def tiled_adult(n_rows):
    frame = pd.read_csv(SHARED / "adult.csv", skipinitialspace=True)
    reps = -(-n_rows // len(frame))
    out = pd.concat([frame] * reps, ignore_index=True).iloc[:n_rows].copy()
    rng = np.random.RandomState(0)
    for column in ("fnlwgt",):
        if column in out:
            out[column] = (out[column] * rng.uniform(0.95, 1.05, len(out))).round().astype("int64")
    return out


def tiled_mnist(n_rows):
    X = load_mnist_split()[0]
    out = np.empty((n_rows, X.shape[1]), dtype=np.float32)
    rng = np.random.RandomState(0)
    for start in range(0, n_rows, len(X)):  # in blocks: no full-size temporaries
        block = out[start : start + len(X)]
        block[:] = X[: len(block)] + rng.normal(0, 0.02, block.shape).astype(np.float32)
        np.clip(block, 0, 1, out=block)
    return out


def _run(kind, n_rows):
    """In a child process: build the data, fit, report time and peak memory."""
    import torch

    from skgen import AutoencoderTransformer, GANSampler

    torch.set_num_threads(2)
    data = tiled_adult(n_rows) if kind == "table" else tiled_mnist(n_rows)
    data_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    if kind == "table":
        model = GANSampler(max_epochs=1, random_state=0, n_threads=2).fit(data)
    else:
        model = AutoencoderTransformer(n_components=8, max_epochs=2, random_state=0, n_threads=2).fit(data)
    fit_s = time.perf_counter() - start
    epoch_s = float(np.mean(model.history_[:, "dur"]))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"kind": kind, "rows": n_rows, "fit_s": fit_s, "epoch_s": epoch_s, "data_mb": data_mb,
            "peak_mb": peak_mb}


def run_isolated(kind, n_rows):
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(_run, kind, n_rows).result()


def search_times():
    import joblib
    from distributed import Client, LocalCluster
    from sklearn.datasets import load_digits
    from sklearn.model_selection import GridSearchCV

    from skgen import AutoencoderTransformer

    X = load_digits().data / 16.0
    grid = {"n_components": [2, 4, 8], "hidden_dims": [(32,), (64, 32)], "lr": [1e-3, 3e-3]}
    estimator = AutoencoderTransformer(max_epochs=20, random_state=0)
    start = time.perf_counter()
    sequential = GridSearchCV(estimator, grid, cv=3).fit(X)
    sequential_s = time.perf_counter() - start
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster):
        start = time.perf_counter()
        with joblib.parallel_backend("dask"):
            on_cluster = GridSearchCV(estimator, grid, cv=3, n_jobs=-1).fit(X)
        cluster_s = time.perf_counter() - start
    same = np.allclose(sequential.cv_results_["mean_test_score"], on_cluster.cv_results_["mean_test_score"], rtol=1e-6)
    return sequential_s, cluster_s, same


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10k and 100k rows only")
    parser.add_argument("--force", action="store_true", help="run even if the machine is busy")
    args = parser.parse_args()
    load_before = check_quiet(args.force)
    start = time.perf_counter()
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    rows = []
    for kind in ("table", "autoencoder"):
        for n in sizes:
            result = run_isolated(kind, n)
            print(result, flush=True)
            rows.append(result)
    sequential_s, cluster_s, same = search_times()
    print("search", sequential_s, cluster_s, same, flush=True)
    load_after = machine_load()
    lines = [
        "# Scaling", "",
        f"Written by `benchmarks/bench_scaling.py` on {datetime.date.today().isoformat()}. {environment_line()}. "
        "Two torch threads per fit; each size in its own process. "
        + load_sentence(load_before, load_after, time.perf_counter() - start), "",
        "Tabular: GANSampler, Adult tiled (one epoch; fit s includes the codec's fit and the encoding). "
        "Autoencoder: AutoencoderTransformer(n_components=8), MNIST-size rows (two epochs). Peak RSS: the "
        "process's peak resident memory; data MB: its peak after building the data, before fitting.", "",
        "| model | rows | fit s | s / epoch | s / epoch per 100k rows | data MB | peak RSS MB | peak - data MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        name = "GANSampler (Adult tiled)" if r["kind"] == "table" else "AutoencoderTransformer (784 features)"
        lines.append(
            f"| {name} | {r['rows']:,} | {r['fit_s']:.1f} | {r['epoch_s']:.2f} | {r['epoch_s'] / r['rows'] * 1e5:.2f} | "
            f"{r['data_mb']:,.0f} | {r['peak_mb']:,.0f} | {r['peak_mb'] - r['data_mb']:,.0f} |"
        )
    lines += ["", "Grid search: AutoencoderTransformer on digits, 12 candidates x 3 folds, 20 epochs.", "",
              "| run | wall s |", "|---|---:|",
              f"| sequential (n_jobs=1) | {sequential_s:.1f} |",
              f"| 2-worker dask LocalCluster (1 thread each) | {cluster_s:.1f} |",
              "", f"cv_results_ equal to the sequential run: {same}.", ""]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()

"""How fit time and memory grow with the data, and what a 2-worker Dask
cluster does for a grid search.

- Tabular: GANSampler on Adult tiled to 10k, 100k and 1M rows (numeric
  columns jittered so rows are not exact copies), one epoch each (plus the
  codec's fit and encoding), each size in its own process so that the peak
  resident memory is its own.
- Autoencoder: AutoencoderTransformer on MNIST-size rows (784 features; the
  MNIST test images tiled with noise) at 10k, 100k and 1M rows, two epochs.
- Streaming (``--streaming``): GANSampler fitted from a Parquet file of
  Adult tiled to 100k, 1M and 10M rows against the same rows in memory
  (100k, 1M), one epoch, one thread; ``sample_to`` Parquet throughput and
  peak memory at 1M and 10M rows.
- Processes (``--processes``): GANSampler on Adult in one process and in
  two (``torchrun``, gloo, ``accelerator={"cpu": True}``): time and scores.
- Search: a 12-candidate GridSearchCV of AutoencoderTransformer on digits
  (cv=3), sequential against joblib's dask backend on a 2-worker
  ``LocalCluster`` (one thread per worker).

    python benchmarks/bench_scaling.py            # ~10 min, needs ~10 GB of RAM
    python benchmarks/bench_scaling.py --quick    # 10k and 100k only
    python benchmarks/bench_scaling.py --streaming   # fit from Parquet (100k, 1M, 10M rows) and sample_to (~25 min)
    python benchmarks/bench_scaling.py --sampling    # sample_to alone: 1M, 10M, 100M rows (~13 min)
    python benchmarks/bench_scaling.py --processes   # Adult, 1 and 2 processes, 500- and 4,000-row steps (~10 min)

Writes ``benchmarks/results/scaling.md``.
"""

import argparse
import os
import concurrent.futures
import datetime
import multiprocessing
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SHARED, check_quiet, environment_line, load_mnist_split, load_sentence, machine_load, with_page_link  # noqa: E402

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
    data_mb = _memory_mb("VmHWM")
    start = time.perf_counter()
    if kind == "table":
        model = GANSampler(max_epochs=1, random_state=0, n_threads=2).fit(data)
    else:
        model = AutoencoderTransformer(n_components=8, max_epochs=2, random_state=0, n_threads=2).fit(data)
    fit_s = time.perf_counter() - start
    epoch_s = float(np.mean(model.history_[:, "dur"]))
    peak_mb = _memory_mb("VmHWM")
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


def write_tiled_parquet(path, n_rows, chunk_rows=1_000_000):
    """Adult tiled to ``n_rows`` (fnlwgt jittered), written chunk by chunk in row groups of 100k rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if path.exists():
        return path
    base = tiled_adult(min(n_rows, chunk_rows))
    writer = None
    rng = np.random.RandomState(1)
    for start in range(0, n_rows, chunk_rows):
        chunk = base.iloc[: min(chunk_rows, n_rows - start)].copy()
        chunk["fnlwgt"] = (chunk["fnlwgt"] * rng.uniform(0.95, 1.05, len(chunk))).round().astype("int64")
        table = pa.Table.from_pandas(chunk, preserve_index=False)
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table, row_group_size=100_000)
    writer.close()
    return path


def _memory_mb(field):
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process in MB. Not ``ru_maxrss``: Linux carries it
    over exec, so a spawned child reported its parent's peak (1,067 MB after writing the 10M-row file)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak():
    """Start ``VmHWM`` again from the current resident size (Linux's clear_refs)."""
    import gc

    gc.collect()
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def _stream_run(mode, path, n_rows):
    """In a child process, one torch thread: fit from the Parquet file (mode "stream") or from the
    frame read into memory ("memory"), one epoch; or ("sample") sample ``n_rows`` rows to Parquet
    from a model fitted on the file's first rows."""
    import torch

    from skgen import GANSampler

    torch.set_num_threads(1)
    if mode == "sample":
        frame = pd.read_parquet(path).iloc[:50_000]
        model = GANSampler(max_epochs=1, random_state=0, n_threads=1).fit(frame)
        del frame
        _reset_peak()  # the peak of sampling alone, not of the fit before it
        base_mb = _memory_mb("VmRSS")
        out = Path(path).with_name(f"synthetic-{n_rows}.parquet")
        start = time.perf_counter()
        model.sample_to(out, n_rows, random_state=0)
        seconds = time.perf_counter() - start
        out.unlink()
        return {"mode": mode, "rows": n_rows, "seconds": seconds, "rows_per_s": n_rows / seconds,
                "base_mb": base_mb, "peak_mb": _memory_mb("VmHWM")}
    data = pd.read_parquet(path) if mode == "memory" else str(path)
    base_mb = _memory_mb("VmRSS")
    start = time.perf_counter()
    model = GANSampler(max_epochs=1, random_state=0, n_threads=1).fit(data)
    fit_s = time.perf_counter() - start
    epoch_s = float(model.history_[-1, "dur"])
    return {"mode": mode, "rows": n_rows, "fit_s": fit_s, "epoch_s": epoch_s, "steps": len(model.history_[-1, "batches"]),
            "base_mb": base_mb, "peak_mb": _memory_mb("VmHWM")}


def write_section(title, lines):
    """Replaces (or appends) the section ``## title`` of scaling.md, keeping the other sections."""
    text = RESULTS.read_text() if RESULTS.exists() else "\n".join(with_page_link(["# Scaling"])) + "\n"
    before, found, after = text.partition(f"## {title}\n")
    if not found:
        before, after = text, ""
    rest = after.split("\n## ", 1)[1] if "\n## " in after else ""
    text = before.rstrip() + "\n\n" + "\n".join(lines) + "\n" + (f"\n## {rest}" if rest else "")
    RESULTS.write_text(text)
    print(f"wrote {RESULTS}")


def _in_own_process(mode, path, n):
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        result = pool.submit(_stream_run, mode, path, n).result()
    print(result, flush=True)
    return result


def streaming(args):
    """Streaming fit (the "Streaming" section of scaling.md), then chunked sampling ("Sampling to
    Parquet"); with ``--sampling`` the sampling alone."""
    load_before = check_quiet(args.force)
    start = time.perf_counter()
    folder = Path(args.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.stream_sizes]
    results = []
    for n in sizes if not args.sampling else []:
        path = write_tiled_parquet(folder / f"adult-{n}.parquet", n)
        for mode in ["stream", "memory"] if n <= args.max_in_memory else ["stream"]:
            results.append(_in_own_process(mode, path, n))
    if results:
        write_section("Streaming", [
            "## Streaming", "",
            f"Written by `benchmarks/bench_scaling.py --streaming` on {datetime.date.today().isoformat()}. "
            f"{environment_line()}. One torch thread; each run in its own process. "
            + load_sentence(load_before, machine_load(), time.perf_counter() - start), "",
            "GANSampler defaults, one epoch (`max_epochs=1`: rows // 500 steps, latent classes fitted on the first "
            "pass's 200,000-row sample), on Adult tiled (fnlwgt jittered) in a Parquet file of 100,000-row row "
            "groups: `fit(path)` streams it (the next buffer read and encoded in a background thread), "
            "`fit(pd.read_parquet(path))` holds it in memory. Fit s includes the first pass (streamed) or the "
            "codec's fit and encoding (in memory); base MB: the process before fitting (in memory: with the "
            "frame read); peak: the process's peak resident memory (`VmHWM`).", "",
            "| rows | path | fit s | s / epoch | steps | s / epoch per 100k rows | base MB | peak RSS MB |",
            "|---:|---|---:|---:|---:|---:|---:|---:|",
        ] + [
            f"| {r['rows']:,} | {'streamed from Parquet' if r['mode'] == 'stream' else 'in memory'} | "
            f"{r['fit_s']:.1f} | {r['epoch_s']:.1f} | {r['steps']:,} | {r['epoch_s'] / r['rows'] * 1e5:.2f} | "
            f"{r['base_mb']:,.0f} | {r['peak_mb']:,.0f} |"
            for r in results
        ])
    sample_start, load_before = time.perf_counter(), machine_load() if results else load_before
    source = write_tiled_parquet(folder / f"adult-{sizes[0]}.parquet", sizes[0])
    samples = [_in_own_process("sample", source, int(n)) for n in args.sample_sizes]
    write_section("Sampling to Parquet", [
        "## Sampling to Parquet", "",
        f"Written by `benchmarks/bench_scaling.py --{'sampling' if args.sampling else 'streaming'}` on "
        f"{datetime.date.today().isoformat()}. {environment_line()}. Each run in its own process. "
        + load_sentence(load_before, machine_load(), time.perf_counter() - sample_start), "",
        "`sample_to(path, n)` (100,000-row chunks) from a model fitted on 50,000 rows, one torch thread; base "
        "MB: the process with the fitted model, before sampling; peak: its peak resident memory while "
        "sampling (`VmHWM`, reset before sampling).", "",
        "| rows | s | rows / s | base MB | peak RSS MB |", "|---:|---:|---:|---:|---:|",
    ] + [
        f"| {r['rows']:,} | {r['seconds']:.1f} | {r['rows_per_s']:,.0f} | {r['base_mb']:,.0f} | {r['peak_mb']:,.0f} |"
        for r in samples
    ])


def processes(args):
    """GANSampler on Adult in one process and in two (torchrun, gloo, one thread each); writes the
    "Processes" section of scaling.md."""
    import json
    import shutil
    import subprocess
    import tempfile

    load_before = check_quiet(args.force)
    start = time.perf_counter()
    script = Path(__file__).resolve().parent / "_processes_fit.py"
    torchrun = shutil.which("torchrun", path=str(Path(sys.executable).parent)) or shutil.which("torchrun")
    results = []
    # The defaults (500-row steps), then few large steps (where a step's arithmetic outweighs the
    # exchange of its gradients).
    for epochs, batch in ((args.process_epochs, "500"), ("20", "4000")):
        for n in (1, 2):
            with tempfile.TemporaryDirectory() as folder:
                out = Path(folder) / "result.json"
                launcher = [sys.executable] if n == 1 else [torchrun, "--standalone", "--nproc_per_node", str(n)]
                subprocess.run([*launcher, str(script), str(out), epochs, batch], check=True,
                               env={**os.environ, "OMP_NUM_THREADS": "1"})
                results.append({**json.loads(out.read_text()), "max_epochs": epochs})
            print(results[-1], flush=True)
    load_after = machine_load()
    lines = [
        "## Processes", "",
        f"Written by `benchmarks/bench_scaling.py --processes --process-epochs {args.process_epochs}` on "
        f"{datetime.date.today().isoformat()}. {environment_line()}. "
        + load_sentence(load_before, load_after, time.perf_counter() - start), "",
        "GANSampler on Adult (26,048 training rows), one torch thread per process: one process, then two "
        "started by `torchrun --standalone --nproc_per_node 2` (`accelerator={'cpu': True}`, gloo): each "
        "process draws half of every step's rows and the gradients are averaged, so both runs take the "
        "same steps. First the defaults (500-row steps, `max_epochs` as in the command line), then "
        "4,000-row steps for 20 epochs. Scores of as many synthetic rows against the real 20% holdout "
        "(detection: `skgen.metrics.detection_score`; quality: `skgen.metrics.quality_score`).", "",
        "| batch_size | max_epochs | processes | steps | fit s | s / epoch | speed-up | quality | detection |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for i, r in enumerate(results):
        one = results[i - i % 2]
        lines.append(f"| {r['batch_size']:,} | {r['max_epochs']} | {r['processes']} | {r['steps']:,} | "
                     f"{r['fit_s']:.1f} | {r['epoch_s']:.2f} | {one['epoch_s'] / r['epoch_s']:.2f}x | "
                     f"{r['quality']:.3f} | {r['detection']:.3f} |")
    write_section("Processes", lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10k and 100k rows only")
    parser.add_argument("--force", action="store_true", help="run even if the machine is busy")
    parser.add_argument("--streaming", action="store_true", help="streaming fit and chunked sampling only")
    parser.add_argument("--sampling", action="store_true", help="chunked sampling to Parquet only")
    parser.add_argument("--stream-sizes", nargs="+", default=["100000", "1000000", "10000000"])
    parser.add_argument("--sample-sizes", nargs="+", default=["1000000", "10000000", "100000000"])
    parser.add_argument("--max-in-memory", type=int, default=1_000_000, help="largest size also fitted in memory")
    parser.add_argument("--data-dir", default="/tmp/skgen-scaling", help="where the tiled Parquet files go")
    parser.add_argument("--processes", action="store_true", help="GANSampler on Adult in one and two processes only")
    parser.add_argument("--process-epochs", default="auto", help="max_epochs of the --processes fits")
    args = parser.parse_args()
    if args.streaming or args.sampling:
        return streaming(args)
    if args.processes:
        return processes(args)
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
    previous = RESULTS.read_text() if RESULTS.exists() else ""
    sections = previous[previous.index("\n## "):] if "\n## " in previous else ""
    RESULTS.write_text("\n".join(with_page_link(lines)).rstrip() + "\n" + sections)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()

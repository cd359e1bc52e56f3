"""Helpers shared by the benchmarks: data loading, load checks, timing."""

import contextlib
import datetime
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def read_idx(path):
    """Read an IDX file (MNIST format), gzip-compressed or not."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_mnist_split(n_train=8000):
    """MNIST test images: first ``n_train`` of a seeded permutation for training,
    the rest for evaluation. Pixels scaled to [0, 1] float32, flattened."""
    images = read_idx(SHARED / "mnist-t10k-images-idx3-ubyte.gz")
    labels = read_idx(SHARED / "mnist-t10k-labels-idx1-ubyte.gz")
    X = images.reshape(len(images), -1).astype(np.float32) / 255.0
    order = np.random.RandomState(0).permutation(len(X))
    train, test = order[:n_train], order[n_train:]
    return X[train], X[test], labels[train].astype(int), labels[test].astype(int)


def load_digits_split():
    """sklearn digits scaled to [0, 1] float32; stratified 75/25 split, seed 0."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    X = (data.data / 16.0).astype(np.float32)
    return train_test_split(X, data.target, test_size=0.25, random_state=0, stratify=data.target)


def machine_load():
    """1-minute load average and the cores other processes keep busy now."""
    from skgen._core._threads import LoadProbe

    probe = LoadProbe()
    probe.others_busy_cores()
    time.sleep(0.5)
    busy = probe.others_busy_cores()
    return os.getloadavg()[0], busy


def check_quiet(force, max_busy=0.3):
    """Warn, or refuse without --force, when another process keeps a core busy."""
    load1, busy = machine_load()
    if busy > max_busy:
        message = (
            f"machine busy: other processes use {busy:.2f} cores (load average {load1:.2f}); "
            "timings and ratios would be unreliable"
        )
        if not force:
            sys.exit(message + ". Re-run on a quiet machine or pass --force.")
        warnings.warn(message)
    return load1, busy


def environment_line():
    import pandas
    import sklearn
    import torch

    return (
        f"Python {platform.python_version()}, torch {torch.__version__}, scikit-learn "
        f"{sklearn.__version__}, pandas {pandas.__version__}, {os.cpu_count()} CPUs ({platform.machine()})"
    )


def load_sentence(load_before, load_after, elapsed_s):
    """The machine-load sentence every benchmark report carries."""
    return (
        f"Load before: load average {load_before[0]:.2f}, other processes on {load_before[1]:.2f} cores; "
        f"after: {load_after[0]:.2f} / {load_after[1]:.2f}. Total {elapsed_s / 60:.1f} min."
    )


def timed(fn, repeats=1):
    """Run ``fn`` ``repeats`` times; return (min seconds, last result)."""
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def rows_per_second(fn, n_rows, min_time=0.3, repeats=5):
    """Best-of-``repeats`` rows/s of ``fn``, each timing running ``fn`` for at least ``min_time`` s."""
    fn()
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= min_time / 5:
            break
        number *= 2
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return n_rows / best


def median(values):
    return statistics.median(values)


BENCHMARKS_PAGE = "Quoted in the docs' [Benchmarks](../../docs/benchmarks.rst) page, which says how to read it."


def with_page_link(lines):
    """``lines`` (a results file: its title first) with the link to the docs' Benchmarks page under the title."""
    lines = list(lines)
    if BENCHMARKS_PAGE in lines:
        return lines
    return lines[:1] + ["", BENCHMARKS_PAGE] + lines[1:]


def write_results(path, lines):
    """Write a results file: its lines, the Benchmarks page linked under the title."""
    Path(path).write_text("\n".join(with_page_link(lines)).rstrip() + "\n")


@contextlib.contextmanager
def trees_to_compare(root, before=None):
    """``{label: folder}``: this tree and, with ``before`` (a git revision), that commit checked out
    in a temporary git worktree, removed on exit; the older tree first."""
    if before is None:
        yield {"this tree": root}
        return
    worktree = Path(tempfile.mkdtemp()) / "before"
    subprocess.run(["git", "-C", str(root), "worktree", "add", "--detach", str(worktree), before],
                   check=True, capture_output=True)
    try:
        yield {f"before ({before})": worktree, "this tree": root}
    finally:
        subprocess.run(["git", "-C", str(root), "worktree", "remove", "--force", str(worktree)], check=True)


def run_in_tree(tree, script, *args):
    """Run ``python script *args`` with the code of ``tree`` (a checkout) in a fresh process; the JSON
    object its last output line prints, after checking that its ``"skgen"`` (``skgen.__file__``) is
    ``tree``'s."""
    done = subprocess.run(
        [sys.executable, str(Path(script).resolve()), *map(str, args)],
        env=dict(os.environ, PYTHONPATH=str(tree)), cwd=tree, capture_output=True, text=True, check=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    where = Path(report["skgen"]).resolve()
    assert where.is_relative_to(Path(tree).resolve()), f"{tree} imported skgen from {where}"
    return report


def comparison_lines(title, command, paragraphs, sections, load_before, started):
    """A results file's lines: ``title``, the command with the date and environment, the
    ``paragraphs``, the ``sections``, then the load before and after and the time since ``started``."""
    lines = [f"# {title}", "", f"`{command}` on {datetime.date.today().isoformat()}; {environment_line()}.", ""]
    for paragraph in paragraphs:
        lines += [paragraph, ""]
    return lines + [*sections, load_sentence(load_before, machine_load(), time.perf_counter() - started)]

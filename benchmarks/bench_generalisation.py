"""Judged training against the fixed budget and the latent-class mixture, on every table, three seeds.

For each table (the seven shared ones, then the generalisation suite of
``generalisation_suite.py``, which no model change was tuned on), fitted on
80% and judged against the unseen 20%:

- **skgen (defaults)**: ``GANSampler(random_state=seed, n_threads=1)``;
- **skgen, fixed budget** (shared tables only): the defaults before judged
  training (``early_stopping=False``, the generator not started at zero,
  one latent class per 100 rows, at most 100): trains for ``max_epochs``
  and keeps the last generator;
- **latent-class mixture** (``benchmarks/_mixture.py``, K = 100, seeded);
- **CART** (``synthpop-py``'s sequential trees, ``benchmarks/_cart.py``), in
  an environment of its own (``--cart-python`` or ``SKGEN_CART_PYTHON``;
  left out without one), judged with float columns cast to float32;
- **independent columns**: each column bootstrapped on its own.

Detection (:func:`skgen.metrics.detection_score`, 5 folds, seeded) of as
many synthetic rows as training rows against the holdout; mean and spread
(half the range) over seeds 0, 1, 2 (model seed, sample seed and detector
seed alike). One torch thread, one model at a time.

    python benchmarks/bench_generalisation.py                      # shared tables, then the suite
    python benchmarks/bench_generalisation.py --tables wage credit --no-fixed
    python benchmarks/bench_generalisation.py --suite-only --output generalisation_suite.md
    python benchmarks/bench_generalisation.py --no-fixed --cart-python ../venv_cart/bin/python
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _cart import as_float32, cart_python, cart_sample  # noqa: E402
from _common import check_quiet, environment_line, load_sentence, machine_load, write_results  # noqa: E402
from bench_tabular import TABLES, load_table  # noqa: E402
from generalisation_suite import SUITE, load, split, table_name  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "generalisation.md"
SEEDS = (0, 1, 2)
FIXED_BUDGET = {"early_stopping": False, "generator__zero_output": False}


def fixed_budget_classes(n_rows):
    """The latent classes "auto" gave before judged training: one per 100 rows, at most 100."""
    n_classes = min(100, n_rows // 100)
    return n_classes if n_classes >= 2 else 0


def tables(args):
    """``(name, loader)`` of each table to run, shared ones first."""
    chosen = []
    if not args.suite_only:
        chosen += [(name, lambda name=name: load_table(name)) for name in (args.tables or TABLES)]
    if not args.shared_only and not args.tables:
        chosen += [(table_name(p, i), lambda p=p, i=i: split(load(p, i))) for p, i, _ in SUITE]
    return chosen


def independent_columns(train, n, seed):
    rng = np.random.RandomState(seed)
    return pd.DataFrame({c: train[c].to_numpy()[rng.randint(len(train), size=n)] for c in train.columns})


JUDGE_SECONDS = []
CART_PYTHON = [None]


def timed_judge():
    """Count the seconds skgen's judge of training takes (its share of the fit)."""
    from skgen._tabular import _judge

    judge = _judge.DetectionJudge.__call__

    def timed(self, net):
        start = time.perf_counter()
        try:
            return judge(self, net)
        finally:
            JUDGE_SECONDS.append(time.perf_counter() - start)

    _judge.DetectionJudge.__call__ = timed


def copied_share(train, rows):
    """Share of ``rows`` equal, in every column, to some training row."""
    seen = set(map(tuple, train.astype(str).to_numpy()))
    return float(np.mean([tuple(r) in seen for r in rows[list(train.columns)].astype(str).to_numpy()]))


def run_model(model, train, test, seed):
    """``(detection, fit seconds, best epoch, seconds judging, epochs, exact copies)`` of one model and seed."""
    import torch

    from skgen import GANSampler
    from skgen.metrics import detection_score

    torch.set_num_threads(1)
    JUDGE_SECONDS.clear()
    start = time.perf_counter()
    best_epoch = None, None
    reference = train
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if model == "independent":
            synthetic, fit_s = independent_columns(train, len(train), seed), None
        elif model == "cart":
            synthetic, fit_s = cart_sample(train, len(train), seed, CART_PYTHON[0])
            test, synthetic = as_float32(test), as_float32(synthetic[list(test.columns)])
            reference = as_float32(train)
        else:
            if model == "mixture":
                from _mixture import LatentClassMixture

                sampler = LatentClassMixture(n_classes=100, random_state=seed).fit(train)
            else:
                params = {}
                if model == "fixed":
                    params = dict(FIXED_BUDGET, latent_classes=fixed_budget_classes(len(train)))
                sampler = GANSampler(random_state=seed, n_threads=1, **params).fit(train)
                best_epoch = getattr(sampler, "best_epoch_", None), sampler.n_epochs_
            fit_s = time.perf_counter() - start
            synthetic = sampler.sample(len(train), random_state=seed)
        judged_s = sum(JUDGE_SECONDS) if model == "skgen" else None
        score = detection_score(test, synthetic[list(test.columns)], random_state=seed)
        copies = copied_share(reference, synthetic) if model in ("skgen", "cart") else None
        return score, fit_s, best_epoch[0], judged_s, best_epoch[1], copies


def guarded(run, model, train, test, seed):
    """``run(...)``, or None (and the error printed) when the model fails on the table."""
    try:
        return run(model, train, test, seed)
    except Exception as exc:  # a failure is a result to report, not the end of the run
        print(f"  {model} seed {seed} failed: {type(exc).__name__}: {str(exc).splitlines()[0]}", flush=True)
        return None


def summary(values, spec=".3f"):
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    mean, spread = float(np.mean(values)), (max(values) - min(values)) / 2
    return f"{mean:{spec}} ± {spread:{spec}}"


def report(rows, models, args, load_before, started, frames):
    labels = {"skgen": "skgen (defaults)", "fixed": "skgen, fixed budget", "mixture": "mixture",
              "cart": "CART", "independent": "independent columns"}
    header = "| table | rows × columns | " + " | ".join(f"{labels[m]}: detection" for m in models)
    header += " | skgen fit s (judging s) | " + ("fixed budget fit s | " if "fixed" in models else "")
    header += ("CART fit s | " if "cart" in models else "")
    header += "skgen best epoch / epochs | skgen exact copies (holdout's) | "
    header += ("CART exact copies | " if "cart" in models else "") + "skgen − mixture |"
    lines = [
        "# Judged training on every table: detection, three seeds",
        "",
        f"Written by `python benchmarks/bench_generalisation.py {' '.join(sys.argv[1:])}` on "
        f"{time.strftime('%Y-%m-%d')}. {environment_line()}.",
        "One torch thread, one model at a time; 80/20 split (seed 0); synthetic rows = training rows; "
        "detection of the unseen 20% (5 folds), mean ± half the range over seeds 0, 1, 2. "
        "Tables after the shared seven are the generalisation suite (`generalisation_suite.py`), "
        "which no model change was tuned on. "
        + load_sentence(load_before, machine_load(), time.perf_counter() - started),
        "",
        header,
        "|" + "---|" * (header.count("|") - 1),
    ]
    for table, shape, results in rows:
        cells = [summary([r[0] for r in results.get(m, [])]) for m in models]
        fit = [summary([r[1] for r in results["skgen"]], ".1f") + f" ({np.mean([r[3] for r in results['skgen']]):.1f})"]
        if "fixed" in models:
            fit.append(summary([r[1] for r in results.get("fixed", [])], ".1f"))
        if "cart" in models:
            fit.append(summary([r[1] for r in results.get("cart", [])], ".1f"))
        epochs = ", ".join(f"{r[2]}/{r[4]}" for r in results["skgen"])
        copies = f"{100 * np.mean([r[5] for r in results['skgen']]):.2f}% ({100 * copied_share(*frames[table]):.2f}%)"
        if "cart" in models:
            cart = [r[5] for r in results.get("cart", [])]
            copies += f" | {100 * np.mean(cart):.2f}%" if cart else " | —"
        gap = "—"
        if "mixture" in models:
            gap = f"{np.mean([r[0] for r in results['skgen']]) - np.mean([r[0] for r in results['mixture']]):+.3f}"
        lines.append(f"| {table} | {shape} | " + " | ".join(cells + fit) + f" | {epochs} | {copies} | {gap} |")
    write_results(RESULTS.parent / args.output, lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", nargs="+", choices=list(TABLES), help="shared tables only, these ones")
    parser.add_argument("--shared-only", action="store_true")
    parser.add_argument("--suite-only", action="store_true")
    parser.add_argument("--no-fixed", action="store_true", help="skip the fixed-budget model (the slowest)")
    parser.add_argument("--cart-python", help="the CART environment's python (default: $SKGEN_CART_PYTHON)")
    parser.add_argument("--force", action="store_true", help="run even if the machine is busy")
    parser.add_argument("--output", default=RESULTS.name, help="file name under benchmarks/results/")
    args = parser.parse_args()
    load_before = check_quiet(args.force)
    timed_judge()
    started = time.perf_counter()
    CART_PYTHON[0] = cart_python(args.cart_python)
    models = ["skgen"] + ([] if args.no_fixed else ["fixed"]) + ["mixture"]
    models += (["cart"] if CART_PYTHON[0] else []) + ["independent"]
    rows, frames = [], {}
    for table, loader in tables(args):
        train, test = loader()
        # The fixed budget (the slowest model) on the shared tables only: the figures before this change.
        results = {m: [guarded(run_model, m, train, test, seed) for seed in SEEDS] for m in models
                   if m != "fixed" or table in TABLES}
        results = {m: [r for r in runs if r is not None] for m, runs in results.items()}
        rows.append((table, f"{len(train):,} × {train.shape[1]}", results))
        print(table, {m: round(float(np.mean([r[0] for r in v])), 3) for m, v in results.items()}, flush=True)
        frames[table] = (train, test)
        report(rows, models, args, load_before, started, frames)


if __name__ == "__main__":
    main()

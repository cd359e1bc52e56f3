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
- **CART** (``synthpop-py``'s sequential trees) and **TabularARGN**
  (``mostlyai-engine``), each in an environment of its own
  (``benchmarks/_isolated_anchors.py``: ``--cart-python`` /
  ``--argn-python`` or ``SKGEN_CART_PYTHON`` / ``SKGEN_ARGN_PYTHON``; left
  out without one); CART judged with float columns cast to float32;
- **independent columns**: each column bootstrapped on its own;
- **real rows**: the training rows themselves (the ceiling);
- **training rows resampled**: as many rows drawn from the training rows
  with replacement, seeded -- a model that learned the training rows'
  distribution exactly, with the sampling noise every generator has (its
  exact copies are all its rows).

Detection (:func:`skgen.metrics.detection_score`, 5 folds, seeded) of as
many synthetic rows as training rows (or holdout rows, where there are
more) against the holdout; mean and spread
(half the range) over seeds 0, 1, 2 (model seed, sample seed and detector
seed alike). One torch thread, one model at a time. A second table gives,
for the same fits, :func:`skgen.metrics.quality_score` against the holdout
and TSTR (:func:`skgen.metrics.tstr_score`'s ROC-AUC: a HistGradientBoosting
classifier trained on the synthetic rows, tested on the holdout) for the
tables with a target.

    python benchmarks/bench_generalisation.py                      # shared tables, then the suite
    python benchmarks/bench_generalisation.py --tables wage credit --no-fixed
    python benchmarks/bench_generalisation.py --suite-only --output generalisation_suite.md
    python benchmarks/bench_generalisation.py --no-fixed --cart-python ../venv_cart/bin/python
    python benchmarks/bench_generalisation.py --models argn --argn-python ../venv_argn/bin/python --output generalisation_argn.md
    python benchmarks/bench_generalisation.py --no-extras --no-fixed --cart-python ../venv_cart/bin/python \
        --argn-python ../venv_argn/bin/python --output generalisation_all.md   # every table x every model
    python benchmarks/bench_generalisation.py --tables email --suite-tables openintro/births14 --no-fixed \
        --models skgen mixture bootstrap real --split-seeds 0 1 2 3 4 --output generalisation_splits.md

``--split-seeds`` repeats each table over other 80/20 splits (the table's
rows, training and holdout together, split by ``generalisation_suite.split``
with that seed; split 0 is the table's usual split): how much of a gap
between two models is the holdout the table happens to have.

After the suite: Adult subsamples of 300, 1,000 and 3,000 of its training
rows (judged on the whole 20%), and ISLR ``College`` and openintro
``fastfood``, whose heavy tails (numeric columns of skewness at least 2)
a second table follows: each model's p99 and maximum against the training
rows'.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _isolated_anchors import anchor_python, anchor_sample, as_float32  # noqa: E402
from _common import check_quiet, environment_line, load_sentence, machine_load, write_results  # noqa: E402
from bench_relations import load as load_relations_table  # noqa: E402
from bench_tabular import TABLES, load_table  # noqa: E402
from generalisation_suite import SUITE, load, split, table_name  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "generalisation.md"
SEEDS = (0, 1, 2)
ADULT_SUBSAMPLES = (300, 1_000, 3_000)
TAIL_TABLES = ("College", "fastfood")
SUITE_TARGETS = {table_name(p, i): target for p, i, target in SUITE}
FIXED_BUDGET = {"early_stopping": False, "generator__zero_output": False}


def fixed_budget_classes(n_rows):
    """The latent classes "auto" gave before judged training: one per 100 rows, at most 100."""
    n_classes = min(100, n_rows // 100)
    return n_classes if n_classes >= 2 else 0


def tables(args):
    """``(name, loader)`` of each table to run, shared ones first (each table once per split seed)."""
    chosen = usual_splits(args)
    if args.split_seeds == [0]:
        return chosen
    return [(name if seed == 0 else f"{name} (split {seed})", loader if seed == 0 else resplit(loader, seed))
            for name, loader in chosen for seed in args.split_seeds]


def resplit(loader, seed):
    """A loader of the same table's rows, split 80/20 with ``seed``."""
    return lambda: split(pd.concat(loader(), ignore_index=True), seed=seed)


def usual_splits(args):
    """``(name, loader)`` of each table to run, with its usual split."""
    chosen = []
    if not args.suite_only and not args.extras_only:
        chosen += [(name, lambda name=name: load_table(name)) for name in (args.tables or TABLES)]
    if args.suite_tables:
        return chosen + [(table_name(p, i), lambda p=p, i=i: split(load(p, i))) for p, i, _ in SUITE
                         if table_name(p, i) in args.suite_tables]
    if not args.shared_only and not args.tables:
        if not args.extras_only:
            chosen += [(table_name(p, i), lambda p=p, i=i: split(load(p, i))) for p, i, _ in SUITE]
        if not args.no_extras:
            chosen += [(f"adult, {n:,} rows", lambda n=n: adult_subsample(n)) for n in ADULT_SUBSAMPLES]
            chosen += [(name, lambda name=name: load_relations_table(name)) for name in TAIL_TABLES]
    return chosen


def base_name(table):
    """The table's name without its split mark."""
    return table.split(" (split ")[0]


def target_of(table):
    """The TSTR target of a table, or None (the tail tables have none)."""
    table = base_name(table)
    if table in TABLES:
        return TABLES[table][1]
    if table.startswith("adult, "):
        return "income"
    return SUITE_TARGETS.get(table)


def adult_subsample(n_rows):
    """``n_rows`` of Adult's training rows (seed 0) and its whole holdout."""
    train, test = load_table("adult")
    return train.sample(n_rows, random_state=0).reset_index(drop=True), test


def heavy_tailed(train):
    """Numeric columns of skewness at least 2 (and 20 values at least)."""
    return [c for c in train.columns if train[c].dtype.kind in "iuf" and train[c].nunique() >= 20
            and train[c].skew() >= 2]


def tail_ratios(train, synthetic):
    """``{column: (synthetic p99 / real p99, synthetic max / real max)}`` over the heavy-tailed columns."""
    ratios = {}
    for column in heavy_tailed(train):
        real, fake = train[column].dropna().astype(float), synthetic[column].dropna().astype(float)
        ratios[column] = (fake.quantile(0.99) / real.quantile(0.99), fake.max() / real.max())
    return ratios


def independent_columns(train, n, seed):
    rng = np.random.RandomState(seed)
    return pd.DataFrame({c: train[c].to_numpy()[rng.randint(len(train), size=n)] for c in train.columns})


JUDGE_SECONDS = []
ANCHOR_PYTHON = {}  # kind -> the interpreter of its environment
MODELS = ("skgen", "fixed", "mixture", "cart", "argn", "independent", "real", "bootstrap")
LABELS = {"skgen": "skgen (defaults)", "fixed": "skgen, fixed budget", "mixture": "mixture", "cart": "CART",
          "argn": "TabularARGN", "independent": "independent columns", "real": "real rows",
          "bootstrap": "training rows resampled"}
UNFITTED = ("independent", "real", "bootstrap")  # no fit, no copies to count


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


def run_model(model, train, test, seed, target=None):
    """One model and seed: a dict of detection, quality, tstr, fit_s, best_epoch, judged_s, epochs, copies, tails."""
    import torch

    from skgen import GANSampler
    from skgen.metrics import detection_score, quality_score, tstr_score

    torch.set_num_threads(1)
    JUDGE_SECONDS.clear()
    start = time.perf_counter()
    best_epoch = None, None
    reference = train
    n_rows = max(len(train), len(test))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if model == "independent":
            synthetic, fit_s = independent_columns(train, n_rows, seed), None
        elif model == "real":
            synthetic, fit_s = train, None
        elif model == "bootstrap":
            synthetic, fit_s = train.sample(n_rows, replace=True, random_state=seed).reset_index(drop=True), None
        elif model in ANCHOR_PYTHON:
            synthetic, fit_s = anchor_sample(model, train, n_rows, seed, ANCHOR_PYTHON[model])
            if model == "cart":
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
                if getattr(sampler, "validation_scores_", None):  # in the log: what another patience would keep
                    print(f"  {model} seed {seed} checks {[round(s, 4) for s in sampler.validation_scores_]}",
                          flush=True)
            fit_s = time.perf_counter() - start
            synthetic = sampler.sample(n_rows, random_state=seed)
        judged_s = sum(JUDGE_SECONDS) if model == "skgen" else None
        score = detection_score(test, synthetic[list(test.columns)], random_state=seed)
        copies = copied_share(reference, synthetic) if model not in UNFITTED + ("fixed", "mixture") else None
        quality = quality_score(test, synthetic[list(test.columns)])
        tstr = tstr_score(synthetic, test, target, random_state=seed)["roc_auc"] if target is not None else None
        return dict(detection=score, fit_s=fit_s, best_epoch=best_epoch[0], judged_s=judged_s, epochs=best_epoch[1],
                    copies=copies, tails=tail_ratios(train, synthetic), quality=quality, tstr=tstr)


def guarded(run, model, train, test, seed, target=None):
    """``run(...)``, or None (and the error printed) when the model fails on the table."""
    try:
        return run(model, train, test, seed, target)
    except Exception as exc:  # a failure is a result to report, not the end of the run
        print(f"  {model} seed {seed} failed: {type(exc).__name__}: {str(exc).splitlines()[0]}", flush=True)
        return None


def summary(values, spec=".3f"):
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    mean, spread = float(np.mean(values)), (max(values) - min(values)) / 2
    return f"{mean:{spec}} ± {spread:{spec}}"


def scope_sentence(args):
    """Which tables the run holds, in words."""
    suite = "the generalisation suite (`generalisation_suite.py`), which no model change was tuned on"
    extras = "Adult subsamples and the two tail tables"
    if args.extras_only:
        return f"The tables are the {extras}."
    if args.tables or args.suite_tables:
        return f"Tables named openintro/…, modeldata/… and so on are from {suite}."
    return f"Tables after the shared seven are {suite}" + ("." if args.no_extras else f"; then {extras}.")


def splits_phrase(args):
    others = [str(seed) for seed in args.split_seeds if seed != 0]
    return f"; tables marked \"split k\" also split with seeds {', '.join(others)}" if others else ""


def report(rows, models, args, load_before, started, frames):
    fitted = [m for m in models if m not in UNFITTED]
    copying = [m for m in models if m not in UNFITTED + ("fixed", "mixture")]
    header = "| table | rows × columns | " + " | ".join(f"{LABELS[m]}: detection" for m in models)
    header += "".join(f" | {LABELS[m]}: fit s" + (" (judging s)" if m == "skgen" else "") for m in fitted)
    header += " | skgen best epoch / epochs" if "skgen" in models else ""
    header += "".join(f" | {LABELS[m]}: exact copies" for m in copying) + " | holdout's exact copies"
    header += " | skgen − mixture |" if {"skgen", "mixture"} <= set(models) else " |"
    lines = [
        "# Every table, every model: detection, " + ("three seeds" if len(args.seeds) == 3 else f"{len(args.seeds)} seeds"),
        "",
        f"Written by `python benchmarks/bench_generalisation.py {' '.join(sys.argv[1:])}` on "
        f"{time.strftime('%Y-%m-%d')}. {environment_line()}.",
        "One torch thread, one model at a time; 80/20 split (seed 0" + splits_phrase(args) + "); as many synthetic rows as training rows "
        "(or holdout rows, where more); detection of the unseen 20% (5 folds), mean ± half the range over "
        f"seeds {', '.join(map(str, args.seeds))}. " + scope_sentence(args) + " "
        + load_sentence(load_before, machine_load(), time.perf_counter() - started),
        "",
        header,
        "|" + "---|" * (header.count("|") - 1),
    ]
    for table, shape, results in rows:
        cells = [summary([r["detection"] for r in results.get(m, [])]) for m in models]
        for m in fitted:
            cells.append(summary([r["fit_s"] for r in results.get(m, [])], ".1f"))
            if m == "skgen" and results.get(m):
                cells[-1] += f" ({np.mean([r['judged_s'] for r in results[m]]):.1f})"
        if "skgen" in models:
            cells.append(", ".join(f"{r['best_epoch']}/{r['epochs']}" for r in results.get("skgen", [])))
        for m in copying:
            shares = [r["copies"] for r in results.get(m, [])]
            cells.append(f"{100 * np.mean(shares):.2f}%" if shares else "—")
        cells.append(f"{100 * copied_share(*frames[table]):.2f}%")
        if {"skgen", "mixture"} <= set(models):
            gap = [np.mean([r["detection"] for r in results.get(m, [])]) if results.get(m) else np.nan
                   for m in ("skgen", "mixture")]
            cells.append(f"{gap[0] - gap[1]:+.3f}")
        lines.append(f"| {table} | {shape} | " + " | ".join(cells) + " |")
    lines += utility_report(rows, models)
    lines += tails_report(rows, [m for m in models if m not in ("fixed", "real")], frames)
    write_results(RESULTS.parent / args.output, lines)


def utility_report(rows, models):
    """Quality and TSTR ROC-AUC of every model on every table (mean ± spread over the seeds)."""
    header = "| table | TSTR target | " + " | ".join(f"{LABELS[m]}: quality" for m in models)
    header += "".join(f" | {LABELS[m]}: TSTR" for m in models) + " |"
    lines = ["", "## Quality and TSTR", "",
             "The same fits: `skgen.metrics.quality_score` against the holdout (mean of column shapes and column "
             "pairs, 1 = identical), and TSTR ROC-AUC (HistGradientBoosting trained on the synthetic rows, tested "
             "on the holdout; real rows: trained on the training rows).", "",
             header, "|" + "---|" * (header.count("|") - 1)]
    for table, _, results in rows:
        target = target_of(table)
        cells = [summary([r["quality"] for r in results.get(m, [])]) for m in models]
        cells += [summary([r["tstr"] for r in results.get(m, [])]) if target else "—" for m in models]
        lines.append(f"| {table} | {target or '—'} | " + " | ".join(cells) + " |")
    return lines


def resampled_tail_shares(values, n_values, draws=1_000, seed=0):
    """Over ``draws`` samples of ``n_values`` of the training ``values`` (with replacement): the share whose
    p99 is within 10% of the values' and the share whose maximum is at least 0.8x theirs -- how often the
    training distribution itself meets issue 32's tail Must, for a model that generated it exactly."""
    rng = np.random.RandomState(seed)
    p99, top = np.quantile(values, 0.99), values.max()
    samples = values[rng.randint(len(values), size=(draws, n_values))]
    return (float(np.mean(np.abs(np.quantile(samples, 0.99, axis=1) / p99 - 1) <= 0.1)),
            float(np.mean(samples.max(axis=1) >= 0.8 * top)))


def tails_report(rows, models, frames):
    """The heavy tails of the tail tables: each model's p99 and maximum over the training rows' (mean ± spread)."""
    tail_rows = [(table, results) for table, _, results in rows if base_name(table) in TAIL_TABLES]
    if not tail_rows:
        return []
    header = "| table | column | training p99 / max | " + " | ".join(f"{m}: p99 ratio | {m}: max ratio" for m in models)
    header += " | training rows resampled: p99 within 10% / max ≥ 0.8×"
    lines = ["", "## Heavy tails", "",
             "Numeric columns of skewness at least 2 in the training rows; each model's synthetic p99 and maximum "
             "divided by the training rows' (issue 32's Must: p99 within 10%, maximum at least 0.8×). The last "
             "column is how often a sample of as many rows drawn from the training rows themselves (1,000 "
             "draws with replacement) meets each half of the Must: the most a model that learned the training "
             "distribution exactly can be expected to.", "",
             header + " |", "|" + "---|" * (header.count("|"))]
    for table, results in tail_rows:
        train = frames[table][0]
        for column in heavy_tailed(train):
            real = train[column].dropna().astype(float)
            cells = []
            for m in models:
                ratios = [r["tails"][column] for r in results.get(m, [])]
                cells += [summary([q for q, _ in ratios], ".2f"), summary([x for _, x in ratios], ".2f")]
            # As many values as the synthetic rows hold present ones, at the training rows' missing share.
            n_values = round(max(len(train), len(frames[table][1])) * len(real) / len(train))
            p99_share, max_share = resampled_tail_shares(real.to_numpy(), n_values)
            cells.append(f"{100 * p99_share:.0f}% / {100 * max_share:.0f}%")
            lines.append(f"| {table} | {column} | {real.quantile(0.99):,.4g} / {real.max():,.4g} | " + " | ".join(cells) + " |")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", nargs="+", choices=list(TABLES), help="shared tables only, these ones")
    parser.add_argument("--shared-only", action="store_true")
    parser.add_argument("--suite-only", action="store_true")
    parser.add_argument("--suite-tables", nargs="+", choices=[table_name(p, i) for p, i, _ in SUITE],
                        help="these tables of the suite only (with --suite-only)")
    parser.add_argument("--no-fixed", action="store_true", help="skip the fixed-budget model (the slowest)")
    parser.add_argument("--no-extras", action="store_true", help="no Adult subsamples or tail tables")
    parser.add_argument("--extras-only", action="store_true", help="only the Adult subsamples and tail tables")
    parser.add_argument("--models", nargs="+", choices=MODELS, help="these models only (default: all there are)")
    parser.add_argument("--cart-python", help="the CART environment's python (default: $SKGEN_CART_PYTHON)")
    parser.add_argument("--argn-python", help="the TabularARGN environment's python (default: $SKGEN_ARGN_PYTHON)")
    parser.add_argument("--seeds", nargs="+", type=int, default=list(SEEDS),
                        help="model, sample and detector seeds (default: 0 1 2)")
    parser.add_argument("--split-seeds", nargs="+", type=int, default=[0],
                        help="80/20 splits of each table (default: 0, the usual one)")
    parser.add_argument("--force", action="store_true", help="run even if the machine is busy")
    parser.add_argument("--output", default=RESULTS.name, help="file name under benchmarks/results/")
    args = parser.parse_args()
    load_before = check_quiet(args.force)
    timed_judge()
    started = time.perf_counter()
    for kind, path in (("cart", args.cart_python), ("argn", args.argn_python)):
        if anchor_python(kind, path):
            ANCHOR_PYTHON[kind] = anchor_python(kind, path)
    models = [m for m in (args.models or MODELS) if (m != "fixed" or not args.no_fixed)
              and (m not in ("cart", "argn") or m in ANCHOR_PYTHON)]
    rows, frames = [], {}
    for table, loader in tables(args):
        train, test = loader()
        # The fixed budget (the slowest model) on the shared tables only: the figures before this change.
        results = {m: [guarded(run_model, m, train, test, seed, target_of(table)) for seed in args.seeds] for m in models
                   if m != "fixed" or base_name(table) in TABLES}
        results = {m: [r for r in runs if r is not None] for m, runs in results.items()}
        rows.append((table, f"{len(train):,} × {train.shape[1]}", results))
        print(table, {m: round(float(np.mean([r["detection"] for r in v])), 3) for m, v in results.items() if v},
              flush=True)
        frames[table] = (train, test)
        report(rows, models, args, load_before, started, frames)


if __name__ == "__main__":
    main()

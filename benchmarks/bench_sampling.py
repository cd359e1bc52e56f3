"""How fast a fitted GANSampler draws rows: Adult, the defaults, one thread.

Issue 32 asks for at least 150,000 rows/s on Adult. For each of three seeds
the defaults are fitted on Adult's 80% (one torch thread) by a fresh process
and saved; a fresh process loads the model and times ``sample(n_rows)`` once
for each of 10,000, 200,000 and 1,000,000 rows (a fresh ``random_state``
each time, after one warm-up draw), three times. With ``--before REV`` that
commit's code (checked out in a temporary git worktree) fits and times its
own model the same way (a model saved by newer code need not load in older
code), the two trees taking turns, so that both see the same machine.
Reported: rows per second, the median of the three timings and their
range, by seed and tree.

    python benchmarks/bench_sampling.py                      # ~3 min
    python benchmarks/bench_sampling.py --before 15fba80     # ~6 min
    python benchmarks/bench_sampling.py --seeds 0            # one fit

Results in ``benchmarks/results/sampling.md``.
"""

import argparse
import datetime
import json
import pickle
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    check_quiet,
    environment_line,
    load_sentence,
    machine_load,
    median,
    run_in_tree,
    trees_to_compare,
    write_results,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "sampling.md"
SIZES = (10_000, 200_000, 1_000_000)
REPEATS = 3


def time_model(model_path, repeat):
    """(In a fresh process) rows per second of one ``sample(n)`` per size, after a warm-up draw."""
    import torch

    import skgen

    torch.set_num_threads(1)
    with open(model_path, "rb") as file:
        sampler = pickle.load(file)
    sampler.sample(1_000, random_state=0)
    out = {}
    for n_rows in SIZES:
        start = time.perf_counter()
        sampler.sample(n_rows, random_state=repeat + 1)
        out[n_rows] = n_rows / (time.perf_counter() - start)
    return {"skgen": skgen.__file__, "rates": out}


def fit_model(model_path, seed):
    """(In a fresh process) fit the defaults on Adult's training rows and save them; the fit seconds."""
    import torch

    import skgen
    from bench_tabular import load_table
    from skgen import GANSampler

    torch.set_num_threads(1)
    train, _ = load_table("adult")
    start = time.perf_counter()
    sampler = GANSampler(random_state=seed, n_threads=1).fit(train)
    seconds = time.perf_counter() - start
    with open(model_path, "wb") as file:
        pickle.dump(sampler, file)
    return {"skgen": skgen.__file__, "seconds": seconds, "rows": len(train)}


def timed_in(tree, model_path, repeat):
    """:func:`time_model` run by the code of ``tree``."""
    answer = run_in_tree(tree, __file__, "--time-model", model_path, repeat)
    return {int(n): rate for n, rate in answer["rates"].items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--before", help="a git revision whose code fits and times its own models beside this tree's")
    parser.add_argument("--force", action="store_true", help="run even if the machine is busy")
    parser.add_argument("--output", default=RESULTS.name, help="file name under benchmarks/results/")
    parser.add_argument("--time-model", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--fit-model", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.time_model or args.fit_model:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if args.fit_model:
                print(json.dumps(fit_model(args.fit_model[0], int(args.fit_model[1]))))
            else:
                print(json.dumps(time_model(args.time_model[0], int(args.time_model[1]))))
        return
    load_before = check_quiet(args.force)
    started = time.perf_counter()

    rows = []
    with trees_to_compare(ROOT, args.before) as trees, tempfile.TemporaryDirectory() as scratch:
        for seed in args.seeds:
            fitted = {}
            for k, name in enumerate(trees):
                model_path = Path(scratch) / f"adult_{seed}_{k}.pkl"
                fitted[name] = (model_path, run_in_tree(trees[name], __file__, "--fit-model", model_path, seed))
            measured = {name: {n: [] for n in SIZES} for name in trees}
            for repeat in range(REPEATS):
                # The trees take turns, first one then the other leading, so that both see the same machine.
                order = list(trees) if repeat % 2 == 0 else list(trees)[::-1]
                for name in order:
                    for n_rows, rate in timed_in(trees[name], fitted[name][0], repeat).items():
                        measured[name][n_rows].append(rate)
            for name in trees:
                fit_s = fitted[name][1]["seconds"]
                rows.append((seed, name, fit_s, measured[name]))
                print(seed, name, f"fit {fit_s:.1f} s", {n: [round(r) for r in v] for n, v in measured[name].items()},
                      flush=True)
    n_train = fitted[name][1]["rows"]

    header = " | ".join(f"{n:,} rows: rows/s (range)" for n in SIZES)
    command = "python benchmarks/bench_sampling.py" + (f" --before {args.before}" if args.before else "")
    lines = [
        "# Sampling speed on Adult",
        "",
        f"`{command}` on {datetime.date.today().isoformat()}; {environment_line()}.",
        "",
        f"`GANSampler(random_state=seed, n_threads=1)` fitted on Adult's {n_train:,} training rows (one torch "
        "thread) by each code tree and saved; a fresh process of the same tree loads it and times `sample(n)` "
        "once per size after a warm-up draw, "
        f"{REPEATS} times (the code trees taking turns): the median rows/s and the range.",
        "",
        f"| seed | code | fit s | {header} |",
        "|---|---|---:|" + "---:|" * len(SIZES),
    ]
    for seed, name, fit_s, measured in rows:
        cells = " | ".join(
            f"{median(v):,.0f} ({min(v):,.0f}-{max(v):,.0f})" for v in (measured[n] for n in SIZES)
        )
        lines.append(f"| {seed} | {name} | {fit_s:.1f} | {cells} |")
    lines += ["", load_sentence(load_before, machine_load(), time.perf_counter() - started)]
    write_results(RESULTS.with_name(args.output), lines)
    print("wrote", RESULTS.with_name(args.output))


if __name__ == "__main__":
    main()

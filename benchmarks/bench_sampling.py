"""How fast a fitted GANSampler draws rows: Adult, the defaults, one thread.

Issue 32 asks for at least 150,000 rows/s on Adult. For each of three seeds
the defaults are fitted on Adult's 80% (one torch thread), then
``sample(n_rows)`` is timed three times for each of 10,000, 200,000 and
1,000,000 rows (a fresh ``random_state`` each time, after one warm-up
draw). Reported: rows per second, the median of the three timings and their
range, by seed.

    python benchmarks/bench_sampling.py            # ~3 min
    python benchmarks/bench_sampling.py --seeds 0  # one fit

Results in ``benchmarks/results/sampling.md``.
"""

import argparse
import datetime
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import check_quiet, environment_line, load_sentence, machine_load, median, write_results  # noqa: E402
from bench_tabular import load_table  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "sampling.md"
SIZES = (10_000, 200_000, 1_000_000)


def rates(sampler, n_rows, repeats=3):
    """Rows per second of ``repeats`` draws of ``n_rows`` rows."""
    out = []
    for rep in range(repeats):
        start = time.perf_counter()
        sampler.sample(n_rows, random_state=rep + 1)
        out.append(n_rows / (time.perf_counter() - start))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--force", action="store_true", help="run even if the machine is busy")
    parser.add_argument("--output", default=RESULTS.name, help="file name under benchmarks/results/")
    args = parser.parse_args()
    load_before = check_quiet(args.force)
    started = time.perf_counter()

    import torch

    from skgen import GANSampler

    torch.set_num_threads(1)
    train, _ = load_table("adult")
    rows = []
    for seed in args.seeds:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            sampler = GANSampler(random_state=seed, n_threads=1).fit(train)
            fit_s = time.perf_counter() - start
            sampler.sample(1_000, random_state=0)  # warm-up
            measured = {n: rates(sampler, n) for n in SIZES}
        rows.append((seed, fit_s, measured))
        print(seed, f"fit {fit_s:.1f} s", {n: [round(r) for r in v] for n, v in measured.items()}, flush=True)

    header = " | ".join(f"{n:,} rows: rows/s (range)" for n in SIZES)
    lines = [
        "# Sampling speed on Adult",
        "",
        f"`python benchmarks/bench_sampling.py` on {datetime.date.today().isoformat()}; {environment_line()}.",
        "",
        f"`GANSampler(random_state=seed, n_threads=1)` fitted on Adult's {len(train):,} training rows (one torch "
        "thread); `sample(n)` timed three times per size after a warm-up draw: the median rows/s and the range.",
        "",
        f"| seed | fit s | {header} |",
        "|---|---:|" + "---:|" * len(SIZES),
    ]
    for seed, fit_s, measured in rows:
        cells = " | ".join(
            f"{median(v):,.0f} ({min(v):,.0f}-{max(v):,.0f})" for v in (measured[n] for n in SIZES)
        )
        lines.append(f"| {seed} | {fit_s:.1f} | {cells} |")
    lines += ["", load_sentence(load_before, machine_load(), time.perf_counter() - started)]
    write_results(RESULTS.with_name(args.output), lines)
    print("wrote", RESULTS.with_name(args.output))


if __name__ == "__main__":
    main()

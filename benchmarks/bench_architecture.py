"""Before/after check of a refactor: fixed-seed outputs and fit figures.

Runs the same fits with two versions of skgen, each in its own process with
one torch thread: the version at ``--before`` (a git ref, checked out into a
temporary worktree) and the working tree. For each case it reports fit
time, a quality figure and a SHA-256 digest of the fixed-seed output, so
"bit-identical" and "within noise" are measured side by side in one run.

    python benchmarks/bench_architecture.py --before 66f7478
    python benchmarks/bench_architecture.py --before 66f7478 --quick   # small cases only

Writes ``benchmarks/results/architecture.md`` (not with ``--quick``).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_results  # noqa: E402

CHILD = r'''
import hashlib, json, sys, time, warnings
import numpy as np, pandas as pd
warnings.filterwarnings("ignore")
sys.path.insert(0, sys.argv[2])
from _common import load_digits_split, SHARED, write_results
from skgen import AutoencoderTransformer, GANSampler
from skgen.metrics import quality_score

def digest(*arrays):
    h = hashlib.sha256()
    for a in arrays:
        if isinstance(a, pd.DataFrame):
            h.update(pd.util.hash_pandas_object(a, index=False).values.tobytes())
            h.update(str(list(a.dtypes)).encode())
        else:
            h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:16]

def adult(n=None):
    frame = pd.read_csv(SHARED / "adult.csv")
    frame = frame.sample(frac=1.0, random_state=0).reset_index(drop=True)
    cut = int(0.8 * len(frame))
    train, test = frame.iloc[:cut], frame.iloc[cut:]
    return (train if n is None else train.iloc[:n]), test

STEP_EPOCHS = int(sys.argv[3])

def timed(fn):
    start = time.perf_counter(); out = fn(); return out, time.perf_counter() - start

case = sys.argv[1]
result = {"case": case}
if case.startswith("ae"):
    Xtr, Xte, ytr, yte = load_digits_split()
    epochs = 5 if case == "ae-quick" else 100
    ae, t = timed(lambda: AutoencoderTransformer(n_components=8, max_epochs=epochs, n_threads=1, random_state=0).fit(Xtr))
    result.update(fit_s=t, quality=f"test MSE {-ae.score(Xte):.5f}", digest=digest(ae.transform(Xte)))
    ae2 = AutoencoderTransformer(n_components=8, max_epochs=epochs, supervision="auto", n_threads=1, random_state=0).fit(Xtr, ytr)
    result["digest"] += "/" + digest(ae2.transform(Xte))
elif case == "table-dp":
    train, test = adult(3000)
    gan, t = timed(lambda: GANSampler(max_epochs=3, dp_epsilon=5.0, n_threads=1, random_state=0).fit(train))
    synthetic = gan.sample(1000, random_state=0)
    result.update(fit_s=t, quality=f"quality {quality_score(test, synthetic):.4f}, eps {gan.dp_epsilon_:.3f}",
                  digest=digest(synthetic))
elif case == "table-steps":
    train, test = adult()
    gan, t = timed(lambda: GANSampler(max_epochs=10, n_threads=1, random_state=0).fit(train))
    result.update(fit_s=t, quality=f"{t / 10:.2f} s/epoch", digest=digest(gan.sample(100, random_state=0)))
elif case.startswith("steps-"):
    from bench_tabular import load_table
    train, test = load_table(case[len("steps-"):])
    gan, t = timed(lambda: GANSampler(max_epochs=STEP_EPOCHS, early_stopping=False, n_threads=1,
                                      random_state=0).fit(train))
    durations = [row["dur"] for row in gan.history_][1:]  # (the first epoch warms up)
    per_step = sum(durations) / len(durations) / (len(train) // gan.batch_size_)
    result.update(fit_s=t, quality=f"{1000 * per_step:.1f} ms/step", digest=digest(gan.sample(100, random_state=0)))
elif case.startswith("table"):
    epochs = 3 if case == "table-quick" else 100
    train, test = adult(2000 if case == "table-quick" else None)
    gan, t = timed(lambda: GANSampler(max_epochs=epochs, n_threads=1, random_state=0).fit(train))
    synthetic = gan.sample(len(test), random_state=0)
    result.update(fit_s=t, quality=f"quality {quality_score(test, synthetic):.4f}",
                  digest=digest(synthetic, gan.sample(50, conditions={"sex": " Female"}, random_state=1)))
elif case.startswith("image"):
    Xtr, Xte, ytr, yte = load_digits_split()
    epochs = 2 if case == "image-quick" else 60
    images = Xtr.reshape(-1, 8, 8)
    gan, t = timed(lambda: GANSampler(max_epochs=epochs, n_threads=1, random_state=0).fit(images, ytr))
    result.update(fit_s=t, quality=f"score {gan.score(Xte.reshape(-1, 8, 8), yte):.3f}",
                  digest=digest(gan.sample(64, y=3, random_state=0)))
print("RESULT " + json.dumps(result))
'''

QUICK = ["ae-quick", "table-quick", "table-dp", "image-quick"]
STEPS = [f"steps-{name}" for name in ("wage", "credit", "attrition", "email", "ames")]
FULL = ["ae", "table", "table-dp", "image", "table-steps"]
CASES = {"quick": QUICK, "full": FULL, "steps": STEPS}
STEP_EPOCHS = 30  # epochs of the steps-<table> cases
REPEATS = {"table-steps": 3, **{case: 3 for case in STEPS}}  # alternating before/after; the median is reported


def run_case(source, case):
    env = dict(os.environ, PYTHONPATH=str(source), OMP_NUM_THREADS="1", PYTHONHASHSEED="0")
    done = subprocess.run(
        [sys.executable, "-c", CHILD, case, str(ROOT / "benchmarks"), str(STEP_EPOCHS)],
        env=env, capture_output=True, text=True, cwd=tempfile.gettempdir(),
    )
    line = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")]
    if not line:
        raise RuntimeError(f"{case} failed under {source}:\n{done.stderr[-3000:]}")
    return json.loads(line[0][len("RESULT "):])


def _median_run(results):
    """The run with the median fit time (all runs must give the same digest)."""
    results = sorted(results, key=lambda r: r["fit_s"])
    middle = dict(results[len(results) // 2])
    if len(results) > 1:
        middle["fit_s_all"] = [round(r["fit_s"], 1) for r in results]
        if len({r["digest"] for r in results}) != 1:
            middle["digest"] = "varied between runs"
    return middle


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="git ref of the version to compare against")
    parser.add_argument("--quick", action="store_true", help="small cases only; prints, writes nothing")
    parser.add_argument("--cases", choices=["full", "steps"], default="full",
                        help="steps: the training step's time on the shared tables of at most 5,000 rows")
    parser.add_argument("--output", default="architecture.md", help="file name under benchmarks/results/")
    args = parser.parse_args()
    from _common import machine_load

    with tempfile.TemporaryDirectory() as tmp:
        worktree = Path(tmp) / "before"
        subprocess.run(["git", "worktree", "add", "--detach", str(worktree), args.before], cwd=ROOT, check=True,
                       capture_output=True)
        try:
            load_before = machine_load()
            rows = []
            for case in QUICK if args.quick else CASES[args.cases]:
                runs = [(run_case(worktree, case), run_case(ROOT, case)) for _ in range(REPEATS.get(case, 1))]
                before, after = (_median_run([r[i] for r in runs]) for i in (0, 1))
                rows.append((case, before, after))
                same = "yes" if before["digest"] == after["digest"] else "NO"
                print(f"{case:12s} fit {before['fit_s']:7.1f} s -> {after['fit_s']:7.1f} s | "
                      f"{before['quality']} -> {after['quality']} | identical output: {same}", flush=True)
            load_after = machine_load()
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, capture_output=True)
    if args.quick:
        return
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    lines = [
        "# Training step: before and after" if args.cases == "steps" else "# Architecture refactor: before and after",
        "",
        f"`python benchmarks/bench_architecture.py --before {args.before}"
        + (f" --cases {args.cases}" if args.cases != "full" else "")
        + (f" --output {args.output}" if args.output != "architecture.md" else "")
        + f"`: the version at `{args.before}` and "
        f"the working tree (HEAD `{head.strip()}`), each case in its own process, one torch thread, "
        "alternating before/after. Load average {:.2f} at the start, {:.2f} at the end.".format(
            load_before[0], load_after[0]),
        "",
        "| case | fit s before | fit s after | quality before | quality after | fixed-seed output identical |",
        "|---|---|---|---|---|---|",
    ]
    for case, before, after in rows:
        same = "yes" if before["digest"] == after["digest"] else "no"
        lines.append(f"| {case} | {before['fit_s']:.1f} | {after['fit_s']:.1f} | {before['quality']} | "
                     f"{after['quality']} | {same} |")
    lines += [
        "",
        "Cases: `ae` digits, 8 codes, 100 epochs (plus a supervised fit for the digest); `table` Adult 80/20, "
        "100 epochs, quality on the held-out 20%; `table-dp` 3,000 Adult rows, 3 epochs, dp_epsilon=5; "
        "`image` digits as 8x8 images with labels, 60 epochs, score = minus the PCA Fréchet distance; "
        "`table-steps` Adult, 10 epochs; `steps-<table>` the shared table's 80% (as `bench_tabular.py` splits it), "
        f"{STEP_EPOCHS} epochs, no judging, time per training step over the epochs after the first. "
        "Cases with repeats: three alternating before/after runs, the median shown (all runs: "
        + "; ".join(f"{c} before {b['fit_s_all']} s, after {a['fit_s_all']} s" for c, b, a in rows if "fit_s_all" in b)
        + ").",
    ]
    out = ROOT / "benchmarks" / "results" / args.output
    write_results(out, lines)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

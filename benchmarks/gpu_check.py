"""One short check on a GPU machine: CUDA tests, then CPU vs GPU fit times.

1. Runs the test suite's CUDA tests (``tests/test_cuda.py``), which skip
   where no GPU exists.
2. Times ``AutoencoderTransformer`` on MNIST-size data (8,000 x 784; the
   MNIST test images from ``../shared/datasets`` when present, else random
   data of that shape) and ``GANSampler`` on Adult (or a synthetic table of
   its shape), each on the CPU and on the GPU, with the same epochs.

Meant to finish in well under 10 minutes::

    python benchmarks/gpu_check.py             # writes benchmarks/results/gpu.md

On a machine without CUDA it says so and exits with status 0.
"""

import datetime
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SHARED, environment_line, write_results  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "gpu.md"


def mnist_like():
    try:
        from _common import load_mnist_split

        return load_mnist_split()[0]
    except (FileNotFoundError, OSError):
        return np.random.RandomState(0).uniform(size=(8000, 784)).astype(np.float32)


def adult_like():
    path = SHARED / "adult.csv"
    if path.exists():
        return pd.read_csv(path, skipinitialspace=True)
    rng = np.random.RandomState(0)
    n = 32_000
    return pd.DataFrame({
        "age": rng.randint(17, 90, n), "hours": rng.randint(1, 99, n), "gain": rng.exponential(1000, n),
        "education": rng.choice(["hs", "college", "masters", "phd"], n), "income": rng.choice(["<=50K", ">50K"], n),
    })


def timed_fit(make, data, device):
    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    model = make(device).fit(data)
    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start, model


def main():
    if not torch.cuda.is_available():
        print("No CUDA device here: nothing to check (the CUDA tests skip, the timings need a GPU).")
        return 0
    from skgen import AutoencoderTransformer, GANSampler

    lines = ["# GPU check", "",
             f"Written by `benchmarks/gpu_check.py` on {datetime.date.today().isoformat()}. {environment_line()}; "
             f"GPU: {torch.cuda.get_device_name(0)}.", ""]
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_cuda.py"],
                           cwd=ROOT, capture_output=True, text=True)
    summary = tests.stdout.strip().splitlines()[-1] if tests.stdout.strip() else tests.stderr.strip()[-300:]
    print("CUDA tests:", summary, flush=True)
    lines += [f"CUDA tests (`tests/test_cuda.py`): {summary}", "",
              "| model | data | epochs | CPU fit s | GPU fit s | speed-up |", "|---|---|---:|---:|---:|---:|"]
    X = mnist_like()
    table = adult_like()
    jobs = [
        ("AutoencoderTransformer(n_components=8)", f"{X.shape[0]:,} x {X.shape[1]}", 20, X,
         lambda device: AutoencoderTransformer(n_components=8, max_epochs=20, device=device, random_state=0)),
        ("GANSampler", f"Adult, {len(table):,} rows", 10, table,
         lambda device: GANSampler(max_epochs=10, device=device, random_state=0)),
    ]
    for name, shape, epochs, data, make in jobs:
        timed_fit(lambda device: make(device).set_params(max_epochs=1), data, "cuda")  # CUDA start-up
        cpu_s, _ = timed_fit(make, data, "cpu")
        gpu_s, _ = timed_fit(make, data, "cuda")
        print(name, f"cpu {cpu_s:.1f} s, gpu {gpu_s:.1f} s", flush=True)
        lines.append(f"| {name} | {shape} | {epochs} | {cpu_s:.1f} | {gpu_s:.1f} | {cpu_s / gpu_s:.1f}x |")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    write_results(RESULTS, lines)
    print(f"wrote {RESULTS}")
    return 0 if tests.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

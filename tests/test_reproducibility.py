"""The same seed gives the same model: bit-identical results from fits in separate
processes, one of them beside another process that keeps a core busy."""

import subprocess
import sys
import time

import pytest

# Each estimator kind fitted with its defaults (n_threads left alone), then a digest of what it gives.
# The load the process sees is pinned to argv[1] busy cores, so that a default that followed the load
# would pick different thread counts in the two runs even where the real load of a test machine varies.
SCRIPT = r"""
import sys
from skgen._core import _threads
_threads.LoadProbe.others_busy_cores = lambda self: float(sys.argv[1])

import hashlib
import numpy as np
import pandas as pd
from sklearn.datasets import load_digits
from skgen import AutoencoderTransformer, GANSampler

def digest(array):
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()[:16]

rng = np.random.RandomState(0)
n = 1500
x = rng.normal(size=n)
table = pd.DataFrame({"x": x, "y": np.exp(x + rng.normal(size=n)), "c": np.where(x > 0, "a", "b"),
                      "k": rng.randint(0, 30, n)})
rows = GANSampler(max_epochs=2, batch_size=500, random_state=0).fit(table).sample(1000, random_state=1)
print("table", digest(rows[["x", "y", "k"]].to_numpy(dtype=float)), digest(rows["c"].to_numpy().astype("U1")))

digits = load_digits()
images = GANSampler(max_epochs=2, batch_size=256, random_state=0).fit(digits.images[:512], digits.target[:512])
print("image", digest(images.sample(200, y=3, random_state=1)))

codes = AutoencoderTransformer(n_components=8, max_epochs=3, batch_size=512, random_state=0).fit_transform(
    digits.data / 16.0)
print("autoencoder", digest(codes))
"""


def _run(busy):
    spinner = None
    if busy:
        spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        time.sleep(0.5)
    try:
        result = subprocess.run([sys.executable, "-c", SCRIPT, "1" if busy else "0"], capture_output=True, text=True,
                                timeout=300)
    finally:
        if spinner is not None:
            spinner.kill()
            spinner.wait()
    assert result.returncode == 0, result.stderr
    return dict(line.split(" ", 1) for line in result.stdout.strip().splitlines())


@pytest.fixture(scope="module")
def runs():
    return _run(busy=False), _run(busy=True)


@pytest.mark.parametrize("kind", ["table", "image", "autoencoder"])
def test_the_same_seed_gives_bit_identical_results_across_processes_and_load(runs, kind):
    quiet, busy = runs
    assert quiet[kind] == busy[kind]

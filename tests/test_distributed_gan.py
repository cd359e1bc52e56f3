"""GANSampler trained on two CPU processes (torchrun, gloo) through Accelerate's process state."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skgen import GANSampler

pytest.importorskip("accelerate")

SCRIPT = Path(__file__).with_name("_distributed_fit.py")
sys.path.insert(0, str(SCRIPT.parent))
from _distributed_fit import table as _table  # noqa: E402


def _run(tmp_path, mode, epochs, processes):
    """Each process's report of a fit in ``processes`` processes (1: a plain ``python`` run)."""
    out = tmp_path / f"{Path(mode).stem}-{processes}"
    out.mkdir()
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    if processes == 1:
        command = [sys.executable, str(SCRIPT)]
    else:
        torchrun = shutil.which("torchrun", path=str(Path(sys.executable).parent)) or shutil.which("torchrun")
        command = [torchrun, "--standalone", "--nproc_per_node", str(processes), str(SCRIPT)]
    done = subprocess.run([*command, str(out), mode, str(epochs)], env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads((out / f"process{i}.json").read_text()) for i in range(processes)]


# The table runs on every commit; the other modes (10 s each: two processes, a rendezvous) in CI's slow set.
@pytest.mark.parametrize(
    "mode", ["table", *(pytest.param(m, marks=pytest.mark.slow) for m in ("unseeded", "image", "stream"))]
)
def test_two_processes_split_each_step_and_end_identical(tmp_path, mode):
    if mode == "stream":  # the table streamed from a Parquet file by each process
        pytest.importorskip("pyarrow")
        mode = str(tmp_path / "table.parquet")
        _table(2000, 0).to_parquet(mode)
    first, second = _run(tmp_path, mode, 3, 2)
    for report in (first, second):
        assert report["n_processes"] == 2
        # Each process draws half of every step's batch; the epoch keeps one process's steps.
        assert report["batch_rows"] == ([8] if mode == "image" else [100])
        assert report["steps"] == report["expected_steps"]
    # Averaged gradients keep both networks, the moving average and the samples equal everywhere
    # (unseeded too: every process fits on the first process's seed).
    for key in ("generator", "ema", "critic", "sample"):
        assert np.allclose(first[key], second[key], rtol=0, atol=1e-6), key
    if mode.endswith(".parquet"):
        # Each process encodes every other row of each buffer: the two shares are the table, each pass.
        x = np.sort(_table(2000, 0)["x"].to_numpy())
        for a, b in zip(np.split(np.array(first["encoded_x"]), 3), np.split(np.array(second["encoded_x"]), 3)):
            assert len(a) == len(b) == 1000
            assert np.array_equal(np.sort(np.concatenate([a, b])), x)


@pytest.mark.slow
def test_two_processes_learn_as_well_as_one(tmp_path):
    (one,) = _run(tmp_path, "table", 60, 1)
    two = _run(tmp_path, "table", 60, 2)[0]
    (untrained,) = _run(tmp_path, "untrained", 1, 1)
    assert one["n_processes"] == 1 and one["batch_rows"] == [200]
    print("quality: one process", one["quality"], "two", two["quality"], "untrained", untrained["quality"])
    assert one["quality"] > untrained["quality"] + 0.1
    assert abs(two["quality"] - one["quality"]) < 0.03


def test_accelerator_clashes_and_bad_options_are_named():
    frame = pd.DataFrame({"x": np.arange(40.0), "g": ["a", "b"] * 20})
    with pytest.raises(ValueError, match="accelerator cannot be combined with dp_epsilon"):
        GANSampler(accelerator=True, dp_epsilon=1.0, max_epochs=1).fit(frame)
    with pytest.raises(ValueError, match=r"accelerator has unknown option\(s\) \['no_such_option'\]"):
        GANSampler(accelerator={"no_such_option": 1}, max_epochs=1).fit(frame)

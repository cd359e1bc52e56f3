"""Thread-count decisions of skgen._core._threads."""

import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from skgen import AutoencoderTransformer
from skgen._core._threads import LoadProbe, ThreadGovernor, adaptive_thread_count, usable_cpus


class FixedProbe:
    def __init__(self, busy):
        self.busy = busy

    def others_busy_cores(self):
        return self.busy


def test_usable_cpus_respects_omp_num_threads(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert usable_cpus() == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "not-a-number")
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    assert usable_cpus() >= 1


@pytest.mark.parametrize("busy, expected", [(0.0, 4), (0.2, 4), (1.0, 3), (2.9, 1), (3.9, 1), (10.0, 1)])
def test_adaptive_count_leaves_busy_cores_alone(monkeypatch, busy, expected):
    monkeypatch.setattr("skgen._core._threads.usable_cpus", lambda: 4)
    assert adaptive_thread_count(probe=FixedProbe(busy)) == expected


def test_adaptive_count_on_two_cores_drops_to_one_when_one_is_busy(monkeypatch):
    monkeypatch.setattr("skgen._core._threads.usable_cpus", lambda: 2)
    assert adaptive_thread_count(probe=FixedProbe(0.0)) == 2
    assert adaptive_thread_count(probe=FixedProbe(0.5)) == 1
    assert adaptive_thread_count(probe=FixedProbe(1.0)) == 1


def test_governor_sets_and_restores():
    before = torch.get_num_threads()
    with ThreadGovernor(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with ThreadGovernor(-1):
        assert torch.get_num_threads() == usable_cpus()
    assert torch.get_num_threads() == before


def test_governor_restores_after_an_error():
    before = torch.get_num_threads()
    with pytest.raises(RuntimeError):
        with ThreadGovernor(1):
            raise RuntimeError("boom")
    assert torch.get_num_threads() == before


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_probe_sees_a_busy_process():
    """A process spinning on a core shows up as about one busy core."""
    probe = LoadProbe()
    probe.others_busy_cores()
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.6)  # let it start, then measure over a fresh window
        probe.others_busy_cores()
        time.sleep(0.4)
        busy = probe.others_busy_cores()
    finally:
        spinner.kill()
        spinner.wait()
    assert busy >= 0.6


@pytest.fixture
def applied_counts(monkeypatch):
    """The thread counts the governor applies; the adaptive policy pinned to 1 thread."""
    seen = []
    monkeypatch.setattr("skgen._core._threads.adaptive_thread_count", lambda: 1)
    original = ThreadGovernor._apply

    def spy(self, n):
        seen.append(n)
        original(self, n)

    monkeypatch.setattr(ThreadGovernor, "_apply", spy)
    return seen


def test_adaptive_fit_follows_the_governor(digits, monkeypatch, applied_counts):
    """With n_threads="adaptive" the fit runs at the adaptive count, re-checked each epoch."""
    seen = applied_counts
    monkeypatch.setattr(ThreadGovernor, "update", lambda self: self._apply(self._decide()))
    AutoencoderTransformer(n_components=2, max_epochs=3, random_state=0, n_threads="adaptive").fit(digits[0][:200])
    # one decision on entry plus one per epoch
    assert seen[:4] == [1, 1, 1, 1]
    assert np.isfinite(seen).all()


def test_the_default_thread_count_ignores_the_load(digits, monkeypatch, applied_counts):
    """With n_threads=None the fit runs on every usable CPU whatever the load (a seeded fit repeats)."""
    seen = applied_counts
    monkeypatch.setattr("skgen._core._threads.usable_cpus", lambda: 3)
    AutoencoderTransformer(n_components=2, max_epochs=3, random_state=0).fit(digits[0][:200])
    assert seen and set(seen) == {3}
    assert AutoencoderTransformer().__sklearn_tags__().non_deterministic is False
    assert AutoencoderTransformer(n_threads="adaptive").__sklearn_tags__().non_deterministic is True

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits


@pytest.fixture(autouse=True)
def _seed_everything():
    """Make each test independent of the order tests run in."""
    np.random.seed(0)
    torch.manual_seed(0)


@pytest.fixture(scope="session")
def digits():
    """Digits scaled to [0, 1]: (X float64 of shape (1797, 64), y)."""
    data = load_digits()
    return data.data / 16.0, data.target


# tests/data holds fixture files and the script that wrote them, not tests.
collect_ignore_glob = ["data/*"]

"""Model files and pickles written by skgen 0.1 (before the package's
re-layout) still load, and give the outputs they gave then.

``tests/data/v0_1/make_files.py`` wrote the files with skgen at commit
66f7478; the expected outputs were computed by that version.
"""

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits

import skgen

DATA = Path(__file__).parent / "data" / "v0_1"


@pytest.fixture(scope="module")
def digits():
    return load_digits().data[:200] / 16.0


def _load(name):
    if name.endswith(".pkl"):
        with open(DATA / name, "rb") as f:
            return pickle.load(f)
    return skgen.load(DATA / name)


@pytest.mark.parametrize("name", ["gan_table.skgen", "gan_table.pkl"])
def test_table_samplers_of_0_1_sample_as_they_did(name):
    sampler = _load(name)
    expected = pd.read_pickle(DATA / "gan_table_sample.pkl")
    # (The column labels' own dtype depends on whether pandas has pyarrow here.)
    pd.testing.assert_frame_equal(sampler.sample(20, random_state=3), expected, check_column_type=False)
    assert sampler.discrete_columns_ and sampler.fitted_on_array_ is False
    assert sampler.get_params()["data_kind"] == "auto"


@pytest.mark.parametrize("name", ["autoencoder.skgen", "autoencoder.pkl"])
def test_autoencoders_of_0_1_encode_as_they_did(name, digits):
    # To float32 rounding: the thread count (adaptive by default) changes the order of the sums.
    np.testing.assert_allclose(
        _load(name).transform(digits[:20]), np.load(DATA / "autoencoder_codes.npy"), rtol=1e-5, atol=1e-6
    )


def test_image_samplers_of_0_1_sample_as_they_did():
    sampler = _load("gan_image.skgen")
    np.testing.assert_allclose(  # to float32 rounding, as above
        sampler.sample(4, y=2, random_state=3), np.load(DATA / "gan_image_sample.npy"), rtol=1e-5, atol=1e-6
    )

"""Training through Hugging Face Accelerate (skorch's AccelerateMixin), on the CPU."""

import pickle

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA

from skgen import AutoencoderTransformer

pytest.importorskip("accelerate")


@pytest.fixture(scope="module")
def X():
    return load_digits().data / 16.0


def test_accelerated_fit_runs_the_accelerate_code_path(X):
    model = AutoencoderTransformer(n_components=4, max_epochs=5, accelerator={"cpu": True}, random_state=0)
    model.fit(X)
    net = model.net_
    assert type(net).__name__ == "AcceleratedAutoencoderNet"
    assert net.accelerator.device.type == "cpu" and model.device_ == "cpu"
    codes = model.transform(X)
    assert codes.shape == (len(X), 4) and np.isfinite(codes).all()
    pca = PCA(n_components=4).fit(X)
    pca_mse = np.mean((pca.inverse_transform(pca.transform(X)) - X) ** 2)
    assert -model.score(X) < pca_mse  # trained from the PCA start, and better than it
    assert pickle.loads(pickle.dumps(model)).transform(X[:5]).shape == (5, 4)


def test_accelerator_clashes_are_named(X):
    with pytest.raises(ValueError, match="accelerator cannot be combined with supervision"):
        AutoencoderTransformer(accelerator=True, supervision="classification", max_epochs=1).fit(X, np.arange(len(X)) % 3)

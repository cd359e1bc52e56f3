"""AutoencoderTransformer.partial_fit: training on data that arrive in batches."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA

from skgen import AutoencoderTransformer


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    order = np.random.RandomState(0).permutation(len(X))
    X = X[order] / 16.0
    return X[:1400], X[1400:], y[order][:1400]


def _error(model, X):
    return np.mean((model.inverse_transform(model.transform(X)) - X) ** 2)


def test_the_first_batch_starts_at_its_pca(digits):
    train, test, _ = digits
    first = train[:300]
    model = AutoencoderTransformer(n_components=6, lr=1e-12, random_state=0).partial_fit(first)
    pca = PCA(6).fit(first)
    assert model.n_epochs_ == 1
    np.testing.assert_allclose(_error(model, test), _error(pca, test), rtol=1e-3)


def test_passes_over_batches_beat_pca_on_all_the_rows(digits):
    train, test, _ = digits
    rng = np.random.RandomState(0)
    model = AutoencoderTransformer(n_components=8, random_state=0)
    for _ in range(12):
        for batch in np.array_split(train[rng.permutation(len(train))], 7):
            model.partial_fit(batch)
    assert model.n_epochs_ == 84 and len(model.history_) == 84
    pca_error = _error(PCA(8).fit(train), test)
    assert _error(model, test) < 0.85 * pca_error
    codes = model.transform(train)
    assert codes.shape == (len(train), 8) and np.all(np.abs(codes.mean(0)) < 0.3)


def test_supervised_batches_and_wrong_batches(digits):
    train, _, labels = digits
    model = AutoencoderTransformer(n_components=4, supervision="classification", random_state=0)
    model.partial_fit(train[:700], labels[:700]).partial_fit(train[700:], labels[700:])
    assert model.n_epochs_ == 2 and model.supervision_ == "classification"
    with pytest.raises(ValueError, match="features"):
        model.partial_fit(train[:50, :10], labels[:50])
    with pytest.raises(ValueError, match="pass y the same way on every call"):
        AutoencoderTransformer(n_components=4, supervision="auto").partial_fit(train[:100]).partial_fit(train[:100], labels[:100])
    with pytest.raises(AttributeError, match="no attribute 'partial_fit'") as info:
        AutoencoderTransformer(embedding="umap").partial_fit(train[:100])
    assert "embedding='umap' needs the neighbourhood graph" in str(info.value.__cause__)
    assert not hasattr(AutoencoderTransformer(embedding="umap"), "partial_fit")



def test_dask_ml_incremental_trains_block_by_block(digits):
    # dask-ml's Incremental calls partial_fit once per block of a dask array, in order;
    # its partial_fit makes one more pass over the blocks.
    da = pytest.importorskip("dask.array")
    wrappers = pytest.importorskip("dask_ml.wrappers")
    train, test, _ = digits
    blocks = da.from_array(train, chunks=(200, train.shape[1]))
    model = AutoencoderTransformer(n_components=6, batch_size=25, random_state=0)
    wrapped = wrappers.Incremental(model, shuffle_blocks=False).fit(blocks)
    wrapped.partial_fit(blocks).partial_fit(blocks)
    fitted = wrapped.estimator_
    assert fitted.n_epochs_ == 3 * blocks.numblocks[0] == 21
    assert _error(fitted, test) < 0.85 * _error(PCA(6).fit(train), test)
    # dask-ml declares the input's width for the output of transform; the values are the model's codes.
    codes = wrapped.transform(da.from_array(test, chunks=(100, test.shape[1]))).compute()
    np.testing.assert_allclose(codes, fitted.transform(test), rtol=1e-5, atol=1e-6)

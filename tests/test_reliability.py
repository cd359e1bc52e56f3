"""Training that fails loudly, survives interruption and accepts skorch callbacks."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from skorch.callbacks import Callback, Checkpoint

from skgen import AutoencoderTransformer, GANSampler


class InterruptAt(Callback):
    """Simulates Ctrl-C during epoch ``epoch`` (1-based)."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_batch_begin(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise KeyboardInterrupt


@pytest.fixture(scope="module")
def X():
    return load_digits().data / 16.0


def test_divergence_stops_at_once_and_names_the_epoch(X):
    model = AutoencoderTransformer(n_components=2, lr=1e12, optimizer="sgd", max_epochs=50, random_state=0)
    with pytest.raises(ValueError, match=r"NaN or infinite in epoch \d+\. Lower lr"):
        model.fit(X * 1e6)
    assert not hasattr(model, "net_")


def test_keyboard_interrupt_leaves_a_usable_model_and_says_so(X):
    model = AutoencoderTransformer(n_components=2, max_epochs=20, callbacks=[InterruptAt(4)], random_state=0)
    with pytest.warns(UserWarning, match="interrupted after 3 of 20 epochs"):
        model.fit(X)
    assert model.n_epochs_ == 3
    assert np.isfinite(model.transform(X)).all()


def test_gan_interrupt_is_usable(X):
    frame = np.c_[X[:, :3], (X[:, 10] > 0.5)]
    sampler = GANSampler(max_epochs=10, batch_size=100, callbacks=[("stop", InterruptAt(2))], random_state=0)
    with pytest.warns(UserWarning, match="interrupted after 1 of 10 epochs"):
        sampler.fit(frame)
    assert sampler.sample(5).shape == (5, 4)


def test_early_stopping_is_not_reported_as_an_interruption(X):
    model = AutoencoderTransformer(n_components=2, max_epochs=200, early_stopping=True, patience=1,
                                   random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(X)
    assert model.n_epochs_ < 200


def test_checkpoint_callback_writes_files(X, tmp_path):
    checkpoint = Checkpoint(monitor=None, dirname=str(tmp_path), f_optimizer=None, f_history=None)
    AutoencoderTransformer(n_components=2, max_epochs=2, callbacks=[checkpoint], random_state=0).fit(X)
    assert (tmp_path / "params.pt").exists()


def test_bad_callbacks_are_named(X):
    with pytest.raises(TypeError, match="'callbacks' parameter .* must be a list of skorch callbacks"):
        AutoencoderTransformer(max_epochs=1, callbacks=["not a callback"]).fit(X)


def test_same_seed_same_results_with_and_without_n_jobs(X):
    """A seeded search gives the same scores sequentially and in joblib workers."""
    from sklearn.model_selection import GridSearchCV

    X_small = X[:400]
    grid = {"n_components": [2, 4]}
    model = AutoencoderTransformer(max_epochs=3, random_state=0)
    sequential = GridSearchCV(model, grid, cv=2, n_jobs=1).fit(X_small)
    parallel = GridSearchCV(model, grid, cv=2, n_jobs=2).fit(X_small)
    np.testing.assert_array_equal(sequential.cv_results_["mean_test_score"], parallel.cv_results_["mean_test_score"])
    np.testing.assert_array_equal(
        sequential.best_estimator_.transform(X_small), parallel.best_estimator_.transform(X_small)
    )


def test_same_seed_same_samples_and_codes(X):
    frame = np.c_[X[:300, :4], X[:300, 20] > 0.5]
    a = GANSampler(max_epochs=2, batch_size=100, random_state=1).fit(frame).sample(20, random_state=5)
    b = GANSampler(max_epochs=2, batch_size=100, random_state=1).fit(frame).sample(20, random_state=5)
    np.testing.assert_array_equal(a, b)
    codes = [AutoencoderTransformer(max_epochs=2, random_state=3).fit(X).transform(X) for _ in range(2)]
    np.testing.assert_array_equal(*codes)


class _ForwardDtypes(Callback):
    """The dtypes of the training forward passes' layer outputs."""

    def on_train_begin(self, net, **kwargs):
        self.dtypes_ = set()
        for layer in net.module_.modules():
            if isinstance(layer, torch.nn.Linear):
                layer.register_forward_hook(lambda module, args, out: self.dtypes_.add(out.dtype) if module.training else None)


@pytest.mark.parametrize("precision, dtype", [("bf16", torch.bfloat16), ("fp16", torch.float16), (None, torch.float32)])
def test_mixed_precision_trains_in_the_requested_precision(X, precision, dtype):
    """The autocast path runs on CPU too (it is meant for GPUs): the layers
    compute in the requested dtype, and quality stays close to float32."""
    probe = _ForwardDtypes()
    mixed = AutoencoderTransformer(n_components=4, max_epochs=5, precision=precision, random_state=0,
                                   callbacks=[probe]).fit(X)
    assert probe.dtypes_ == {dtype}
    full = AutoencoderTransformer(n_components=4, max_epochs=5, random_state=0).fit(X)
    assert np.isfinite(mixed.transform(X)).all()
    assert mixed.score(X) > 1.5 * full.score(X)  # scores are negative MSEs


def test_bad_precision(X):
    with pytest.raises(ValueError, match="precision"):
        AutoencoderTransformer(precision="fp8", max_epochs=1).fit(X)

"""What a user meets around a fit: progress, loss names, empty samples, input
mistakes named as such, batch sizes that fit the table, a fast import."""

import io
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from skgen import AutoencoderTransformer, GANSampler
from skgen._core._progress import EpochProgress

from .test_gan import FAST
from .test_tabular import mixed_frame


@pytest.fixture(scope="module")
def frame():
    return mixed_frame(300)


@pytest.fixture(scope="module")
def fitted(frame):
    return GANSampler(**FAST).fit(frame)


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def _fit_with_progress(stream, epochs):
    progress = EpochProgress({"generator": "generator_loss", "critic": "critic_loss"}, "GAN", file=stream)
    data = pd.DataFrame({"x": np.linspace(0, 1, 60), "c": ["a", "b"] * 30})
    GANSampler(max_epochs=epochs, batch_size=20, random_state=0, early_stopping=False, callbacks=[progress]).fit(data)
    return stream.getvalue()


def test_progress_writes_about_ten_plain_lines_off_a_terminal():
    text = _fit_with_progress(io.StringIO(), 37)
    lines = text.splitlines()
    assert 9 <= len(lines) <= 11 and "\r" not in text and "\x1b" not in text
    assert lines[-1].startswith("GAN: epoch 37/37 (100%); generator ") and ", critic " in lines[-1]


def test_progress_is_one_tqdm_bar_on_a_terminal():
    text = _fit_with_progress(_Terminal(), 5)
    assert "\r" in text and "5/5" in text and "critic" in text
    assert "GAN: epoch" not in text


def test_history_names_both_gan_losses(fitted):
    history = fitted.history_
    for key in ("generator_loss", "critic_loss"):
        epoch_means = history[:, key]
        assert len(epoch_means) == fitted.n_epochs_
        np.testing.assert_allclose(epoch_means[-1], np.mean(history[-1, "batches", :, key]), rtol=1e-6)
    np.testing.assert_allclose(history[:, "generator_loss"], history[:, "train_loss"], rtol=1e-6)


def test_history_splits_a_supervised_autoencoder_loss():
    rng = np.random.RandomState(0)
    X, y = rng.rand(120, 5), np.arange(120) % 3
    ae = AutoencoderTransformer(n_components=2, max_epochs=2, supervision="classification", random_state=0)
    history = ae.fit(X, y).history_
    total = history[-1, "train_loss"]
    parts = history[-1, "reconstruction_loss"] + ae.supervision_weight * history[-1, "head_loss"]
    np.testing.assert_allclose(parts, total, rtol=1e-5)


def test_sample_zero_returns_the_empty_shape(frame, fitted):
    empty = fitted.sample(0)
    assert isinstance(empty, pd.DataFrame) and len(empty) == 0
    assert list(empty.columns) == list(frame.columns)
    assert empty.dtypes.equals(frame.dtypes)
    assert len(fitted.sample(0, conditions={"city": "oslo"})) == 0
    with pytest.raises(ValueError, match="non-negative integer"):
        fitted.sample(-1)


def test_sample_zero_images():
    images = np.random.RandomState(0).rand(40, 8, 8).astype(np.float32)
    sampler = GANSampler(max_epochs=1, batch_size=20, random_state=0).fit(images, np.arange(40) % 2)
    empty, labels = sampler.sample(0, return_y=True)
    assert empty.shape == (0, 8, 8) and empty.dtype == np.float32 and labels.shape == (0,)


@pytest.mark.parametrize(
    "X, error, fragments",
    [
        (None, ValueError, ["X=None", "pass the data"]),
        ("data.csv", TypeError, ["'data.csv'", "read the file first", "read_csv('data.csv')"]),
        (np.zeros((4, 2, 2, 2, 2)), ValueError, ["5 dimensions", "(n, C, H, W)"]),
        (np.zeros(5), ValueError, ["1-D array", "reshape(-1, 1)"]),
    ],
)
def test_wrong_inputs_are_named(X, error, fragments):
    # GANSampler reads table files itself (tests/test_streaming_fit.py); the autoencoder does not.
    estimators = [] if isinstance(X, str) else [GANSampler(max_epochs=1)]
    if X is None or isinstance(X, str):
        estimators.append(AutoencoderTransformer(max_epochs=1))
    for estimator in estimators:
        with pytest.raises(error) as info:
            estimator.fit(X)
        for fragment in fragments:
            assert fragment in str(info.value), str(info.value)


def test_a_mostly_numeric_text_column_warns_with_its_stray_values():
    rng = np.random.RandomState(0)
    prices = [f"{v:.2f}" for v in rng.lognormal(3, 1, 200)]
    prices[5] = prices[70] = "n/a"
    table = pd.DataFrame({"price": prices, "shop": rng.choice(["a", "b", "c"], 200)})
    with pytest.warns(UserWarning, match=r"Column 'price' is learned as categorical .* 2 of its 200 .*'n/a'"):
        GANSampler(max_epochs=1, batch_size=50).fit(table)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a plain categorical column and a forced one do not warn
        GANSampler(max_epochs=1, batch_size=50, categorical_columns=["price"]).fit(table)


def test_batch_size_is_capped_at_the_table(frame):
    sampler = GANSampler(max_epochs=1, batch_size=10**6, random_state=0).fit(frame)
    assert sampler.net_.batch_size == 300
    odd = GANSampler(max_epochs=1, batch_size=10**6, random_state=0).fit(frame.iloc[:295])
    assert odd.net_.batch_size == 290  # a multiple of pac


def test_linear_decay_lasts_the_whole_fit_when_batch_size_is_not_a_multiple_of_pac(frame):
    sampler = GANSampler(max_epochs=3, batch_size=55, lr_schedule="linear", early_stopping=False,
                         random_state=0).fit(frame)
    net = sampler.net_
    assert net.batch_size == 50
    decay = dict(net.callbacks_)["lr_decay"]
    assert decay.total_steps == decay.steps_done_ == 3 * (300 // 50)
    assert net.optimizer_.param_groups[0]["lr"] > 0


def test_import_skgen_loads_no_heavy_package():
    code = "import sys, skgen; print(sorted({'torch', 'skorch', 'sklearn', 'pandas'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    code = "import skgen, sys; skgen.GANSampler; print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "True"


def test_data_kind_says_what_x_holds_instead_of_a_guess():
    images = np.random.RandomState(0).uniform(size=(20, 4, 4))
    tiny = dict(max_epochs=1, batch_size=8, latent_dim=4, generator__base_width=4, discriminator__base_width=4)
    assert GANSampler(**tiny, random_state=0).fit(images).data_kind_ == "image"  # "auto" reads 3-D as images
    with pytest.raises(ValueError, match="Expected a table .* got an array with 3 dimensions"):
        GANSampler(data_kind="table", max_epochs=1).fit(images)
    flat = images.reshape(20, -1)
    table = dict(max_epochs=1, batch_size=8, pac=2, latent_dim=4, generator_dims=(4,), discriminator_dims=(4,))
    assert GANSampler(**table, random_state=0).fit(flat).data_kind_ == "table"
    sampler = GANSampler(data_kind="image", image_shape=(4, 4), **tiny, random_state=0).fit(flat)
    assert sampler.data_kind_ == "image" and sampler.sample(2, random_state=0).shape == (2, 16)

"""GANSampler on images: layouts, dtypes, labels, bad input."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from skgen import GANSampler
from skgen._images import ImageCodec, resolve_layout
from ._settings import TINY_IMAGE_GAN

FAST = TINY_IMAGE_GAN


@pytest.fixture(scope="module")
def digits():
    data = load_digits()
    return data.images[:300], data.target[:300]


@pytest.mark.parametrize(
    "shape, kwargs, expected",
    [
        ((5, 8, 8), {}, ("hw", 1, 8, 8)),
        ((5, 3, 8, 6), {}, ("chw", 3, 8, 6)),
        ((5, 8, 6, 3), {}, ("hwc", 3, 8, 6)),
        ((5, 3, 8, 3), {}, ("chw", 3, 8, 3)),  # ambiguous: channels-first
        ((5, 3, 8, 3), {"channel_axis": "last"}, ("hwc", 3, 3, 8)),
        ((5, 64), {"image_shape": (8, 8)}, ("flat", 1, 8, 8)),
        ((5, 192), {"image_shape": (8, 8, 3)}, ("flat-hwc", 3, 8, 8)),
        ((5, 192), {"image_shape": (3, 8, 8)}, ("flat", 3, 8, 8)),
    ],
)
def test_layout_rule(shape, kwargs, expected):
    assert resolve_layout(shape, kwargs.get("image_shape"), kwargs.get("channel_axis", "auto")) == expected


@pytest.mark.parametrize(
    "images, kwargs",
    [
        (np.arange(4 * 5 * 6, dtype=np.uint8).reshape(4, 5, 6), {}),
        (np.random.RandomState(0).uniform(-3, 7, (4, 2, 5, 6)).astype(np.float32), {}),
        (np.random.RandomState(0).randint(0, 255, (4, 5, 6, 3)).astype(np.uint8), {}),
        (np.random.RandomState(0).randint(-40, 900, (4, 30)).astype(np.int64), {"image_shape": (5, 6)}),
    ],
)
def test_codec_round_trip(images, kwargs):
    codec = ImageCodec(kwargs.get("image_shape")).fit(images)
    encoded = codec.transform(images)
    assert encoded.dtype == np.float32 and encoded.ndim == 4
    assert encoded.min() >= -1 and encoded.max() <= 1
    decoded = codec.inverse_transform(encoded)
    assert decoded.dtype == images.dtype and decoded.shape == images.shape
    np.testing.assert_allclose(decoded, images, atol=1e-4 * max(1, np.abs(images).max()))


def test_uint8_images_keep_their_layout_dtype_and_range(digits):
    X, y = digits
    images = np.repeat((X * 16).astype(np.uint8)[..., None], 3, axis=-1)  # (n, 8, 8, 3)
    sampler = GANSampler(**FAST).fit(images, y)
    out = sampler.sample(10, random_state=0)
    assert out.shape == (10, 8, 8, 3) and out.dtype == np.uint8
    assert sampler.data_kind_ == "image"


def test_flat_rows_with_image_shape(digits):
    X, _ = digits
    flat = X.reshape(len(X), -1)
    sampler = GANSampler(image_shape=(8, 8), **FAST).fit(flat)
    out = sampler.sample(7, random_state=0)
    assert out.shape == (7, 64) and out.dtype == flat.dtype
    assert out.min() >= flat.min() and out.max() <= flat.max()
    assert not hasattr(sampler, "classes_")


def test_non_square_and_tiny_images():
    rng = np.random.RandomState(0)
    for shape in [(40, 10, 6), (40, 3, 3)]:
        images = rng.uniform(size=shape).astype(np.float32)
        out = GANSampler(**FAST).fit(images).sample(4, random_state=0)
        assert out.shape == (4, *shape[1:])


def test_labels_come_back_as_requested(digits):
    X, y = digits
    labels = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])[y]
    sampler = GANSampler(**FAST).fit(X, labels)
    images, got = sampler.sample(20, y="three", return_y=True, random_state=0)
    assert images.shape == (20, 8, 8) and (got == "three").all()
    requested = labels[:20]
    _, got = sampler.sample(20, y=requested, return_y=True, random_state=0)
    np.testing.assert_array_equal(got, requested)
    _, drawn = sampler.sample(2000, return_y=True, random_state=0)
    freq = np.unique(drawn, return_counts=True)[1] / 2000
    np.testing.assert_allclose(np.sort(freq), np.sort(sampler.class_prior_), atol=0.03)


def test_reproducible_and_clonable(digits):
    X, y = digits
    a = GANSampler(**FAST).fit(X, y).sample(5, y=1, random_state=3)
    b = clone(GANSampler(**FAST)).fit(X, y).sample(5, y=1, random_state=3)
    np.testing.assert_array_equal(a, b)


@pytest.mark.slow
def test_score_and_classes_prefer_the_trained_model(digits):
    X, y = digits
    short = GANSampler(**{**FAST, "max_epochs": 1}).fit(X, y)
    longer = GANSampler(**{**FAST, "max_epochs": 40}).fit(X, y)
    assert longer.score(X, y) > short.score(X, y)
    # A classifier of real digits reads the requested class in the trained
    # model's images (the returned labels are the requested ones by construction).
    # All 1797 digits: the 300 above give too few steps to learn the classes.
    data = load_digits()
    X, y = data.images, data.target
    short = GANSampler(**{**FAST, "max_epochs": 1}).fit(X, y)
    longer = GANSampler(**{**FAST, "max_epochs": 40}).fit(X, y)
    classifier = LogisticRegression(max_iter=2000).fit(X.reshape(len(X), -1), y)
    accuracy = {}
    for name, model in (("short", short), ("longer", longer)):
        images, labels = model.sample(500, return_y=True, random_state=0)
        accuracy[name] = (classifier.predict(images.reshape(500, -1)) == labels).mean()
    assert accuracy["longer"] > 0.8 and accuracy["longer"] > accuracy["short"] + 0.5
    search = GridSearchCV(GANSampler(**FAST), {"lr": [2e-4, 1e-3]}, cv=2).fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


@pytest.mark.parametrize(
    "X, y, kwargs, message",
    [
        (np.zeros((5, 2, 3, 4, 5)), None, {}, "shape"),
        (np.zeros((5, 60)), None, {"image_shape": (8, 8)}, "image_shape"),
        (np.zeros((5, 8, 8)), np.arange(4), {}, "labels"),
        (np.full((5, 8, 8), np.nan), None, {}, "NaN"),
        (np.zeros((1, 8, 8)), None, {}, "at least 2"),
        (np.zeros((5, 8, 8)), None, {"loss": "wgan-gp"}, "not available for images"),
        (np.zeros((5, 8, 8)), None, {"channel_axis": "middle"}, "channel_axis"),
        (np.zeros((5, 8, 8)).astype(object), None, {}, "numeric"),
    ],
)
def test_bad_image_input(X, y, kwargs, message):
    with pytest.raises(ValueError, match=message):
        GANSampler(**{**FAST, **kwargs}).fit(X, y)


def test_bad_sample_requests(digits):
    X, y = digits
    sampler = GANSampler(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="not seen in fit"):
        sampler.sample(3, y=11)
    with pytest.raises(ValueError, match="one label or 3 labels"):
        sampler.sample(3, y=[1, 2])
    with pytest.raises(ValueError, match="conditions= is for tables"):
        sampler.sample(3, conditions={"a": 1})
    unconditional = GANSampler(**FAST).fit(X)
    with pytest.raises(ValueError, match="fitted without labels"):
        unconditional.sample(3, y=1)
    with pytest.raises(ValueError, match="return_y=True needs"):
        unconditional.sample(3, return_y=True)
    with pytest.raises(NotFittedError):
        GANSampler().sample(3, y=1)


def test_learning_rate_decays_linearly_for_images_by_default(digits):
    X, y = digits
    sampler = GANSampler(**{**FAST, "max_epochs": 3}).fit(X, y)
    net = sampler.net_
    steps = 3 * (len(X) // 32)
    decay = dict(net.callbacks_)["lr_decay"]
    assert decay.total_steps == steps and decay.steps_done_ == steps
    last_lr = net.optimizer_.param_groups[0]["lr"]
    assert net.lr == 2e-4  # lr=None: the image default
    assert last_lr == pytest.approx(net.lr / steps)
    constant = GANSampler(**{**FAST, "lr_schedule": "constant"}).fit(X, y)
    assert constant.net_.optimizer_.param_groups[0]["lr"] == constant.net_.lr


def test_bad_lr_schedule(digits):
    with pytest.raises(ValueError, match="lr_schedule"):
        GANSampler(**{**FAST, "lr_schedule": "cosine"}).fit(*digits)

"""GANSampler stores what its "auto"/None parameters came to, as scikit-learn stores its resolved choices."""

import numpy as np
import pandas as pd
import pytest

import skgen
from skgen import GANSampler
from skgen._images._kind import ImageKind
from skgen._tabular._kind import TableKind

NAMES = ("lr_", "loss_", "batch_size_", "max_epochs_", "lr_schedule_")


def _table(n=300):
    rng = np.random.RandomState(0)
    return pd.DataFrame({"a": rng.normal(size=n), "b": rng.choice(list("xyz"), n)})


def test_a_table_fit_stores_the_kinds_resolved_values():
    sampler = GANSampler(max_epochs=2, n_threads=1, random_state=0).fit(_table())
    assert sampler.lr_ == TableKind.default_lr and sampler.loss_ == TableKind.losses[0]
    assert sampler.lr_schedule_ == TableKind.default_lr_schedule and sampler.max_epochs_ == 2
    # 300 rows: at least 10 steps an epoch, so 30 rows a step (a multiple of pac=10), not the default 500.
    assert sampler.batch_size_ == 30 and sampler.net_.batch_size == 30


def test_auto_epochs_are_stored_as_the_number_they_came_to(monkeypatch):
    monkeypatch.setattr("skgen._tabular._kind.MIN_AUTO_STEPS", 20)  # (3,000 steps by default)
    sampler = GANSampler(n_threads=1, random_state=0, early_stopping=False).fit(_table(100))
    # 100 rows: 50 steps (half as many as rows) of 10 rows, 10 steps an epoch.
    assert sampler.max_epochs_ == sampler.n_epochs_ == 5


def test_given_values_come_back_unchanged_and_images_resolve_their_own():
    sampler = GANSampler(max_epochs=1, n_threads=1, lr=1e-3, loss="bce", batch_size=40, lr_schedule="linear",
                         random_state=0).fit(_table())
    assert [getattr(sampler, n) for n in NAMES] == [1e-3, "bce", 40, 1, "linear"]
    images = np.random.RandomState(0).rand(64, 8, 8)
    image_sampler = GANSampler(max_epochs=1, n_threads=1, random_state=0).fit(images)
    assert image_sampler.lr_ == ImageKind.default_lr and image_sampler.loss_ == ImageKind.losses[0]
    assert image_sampler.batch_size_ == 64 and image_sampler.lr_schedule_ == ImageKind.default_lr_schedule


def test_resolved_values_survive_a_model_file(tmp_path):
    sampler = GANSampler(max_epochs=2, n_threads=1, random_state=0).fit(_table())
    path = tmp_path / "m.skgen"
    sampler.save(path)
    loaded = skgen.load(path)
    assert [getattr(loaded, n) for n in NAMES] == [getattr(sampler, n) for n in NAMES]


@pytest.mark.parametrize("name", NAMES)
def test_resolved_values_are_documented(name):
    assert name in GANSampler.__doc__.split("Attributes")[1]

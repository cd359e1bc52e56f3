"""Safe model files: save / load round trips, and files that must not load."""

import io
import json
import pickle
import zipfile

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import load_digits

import skgen
from skgen import AutoencoderTransformer, GANSampler

from .test_tabular import mixed_frame
from ._settings import TINY_TABLE_GAN

GAN_FAST = dict(TINY_TABLE_GAN, generator_dims=(16,), discriminator_dims=(16,))


@pytest.fixture(scope="module")
def digits():
    data = load_digits()
    return data.data / 16.0, data.target


def test_autoencoder_round_trip(digits, tmp_path):
    X, y = digits
    model = AutoencoderTransformer(n_components=3, supervision="classification", max_epochs=2, random_state=0)
    model.fit(X, y)
    path = tmp_path / "ae.skgen"
    model.save(path)
    loaded = skgen.load(path)
    assert type(loaded) is AutoencoderTransformer and loaded.get_params() == model.get_params()
    np.testing.assert_array_equal(loaded.transform(X), model.transform(X))
    np.testing.assert_array_equal(loaded.inverse_transform(loaded.transform(X)), model.inverse_transform(model.transform(X)))
    np.testing.assert_array_equal(loaded.components_, model.components_)
    np.testing.assert_array_equal(loaded.supervision_classes_, model.supervision_classes_)
    assert loaded.n_epochs_ == 2 and len(loaded.history_) == 2


def test_table_sampler_round_trip_keeps_dtypes_and_samples(tmp_path):
    frame = mixed_frame(300)
    sampler = GANSampler(**GAN_FAST).fit(frame)
    path = tmp_path / "table.skgen"
    sampler.save(path)
    loaded = skgen.load(path)
    expected = sampler.sample(50, random_state=3)
    got = loaded.sample(50, random_state=3)
    pd.testing.assert_frame_equal(got, expected)
    assert got.dtypes.equals(frame.dtypes)
    column = next(c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype))
    value = frame[column].dropna().iloc[0]
    assert (loaded.sample(10, conditions={column: value}, random_state=0)[column] == value).all()
    # Unseeded calls continue the same stream.
    pd.testing.assert_frame_equal(loaded.sample(5), sampler.sample(5))


def test_array_and_image_samplers_round_trip(digits, tmp_path):
    X, y = digits
    table = GANSampler(**GAN_FAST).fit(X[:, :5])
    images = GANSampler(max_epochs=1, batch_size=64, latent_dim=8, random_state=0, generator__base_width=8,
                        discriminator__base_width=8).fit((X[:200] * 16).astype(np.uint8).reshape(-1, 8, 8), y[:200])
    for model in (table, images):
        path = tmp_path / "model.skgen"
        model.save(path)
        loaded = skgen.load(path)
        np.testing.assert_array_equal(loaded.sample(7, random_state=1), model.sample(7, random_state=1))
    out, labels = loaded.sample(4, y=2, return_y=True, random_state=0)
    assert out.dtype == np.uint8 and (labels == 2).all()


def test_custom_modules_are_refused_with_a_pointer_to_pickle(digits, tmp_path):
    from skgen._modules import ResidualAutoencoder

    X, _ = digits
    model = AutoencoderTransformer(n_components=2, module=ResidualAutoencoder, max_epochs=1).fit(X)
    with pytest.raises(ValueError, match="default networks .*pickle"):
        model.save(tmp_path / "custom.skgen")
    assert pickle.loads(pickle.dumps(model)).transform(X[:3]).shape == (3, 2)


def _rewrite(path, out, config=None, weights=None):
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    if config is not None:
        members["skgen.json"] = config(json.loads(members["skgen.json"])) if callable(config) else config
        if isinstance(members["skgen.json"], dict):
            members["skgen.json"] = json.dumps(members["skgen.json"])
    if weights is not None:
        members["weights.pt"] = weights
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out


class _Exploit:
    """Unpickling this runs code: it creates a marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_a_crafted_malicious_file_cannot_run_code(digits, tmp_path):
    X, _ = digits
    good = tmp_path / "good.skgen"
    AutoencoderTransformer(n_components=2, max_epochs=1, random_state=0).fit(X).save(good)
    marker = tmp_path / "pwned"
    payload = pickle.dumps({"module": _Exploit(marker)})
    assert not marker.exists()
    # Weights swapped for a pickle that runs code, with a digest to match.
    import hashlib

    evil = _rewrite(good, tmp_path / "evil.skgen", weights=payload,
                    config=lambda doc: {**doc, "weights_sha256": hashlib.sha256(payload).hexdigest()})
    with pytest.raises(ValueError, match="cannot be loaded safely"):
        skgen.load(evil)
    assert not marker.exists()
    # The same bytes as a pickled torch file are refused as well.
    buffer = io.BytesIO()
    torch.save({"module": _Exploit(marker)}, buffer)
    evil_torch = _rewrite(good, tmp_path / "evil2.skgen", weights=buffer.getvalue(),
                          config=lambda doc: {**doc, "weights_sha256": hashlib.sha256(buffer.getvalue()).hexdigest()})
    with pytest.raises(ValueError, match="cannot be loaded safely"):
        skgen.load(evil_torch)
    assert not marker.exists()
    # A file naming a class to instantiate is refused.
    named = _rewrite(good, tmp_path / "named.skgen", config=lambda doc: {**doc, "params": {**doc["params"], "module": "os.system"}})
    with pytest.raises(ValueError, match="cannot hold"):
        skgen.load(named)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda doc: {**doc, "format_version": 99}, "format version 99"),
        (lambda doc: {**doc, "format": "other"}, "not a skgen model file"),
        (lambda doc: {**doc, "class": "Pipeline"}, "unknown estimator class"),
        (lambda doc: {**doc, "class": "load"}, "unknown estimator class"),  # public, but not an estimator
        (lambda doc: {**doc, "class": "TorchEstimatorBase"}, "unknown estimator class"),  # not registered
        (lambda doc: {**doc, "class": "GANSampler", "module": "skgen.__main__"}, "invalid parameters|corrupted"),
        (lambda doc: {**doc, "weights_sha256": "0" * 64}, "tampered"),
        (lambda doc: {**doc, "params": {**doc["params"], "bogus": 1}}, "invalid parameters"),
        (b"{not json", "not valid JSON"),
    ],
)
def test_foreign_or_tampered_files_give_clear_errors(digits, tmp_path, change, message):
    X, _ = digits
    good = tmp_path / "good.skgen"
    AutoencoderTransformer(n_components=2, max_epochs=1, random_state=0).fit(X).save(good)
    bad = _rewrite(good, tmp_path / "bad.skgen", config=change)
    with pytest.raises(ValueError, match=message):
        skgen.load(bad)


def test_not_a_zip_and_missing_file(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text("hello")
    with pytest.raises(ValueError, match="not a zip archive"):
        skgen.load(path)
    with pytest.raises(FileNotFoundError):
        skgen.load(tmp_path / "missing.skgen")


def test_save_needs_a_fitted_estimator(tmp_path):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        GANSampler().save(tmp_path / "x.skgen")


def test_pyarrow_strings_load_where_pyarrow_is_missing(monkeypatch):
    # A model saved where pandas stores strings with pyarrow loads on a
    # machine without it, with the same strings in Python storage.
    from skgen._io import _json

    monkeypatch.setattr(_json, "_pyarrow_available", lambda: False)
    dtype = _json.decode_dtype({"string": "pyarrow", "na": "nan"})
    assert isinstance(dtype, pd.StringDtype) and dtype.storage == "python"
    categories = _json.decode_dtype(
        {"category": ["a", "b"], "ordered": False, "categories_dtype": {"string": "pyarrow", "na": "NA"}}
    )
    assert categories.categories.tolist() == ["a", "b"] and categories.categories.dtype.storage == "python"


def test_a_loaded_sampler_samples_without_building_its_optimizers(tmp_path):
    # Building torch's optimizers imports its compiler (about a second of `skgen sample`'s start).
    import subprocess
    import sys

    path = tmp_path / "table.skgen"
    frame = mixed_frame(80)
    GANSampler(max_epochs=1, n_threads=1, random_state=0).fit(frame).save(path)
    script = (
        "import sys, skgen; s = skgen.load(sys.argv[1]); s.sample(5, random_state=0); "
        "print('torch._dynamo' in sys.modules, hasattr(s.net_, 'optimizer_'))"
    )
    result = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]
    # Training again after loading builds them as usual.
    assert len(skgen.load(path).fit(frame).sample(5)) == 5

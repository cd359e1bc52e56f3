"""CUDA code paths; skipped where no GPU exists (CI has none)."""

import pickle

import numpy as np
import pytest
import torch

from skgen import AutoencoderTransformer

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def test_auto_device_trains_on_cuda(digits):
    ae = AutoencoderTransformer(n_components=4, max_epochs=5, random_state=0).fit(digits[0])
    assert ae.device_.startswith("cuda")
    assert next(ae.net_.module_.parameters()).is_cuda
    codes = ae.transform(digits[0])
    assert isinstance(codes, np.ndarray) and codes.shape == (1797, 4)


def test_cuda_and_cpu_fits_agree_in_quality(digits):
    X = digits[0]
    cpu = AutoencoderTransformer(n_components=8, max_epochs=30, device="cpu", random_state=0).fit(X)
    gpu = AutoencoderTransformer(n_components=8, max_epochs=30, device="cuda", random_state=0).fit(X)
    assert gpu.score(X) == pytest.approx(cpu.score(X), rel=0.2)


def test_cuda_model_pickles(digits):
    ae = AutoencoderTransformer(n_components=2, max_epochs=2, device="cuda", random_state=0).fit(digits[0])
    restored = pickle.loads(pickle.dumps(ae))
    np.testing.assert_allclose(ae.transform(digits[0]), restored.transform(digits[0]), rtol=1e-5)


def test_gan_sampler_trains_and_samples_on_cuda():
    import pandas as pd

    from skgen import GANSampler

    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"x": rng.randn(400), "c": rng.choice(["a", "b"], 400)})
    sampler = GANSampler(max_epochs=2, batch_size=100, random_state=0).fit(frame)
    assert sampler.device_.startswith("cuda")
    out = sampler.sample(50, conditions={"c": "b"}, random_state=0)
    assert (out["c"] == "b").all() and out.dtypes.equals(frame.dtypes)
    restored = pickle.loads(pickle.dumps(sampler))
    pd.testing.assert_frame_equal(restored.sample(20, random_state=1), sampler.sample(20, random_state=1))


def test_gpu_models_load_on_a_cpu_only_machine(tmp_path):
    """Pickles and model files written on the GPU open where CUDA is hidden."""
    import subprocess
    import sys

    import pandas as pd

    from skgen import GANSampler

    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"x": rng.randn(300), "c": rng.choice(["a", "b"], 300)})
    sampler = GANSampler(max_epochs=2, batch_size=100, random_state=0).fit(frame)
    images = GANSampler(max_epochs=1, batch_size=32, random_state=0).fit(rng.uniform(size=(64, 8, 8)),
                                                                        np.arange(64) % 2)
    (tmp_path / "table.pkl").write_bytes(pickle.dumps(sampler))
    sampler.save(tmp_path / "table.skgen")
    images.save(tmp_path / "images.skgen")
    script = (
        "import pickle, torch, skgen; assert not torch.cuda.is_available();"
        f"m = pickle.loads(open(r'{tmp_path / 'table.pkl'}', 'rb').read()); print(m.sample(3, conditions={{'c': 'a'}}));"
        f"print(skgen.load(r'{tmp_path / 'table.skgen'}').sample(3));"
        f"print(skgen.load(r'{tmp_path / 'images.skgen'}').sample(2, y=1).shape)"
    )
    result = subprocess.run([sys.executable, "-c", script], env={"CUDA_VISIBLE_DEVICES": "", "PATH": ""},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


def test_mixed_precision_fit_on_cuda(digits):
    ae = AutoencoderTransformer(n_components=4, max_epochs=3, device="cuda", precision="bf16", random_state=0)
    ae.fit(digits[0])
    assert np.isfinite(ae.transform(digits[0])).all()

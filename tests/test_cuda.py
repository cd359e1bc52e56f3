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

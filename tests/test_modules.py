"""Default modules (skgen._modules)."""

import numpy as np
import torch
from sklearn.decomposition import PCA

from skgen._modules import EncoderDecoder, ResidualAutoencoder, linear_solution, make_mlp


def test_linear_solution_reproduces_pca(digits):
    X = digits[0]
    module = ResidualAutoencoder(64, 5).init_linear_(linear_solution(X, 5))
    with torch.no_grad():
        x = torch.as_tensor(X, dtype=torch.float32)
        codes = module.encode(x).numpy()
        rec = module(x).numpy()
    pca = PCA(5).fit(X)
    np.testing.assert_allclose(rec, pca.inverse_transform(pca.transform(X)), atol=1e-4)
    np.testing.assert_allclose(codes.std(axis=0, ddof=1), 1, atol=1e-3)
    np.testing.assert_allclose(codes.mean(axis=0), 0, atol=1e-4)


def test_linear_solution_with_more_codes_than_rank():
    rng = np.random.RandomState(0)
    X = rng.randn(3, 6)  # rank 2 after centring
    sol = linear_solution(X, 4, random_state=rng)
    assert all(np.all(np.isfinite(v)) for v in sol.values())
    module = ResidualAutoencoder(6, 4).init_linear_(sol)
    with torch.no_grad():
        rec = module(torch.as_tensor(X, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(rec, X, atol=1e-4)


def test_constant_features_do_not_divide_by_zero():
    X = np.zeros((10, 3))
    X[:, 0] = np.arange(10)
    sol = linear_solution(X, 2)
    assert all(np.all(np.isfinite(v)) for v in sol.values())


def test_make_mlp_layout():
    mlp = make_mlp(5, (7, 3), 2, activation="tanh", dropout=0.5)
    kinds = [type(m).__name__ for m in mlp]
    assert kinds == ["Linear", "Tanh", "Dropout", "Linear", "Tanh", "Dropout", "Linear"]


def test_encoder_decoder_routes_parameters():
    class Enc(torch.nn.Module):
        def __init__(self, n_features, n_components, width=2):
            super().__init__()
            self.width = width
            self.lin = torch.nn.Linear(n_features, n_components)

        def forward(self, x):
            return self.lin(x)

    class Dec(torch.nn.Module):
        def __init__(self, n_components, n_features):
            super().__init__()
            self.lin = torch.nn.Linear(n_components, n_features)

        def forward(self, z):
            return self.lin(z)

    module = EncoderDecoder(Enc, Dec, n_features=4, n_components=2, encoder__width=9)
    assert module.encoder.width == 9
    assert module(torch.zeros(3, 4)).shape == (3, 4)

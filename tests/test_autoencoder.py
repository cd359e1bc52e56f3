"""Behaviour of AutoencoderTransformer: API contract, bad input, sklearn tooling."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn

from skgen import AutoencoderTransformer
from ._settings import TINY_AUTOENCODER

FAST = TINY_AUTOENCODER


@pytest.fixture
def X_small(digits):
    return digits[0][:300]


# --- user-supplied modules -----------------------------------------------------


class TinyAutoencoder(nn.Module):
    """A user module with encode/decode and a tunable width."""

    def __init__(self, n_features, n_components, width=8):
        super().__init__()
        self.width = width
        self.enc = nn.Sequential(nn.Linear(n_features, width), nn.Tanh(), nn.Linear(width, n_components))
        self.dec = nn.Sequential(nn.Linear(n_components, width), nn.Tanh(), nn.Linear(width, n_features))

    def encode(self, x):
        return self.enc(x)

    def decode(self, z):
        return self.dec(z)

    def forward(self, x):
        return self.decode(self.encode(x))


class Encoder(nn.Module):
    def __init__(self, n_features, n_components, width=4):
        super().__init__()
        self.width = width
        self.net = nn.Sequential(nn.Linear(n_features, width), nn.ReLU(), nn.Linear(width, n_components))

    def forward(self, x):
        return self.net(x)


class Decoder(nn.Module):
    def __init__(self, n_components, n_features):
        super().__init__()
        self.net = nn.Linear(n_components, n_features)

    def forward(self, z):
        return self.net(z)


class NoEncode(nn.Module):
    def forward(self, x):
        return x


# --- core contract ---------------------------------------------------------------


def test_fit_transform_inverse_shapes_and_dtypes(X_small):
    for dtype in (np.float64, np.float32):
        X = X_small.astype(dtype)
        ae = AutoencoderTransformer(n_components=3, **FAST).fit(X)
        codes = ae.transform(X)
        assert codes.shape == (len(X), 3) and codes.dtype == dtype
        rec = ae.inverse_transform(codes)
        assert rec.shape == X.shape and rec.dtype == dtype
        assert ae.n_components_ == 3 and ae.n_features_in_ == 64
        assert ae.device_ == "cpu"


def test_integer_input_gives_float64(X_small):
    X = (X_small * 16).astype(np.int64)
    ae = AutoencoderTransformer(n_components=2, **FAST).fit(X)
    assert ae.transform(X).dtype == np.float64


def test_codes_are_standardised_on_training_data(X_small):
    codes = AutoencoderTransformer(n_components=4, **FAST).fit_transform(X_small)
    np.testing.assert_allclose(codes.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(codes.std(axis=0), 1, atol=1e-4)


def test_fit_transform_equals_fit_then_transform(X_small):
    a = AutoencoderTransformer(n_components=2, **FAST).fit_transform(X_small)
    b = AutoencoderTransformer(n_components=2, **FAST).fit(X_small).transform(X_small)
    np.testing.assert_array_equal(a, b)


def test_score_is_mean_of_score_samples_and_negative_mse(X_small):
    ae = AutoencoderTransformer(n_components=4, **FAST).fit(X_small)
    samples = ae.score_samples(X_small)
    assert samples.shape == (len(X_small),)
    assert np.all(samples <= 0)
    assert ae.score(X_small) == pytest.approx(samples.mean())
    mse = np.mean((ae.inverse_transform(ae.transform(X_small)) - X_small) ** 2)
    assert ae.score(X_small) == pytest.approx(-mse, rel=1e-4)


def test_score_samples_flags_outliers(digits):
    X = digits[0]
    ae = AutoencoderTransformer(n_components=8, max_epochs=20, random_state=0).fit(X[:1500])
    rng = np.random.RandomState(0)
    outliers = rng.uniform(0, 1, size=(20, 64))
    normal = ae.score_samples(X[1500:])
    odd = ae.score_samples(outliers)
    # Every uniform-noise image reconstructs worse than 95% of real digits.
    assert odd.max() < np.quantile(normal, 0.05)


def test_feature_names_out_and_pandas_output(X_small):
    df = pd.DataFrame(X_small, columns=[f"px{i}" for i in range(64)])
    ae = AutoencoderTransformer(n_components=3, **FAST).set_output(transform="pandas")
    out = ae.fit_transform(df)
    assert isinstance(out, pd.DataFrame)
    expected = ["autoencodertransformer0", "autoencodertransformer1", "autoencodertransformer2"]
    assert list(out.columns) == expected
    assert list(ae.get_feature_names_out()) == expected
    assert list(ae.feature_names_in_) == list(df.columns)
    pd.testing.assert_index_equal(out.index, df.index)


def test_dataframe_with_bool_and_int_columns():
    rng = np.random.RandomState(0)
    df = pd.DataFrame(
        {"a": rng.randn(50), "b": rng.randint(0, 5, 50), "c": rng.rand(50) > 0.5}
    )
    codes = AutoencoderTransformer(n_components=2, **FAST).fit_transform(df)
    assert codes.shape == (50, 2) and np.all(np.isfinite(codes))


def test_history_records_each_epoch(X_small):
    ae = AutoencoderTransformer(n_components=2, **FAST).fit(X_small)
    losses = ae.history_[:, "train_loss"]
    assert len(losses) == 3 == ae.n_epochs_
    assert all(np.isfinite(losses))


def test_training_lowers_the_loss(X_small):
    ae = AutoencoderTransformer(n_components=4, max_epochs=30, random_state=0).fit(X_small)
    losses = ae.history_[:, "train_loss"]
    assert losses[-1] < 0.8 * losses[0]


def test_verbose_shows_progress_then_the_epoch_table(X_small, capsys):
    AutoencoderTransformer(n_components=2, **FAST).fit(X_small)
    assert capsys.readouterr() == ("", "")
    AutoencoderTransformer(n_components=2, verbose=1, **FAST).fit(X_small)
    out, err = capsys.readouterr()
    assert out == "" and "AutoencoderTransformer: epoch" in err and "reconstruction" in err
    AutoencoderTransformer(n_components=2, verbose=2, **FAST).fit(X_small)
    out, err = capsys.readouterr()
    assert "train_loss" in out and out.count("\n") >= 3 + 2


def test_bce_loss_keeps_reconstructions_in_unit_interval(X_small):
    ae = AutoencoderTransformer(n_components=4, loss="bce", max_epochs=10, random_state=0).fit(X_small)
    rec = ae.inverse_transform(ae.transform(X_small))
    assert rec.min() > 0 and rec.max() < 1
    # Starting from the PCA codes, 10 epochs already reconstruct far better
    # than predicting the mean image.
    baseline = np.mean((X_small - X_small.mean(axis=0)) ** 2)
    assert -ae.score(X_small) < 0.5 * baseline


def test_bce_rejects_inputs_outside_unit_interval(X_small):
    with pytest.raises(ValueError, match=r"loss='bce' needs inputs in \[0, 1\]"):
        AutoencoderTransformer(loss="bce", **FAST).fit(X_small * 16)


def test_early_stopping_holds_out_and_stops(X_small):
    ae = AutoencoderTransformer(
        n_components=2,
        max_epochs=200,
        early_stopping=True,
        patience=2,
        validation_fraction=0.2,
        optimizer__weight_decay=0.0,
        random_state=0,
        lr=0.05,
    ).fit(X_small)
    valid = ae.history_[:, "valid_loss"]
    assert len(valid) == ae.n_epochs_ < 200
    assert all(np.isfinite(valid))


def test_dropout_and_activation_are_used(X_small):
    ae = AutoencoderTransformer(n_components=2, dropout=0.3, activation="tanh", **FAST).fit(X_small)
    module = ae.net_.module_
    assert any(isinstance(m, nn.Dropout) and m.p == 0.3 for m in module.modules())
    assert any(isinstance(m, nn.Tanh) for m in module.modules())


def test_hidden_dims_shape_the_network(X_small):
    ae = AutoencoderTransformer(n_components=2, hidden_dims=(32, 16), max_epochs=1).fit(X_small)
    widths = [m.out_features for m in ae.net_.module_.encoder_mlp if isinstance(m, nn.Linear)]
    assert widths == [32, 16, 2]


# --- user modules ------------------------------------------------------------------


def test_user_module_with_tunable_parameter(X_small):
    ae = AutoencoderTransformer(n_components=3, module=TinyAutoencoder, module__width=5, **FAST)
    ae.fit(X_small)
    assert isinstance(ae.net_.module_, TinyAutoencoder) and ae.net_.module_.width == 5
    assert ae.transform(X_small).shape == (300, 3)
    assert ae.get_params()["module__width"] == 5


def test_encoder_decoder_pair(X_small):
    ae = AutoencoderTransformer(
        n_components=2, module=(Encoder, Decoder), module__encoder__width=6, **FAST
    ).fit(X_small)
    assert ae.net_.module_.encoder.width == 6
    assert ae.inverse_transform(ae.transform(X_small)).shape == X_small.shape


def test_default_module_linear_path_switch(X_small):
    plain = AutoencoderTransformer(n_components=2, module__linear_path=False, **FAST).fit(X_small)
    assert not hasattr(plain.net_.module_, "encoder_linear")


@pytest.mark.parametrize(
    "params, error, match",
    [
        (dict(module=NoEncode), TypeError, "must define encode"),
        (dict(module=TinyAutoencoder(64, 2)), TypeError, "'module' parameter .* must be"),
        (dict(module=(Encoder,)), TypeError, r"pair \(Encoder, Decoder\)"),
        (dict(module=(Encoder, Decoder), module__width=3), TypeError, "module__encoder__"),
        (dict(modul__width=3), TypeError, "unknown parameter"),
        (dict(hidden_dims=(0,)), ValueError, "hidden_dims"),
        (dict(module__hidden_dims=(4,)), ValueError, "not as module__"),
        (dict(activation="swish"), ValueError, "'activation' parameter .* must be a str among"),
        (dict(loss="l1"), ValueError, "'loss' parameter .* must be a str among"),
        (dict(optimizer="lbfgsx"), ValueError, "'optimizer' parameter .* must be a str among"),
        (dict(optimizer=dict), TypeError, "torch.optim.Optimizer"),
        (dict(dropout=1.0), ValueError, "dropout"),
        (dict(lr=-1.0), ValueError, "lr"),
        (dict(max_epochs=0), ValueError, "max_epochs"),
        (dict(batch_size=0), ValueError, "batch_size"),
        (dict(validation_fraction=1.5), ValueError, "validation_fraction"),
        (dict(n_threads=0), ValueError, "n_threads"),
        (dict(n_components="two"), ValueError, "n_components"),
        (dict(device="tpu"), ValueError, "Unknown device"),
    ],
)
def test_bad_parameters_raise_clear_errors(X_small, params, error, match):
    est = AutoencoderTransformer(**{**FAST, **params})
    with pytest.raises(error, match=match):
        est.fit(X_small)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-CUDA message")
def test_cuda_requested_without_cuda(X_small):
    with pytest.raises(ValueError, match="CUDA is not available"):
        AutoencoderTransformer(device="cuda", **FAST).fit(X_small)


# --- bad input -------------------------------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input_is_rejected(X_small, bad):
    X = X_small.copy()
    X[3, 5] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        AutoencoderTransformer(**FAST).fit(X)
    ae = AutoencoderTransformer(**FAST).fit(X_small)
    with pytest.raises(ValueError, match="NaN|infinity"):
        ae.transform(X)


def test_shape_errors(X_small):
    with pytest.raises(ValueError, match="2D array"):
        AutoencoderTransformer(**FAST).fit(X_small[0])
    with pytest.raises(ValueError, match="0 sample"):
        AutoencoderTransformer(**FAST).fit(X_small[:0])
    with pytest.raises(ValueError, match="1 sample"):
        AutoencoderTransformer(**FAST).fit(X_small[:1])
    with pytest.raises(ValueError, match="n_components=65 must be at most the number of features, 64"):
        AutoencoderTransformer(n_components=65, **FAST).fit(X_small)
    ae = AutoencoderTransformer(n_components=2, **FAST).fit(X_small)
    with pytest.raises(ValueError, match="X has 10 features, but AutoencoderTransformer is expecting 64"):
        ae.transform(X_small[:, :10])
    with pytest.raises(ValueError, match="expects codes with 2 components"):
        ae.inverse_transform(np.zeros((4, 3)))


def test_non_numeric_columns_are_named():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "city": ["x", "y", "z"]})
    with pytest.raises(ValueError, match=r"non-numeric column\(s\): \['city'\]"):
        AutoencoderTransformer(n_components=1, **FAST).fit(df)


def test_unfitted_estimator_raises_not_fitted(X_small):
    ae = AutoencoderTransformer()
    for method in (ae.transform, ae.inverse_transform, ae.score_samples, ae.score):
        with pytest.raises(NotFittedError):
            method(X_small)
    with pytest.raises(NotFittedError):
        ae.get_feature_names_out()


def test_inputs_are_not_modified(X_small):
    X = X_small.astype(np.float32)
    X_copy = X.copy()
    ae = AutoencoderTransformer(n_components=2, **FAST).fit(X)
    codes = ae.transform(X)
    codes_copy = codes.copy()
    ae.inverse_transform(codes)
    ae.score_samples(X)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(codes, codes_copy)


def test_diverging_training_raises_named_error(X_small):
    ae = AutoencoderTransformer(n_components=2, lr=1e12, optimizer="sgd", max_epochs=5, random_state=0)
    with pytest.raises(ValueError, match="Training diverged.*epoch .*Lower lr"):
        ae.fit(X_small * 1e6)


# --- determinism and RNG hygiene ----------------------------------------------------


def test_same_seed_same_results_different_seed_different(X_small):
    a = AutoencoderTransformer(n_components=2, dropout=0.1, **FAST).fit_transform(X_small)
    b = AutoencoderTransformer(n_components=2, dropout=0.1, **FAST).fit_transform(X_small)
    c = AutoencoderTransformer(n_components=2, dropout=0.1, **{**FAST, "random_state": 1}).fit_transform(X_small)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_results_do_not_depend_on_thread_count(X_small):
    one = AutoencoderTransformer(n_components=2, n_threads=1, **FAST).fit_transform(X_small)
    two = AutoencoderTransformer(n_components=2, n_threads=2, **FAST).fit_transform(X_small)
    np.testing.assert_allclose(one, two, rtol=1e-5, atol=1e-6)


def test_global_torch_rng_and_threads_untouched(X_small):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    threads = torch.get_num_threads()
    AutoencoderTransformer(n_components=2, n_threads=1, **FAST).fit(X_small).transform(X_small)
    assert torch.get_num_threads() == threads
    torch.testing.assert_close(torch.rand(3), expected)


def test_random_state_none_follows_numpy_global_seed(X_small):
    params = {**FAST, "random_state": None}
    np.random.seed(7)
    a = AutoencoderTransformer(n_components=2, **params).fit_transform(X_small)
    np.random.seed(7)
    b = AutoencoderTransformer(n_components=2, **params).fit_transform(X_small)
    np.testing.assert_array_equal(a, b)


# --- sklearn tooling ---------------------------------------------------------------


def test_clone_keeps_routed_params():
    ae = AutoencoderTransformer(n_components=3, module=TinyAutoencoder, module__width=7, optimizer__weight_decay=0.1)
    cloned = clone(ae)
    params = cloned.get_params()
    assert params["module__width"] == 7 and params["optimizer__weight_decay"] == 0.1
    assert params["n_components"] == 3
    assert "module__width=7" in repr(cloned)


def test_set_params_after_fit_refits_with_new_values(X_small):
    ae = AutoencoderTransformer(n_components=2, **FAST).fit(X_small)
    ae.set_params(n_components=5, optimizer__weight_decay=1e-3).fit(X_small)
    assert ae.transform(X_small).shape == (300, 5)
    assert ae.net_.optimizer_.param_groups[0]["weight_decay"] == 1e-3


def test_pickle_round_trip_gives_same_transform(X_small):
    ae = AutoencoderTransformer(n_components=3, **FAST).fit(X_small)
    restored = pickle.loads(pickle.dumps(ae))
    np.testing.assert_array_equal(ae.transform(X_small), restored.transform(X_small))
    np.testing.assert_array_equal(
        ae.inverse_transform(ae.transform(X_small)),
        restored.inverse_transform(restored.transform(X_small)),
    )
    # A restored model can keep training.
    restored.fit(X_small)


def _pipeline():
    return Pipeline(
        [
            ("scale", StandardScaler()),
            ("ae", AutoencoderTransformer(max_epochs=2, batch_size=128, random_state=0, module=TinyAutoencoder)),
            ("clf", LogisticRegression(max_iter=300)),
        ]
    )


GRID = {
    "ae__n_components": [2, 4],
    "ae__hidden_dims": [(16,), (32,)],
    "ae__lr": [1e-3, 1e-2],
    "ae__module__width": [4, 8],
}


@pytest.mark.parametrize("n_jobs", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_grid_search_over_pipeline(digits, n_jobs):
    X, y = digits[0][:400], digits[1][:400]
    # hidden_dims only shapes the default module; grid it there and tune the
    # user module's width through module__width.
    grid_default = {k: v for k, v in GRID.items() if k != "ae__module__width"}
    grid_default["ae__module"] = [None]
    grid_user = {"ae__n_components": [2, 4], "ae__lr": [1e-3, 1e-2], "ae__module__width": [4, 8]}
    search = GridSearchCV(_pipeline(), [grid_default, grid_user], cv=2, n_jobs=n_jobs, error_score="raise")
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 8 + 8
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_score_ > 0.3
    best = search.best_estimator_.named_steps["ae"]
    assert best.n_components in (2, 4)
    assert search.predict(X[:5]).shape == (5,)


def test_grid_search_results_are_reproducible_across_n_jobs(digits):
    X, y = digits[0][:300], digits[1][:300]
    grid = {"ae__module__width": [4, 8]}
    scores = [
        GridSearchCV(_pipeline(), grid, cv=2, n_jobs=n_jobs).fit(X, y).cv_results_["mean_test_score"]
        for n_jobs in (1, 2)
    ]
    np.testing.assert_allclose(scores[0], scores[1])


class NanToNum(nn.Module):
    """A user module that would hide NaN inputs if skgen did not check them."""

    def __init__(self, n_features, n_components):
        super().__init__()
        self.enc = nn.Linear(n_features, n_components)
        self.dec = nn.Linear(n_components, n_features)

    def encode(self, x):
        return self.enc(torch.nan_to_num(x))

    def decode(self, z):
        return self.dec(z)

    def forward(self, x):
        return self.decode(self.encode(x))


@pytest.mark.parametrize("module", [None, NanToNum])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nan_is_caught_at_inference_for_any_module(X_small, module, dtype):
    ae = AutoencoderTransformer(n_components=2, module=module, **FAST).fit(X_small.astype(dtype))
    X = X_small.astype(dtype)
    X[7, 3] = np.nan
    for method in (ae.transform, ae.score_samples, ae.score):
        with pytest.raises(ValueError, match="Input X contains NaN"):
            method(X)
    Z = ae.transform(X_small.astype(dtype))
    Z[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        ae.inverse_transform(Z)


def test_dataframe_fit_then_array_transform_warns_like_sklearn(X_small):
    df = pd.DataFrame(X_small, columns=[f"px{i}" for i in range(64)])
    ae = AutoencoderTransformer(n_components=2, **FAST).fit(df)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        ae.transform(X_small)
    with pytest.raises(ValueError, match="Feature names"):
        ae.transform(df.rename(columns={"px0": "other"}))


def test_user_module_codes_are_standardised_by_the_facade(X_small):
    ae = AutoencoderTransformer(n_components=3, module=TinyAutoencoder, **FAST).fit(X_small)
    codes = ae.transform(X_small)
    np.testing.assert_allclose(codes.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(codes.std(axis=0), 1, atol=1e-4)
    assert np.any(ae.code_scale_ != 1)
    rec = ae.inverse_transform(codes)
    with torch.no_grad():
        direct = ae.net_.module_(torch.as_tensor(X_small, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(rec, direct, atol=1e-4)

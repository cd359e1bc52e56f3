"""AutoencoderTransformer(embedding="umap"): the neighbour graph, the layout and the estimator."""

import pickle
import sys

import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.manifold import trustworthiness
from sklearn.metrics import silhouette_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

import skgen
from skgen import AutoencoderTransformer
from skgen._autoencoder import _embedding, _graph
from skgen._autoencoder._graph import _memberships, curve_parameters, fuzzy_neighbor_graph
from skgen._autoencoder._layout import initial_layout, optimize_layout
from ._settings import TINY_AUTOENCODER

FAST = dict(TINY_AUTOENCODER, n_threads=1)


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=300, n_features=10, centers=4, cluster_std=1.0, random_state=0)
    return X, y


# --- the graph ----------------------------------------------------------------


def test_memberships_follow_umaps_calibration():
    rng = np.random.RandomState(0)
    distances = np.sort(rng.uniform(0.5, 3.0, size=(50, 9)), axis=1)
    memberships = _memberships(distances)
    # The nearest neighbour has membership 1; each row's memberships sum to
    # log2(k) with the row itself counted among its k = 10 neighbours.
    np.testing.assert_allclose(memberships[:, 0], 1.0)
    np.testing.assert_allclose(memberships.sum(axis=1), np.log2(10), rtol=1e-6)
    assert np.all(np.diff(memberships, axis=1) <= 1e-12)  # farther neighbours, lower memberships


def test_graph_is_symmetric_fuzzy_union(blobs):
    X, _ = blobs
    heads, tails, weights = fuzzy_neighbor_graph(X, 10, np.random.RandomState(0))
    graph = sparse.coo_matrix((weights, (heads, tails)), shape=(len(X), len(X))).tocsr()
    assert abs(graph - graph.T).max() < 1e-6
    assert weights.min() > 0 and weights.max() <= 1 + 1e-6
    assert graph.diagonal().max() == 0  # no self-loops
    # Each row links at least to its 9 nearest other rows.
    assert (np.diff(graph.indptr) >= 9).all()


def test_graph_handles_duplicate_rows():
    X = np.repeat(np.random.RandomState(0).normal(size=(20, 3)), 3, axis=0)
    heads, tails, weights = fuzzy_neighbor_graph(X, 5, np.random.RandomState(0))
    assert np.isfinite(weights).all() and weights.min() > 0
    assert not np.any(heads == tails)
    # Rows whose every neighbour is a copy of them.
    X = np.repeat(X[:10], 6, axis=0)
    _, _, weights = fuzzy_neighbor_graph(X, 5, np.random.RandomState(0))
    assert np.isfinite(weights).all() and weights.min() > 0


def test_curve_parameters_match_umaps_defaults():
    a, b = curve_parameters(0.1)
    # umap-learn's find_ab_params(spread=1, min_dist=0.1).
    assert a == pytest.approx(1.577, abs=2e-3)
    assert b == pytest.approx(0.895, abs=2e-3)


def test_layout_separates_what_the_graph_connects(blobs):
    import torch

    X, y = blobs
    heads, tails, weights = (torch.from_numpy(a) for a in fuzzy_neighbor_graph(X, 10, np.random.RandomState(0)))
    rng = np.random.RandomState(0)
    start = rng.uniform(0, 10, size=(len(X), 2))  # a start that knows nothing
    torch.manual_seed(0)
    layout = torch.tensor(start, dtype=torch.float32)
    a, b = curve_parameters(0.1)
    optimize_layout(layout, heads, tails, weights, a, b, 100, 5)
    assert silhouette_score(layout.numpy(), y) > silhouette_score(start, y) + 0.5


def test_initial_layout_spans_umaps_box():
    X = np.random.RandomState(0).normal(size=(40, 5))
    layout = initial_layout(X, 8, np.random.RandomState(0))  # more codes than features: random extras
    assert layout.shape == (40, 8)
    np.testing.assert_allclose(layout.min(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(layout.max(axis=0), 10.0)


# --- the estimator ------------------------------------------------------------


def test_auto_defaults_follow_the_objective(blobs):
    X, _ = blobs
    plain = AutoencoderTransformer(n_components=2, random_state=0, n_threads=1).fit(X)
    assert plain.net_.module_.encoder_mlp[0].out_features == 128
    assert plain.net_.module_.linear_path
    assert plain.n_epochs_ == 100
    umap_like = AutoencoderTransformer(n_components=2, embedding="umap", random_state=0, n_threads=1).fit(X)
    assert umap_like.net_.module_.encoder_mlp[0].out_features == 256
    assert not umap_like.net_.module_.linear_path
    # 300 rows are 2 steps a pass: "auto" runs enough passes for 600 steps.
    assert umap_like.n_epochs_ == _embedding.EMBEDDING_MIN_STEPS // 2
    assert _embedding.embedding_max_epochs(20_000, 256) == _embedding.EMBEDDING_MAX_EPOCHS
    assert AutoencoderTransformer().get_params()["max_epochs"] == "auto"


def test_fit_records_both_losses_and_standardises_codes(blobs):
    X, _ = blobs
    ae = AutoencoderTransformer(n_components=2, embedding="umap", n_neighbors=10, **FAST).fit(X)
    assert {"reconstruction_loss", "embedding_loss"} <= set(ae.history_[-1])
    codes = ae.transform(X)
    np.testing.assert_allclose(codes.mean(axis=0), 0, atol=1e-4)
    np.testing.assert_allclose(codes.std(axis=0), 1, atol=1e-3)
    assert ae.inverse_transform(codes).shape == X.shape


def test_random_state_repeats_the_fit(blobs):
    X, _ = blobs
    first = AutoencoderTransformer(n_components=2, embedding="umap", n_neighbors=10, **FAST).fit_transform(X)
    second = AutoencoderTransformer(n_components=2, embedding="umap", n_neighbors=10, **FAST).fit_transform(X)
    np.testing.assert_array_equal(first, second)


def test_embedding_weight_pulls_codes_onto_the_layout(blobs):
    X, _ = blobs
    params = dict(n_components=2, embedding="umap", n_neighbors=10, max_epochs=100, hidden_dims=(32,),
                  batch_size=64, random_state=0, n_threads=1)
    off = AutoencoderTransformer(embedding_weight=0.0, **params).fit(X)
    on = AutoencoderTransformer(embedding_weight=1.0, **params).fit(X)
    assert on.history_[-1, "embedding_loss"] < 0.5 * off.history_[-1, "embedding_loss"]


def test_supervision_adds_its_head(blobs):
    X, y = blobs
    ae = AutoencoderTransformer(n_components=2, embedding="umap", n_neighbors=10, supervision="classification", **FAST)
    ae.fit(X, y)
    assert ae.supervision_ == "classification"
    assert {"head_loss", "embedding_loss"} <= set(ae.history_[-1])


def test_save_load_and_pickle_keep_the_codes(blobs, tmp_path):
    X, _ = blobs
    ae = AutoencoderTransformer(n_components=2, embedding="umap", n_neighbors=10, **FAST).fit(X)
    codes = ae.transform(X)
    ae.save(tmp_path / "model.skgen")
    np.testing.assert_array_equal(skgen.load(tmp_path / "model.skgen").transform(X), codes)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(ae)).transform(X), codes)


def test_pickles_from_before_the_embedding_keep_working(digits):
    from pathlib import Path

    from sklearn.base import clone

    with open(Path(__file__).parent / "data" / "v0_1" / "autoencoder.pkl", "rb") as file:
        old = pickle.load(file)
    assert old.get_params()["embedding"] is None
    assert clone(old).get_params()["n_neighbors"] == 15
    assert old.transform(digits[0][:5]).shape[0] == 5


def test_grid_search_tunes_the_neighbourhood(blobs):
    X, y = blobs
    pipe = make_pipeline(
        AutoencoderTransformer(n_components=2, embedding="umap", **FAST), LogisticRegression(max_iter=500)
    )
    search = GridSearchCV(pipe, {"autoencodertransformer__n_neighbors": [5, 10]}, cv=2).fit(X, y)
    assert search.best_params_["autoencodertransformer__n_neighbors"] in (5, 10)


def test_constant_columns_are_fine(blobs):
    X, _ = blobs
    X = np.hstack([X, np.ones((len(X), 2))])
    codes = AutoencoderTransformer(n_components=2, embedding="umap", n_neighbors=10, **FAST).fit_transform(X)
    assert np.isfinite(codes).all()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (dict(n_neighbors=400), "n_neighbors=400 is larger than the number of rows, 300"),
        (dict(early_stopping=True), "cannot be combined with early_stopping"),
        (dict(accelerator=True), "cannot be combined with accelerator"),
        (dict(n_neighbors=1), "'n_neighbors' parameter"),
        (dict(embedding="tsne"), "'embedding' parameter"),
        (dict(min_dist=-1.0), "'min_dist' parameter"),
    ],
)
def test_bad_settings_fail_before_training(blobs, params, message):
    X, _ = blobs
    params = {"embedding": "umap", **params}
    with pytest.raises(ValueError, match=message):
        AutoencoderTransformer(**{**FAST, **params}).fit(X)


def test_graph_too_large_for_memory_is_refused(blobs, monkeypatch):
    X, _ = blobs
    monkeypatch.setattr(_graph, "MAX_GRAPH_BYTES", 1000)
    with pytest.raises(ValueError, match="neighbour graph of 300 rows .* lower n_neighbors or fit on a subsample"):
        AutoencoderTransformer(embedding="umap", **FAST).fit(X)


def test_sparse_input_gets_a_clear_error(blobs):
    X, _ = blobs
    with pytest.raises(TypeError, match="[Ss]parse"):
        AutoencoderTransformer(embedding="umap", **FAST).fit(sparse.csr_matrix(X))


def test_large_data_without_pynndescent_warns_and_searches_exactly(blobs, monkeypatch):
    X, _ = blobs
    monkeypatch.setattr(_graph, "EXACT_SEARCH_MAX_ROWS", 100)
    monkeypatch.setitem(sys.modules, "pynndescent", None)  # as if not installed
    with pytest.warns(UserWarning, match="pip install pynndescent"):
        heads, _, _ = fuzzy_neighbor_graph(X, 10, np.random.RandomState(0))
    assert len(heads) >= 9 * len(X)


# --- quality (slow) -----------------------------------------------------------


@pytest.mark.slow
def test_codes_keep_neighbourhoods_better_than_the_plain_autoencoder(digits):
    X, y = digits
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)

    def neighbourhood_scores(model):
        train_codes, test_codes = model.transform(X_train), model.transform(X_test)
        knn = KNeighborsClassifier(n_neighbors=10).fit(train_codes, y_train).score(test_codes, y_test)
        mse = float(np.mean((model.inverse_transform(test_codes) - X_test) ** 2))
        return knn, trustworthiness(X_test, test_codes, n_neighbors=10), mse

    plain = AutoencoderTransformer(n_components=2, random_state=0, n_threads=1).fit(X_train)
    umap_like = AutoencoderTransformer(n_components=2, embedding="umap", random_state=0, n_threads=1).fit(X_train)
    pca = PCA(n_components=2).fit(X_train)
    plain_knn, plain_trust, _ = neighbourhood_scores(plain)
    knn, trust, mse = neighbourhood_scores(umap_like)
    pca_mse = float(np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2))
    # Measured: 10-NN 0.911 against 0.816, trustworthiness 0.943 against 0.924.
    assert knn >= plain_knn + 0.05, (knn, plain_knn)
    assert trust >= plain_trust + 0.005, (trust, plain_trust)
    assert mse <= pca_mse, (mse, pca_mse)

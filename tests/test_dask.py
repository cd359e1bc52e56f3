"""GridSearchCV over skgen estimators on a local Dask cluster (joblib's dask backend)."""

import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV

from skgen import AutoencoderTransformer, GANSampler

distributed = pytest.importorskip("distributed")


def _worker_threads():
    import torch

    from skgen._core._threads import usable_cpus

    return usable_cpus(), torch.get_num_threads()


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
    )
    with cluster, distributed.Client(cluster) as client:
        yield client


def test_workers_train_with_one_thread_each(client):
    # Dask's nanny starts workers with OMP_NUM_THREADS=1; skgen follows it.
    assert all(usable == 1 for usable, _ in client.run(_worker_threads).values())


def test_grid_search_on_the_cluster_matches_a_sequential_run(client):
    X = load_digits().data[:400] / 16.0
    grid = {"n_components": [2, 4], "hidden_dims": [(8,), (16,)]}
    estimator = AutoencoderTransformer(max_epochs=3, random_state=0)
    sequential = GridSearchCV(estimator, grid, cv=2).fit(X)
    with joblib.parallel_backend("dask"):
        on_cluster = GridSearchCV(estimator, grid, cv=2, n_jobs=-1).fit(X)
    np.testing.assert_allclose(
        on_cluster.cv_results_["mean_test_score"], sequential.cv_results_["mean_test_score"], rtol=1e-6
    )
    assert on_cluster.best_params_ == sequential.best_params_
    restored = pickle.loads(pickle.dumps(on_cluster.best_estimator_))
    np.testing.assert_array_equal(restored.transform(X), on_cluster.best_estimator_.transform(X))


def test_gan_sampler_search_on_the_cluster(client):
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"x": rng.randn(300), "c": rng.choice(["a", "b", "c"], 300)})
    search_space = {"lr": [2e-4, 1e-3]}
    sampler = GANSampler(max_epochs=2, batch_size=100, generator_dims=(16,), discriminator_dims=(16,), random_state=0)
    with joblib.parallel_backend("dask"):
        search = GridSearchCV(sampler, search_space, cv=2, n_jobs=-1).fit(frame)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    restored = pickle.loads(pickle.dumps(search.best_estimator_))
    pd.testing.assert_frame_equal(restored.sample(5, random_state=0), search.best_estimator_.sample(5, random_state=0))

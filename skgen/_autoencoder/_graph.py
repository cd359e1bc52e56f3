"""The fuzzy k-nearest-neighbour graph a neighbourhood embedding is trained on.

UMAP's construction (McInnes, Healy & Melville, 2018): each row's distances
to its ``k`` nearest neighbours become memberships
``exp(-(d - rho) / sigma)``, with ``rho`` the distance to the nearest
neighbour and ``sigma`` chosen so that the memberships sum to ``log2(k)``;
the directed graph ``A`` is symmetrised by the fuzzy union
``A + A.T - A * A.T``. The neighbour search is a maintained library's:
scikit-learn's exact ``NearestNeighbors`` for small data, ``pynndescent``'s
approximate search (what umap-learn uses) for large data when installed.
"""

import warnings

import numpy as np
from scipy import sparse
from scipy.optimize import curve_fit
from sklearn.neighbors import NearestNeighbors

# Above this many rows the exact search's cost (quadratic) outweighs
# pynndescent's approximation; umap-learn switches at a similar size.
EXACT_SEARCH_MAX_ROWS = 20_000
# The graph's arrays and the union's temporaries take about 72 bytes per row
# and neighbour; graphs above this are refused before anything is computed.
MAX_GRAPH_BYTES = 8 * 2**30


def graph_bytes(n_samples, n_neighbors):
    """About how much memory the graph of ``n_samples`` rows needs at its peak."""
    return 72 * n_samples * n_neighbors


def nearest_neighbors(X, n_neighbors, random_state):
    """Indices and distances of each row's ``n_neighbors`` nearest other rows.

    Returns
    -------
    indices, distances : ndarrays of shape (n_samples, n_neighbors)
    """
    n_samples = len(X)
    if n_samples > EXACT_SEARCH_MAX_ROWS:
        try:
            from pynndescent import NNDescent
        except ImportError:
            warnings.warn(
                f"{n_samples} rows: the exact neighbour search scales quadratically; "
                "pip install pynndescent for the approximate search umap-learn uses.",
                stacklevel=4,
            )
        else:
            seed = int(random_state.randint(np.iinfo(np.int32).max))
            index = NNDescent(X, n_neighbors=n_neighbors + 1, random_state=seed, n_jobs=1)
            indices, distances = index.neighbor_graph
            return _drop_self(indices, distances, n_neighbors)
    search = NearestNeighbors(n_neighbors=n_neighbors + 1).fit(X)
    distances, indices = search.kneighbors(X)
    return _drop_self(indices, distances, n_neighbors)


def _drop_self(indices, distances, n_neighbors):
    """Remove each row from its own neighbour list (not always first: duplicates tie)."""
    n_samples = len(indices)
    is_self = indices == np.arange(n_samples)[:, None]
    # Rows whose list misses themselves (ties, approximation) drop their farthest.
    missing = ~is_self.any(axis=1)
    is_self[missing, -1] = True
    keep = ~is_self
    shape = (n_samples, n_neighbors)
    return indices[keep].reshape(shape), distances[keep].reshape(shape).astype(np.float64)


def _memberships(distances, n_iter=64):
    """UMAP's per-row memberships ``exp(-(d - rho) / sigma)`` (vectorised bisection on sigma).

    ``distances`` hold each row's other neighbours; the row itself counts as
    one of the ``k`` (umap-learn's convention), so the target sum is log2(k + 1).
    """
    n_samples, k = distances.shape
    positive = np.where(distances > 0, distances, np.inf)
    rho = positive.min(axis=1)
    excess = np.maximum(distances - rho[:, None], 0.0)
    target = np.log2(k + 1)
    low = np.zeros(n_samples)
    high = np.full(n_samples, np.inf)
    sigma = np.ones(n_samples)
    for _ in range(n_iter):
        total = np.exp(-excess / sigma[:, None]).sum(axis=1)
        too_wide = total > target
        high = np.where(too_wide, sigma, high)
        low = np.where(too_wide, low, sigma)
        sigma = np.where(np.isfinite(high), (low + high) / 2, sigma * 2)
    # umap-learn's floor: a sigma far below the mean distance would make the
    # row's memberships a step function.
    mean_distance = distances.mean()
    floor = 1e-3 * np.where(rho > 0, distances.mean(axis=1), mean_distance)
    sigma = np.maximum(sigma, floor)
    return np.exp(-excess / sigma[:, None])


def fuzzy_neighbor_graph(X, n_neighbors, random_state):
    """The symmetric fuzzy neighbour graph of ``X``'s rows.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_neighbors : int
        Neighbourhood size counting the row itself (umap-learn's convention):
        each row is linked to its ``n_neighbors - 1`` nearest other rows. At
        most ``n_samples``.
    random_state : numpy RandomState

    Returns
    -------
    heads, tails : int64 ndarrays of shape (n_edges,)
        Both directions of every edge.
    weights : float32 ndarray of shape (n_edges,)
        Memberships in (0, 1].
    """
    n_samples = len(X)
    n_others = n_neighbors - 1
    indices, distances = nearest_neighbors(X, n_others, random_state)
    memberships = _memberships(distances)
    rows = np.repeat(np.arange(n_samples), n_others)
    directed = sparse.csr_matrix((memberships.ravel(), (rows, indices.ravel())), shape=(n_samples, n_samples))
    transposed = directed.T.tocsr()
    union = (directed + transposed - directed.multiply(transposed)).tocoo()
    keep = union.data > 0
    return union.row[keep].astype(np.int64), union.col[keep].astype(np.int64), union.data[keep].astype(np.float32)


def curve_parameters(min_dist, spread=1.0):
    """UMAP's ``a, b`` for the code-space similarity ``1 / (1 + a * d**(2b))``.

    Fitted to 1 up to ``min_dist`` and ``exp(-(d - min_dist) / spread)`` beyond.
    """
    d = np.linspace(0, 3 * spread, 300)
    target = np.where(d < min_dist, 1.0, np.exp(-(d - min_dist) / spread))
    (a, b), _ = curve_fit(lambda x, a, b: 1.0 / (1.0 + a * x ** (2 * b)), d, target)
    return float(a), float(b)

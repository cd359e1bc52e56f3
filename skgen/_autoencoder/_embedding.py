"""Neighbourhood embedding for the autoencoder: the layout its encoder learns, and its batches.

``embedding="umap"`` trains in two stages. First the training rows are laid
out by UMAP's cross-entropy between their fuzzy neighbour graph and the
codes' similarities (:mod:`._graph`, :mod:`._layout`); then the network's
encoder is trained to produce that layout, jointly with the decoder's
reconstruction, on the rows and on points drawn between graph neighbours,
so that rows it never saw land where their neighbours are.

Why not the cross-entropy on the encoder's codes directly (parametric UMAP)?
On MNIST (8k rows, k=2) it needed many more passes of the network for
lower held-out accuracy: 20 passes gave LogisticRegression 0.72 and 10-NN
0.82 against 0.86 / 0.86 here, in four times the time. The layout is cheap
(tensor operations on coordinates, no forward pass) and reaches umap-learn's
trustworthiness on the training rows (0.957 against its 0.959).
"""

import numpy as np
import torch

from .._data import InMemoryDataset
from . import _graph
from ._graph import curve_parameters, fuzzy_neighbor_graph, graph_bytes
from ._layout import initial_layout, optimize_layout

# What "auto" means with embedding="umap". On MNIST (8k rows, k=2) the
# encoder's held-out accuracy is near its plateau after 20 passes (32 passes:
# 10-NN 0.869 / trustworthiness 0.881, 20: 0.864 / 0.877, in 4 s less), and
# (128, 64) hidden units lose 0.10 of LogisticRegression accuracy against
# (256, 128).
EMBEDDING_HIDDEN_DIMS = (256, 128)
EMBEDDING_MAX_EPOCHS = 20
LAYOUT_EPOCHS = 200
NEGATIVE_SAMPLE_RATE = 5
# A training point lies on the segment from a row towards one of its graph
# neighbours, at most this far (0.5: it stays nearer the row, whose label
# and layout it borrows).
MAX_MIX = 0.5
# The encoder sees each point with Gaussian noise of this many times the
# data's overall standard deviation and the decoder reconstructs the clean
# point (a denoising autoencoder). On digits (k=2) it lifted held-out 10-NN
# accuracy from 0.907 to 0.918 and trustworthiness from 0.924 to 0.940
# (0.2: 0.907 / 0.936, 0.5: 0.922 / 0.938, 1.0: 0.911 / 0.931).
INPUT_NOISE = 0.3
# "auto" trains at least this many optimiser steps: small tables get more
# passes (digits, 1,347 rows: 100 passes of 6 steps), large ones
# EMBEDDING_MAX_EPOCHS. On digits 180 steps left even the training rows'
# codes short of the layout (10-NN 0.943 on them, 0.985 after 1,800 steps).
EMBEDDING_MIN_STEPS = 600


def check_embedding_input(estimator, n_samples):
    """The checks of ``embedding="umap"`` that constraints cannot express."""
    if estimator.n_neighbors > n_samples:
        raise ValueError(
            f"n_neighbors={estimator.n_neighbors} is larger than the number of rows, {n_samples}; "
            "lower n_neighbors or pass more rows."
        )
    needed = graph_bytes(n_samples, estimator.n_neighbors)
    if needed > _graph.MAX_GRAPH_BYTES:
        raise ValueError(
            f"The neighbour graph of {n_samples} rows with n_neighbors={estimator.n_neighbors} needs about "
            f"{needed / 2**30:.1f} GiB, more than the {_graph.MAX_GRAPH_BYTES / 2**30:.0f} GiB allowed; "
            "lower n_neighbors or fit on a subsample of the rows."
        )
    clashes = [name for name in ("early_stopping", "accelerator") if getattr(estimator, name)]
    if clashes:
        raise ValueError(
            f"embedding='umap' cannot be combined with {' or '.join(clashes)}: "
            "its encoder learns a layout of the training rows, computed once before training."
        )


def neighbor_layout(X, n_components, n_neighbors, min_dist, random_state):
    """The graph and the standardised UMAP layout of ``X``'s rows.

    Returns
    -------
    heads, tails : int64 tensors of shape (n_edges,)
    weights : float32 tensor of shape (n_edges,)
    layout : float32 tensor of shape (n_samples, n_components)
        Centred and divided by its overall standard deviation (one number,
        so the layout's shape is kept).
    """
    heads, tails, weights = fuzzy_neighbor_graph(X, n_neighbors, random_state)
    heads, tails, weights = torch.from_numpy(heads), torch.from_numpy(tails), torch.from_numpy(weights)
    a, b = curve_parameters(min_dist)
    layout = torch.tensor(initial_layout(X, n_components, random_state), dtype=torch.float32)
    optimize_layout(layout, heads, tails, weights, a, b, LAYOUT_EPOCHS, NEGATIVE_SAMPLE_RATE)
    layout -= layout.mean(dim=0)
    layout /= layout.std().clamp_min(1e-12)
    return heads, tails, weights, layout


class NeighborDataset(InMemoryDataset):
    """Training rows with their layout coordinates and neighbour graph.

    Parameters
    ----------
    X : torch.Tensor of shape (n_samples, n_features)
    layout : torch.Tensor of shape (n_samples, n_components)
    heads, tails, weights : torch.Tensor of shape (n_edges,)
    y : torch.Tensor of shape (n_samples, ...) or None, default=None
        Targets of a supervision head.

    noise_scale : float, default=0.0
        Standard deviation of the Gaussian noise added to the encoder's input.
    """

    def __init__(self, X, layout, heads, tails, weights, y=None, noise_scale=0.0):
        super().__init__(X, y)
        self.layout = layout
        self.heads = heads
        self.tails = tails
        self.weights = weights
        self.noise_scale = noise_scale


class NeighborBatchIterator:
    """A skorch ``iterator_train`` over a :class:`NeighborDataset`.

    Each epoch draws as many edges as there are rows, in proportion to their
    weights, and yields batches ``(noisy, (layout, clean, y))``: ``clean``
    is a point ``u`` of the way from each edge's row to its neighbour (``u``
    uniform in [0, 0.5]), ``noisy`` the same with the dataset's Gaussian
    noise, ``layout`` the same interpolation of their layout coordinates,
    ``y`` the row's target (or None).
    """

    def __init__(self, dataset, batch_size, shuffle=True):
        if not isinstance(dataset, NeighborDataset):
            raise TypeError(f"NeighborBatchIterator needs a NeighborDataset, got {type(dataset).__name__}.")
        self.dataset = dataset
        self.batch_size = int(batch_size)

    def __len__(self):
        return -(-len(self.dataset) // self.batch_size)

    def __iter__(self):
        data = self.dataset
        X, layout, y = data.X, data.layout, data.y
        device = X.device
        edges = torch.multinomial(data.weights, len(X), replacement=True)
        mix = torch.rand(len(edges), 1) * MAX_MIX
        for start in range(0, len(edges), self.batch_size):
            batch = edges[start : start + self.batch_size]
            rows, neighbors = data.heads[batch].to(device), data.tails[batch].to(device)
            u = mix[start : start + self.batch_size].to(device)
            clean = torch.lerp(X[rows], X[neighbors], u)
            noisy = clean
            if data.noise_scale:
                noisy = clean + data.noise_scale * torch.randn(clean.shape).to(device)
            target = torch.lerp(layout[rows], layout[neighbors], u)
            yield noisy, (target, clean, None if y is None else y[rows])


def embedding_dataset(X_tensor, X, y_tensor, estimator, random_state):
    """The :class:`NeighborDataset` of ``embedding="umap"`` (graph and layout computed here)."""
    heads, tails, weights, layout = neighbor_layout(
        np.asarray(X), estimator.n_components, estimator.n_neighbors, estimator.min_dist, random_state
    )
    device = X_tensor.device
    noise_scale = INPUT_NOISE * float(X_tensor.std())
    return NeighborDataset(X_tensor, layout.to(device), heads, tails, weights, y_tensor, noise_scale)


def embedding_max_epochs(n_samples, batch_size):
    """What ``max_epochs="auto"`` means with ``embedding="umap"``."""
    steps_per_epoch = -(-n_samples // batch_size)
    return max(EMBEDDING_MAX_EPOCHS, -(-EMBEDDING_MIN_STEPS // steps_per_epoch))

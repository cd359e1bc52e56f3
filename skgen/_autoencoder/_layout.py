"""UMAP's layout of the training rows: its cross-entropy optimised on free coordinates.

The objective and the update are umap-learn's (``optimize_layout_euclidean``):
each sampled edge ``(i, j)`` pulls ``y_i`` and ``y_j`` together with the
gradient of ``-log q(d)``, each of ``negative_sample_rate`` random rows pushes
``y_i`` away with the gradient of ``-log(1 - q(d))``, where
``q(d) = 1 / (1 + a d^(2b))``; per-coordinate steps are clipped to 4 and the
learning rate decays linearly from 1. Edges are processed in vectorised
chunks (umap-learn's parallel mode also applies concurrent updates), so the
layout costs tensor operations, not a network's forward passes.
"""

import numpy as np
import torch
from sklearn.decomposition import PCA

_CHUNK_EDGES = 8192
_CLIP = 4.0


def initial_layout(X, n_components, random_state):
    """PCA coordinates of ``X`` scaled into [0, 10] per axis (umap-learn's scale).

    (umap-learn starts from a spectral embedding of the graph; from PCA the
    layouts were as good in our measurements and the start is ten times
    cheaper.)
    """
    n_pca = min(n_components, X.shape[1], len(X))
    sample = X if len(X) <= 20_000 else X[random_state.choice(len(X), 20_000, replace=False)]
    pca = PCA(n_components=n_pca, random_state=random_state).fit(sample)
    coordinates = pca.transform(X).astype(np.float64)
    if n_pca < n_components:  # fewer directions than codes
        extra = random_state.standard_normal((len(X), n_components - n_pca))
        coordinates = np.hstack([coordinates, extra])
    low, high = coordinates.min(axis=0), coordinates.max(axis=0)
    return 10.0 * (coordinates - low) / np.where(high > low, high - low, 1.0)


def optimize_layout(layout, heads, tails, weights, a, b, n_epochs, negative_sample_rate):
    """Optimise ``layout`` (float32 tensor, edited in place) for ``n_epochs``.

    Each epoch samples every edge with probability ``weight / max weight``
    (umap-learn samples an edge ``weight / max weight * n_epochs`` times in
    all). Random numbers come from torch's global generator, which the
    estimator seeds.
    """
    n_rows = len(layout)
    keep_probability = weights / weights.max()
    for epoch in range(n_epochs):
        alpha = 1.0 - epoch / n_epochs
        sampled = torch.nonzero(torch.rand(len(weights)) < keep_probability).squeeze(1)
        sampled = sampled[torch.randperm(len(sampled))]
        for start in range(0, len(sampled), _CHUNK_EDGES):
            chunk = sampled[start : start + _CHUNK_EDGES]
            _attract(layout, heads[chunk], tails[chunk], a, b, alpha)
            _repel(layout, heads[chunk].repeat(negative_sample_rate), n_rows, a, b, alpha)
    return layout


def _attract(layout, heads, tails, a, b, alpha):
    diff = layout[heads] - layout[tails]
    squared = (diff * diff).sum(dim=1, keepdim=True).clamp_min_(1e-12)
    power = squared.pow(b)
    coefficient = power.div(squared).mul_(-2.0 * a * b).div_(power.mul_(a).add_(1.0))
    step = diff.mul_(coefficient).clamp_(-_CLIP, _CLIP).mul_(alpha)
    layout.index_add_(0, heads, step)
    layout.index_add_(0, tails, -step)


def _repel(layout, heads, n_rows, a, b, alpha):
    others = torch.randint(0, n_rows, (len(heads),))
    diff = layout[heads] - layout[others]
    squared = (diff * diff).sum(dim=1, keepdim=True)
    coefficient = (squared.pow(b).mul_(a).add_(1.0)).mul_(squared + 0.001).reciprocal_().mul_(2.0 * b * alpha)
    # A row never repels itself (and umap-learn's fixed push for coincident
    # rows is left out: diff is 0 there, so is the step).
    coefficient.masked_fill_((heads == others).unsqueeze(1), 0.0)
    step = diff.mul_(coefficient).clamp_(-_CLIP * alpha, _CLIP * alpha)
    layout.index_add_(0, heads, step)

"""``AutoencoderTransformer.partial_fit`` after its first call: one epoch on a new batch."""

from numbers import Integral

import torch

from .._core._context import training_context
from .._data import InMemoryDataset, as_float32_tensor
from ._inputs import check_training_values, validate_input
from ._targets import prepare_targets


def partial_fit_available(estimator):
    """Whether the estimator can train batch by batch (``available_if``: scikit-learn's
    checks and wrappers look for the method); the error says why not."""
    if estimator.embedding is not None:
        raise AttributeError(
            "partial_fit trains on one batch at a time; embedding='umap' needs the neighbourhood graph "
            "of all the rows: use fit."
        )
    if estimator.accelerator:
        raise AttributeError("partial_fit runs in one process; train across processes with fit(accelerator=...).")
    return True


def train_on_batch(estimator, X, y):
    """One more epoch of the fitted ``estimator`` on ``X`` (and ``y``), then its codes restandardised."""
    X = validate_input(estimator, X, reset=False)
    check_training_values(X, estimator.loss)
    task, targets, _, _ = prepare_targets(estimator.supervision, y, len(X))
    if task != estimator.supervision_:
        raise ValueError(
            f"partial_fit got targets for {task or 'no supervision'} after a first batch with "
            f"{estimator.supervision_ or 'no supervision'}; pass y the same way on every call."
        )
    net, device = estimator.net_, estimator.device_
    random_state = estimator.random_state
    # A new seed per call (the same sequence for the same random_state): batches are not shuffled alike.
    seed = random_state + estimator.n_epochs_ if isinstance(random_state, Integral) else random_state
    with training_context(seed, estimator.n_threads, device) as (_, governor):
        net.set_params(callbacks__adaptive_threads__governor=governor)
        y_tensor = None if targets is None else torch.as_tensor(targets, device=device)
        estimator._train(net, InMemoryDataset(as_float32_tensor(X, device), y_tensor))
        codes = estimator._end_training(net, {"X_train": X, "device": device})
    estimator.n_epochs_ = len(net.history)
    data = {"device": device, "task": task, "classes": getattr(estimator, "supervision_classes_", None)}
    estimator._set_fitted_state(net, data, codes)
    return estimator

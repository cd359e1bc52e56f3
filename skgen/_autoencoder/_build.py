"""The autoencoder's module and skorch net, built from its estimator's parameters."""

import torch
from skorch.callbacks import EarlyStopping
from skorch.helper import predefined_split
from torch import nn

from .._data import InMemoryDataset, as_float32_tensor
from .._modules import EncoderDecoder, ResidualAutoencoder, data_kwargs
from .._nets import AutoencoderNet, EmbeddingAutoencoderNet, accelerated_autoencoder_net
from ._embedding import EMBEDDING_HIDDEN_DIMS, NeighborBatchIterator, embedding_max_epochs

HIDDEN_DIMS = (128, 64)
MAX_EPOCHS = 100


def resolved_hidden_dims(estimator):
    """``hidden_dims``, with ``"auto"`` resolved for the estimator's objective."""
    if estimator.hidden_dims == "auto":
        return HIDDEN_DIMS if estimator.embedding is None else EMBEDDING_HIDDEN_DIMS
    return tuple(estimator.hidden_dims)


def resolved_max_epochs(estimator, n_samples):
    """``max_epochs``, with ``"auto"`` resolved for the estimator's objective and data."""
    if estimator.max_epochs == "auto":
        return MAX_EPOCHS if estimator.embedding is None else embedding_max_epochs(n_samples, estimator.batch_size)
    return estimator.max_epochs

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}
LOSSES = {"mse": nn.MSELoss, "bce": nn.BCEWithLogitsLoss}


def _discard(*args, **kwargs):
    """A print sink that prints nothing (picklable, unlike a lambda)."""


def check_combinations(estimator, n_features):
    """The checks across parameters and data that constraints cannot express."""
    if estimator.n_components > n_features:
        raise ValueError(
            f"n_components={estimator.n_components} must be at most the number of "
            f"features, {n_features}; the input has n_features = {n_features}."
        )
    if estimator.accelerator:
        clashes = [name for name in ("supervision", "precision") if getattr(estimator, name) is not None]
        clashes += ["early_stopping"] if estimator.early_stopping else []
        if clashes:
            raise ValueError(
                f"accelerator cannot be combined with {', '.join(clashes)}; "
                "set mixed precision through the Accelerator, e.g. accelerator={'mixed_precision': 'bf16'}."
            )
    module = estimator.module
    if module is None:
        if {"hidden_dims", "activation", "dropout"} & set(estimator._routed_params("module")):
            raise ValueError(
                "Set hidden_dims / activation / dropout directly, not as module__ parameters, "
                "when using the default module."
            )
    elif not isinstance(module, tuple):
        missing = [m for m in ("encode", "decode") if not callable(getattr(module, m, None))]
        if missing:
            raise TypeError(
                f"module {module.__name__} must define encode(x) and decode(z); "
                f"missing: {missing}. Pass (Encoder, Decoder) classes instead to use "
                "their forward methods."
            )


def module_spec(estimator, n_features):
    """Return the module class and its ``module__`` keyword arguments."""
    user_kwargs = estimator._routed_params("module")
    if estimator.module is None:
        kwargs = {
            "n_features": n_features,
            "n_components": estimator.n_components,
            "hidden_dims": resolved_hidden_dims(estimator),
            "activation": estimator.activation,
            "dropout": estimator.dropout,
        }
        if estimator.embedding is not None:
            # Codes that follow a layout, not PCA: no linear path to start from.
            kwargs["linear_path"] = False
        return ResidualAutoencoder, {**kwargs, **user_kwargs}
    if isinstance(estimator.module, tuple):
        encoder, decoder = estimator.module
        kwargs = {
            "encoder": encoder,
            "decoder": decoder,
            "n_features": n_features,
            "n_components": estimator.n_components,
        }
        return EncoderDecoder, {**kwargs, **user_kwargs}
    return estimator.module, {**data_kwargs(estimator.module, n_features, estimator.n_components), **user_kwargs}


def build_net(estimator, n_features, device, governor, valid_X, valid_y, task, n_outputs, n_samples=1):
    """The autoencoder's skorch net (not initialised); ``n_samples`` (training
    rows) sizes ``max_epochs="auto"``."""
    module_cls, module_kwargs = module_spec(estimator, n_features)
    callbacks = []
    train_split = None
    if valid_X is not None:
        callbacks.append(
            ("early_stopping", EarlyStopping(monitor="valid_loss", patience=estimator.patience, load_best=True))
        )
        valid_y = None if valid_y is None else torch.as_tensor(valid_y, device=device)
        train_split = predefined_split(InMemoryDataset(as_float32_tensor(valid_X, device), valid_y))
    optimizer = OPTIMIZERS.get(estimator.optimizer, estimator.optimizer)
    kwargs = {f"module__{key}": value for key, value in module_kwargs.items()}
    kwargs.update(estimator._net_kwargs(governor, optimizer, device, callbacks=callbacks))
    net_class = AutoencoderNet
    if estimator.embedding is not None:
        net_class = EmbeddingAutoencoderNet
        kwargs.update(iterator_train=NeighborBatchIterator, embedding_weight=estimator.embedding_weight)
    if estimator.accelerator:
        net_class = accelerated_autoencoder_net()
        kwargs.update(_accelerate_kwargs(estimator.accelerator, kwargs))
    return net_class(
        module=module_cls,
        criterion=LOSSES[estimator.loss],
        lr=estimator.lr,
        max_epochs=resolved_max_epochs(estimator, n_samples),
        batch_size=estimator.batch_size,
        train_split=train_split,
        predict_nonlinearity=torch.sigmoid if estimator.loss == "bce" else None,
        head_task=task,
        head_inputs=estimator.n_components,
        head_outputs=n_outputs,
        head_weight=estimator.supervision_weight,
        precision=estimator.precision,
        **kwargs,
    )


def _accelerate_kwargs(accelerator_param, kwargs):
    """The keyword arguments an accelerated net needs (edits ``kwargs``)."""
    try:
        from accelerate import Accelerator
    except ImportError:
        raise ImportError("accelerator= needs accelerate: pip install 'skgen[accelerate]'.") from None

    options = accelerator_param if isinstance(accelerator_param, dict) else {}
    # The Accelerator places modules and batches; fused Adam needs to know
    # the device at construction, so it is left out.
    kwargs.pop("optimizer__fused", None)
    if kwargs.pop("callbacks__print_log", "keep") is None:
        kwargs["callbacks__print_log__sink"] = _discard  # AccelerateMixin needs the callback to exist
    return {
        "accelerator": Accelerator(**options),
        "device": None,
        "iterator_train": torch.utils.data.DataLoader,
        "iterator_train__shuffle": True,
    }

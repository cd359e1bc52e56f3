"""AutoencoderTransformer: a learned, non-linear replacement for PCA."""

import math
from numbers import Integral, Real

import numpy as np
import torch
from pandas.api.types import is_bool_dtype, is_numeric_dtype
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_array
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, column_or_1d
from sklearn_compat.base import _fit_context
from sklearn_compat.utils.validation import validate_data
from skorch.callbacks import EarlyStopping
from skorch.helper import predefined_split
from torch import nn

from ._base import (
    TorchEstimatorBase,
    check_layer_widths,
    check_n_threads,
    check_not_path_or_none,
    check_positive_ints,
)
from ._data import InMemoryDataset, as_float32_tensor
from ._modules import ACTIVATIONS, EncoderDecoder, ResidualAutoencoder, data_kwargs, linear_solution
from ._nets import AutoencoderNet

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}
LOSSES = {"mse": nn.MSELoss, "bce": nn.BCEWithLogitsLoss}
SUPERVISION = (None, "auto", "classification", "regression")


def _discard(*args, **kwargs):
    """A print sink that prints nothing (picklable, unlike a lambda)."""


def _check_numeric_frame(X, estimator_name):
    """Name the non-numeric columns of a DataFrame instead of failing later."""
    if not (hasattr(X, "columns") and hasattr(X, "dtypes")):
        return
    bad = [
        str(col)
        for col, dtype in zip(X.columns, X.dtypes)
        if not (is_numeric_dtype(dtype) or is_bool_dtype(dtype))
    ]
    if bad:
        raise ValueError(
            f"{estimator_name} needs numeric columns; non-numeric column(s): {bad}. "
            "Encode them first, e.g. with sklearn.preprocessing.OneHotEncoder."
        )


class AutoencoderTransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, TorchEstimatorBase):
    """Non-linear dimensionality reduction with an autoencoder.

    A drop-in, non-linear replacement for :class:`~sklearn.decomposition.PCA`:
    ``transform`` encodes samples into ``n_components`` codes and
    ``inverse_transform`` decodes codes back into the input space. The
    default network is PCA plus learned non-linear corrections: its linear
    encoder and decoder start at the PCA solution of the training data and
    two MLPs (whose last layers start at zero) learn what PCA misses, so
    training starts from PCA's reconstruction error and lowers it.

    Codes returned by ``transform`` are standardised: zero mean and unit
    variance per component on the training data.

    The network is trained by a skorch net held in ``net_``; any
    ``torch.nn.Module`` with ``encode`` and ``decode`` methods (or an
    encoder/decoder pair) can replace the default through ``module``.

    Parameters
    ----------
    n_components : int, default=2
        Number of code dimensions; at most the number of input features.
    hidden_dims : tuple of int, default=(128, 64)
        Hidden layer widths of the default encoder MLP; the decoder mirrors
        them. An empty tuple leaves only the linear (PCA) path.
    activation : {"relu", "leaky_relu", "elu", "selu", "gelu", "silu", "tanh", \
            "sigmoid"}, default="relu"
        Activation of the hidden layers of the default module.
    dropout : float, default=0.0
        Dropout probability after each hidden activation, in [0, 1).
    loss : {"mse", "bce"}, default="mse"
        Reconstruction loss. ``"bce"`` (binary cross-entropy on the
        decoder's logits) requires inputs in [0, 1], e.g. pixel intensities;
        reconstructions then stay in (0, 1).
    module : type of torch.nn.Module, tuple of two such types, or None, \
            default=None
        The network. None uses the PCA-initialised default
        (``skgen._modules.ResidualAutoencoder``; its extra constructor
        argument ``linear_path=False`` gives a plain MLP autoencoder). A class
        must define ``encode(x)`` returning codes and ``decode(z)`` returning
        reconstructions (logits with ``loss="bce"``). A pair
        ``(Encoder, Decoder)`` uses each class's ``forward``. Constructors
        receive ``n_features`` and ``n_components`` if they accept them, and
        every ``module__<name>=value`` keyword given to this estimator (for a
        pair: ``module__encoder__<name>`` / ``module__decoder__<name>``).
    supervision : {None, "auto", "classification", "regression"}, default=None
        Use the labels ``y`` passed to ``fit`` (as a ``Pipeline`` passes them
        to every step): a linear head on the codes is trained jointly with
        the reconstruction to predict ``y`` (cross-entropy for classes, mean
        squared error for standardised numeric targets), so the codes keep
        what predicts ``y``. ``"auto"`` picks the task from ``y``
        (:func:`~sklearn.utils.multiclass.type_of_target`: binary / multiclass
        -> classification, continuous -> regression) and trains
        unsupervised when ``y`` is None. None ignores ``y`` (unsupervised).
        Only ``fit`` sees labels: ``transform`` never does, so the step does
        not leak test labels in cross-validation.
    supervision_weight : float, default=1.0
        Weight of the head's loss against the reconstruction loss; larger
        values give codes that separate the targets better and reconstruct
        worse.
    max_epochs : int, default=100
        Number of passes over the training data.
    batch_size : int, default=256
        Rows per training step.
    lr : float, default=1e-3
        Learning rate.
    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or type of \
            torch.optim.Optimizer, default="adam"
        Optimizer; its other arguments pass as ``optimizer__<name>=value``
        (e.g. ``optimizer__weight_decay=1e-4``).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training rows, stop when the
        validation loss has not improved for ``patience`` epochs and keep the
        best weights.
    validation_fraction : float, default=0.1
        Share of rows held out when ``early_stopping=True``, in (0, 1).
    patience : int, default=10
        Epochs without improvement before early stopping.
    n_threads : int or None, default=None
        Torch CPU threads for ``fit`` and inference. None adapts to the
        machine: it uses the CPUs this process may use (affinity, cgroup
        quota, ``OMP_NUM_THREADS``) minus the cores other processes keep
        busy, and re-checks about every 0.5 s during training. A positive
        int is used as given; -1 means all usable CPUs. Torch's global
        setting is restored afterwards.
    device : str, default="auto"
        ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``,
        ``"cuda:N"`` or ``"mps"``. The resolved device is ``device_``.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout and the validation
        split. An int gives identical results on CPU across calls; the
        global torch RNG state is left as it was.
    precision : {None, "bf16", "fp16"}, default=None
        Mixed-precision training: forward passes under ``torch.autocast`` in
        bfloat16 or float16 (with loss scaling), weights kept in float32.
        Meant for CUDA GPUs with fast half-precision units; on CPUs it is
        often slower. None trains in float32.
    accelerator : bool, dict or None, default=None
        Train through Hugging Face Accelerate (skorch's ``AccelerateMixin``):
        True, or a dict of ``accelerate.Accelerator`` keyword arguments
        (e.g. ``{"mixed_precision": "bf16"}``). Run the script with
        ``accelerate launch`` to train on several GPUs; the Accelerator
        chooses the device. Needs ``pip install "skgen[accelerate]"``; not
        combined with ``supervision``, ``early_stopping`` or ``precision``.
    callbacks : list of skorch callbacks or None, default=None
        Extra :mod:`skorch.callbacks` (instances, or ``(name, callback)``
        pairs) added to the net, e.g. ``skorch.callbacks.Checkpoint`` or
        ``LRScheduler``.
    verbose : int, default=0
        0 is silent; 1 shows one progress bar over the epochs on stderr
        with the reconstruction loss (and the head's and the validation
        loss when there are), as plain lines at most every 10% of the
        epochs when stderr is not a terminal; 2 prints skorch's table of
        one row per epoch instead.
    **kwargs
        ``module__<name>`` and ``optimizer__<name>`` parameters, routed to
        the module and optimizer constructors and tunable with
        ``GridSearchCV``.

    Attributes
    ----------
    net_ : skgen._nets.AutoencoderNet
        The fitted skorch net; ``net_.module_`` is the torch module.
    history_ : skorch.History
        Per-epoch records: ``history_[:, "train_loss"]``,
        ``history_[:, "valid_loss"]`` (with early stopping), ``"dur"``;
        with supervision also its two parts, ``"reconstruction_loss"``
        and ``"head_loss"`` (the head's loss before its weight).
    n_components_ : int
        Width of the codes.
    n_epochs_ : int
        Epochs run (fewer than ``max_epochs`` after early stopping).
    device_ : str
        Device the network was trained on.
    code_mean_ : ndarray of shape (n_components,)
        Mean of the module's codes on the training data, removed by
        ``transform``. Zeros for the default module, which is
        reparametrised after training to emit standardised codes itself.
    code_scale_ : ndarray of shape (n_components,)
        Standard deviation of the module's codes on the training data
        (ones for the default module).
    components_ : ndarray of shape (n_components, n_features_in)
        Jacobian of the decoder at the centre of the code space (the
        training data's mean code): row ``i`` is how the reconstruction moves
        per unit (one standard deviation) of component ``i``. For a linear
        model this is PCA's ``components_`` scaled by each component's
        standard deviation; for the non-linear model it is the local
        equivalent, read like PCA's components (e.g. as images). See also
        :meth:`latent_traversal`.
    supervision_ : {"classification", "regression"} or None
        The task the codes were trained for (None: unsupervised).
    supervision_classes_ : ndarray of shape (n_classes,)
        The class labels, with ``supervision_ == "classification"``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    sklearn.decomposition.PCA : The linear solution this estimator starts from.
    sklearn.decomposition.KernelPCA : Non-linear reduction with kernels.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skgen import AutoencoderTransformer
    >>> X = load_digits().data / 16.0
    >>> ae = AutoencoderTransformer(n_components=8, max_epochs=5, random_state=0)
    >>> codes = ae.fit_transform(X)
    >>> codes.shape
    (1797, 8)
    >>> ae.inverse_transform(codes).shape
    (1797, 64)
    """

    _parameter_constraints = {
        "n_components": [Integral],
        "hidden_dims": [tuple, list],
        "activation": [str],
        "dropout": [Real],
        "loss": [str],
        "module": [type, tuple, None],
        "supervision": [str, None],
        "supervision_weight": [Real],
        "max_epochs": [Integral],
        "batch_size": [Integral],
        "lr": [Real],
        "optimizer": [str, type],
        "early_stopping": ["boolean"],
        "validation_fraction": [Real],
        "patience": [Integral],
        "n_threads": [Integral, None],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "precision": [str, None],
        "accelerator": ["boolean", dict, None],
        "callbacks": [list, tuple, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_components=2,
        *,
        hidden_dims=(128, 64),
        activation="relu",
        dropout=0.0,
        loss="mse",
        module=None,
        supervision=None,
        supervision_weight=1.0,
        max_epochs=100,
        batch_size=256,
        lr=1e-3,
        optimizer="adam",
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        n_threads=None,
        device="auto",
        random_state=None,
        precision=None,
        accelerator=None,
        callbacks=None,
        verbose=0,
        **kwargs,
    ):
        self.n_components = n_components
        self.hidden_dims = hidden_dims
        self.activation = activation
        self.dropout = dropout
        self.loss = loss
        self.module = module
        self.supervision = supervision
        self.supervision_weight = supervision_weight
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.n_threads = n_threads
        self.device = device
        self.random_state = random_state
        self.precision = precision
        self.accelerator = accelerator
        self.callbacks = callbacks
        self.verbose = verbose
        self._store_extra_params(kwargs)

    # --- validation -----------------------------------------------------

    def _check_params(self, n_features):
        check_positive_ints(self, ("n_components", "max_epochs", "batch_size", "patience"))
        if self.n_components > n_features:
            raise ValueError(
                f"n_components={self.n_components} must be at most the number of "
                f"features, {n_features}; the input has n_features = {n_features}."
            )
        check_layer_widths("hidden_dims", self.hidden_dims)
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"Unknown activation {self.activation!r}; choose one of {sorted(ACTIVATIONS)}."
            )
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1); got {self.dropout!r}.")
        if self.loss not in LOSSES:
            raise ValueError(f"Unknown loss {self.loss!r}; choose 'mse' or 'bce'.")
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"lr must be a positive number; got {self.lr!r}.")
        if isinstance(self.optimizer, str):
            if self.optimizer not in OPTIMIZERS:
                raise ValueError(
                    f"Unknown optimizer {self.optimizer!r}; choose one of "
                    f"{sorted(OPTIMIZERS)} or pass a torch.optim.Optimizer class."
                )
        elif not issubclass(self.optimizer, torch.optim.Optimizer):
            raise TypeError(
                f"optimizer must be a name or a torch.optim.Optimizer subclass; got {self.optimizer!r}."
            )
        if not 0.0 < self.validation_fraction < 1.0:
            raise ValueError(
                f"validation_fraction must be in (0, 1); got {self.validation_fraction!r}."
            )
        if self.supervision not in SUPERVISION:
            raise ValueError(
                f"Unknown supervision {self.supervision!r}; choose None, 'auto', 'classification' or 'regression'."
            )
        if not (math.isfinite(self.supervision_weight) and self.supervision_weight >= 0):
            raise ValueError(f"supervision_weight must be a non-negative number; got {self.supervision_weight!r}.")
        if self.precision not in (None, "bf16", "fp16"):
            raise ValueError(f"precision must be None, 'bf16' or 'fp16'; got {self.precision!r}.")
        if self.accelerator:
            clashes = [name for name in ("supervision", "precision") if getattr(self, name) is not None]
            clashes += ["early_stopping"] if self.early_stopping else []
            if clashes:
                raise ValueError(
                    f"accelerator cannot be combined with {', '.join(clashes)}; "
                    "set mixed precision through the Accelerator, e.g. accelerator={'mixed_precision': 'bf16'}."
                )
        check_n_threads(self.n_threads)
        self._check_module()

    def _prepare_targets(self, y, n_samples):
        """Resolve the supervision task and encode ``y`` for the head.

        Returns ``(task, targets, n_outputs)``; ``targets`` is None when
        training unsupervised.
        """
        self.__dict__.pop("supervision_classes_", None)
        task = self.supervision
        if task is None or (task == "auto" and y is None):
            return None, None, 0
        if y is None:
            raise ValueError(
                f"supervision={task!r} needs the targets: call fit(X, y) (a Pipeline passes y to every step)."
            )
        y = np.asarray(y)
        if len(y) != n_samples:
            raise ValueError(f"y has {len(y)} rows but X has {n_samples}.")
        if task == "auto":
            kind = type_of_target(y, input_name="y")
            if kind in ("binary", "multiclass"):
                task = "classification"
            elif kind in ("continuous", "continuous-multioutput", "multiclass-multioutput"):
                task = "regression"
            else:
                raise ValueError(
                    f"Unknown label type: supervision='auto' cannot tell the task from y "
                    f"(type_of_target: {kind!r}); set supervision='classification' or 'regression'."
                )
        if task == "classification":
            y = column_or_1d(y, warn=True)
            if y.dtype.kind in "fc" and not np.isfinite(y).all():
                raise ValueError("y contains NaN or infinity; classification targets must be labels.")
            classes, codes = np.unique(y, return_inverse=True)
            if len(classes) < 2:
                raise ValueError(f"supervision='classification' needs at least 2 classes in y; got {len(classes)}.")
            self.supervision_classes_ = classes
            return task, codes.astype(np.int64), len(classes)
        y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
        y = y.reshape(n_samples, -1)
        std = y.std(axis=0)
        y = (y - y.mean(axis=0)) / np.where(std > 0, std, 1.0)
        return task, y.astype(np.float32), y.shape[1]

    def _check_module(self):
        module = self.module
        if module is None:
            if {"hidden_dims", "activation", "dropout"} & set(self._routed_params("module")):
                raise ValueError(
                    "Set hidden_dims / activation / dropout directly, not as module__ parameters, "
                    "when using the default module."
                )
            return
        classes = module if isinstance(module, tuple) else (module,)
        if isinstance(module, tuple) and len(module) != 2:
            raise TypeError(
                f"module as a tuple must be (EncoderClass, DecoderClass); got {len(module)} items."
            )
        for cls in classes:
            if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
                raise TypeError(
                    f"module must be a torch.nn.Module subclass (not an instance) or a "
                    f"pair of them; got {cls!r}."
                )
        if not isinstance(module, tuple):
            missing = [m for m in ("encode", "decode") if not callable(getattr(module, m, None))]
            if missing:
                raise TypeError(
                    f"module {module.__name__} must define encode(x) and decode(z); "
                    f"missing: {missing}. Pass (Encoder, Decoder) classes instead to use "
                    "their forward methods."
                )

    def _inference_input(self, X):
        """Validate ``X`` for transform / scoring.

        Returns ``(X, finite_checked)``. A plain 2-D float ndarray of the right
        width (the common case inside pipelines) skips scikit-learn's
        validation, whose fixed cost and full pass over ``X`` for NaN/inf
        were 10-40% of a transform; the caller then checks finiteness with
        :meth:`_check_finite_after`.
        """
        if (
            type(X) is np.ndarray
            and X.ndim == 2
            and X.dtype in (np.float32, np.float64)
            and X.shape[0] > 0
            and X.shape[1] == self.n_features_in_
            and not hasattr(self, "feature_names_in_")
        ):
            return X, False
        return self._validate_input(X, reset=False), True

    def _check_finite_after(self, X, output):
        """Raise scikit-learn's NaN/inf error for ``X`` after a fast-path call.

        The default module propagates a NaN or inf in any input feature to
        every output of that row (each output is a dense linear function of
        all inputs, and IEEE NaN*0 is NaN), so finite outputs prove finite
        inputs. For user modules ``X`` itself is checked.
        """
        if isinstance(self.net_.module_, ResidualAutoencoder) and math.isfinite(float(output.sum())):
            return
        check_array(X, dtype=None, ensure_all_finite=True, input_name="X")

    def _validate_input(self, X, reset):
        _check_numeric_frame(X, type(self).__name__)
        return validate_data(
            self,
            X,
            reset=reset,
            dtype=[np.float64, np.float32],
            ensure_min_samples=2 if reset else 1,
        )

    # --- building the net -----------------------------------------------

    def _module_spec(self, n_features):
        """Return the module class and its ``module__`` keyword arguments."""
        user_kwargs = self._routed_params("module")
        if self.module is None:
            kwargs = {
                "n_features": n_features,
                "n_components": self.n_components,
                "hidden_dims": tuple(self.hidden_dims),
                "activation": self.activation,
                "dropout": self.dropout,
            }
            kwargs.update(user_kwargs)
            return ResidualAutoencoder, kwargs
        if isinstance(self.module, tuple):
            encoder, decoder = self.module
            kwargs = {
                "encoder": encoder,
                "decoder": decoder,
                "n_features": n_features,
                "n_components": self.n_components,
            }
            kwargs.update(user_kwargs)
            return EncoderDecoder, kwargs
        kwargs = data_kwargs(self.module, n_features, self.n_components)
        kwargs.update(user_kwargs)
        return self.module, kwargs

    def _batch_losses(self):
        return ("reconstruction_loss", "head_loss")

    def _progress_losses(self):
        return {
            "reconstruction": ("reconstruction_loss", "train_loss"),
            "head": "head_loss",
            "validation": "valid_loss",
        }

    def _build_net(self, n_features, device, governor, valid_X, valid_y, task, n_outputs):
        module_cls, module_kwargs = self._module_spec(n_features)
        callbacks = []
        train_split = None
        if valid_X is not None:
            callbacks.append(
                (
                    "early_stopping",
                    EarlyStopping(monitor="valid_loss", patience=self.patience, load_best=True),
                )
            )
            valid_y = None if valid_y is None else torch.as_tensor(valid_y, device=device)
            train_split = predefined_split(InMemoryDataset(as_float32_tensor(valid_X, device), valid_y))
        optimizer = OPTIMIZERS.get(self.optimizer, self.optimizer)
        kwargs = {f"module__{key}": value for key, value in module_kwargs.items()}
        kwargs.update(self._net_kwargs(governor, optimizer, device, callbacks=callbacks))
        net_class = AutoencoderNet
        if self.accelerator:
            net_class, accelerate_kwargs = self._accelerate_kwargs(kwargs)
            kwargs.update(accelerate_kwargs)
        return net_class(
            module=module_cls,
            criterion=LOSSES[self.loss],
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            train_split=train_split,
            predict_nonlinearity=torch.sigmoid if self.loss == "bce" else None,
            head_task=task,
            head_inputs=self.n_components,
            head_outputs=n_outputs,
            head_weight=self.supervision_weight,
            precision=self.precision,
            **kwargs,
        )

    def _accelerate_kwargs(self, kwargs):
        """The accelerated net class and the keyword arguments it needs."""
        try:
            from accelerate import Accelerator
        except ImportError:
            raise ImportError("accelerator= needs accelerate: pip install 'skgen[accelerate]'.") from None
        from ._nets import accelerated_autoencoder_net

        options = self.accelerator if isinstance(self.accelerator, dict) else {}
        accelerator = Accelerator(**options)
        # The Accelerator places modules and batches; fused Adam needs to know
        # the device at construction, so it is left out.
        kwargs.pop("optimizer__fused", None)
        if kwargs.pop("callbacks__print_log", "keep") is None:
            kwargs["callbacks__print_log__sink"] = _discard  # AccelerateMixin needs the callback to exist
        return accelerated_autoencoder_net(), {
            "accelerator": accelerator,
            "device": None,
            "iterator_train": torch.utils.data.DataLoader,
            "iterator_train__shuffle": True,
        }

    # --- public API -----------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the autoencoder on ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric training data (ndarray or DataFrame), without NaN or inf.
            With ``loss="bce"`` every value must lie in [0, 1].
        y : array-like of shape (n_samples,) or (n_samples, n_targets), default=None
            Targets for ``supervision``; ignored when ``supervision=None``.

        Returns
        -------
        self : AutoencoderTransformer
            The fitted estimator.
        """
        self._check_extra_params()
        check_not_path_or_none(X, "AutoencoderTransformer")
        X = self._validate_input(X, reset=True)
        n_samples, n_features = X.shape
        self._check_params(n_features)
        if self.loss == "bce" and (X.min() < 0 or X.max() > 1):
            raise ValueError(
                f"loss='bce' needs inputs in [0, 1]; got values in [{X.min():.3g}, {X.max():.3g}]. "
                "Scale the data (e.g. MinMaxScaler) or use loss='mse'."
            )
        largest = max(float(X.max()), -float(X.min())) if X.size else 0.0  # no |X| copy
        if largest > 1e30:
            raise ValueError(
                f"X has values up to {largest:.3g}; the network computes in float32 (at most 3.4e38), "
                "so scale the inputs first, e.g. with StandardScaler."
            )
        task, targets, n_outputs = self._prepare_targets(y, n_samples)
        device = self._resolve_device()

        with self._training_context(device) as (rng, governor):
            X_train, X_valid, y_train, y_valid = X, None, targets, None
            if self.early_stopping:
                order = rng.permutation(n_samples)
                n_valid = min(n_samples - 1, max(1, int(round(self.validation_fraction * n_samples))))
                X_valid, X_train = X[order[:n_valid]], X[order[n_valid:]]
                if targets is not None:
                    y_valid, y_train = targets[order[:n_valid]], targets[order[n_valid:]]
            net = self._build_net(n_features, device, governor, X_valid, y_valid, task, n_outputs)
            net.initialize()
            accelerator = getattr(net, "accelerator", None)
            if accelerator is not None:
                device = str(accelerator.device)
            if self.module is None and self._routed_params("module").get("linear_path", True):
                # (Under several processes the module is wrapped; every
                # process computes the same solution.)
                module = net.module_ if accelerator is None else accelerator.unwrap_model(net.module_)
                module.init_linear_(linear_solution(X_train, self.n_components, self.loss, rng))
            y_tensor = None if y_train is None else torch.as_tensor(y_train, device=device)
            data_device = "cpu" if accelerator is not None else device
            self._train(net, InMemoryDataset(as_float32_tensor(X_train, data_device), y_tensor))
            if accelerator is not None:
                net.device = device  # for inference, once the accelerator has unwrapped the module
            codes = net.encode(X_train)

        self._check_codes_finite(net, codes)
        self.net_ = net
        self.device_ = device
        self.history_ = net.history
        self.n_epochs_ = len(net.history)
        self.n_components_ = codes.shape[1]
        mean = codes.mean(axis=0, dtype=np.float64)
        std = codes.std(axis=0, dtype=np.float64)
        std = np.where(std > 1e-12, std, 1.0)
        if isinstance(net.module_, ResidualAutoencoder):
            # Folded into the network: its codes come out standardised.
            net.module_.standardize_codes_(mean, std)
            mean, std = np.zeros_like(mean), np.ones_like(std)
        self.code_mean_ = mean
        self.code_scale_ = std
        self.supervision_ = task
        with self._inference_context():
            self.components_ = self._decoder_jacobian(np.zeros(self.n_components_))
        return self

    def _decoder_jacobian(self, code):
        """Jacobian of ``inverse_transform`` at one standardised ``code``,
        shape (n_components, n_features_in)."""
        net = self.net_
        net._set_training(False)
        nonlinearity = net._get_predict_nonlinearity()
        device = net.device
        mean = torch.as_tensor(self.code_mean_, dtype=torch.float32, device=device)
        scale = torch.as_tensor(self.code_scale_, dtype=torch.float32, device=device)

        def decode(z):
            return nonlinearity(net.module_.decode((z * scale + mean).unsqueeze(0))).squeeze(0)

        z = torch.as_tensor(code, dtype=torch.float32, device=device)
        jacobian = torch.autograd.functional.jacobian(decode, z)
        return jacobian.T.detach().cpu().numpy().astype(np.float64)

    def _check_codes_finite(self, net, codes):
        # Non-finite losses already stop training (TrainingMonitor); a module
        # can still emit non-finite codes from finite reconstructions.
        if not np.all(np.isfinite(codes)):
            raise ValueError(
                f"Training diverged: the codes are NaN or infinite after epoch {len(net.history)}. "
                f"Lower lr (now {self.lr}) or scale the inputs (e.g. StandardScaler)."
            )

    def transform(self, X):
        """Encode ``X`` into standardised codes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
            In ``X``'s float dtype (float64 for other inputs).
        """
        check_is_fitted(self)
        X, finite_checked = self._inference_input(X)
        with self._inference_context():
            codes = self.net_.encode(X)
        if not finite_checked:
            self._check_finite_after(X, codes)
        if self.code_mean_.any() or (self.code_scale_ != 1).any():
            codes -= self.code_mean_.astype(np.float32)
            codes /= self.code_scale_.astype(np.float32)
        return codes.astype(X.dtype, copy=False)

    def inverse_transform(self, X):
        """Decode codes back into the input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes as returned by :meth:`transform`.

        Returns
        -------
        X_reconstructed : ndarray of shape (n_samples, n_features_in)
            In the codes' float dtype.
        """
        check_is_fitted(self)
        Z = check_array(X, dtype=[np.float64, np.float32], input_name="X")
        if Z.shape[1] != self.n_components_:
            raise ValueError(
                f"inverse_transform expects codes with {self.n_components_} components "
                f"(n_components_); got an array with {Z.shape[1]} columns."
            )
        raw = Z
        if self.code_mean_.any() or (self.code_scale_ != 1).any():
            raw = Z * self.code_scale_ + self.code_mean_
        with self._inference_context():
            reconstructed = self.net_.decode(raw)
        return reconstructed.astype(Z.dtype, copy=False)

    def latent_traversal(self, component, values=None, *, origin=None):
        """Decode points on a line through the code space along one component.

        Parameters
        ----------
        component : int
            Index of the component to vary, in ``[0, n_components_)``.
        values : array-like of shape (n_steps,), default=None
            Values of that (standardised) component; None uses
            ``np.linspace(-2, 2, 9)``, two standard deviations either side.
        origin : array-like of shape (n_components,), default=None
            Codes of the other components (e.g. ``transform`` of one sample);
            None is the centre of the code space (the training mean).

        Returns
        -------
        X_traversed : ndarray of shape (n_steps, n_features_in)
            ``inverse_transform`` of the codes ``origin`` with component
            ``component`` set to each of ``values``.
        """
        check_is_fitted(self)
        if isinstance(component, bool) or not isinstance(component, Integral) or not (
            0 <= component < self.n_components_
        ):
            raise ValueError(f"component must be an integer in [0, {self.n_components_}); got {component!r}.")
        values = np.linspace(-2.0, 2.0, 9) if values is None else np.asarray(values, dtype=np.float64)
        if values.ndim != 1 or not values.size or not np.isfinite(values).all():
            raise ValueError("values must be a non-empty 1-D array of finite numbers.")
        if origin is None:
            origin = np.zeros(self.n_components_)
        origin = np.asarray(origin, dtype=np.float64)
        if origin.shape != (self.n_components_,) or not np.isfinite(origin).all():
            raise ValueError(
                f"origin must be {self.n_components_} finite codes (shape ({self.n_components_},)); "
                f"got shape {origin.shape}."
            )
        codes = np.tile(origin, (len(values), 1))
        codes[:, component] = values
        return self.inverse_transform(codes)

    def score_samples(self, X):
        """Negative mean squared reconstruction error of each sample.

        Higher means better reconstructed (more typical of the training
        data); low values flag outliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X, finite_checked = self._inference_input(X)
        with self._inference_context():
            errors = self.net_.reconstruction_error(X)
        if not finite_checked:
            self._check_finite_after(X, errors)
        return -errors

    def score(self, X, y=None):
        """Negative mean squared reconstruction error (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        score : float
        """
        return float(np.mean(self.score_samples(X)))

    # --- persistence (see skgen._persistence) -----------------------------

    def _saved_state(self):
        from ._persistence import encode_array

        classes = getattr(self, "supervision_classes_", None)
        head = getattr(self.net_, "head_", None)
        return {
            "n_components_": int(self.n_components_),
            "code_mean_": encode_array(self.code_mean_),
            "code_scale_": encode_array(self.code_scale_),
            "components_": encode_array(self.components_),
            "supervision_": self.supervision_,
            "supervision_classes_": encode_array(classes),
            "head_outputs": 0 if head is None else int(head.out_features),
        }

    def _saved_weights(self):
        weights = {"module": self.net_.module_.state_dict()}
        if getattr(self.net_, "head_", None) is not None:
            weights["head"] = self.net_.head_.state_dict()
        return weights

    def _restore(self, state, weights, device):
        from ._persistence import decode_array

        net = self._build_net(
            state["n_features_in_"], device, None, None, None, state["supervision_"], state["head_outputs"]
        )
        net.initialize()
        net.module_.load_state_dict(weights["module"])
        if "head" in weights:
            net.head_.load_state_dict(weights["head"])
        self._restore_common(state, net, device)
        self.n_components_ = state["n_components_"]
        self.code_mean_ = decode_array(state["code_mean_"])
        self.code_scale_ = decode_array(state["code_scale_"])
        self.components_ = decode_array(state["components_"])
        self.supervision_ = state["supervision_"]
        if state["supervision_classes_"] is not None:
            self.supervision_classes_ = decode_array(state["supervision_classes_"])
        return self

    @property
    def _n_features_out(self):
        return self.n_components_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

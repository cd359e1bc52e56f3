"""AutoencoderTransformer: a learned, non-linear replacement for PCA.

The estimator holds the parameters, the fit template's steps and inference;
its input checks, targets and net are built in :mod:`skgen._autoencoder`.
"""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.utils import check_array
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ._autoencoder._build import _discard  # noqa: F401 (pickles of accelerated nets name it here)
from ._autoencoder._build import LOSSES, OPTIMIZERS, build_net, check_combinations
from ._autoencoder._embedding import check_embedding_input, embedding_dataset
from ._autoencoder._inputs import check_finite_after, check_training_values, inference_input, validate_input
from ._autoencoder._targets import prepare_targets
from ._core._base import COMMON_CONSTRAINTS, TorchEstimatorBase
from ._autoencoder._partial import partial_fit_available, train_on_batch
from ._core._validation import NON_NEGATIVE_REAL, POSITIVE_INT, POSITIVE_REAL, _Check, layer_widths, module_class
from ._data import InMemoryDataset, as_float32_tensor
from ._io._json import decode_array, encode_array
from ._modules import ACTIVATIONS, ResidualAutoencoder, input_statistics, linear_solution

_MODULE_CLASS = module_class(nn.Module, "a torch.nn.Module subclass with encode and decode")
_MODULE_PAIR = _Check(
    lambda v: isinstance(v, tuple) and len(v) == 2 and all(isinstance(c, type) and issubclass(c, nn.Module) for c in v),
    "a pair (Encoder, Decoder) of torch.nn.Module subclasses",
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

    With ``embedding="umap"`` the codes keep neighbourhoods instead, as
    UMAP's do (rows close in the input stay close in the codes), and the
    decoder remains a fast ``inverse_transform``.

    Codes returned by ``transform`` are standardised: zero mean and unit
    variance per component on the training data.

    The network is trained by a skorch net held in ``net_``; any
    ``torch.nn.Module`` with ``encode`` and ``decode`` methods (or an
    encoder/decoder pair) can replace the default through ``module``.

    Parameters
    ----------
    n_components : int, default=2
        Number of code dimensions; at most the number of input features.
    hidden_dims : tuple of int or "auto", default="auto"
        Hidden layer widths of the default encoder MLP; the decoder mirrors
        them. An empty tuple leaves only the linear (PCA) path. ``"auto"`` is
        ``(128, 64)``, or ``(256, 128)`` with ``embedding="umap"`` (a map
        onto a neighbourhood layout needs the width).
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
    embedding : {None, "umap"}, default=None
        The objective of the codes. None: reconstruction only (PCA start).
        ``"umap"``: codes that keep neighbourhoods, like UMAP's, with the
        decoder as a fast ``inverse_transform``. The training rows are first
        laid out by UMAP's cross-entropy between their fuzzy
        ``n_neighbors``-nearest-neighbour graph (Euclidean) and the
        similarity ``1 / (1 + a d^(2b))`` of the codes (UMAP's optimisation,
        200 epochs, from a PCA start); the encoder is then trained to map
        the rows, and points between graph neighbours, onto that layout,
        jointly with the decoder's reconstruction (the encoder sees its
        inputs with Gaussian noise of 0.3 times the data's overall standard
        deviation; the decoder reconstructs the clean points). ``transform`` needs no
        graph: new rows go through the encoder. The graph is searched
        exactly by scikit-learn up to 20,000 rows and by ``pynndescent``
        beyond when it is installed; it takes about 72 bytes per row and
        neighbour. Not combined with ``early_stopping`` or ``accelerator``.
    n_neighbors : int, default=15
        Neighbourhood size of the graph with ``embedding="umap"``, counting
        the row itself (umap-learn's convention); at least 2 and at most the
        number of rows. Larger values keep more global structure.
    min_dist : float, default=0.1
        How tightly ``embedding="umap"`` packs neighbours (UMAP's
        ``min_dist``, with ``spread=1``).
    embedding_weight : float, default=1.0
        Weight of the codes' distance to the layout against the
        reconstruction loss, with ``embedding="umap"``; larger values give
        codes nearer the layout and reconstruct worse.
    max_epochs : int or "auto", default="auto"
        Number of passes over the training data. ``"auto"`` is 100; with
        ``embedding="umap"`` (where each pass draws as many graph edges as
        there are rows) it is 20, or more on small data so that training
        runs at least 600 optimiser steps.
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
    n_threads : int, "adaptive" or None, default=None
        Torch CPU threads for ``fit`` and inference. None (or -1) uses the
        CPUs this process may use (affinity, cgroup quota,
        ``OMP_NUM_THREADS``): a count fixed by the machine, so the same
        ``random_state`` gives the same model whatever else runs. A positive
        int is used as given. ``"adaptive"`` also subtracts the cores other
        processes keep busy and re-checks about every 0.5 s during training:
        faster on a busy machine (a fixed count can run several times slower
        when another process takes a core), but the model then depends on
        the load. Torch's global setting is restored after every call.
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
        and ``"head_loss"`` (the head's loss before its weight); with
        ``embedding="umap"`` also ``"reconstruction_loss"`` and
        ``"embedding_loss"`` (the codes' mean squared distance to the
        layout, whose overall standard deviation is 1).
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
    umap.UMAP : The neighbourhood embedding ``embedding="umap"`` learns.

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

    _saveable = True
    _code_params = {"module": (), "optimizer": tuple(OPTIMIZERS), "callbacks": ()}

    _parameter_constraints = {
        **COMMON_CONSTRAINTS,
        "n_components": [POSITIVE_INT],
        "hidden_dims": [layer_widths(allow_empty=True), StrOptions({"auto"})],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "loss": [StrOptions(set(LOSSES))],
        "module": [_MODULE_CLASS, _MODULE_PAIR, None],
        "supervision": [StrOptions({"auto", "classification", "regression"}), None],
        "supervision_weight": [NON_NEGATIVE_REAL],
        "embedding": [StrOptions({"umap"}), None],
        "n_neighbors": [Interval(Integral, 2, None, closed="left")],
        "min_dist": [Interval(Real, 0, None, closed="left")],
        "embedding_weight": [NON_NEGATIVE_REAL],
        "max_epochs": [POSITIVE_INT, StrOptions({"auto"})],
        "batch_size": [POSITIVE_INT],
        "lr": [POSITIVE_REAL],
        "optimizer": [StrOptions(set(OPTIMIZERS)), module_class(torch.optim.Optimizer, "a torch.optim.Optimizer subclass")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "patience": [POSITIVE_INT],
        "precision": [StrOptions({"bf16", "fp16"}), None],
        "accelerator": ["boolean", dict, None],
    }

    def __init__(
        self,
        n_components=2,
        *,
        hidden_dims="auto",
        activation="relu",
        dropout=0.0,
        loss="mse",
        module=None,
        supervision=None,
        supervision_weight=1.0,
        embedding=None,
        n_neighbors=15,
        min_dist=0.1,
        embedding_weight=1.0,
        max_epochs="auto",
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
        self.embedding = embedding
        self.n_neighbors = n_neighbors
        self.min_dist = min_dist
        self.embedding_weight = embedding_weight
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
        return self._fit(X, y)

    @available_if(partial_fit_available)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """One epoch of training on the batch ``X``, for data that arrive in parts.

        scikit-learn's out-of-core convention (as in
        :class:`~sklearn.decomposition.IncrementalPCA` and
        :class:`~sklearn.neural_network.MLPRegressor`), usable with
        ``dask_ml.wrappers.Incremental``. The first call builds the network
        and starts its linear path at the PCA solution of that batch
        (:class:`~sklearn.decomposition.IncrementalPCA`'s first step, so the
        first batch should hold at least a few times ``n_components`` rows);
        every call trains one epoch on its batch and keeps the optimizer's
        state. ``max_epochs`` and ``early_stopping`` do not apply: the caller
        decides how many batches and passes there are. The codes are
        standardised on the latest batch.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A batch of numeric training rows (the same features every call).
        y : array-like of shape (n_samples,) or (n_samples, n_targets), default=None
            Targets of the batch for ``supervision``.

        Returns
        -------
        self : AutoencoderTransformer
        """
        if not hasattr(self, "net_"):
            self._partial_fit_call = True
            try:
                return self._fit(X, y)
            finally:
                del self._partial_fit_call
        return train_on_batch(self, X, y)

    # --- the fit template's steps -----------------------------------------------

    def _validate_fit_input(self, X, y):
        X = validate_input(self, X, reset=True)
        check_combinations(self, X.shape[1])
        if self.embedding is not None:
            check_embedding_input(self, len(X))
        check_training_values(X, self.loss)
        task, targets, n_outputs, classes = prepare_targets(self.supervision, y, len(X))
        return {"X": X, "task": task, "targets": targets, "n_outputs": n_outputs, "classes": classes}

    def _start_training(self, data, device, governor, rng):
        X, targets = data["X"], data["targets"]
        X_train, X_valid, y_train, y_valid = X, None, targets, None
        partial = getattr(self, "_partial_fit_call", False)
        if self.early_stopping and not partial:
            n_samples = len(X)
            order = rng.permutation(n_samples)
            n_valid = min(n_samples - 1, max(1, int(round(self.validation_fraction * n_samples))))
            X_valid, X_train = X[order[:n_valid]], X[order[n_valid:]]
            if targets is not None:
                y_valid, y_train = targets[order[:n_valid]], targets[order[n_valid:]]
        net = build_net(
            self, X.shape[1], device, governor, X_valid, y_valid, data["task"], data["n_outputs"], len(X_train)
        )
        if partial:
            net.set_params(max_epochs=1)
        net.initialize()
        accelerator = getattr(net, "accelerator", None)
        if accelerator is not None:
            device = str(accelerator.device)
        if self.module is None:
            # (Under several processes the module is wrapped; every
            # process computes the same solution.)
            module = net.module_ if accelerator is None else accelerator.unwrap_model(net.module_)
            if module.linear_path:
                module.init_linear_(linear_solution(X_train, self.n_components, self.loss, rng))
            elif self.embedding is not None:
                module.init_linear_(input_statistics(X_train, self.loss))
        y_tensor = None if y_train is None else torch.as_tensor(y_train, device=device)
        data_device = "cpu" if accelerator is not None else device
        data.update(X_train=X_train, device=device)
        X_tensor = as_float32_tensor(X_train, data_device)
        if self.embedding is not None:
            return net, embedding_dataset(X_tensor, X_train, y_tensor, self, rng)
        return net, InMemoryDataset(X_tensor, y_tensor)

    def _end_training(self, net, data):
        if getattr(net, "accelerator", None) is not None:
            net.device = data["device"]  # for inference, once the accelerator has unwrapped the module
        codes = net.encode(data["X_train"])
        # Non-finite losses already stop training (TrainingMonitor); a module
        # can still emit non-finite codes from finite reconstructions.
        if not np.all(np.isfinite(codes)):
            raise ValueError(
                f"Training diverged: the codes are NaN or infinite after epoch {len(net.history)}. "
                f"Lower lr (now {self.lr}) or scale the inputs (e.g. StandardScaler)."
            )
        return codes

    def _set_fitted_state(self, net, data, codes):
        self.device_ = data["device"]
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
        self.supervision_ = data["task"]
        self.__dict__.pop("supervision_classes_", None)
        if data["classes"] is not None:
            self.supervision_classes_ = data["classes"]
        with self._inference_context():
            self.components_ = self._decoder_jacobian(np.zeros(self.n_components_))

    def _batch_losses(self):
        return ("reconstruction_loss", "head_loss", "embedding_loss")

    def _progress_losses(self):
        return {
            "reconstruction": ("reconstruction_loss", "train_loss"),
            "head": "head_loss",
            "embedding": "embedding_loss",
            "validation": "valid_loss",
        }

    def _params_for_file(self):
        return {"accelerator": None} if self.accelerator else {}  # how it was trained, not how to load it

    # --- inference ------------------------------------------------------------

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
        X, finite_checked = inference_input(self, X)
        with self._inference_context():
            codes = self.net_.encode(X)
        if not finite_checked:
            check_finite_after(self.net_, X, codes)
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
        X, finite_checked = inference_input(self, X)
        with self._inference_context():
            errors = self.net_.reconstruction_error(X)
        if not finite_checked:
            check_finite_after(self.net_, X, errors)
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

    # --- model files --------------------------------------------------------

    def _saved_state(self):
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
        net = build_net(
            self, state["n_features_in_"], device, None, None, None, state["supervision_"], state["head_outputs"]
        )
        net.initialize()
        net.module_.load_state_dict(weights["module"])
        if "head" in weights:
            net.head_.load_state_dict(weights["head"])
        self.n_components_ = state["n_components_"]
        self.code_mean_ = decode_array(state["code_mean_"])
        self.code_scale_ = decode_array(state["code_scale_"])
        self.components_ = decode_array(state["components_"])
        self.supervision_ = state["supervision_"]
        if state["supervision_classes_"] is not None:
            self.supervision_classes_ = decode_array(state["supervision_classes_"])
        return net

    def __setstate__(self, state):
        # Pickles from before embedding="umap" lack its parameters.
        for name, default in (("embedding", None), ("n_neighbors", 15), ("min_dist", 0.1), ("embedding_weight", 1.0)):
            state.setdefault(name, default)
        super().__setstate__(state)

    @property
    def _n_features_out(self):
        return self.n_components_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.non_deterministic = self.n_threads == "adaptive"
        return tags

"""Plumbing shared by skgen's estimators: routed ``module__`` parameters,
seeding, threads and device.

A small base in the spirit of ``sklearn.mixture._base.BaseMixture``: the
estimators keep their public ``__init__`` signatures and call these helpers
from ``fit``.
"""

import contextlib
import os
import warnings
from numbers import Integral

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from skorch.callbacks import Callback

from ._callbacks import AdaptiveThreads, NonFiniteLossError, TrainingMonitor, interrupted_epochs
from ._data import resolve_device
from ._nets import default_optimizer_kwargs
from ._progress import EpochLossMeans, EpochProgress
from ._threads import ThreadGovernor


def check_positive_ints(estimator, names):
    """Raise a ValueError naming the first parameter that is not a positive int."""
    for name in names:
        value = getattr(estimator, name)
        if isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}.")


def check_layer_widths(name, widths):
    """Raise a ValueError unless ``widths`` is a sequence of positive ints."""
    if any(isinstance(w, bool) or not isinstance(w, Integral) or w < 1 for w in widths):
        raise ValueError(f"{name} must be a tuple of positive integers; got {widths!r}.")


def check_n_threads(n_threads):
    """``n_threads`` must be None, -1 or a positive int."""
    if n_threads is not None and (n_threads == 0 or n_threads < -1):
        raise ValueError(f"n_threads must be None, -1 or a positive integer; got {n_threads!r}.")


def check_not_path_or_none(X, estimator_name):
    """Name the two inputs users pass by mistake before array conversion garbles them."""
    if X is None:
        raise ValueError(
            f"{estimator_name}.fit got X=None; pass the data: a DataFrame or an array of shape "
            "(n_samples, n_features)."
        )
    if isinstance(X, (str, bytes, os.PathLike)):
        raise TypeError(
            f"{estimator_name}.fit got {type(X).__name__} {X!r}, not data; read the file first, "
            f"e.g. X = pandas.read_csv({os.fsdecode(X)!r})."
        )


class TorchEstimatorBase(BaseEstimator):
    """Base for estimators that hold a skorch net.

    Besides its named parameters, an estimator accepts ``<prefix>__<name>``
    keyword arguments for each prefix in ``_routed_prefixes`` (for instance
    ``module__width=64`` or ``optimizer__weight_decay=1e-4``). They are stored
    unchanged as attributes, reported by :meth:`get_params`, settable by
    :meth:`set_params` (so ``GridSearchCV`` can tune them) and forwarded to the
    skorch net in ``fit``, which rejects any other extra name with a
    ``TypeError`` (as scikit-learn asks, ``__init__`` and ``set_params`` never
    raise).
    """

    _routed_prefixes = ("module", "optimizer")

    def _store_extra_params(self, kwargs):
        # Stored as given; _check_extra_params names the bad ones in fit.
        for key, value in kwargs.items():
            setattr(self, key, value)

    def _extra_param_names(self):
        """Names of keyword parameters given beyond the signature."""
        named = set(self._get_param_names())
        return [
            key
            for key in vars(self)
            if key not in named and not key.startswith("_") and not key.endswith("_")
        ]

    def _check_extra_params(self):
        """Raise a TypeError naming any extra parameter that is not routed."""
        unknown = [key for key in self._extra_param_names() if not self._is_routed(key)]
        if unknown:
            raise TypeError(
                f"{type(self).__name__} got unknown parameter(s) {sorted(unknown)}; "
                "extra parameters must be named "
                + " or ".join(f"'{p}__<name>'" for p in self._routed_prefixes)
                + "."
            )

    @classmethod
    def _is_routed(cls, key):
        prefix, sep, name = key.partition("__")
        return bool(sep) and bool(name) and prefix in cls._routed_prefixes

    def _routed_params(self, prefix):
        """Return ``{name: value}`` for the stored ``<prefix>__<name>`` parameters."""
        start = prefix + "__"
        return {
            key[len(start) :]: getattr(self, key)
            for key in self._extra_param_names()
            if key.startswith(start)
        }

    def get_params(self, deep=True):
        """Get parameters for this estimator.

        Parameters
        ----------
        deep : bool, default=True
            If True, also return the parameters of contained estimators.

        Returns
        -------
        params : dict
            Parameter names mapped to their values, including the routed
            ``<prefix>__<name>`` parameters.
        """
        params = super().get_params(deep=deep)
        params.update({key: getattr(self, key) for key in self._extra_param_names()})
        return params

    def set_params(self, **params):
        """Set the parameters of this estimator.

        Parameters
        ----------
        **params : dict
            Estimator parameters, including routed ``<prefix>__<name>`` ones.
            Names are checked when ``fit`` runs.

        Returns
        -------
        self : estimator instance
        """
        named = set(self._get_param_names())
        extra = {key: value for key, value in params.items() if key not in named}
        for key, value in extra.items():
            setattr(self, key, value)
        rest = {key: value for key, value in params.items() if key in named}
        if rest:
            super().set_params(**rest)
        return self

    # --- persistence ----------------------------------------------------

    def save(self, path):
        """Save the fitted estimator to a safe model file.

        The file holds JSON (parameters and fitted state) and the networks'
        weights, read back by :func:`skgen.load` without unpickling
        anything but tensors, so loading a file cannot run code. Only
        estimators with the default networks can be saved this way; pickle
        the others (and load pickles only from trusted sources).

        Parameters
        ----------
        path : str or path-like
            File to write (conventionally ``*.skgen``).

        Returns
        -------
        self : estimator instance
        """
        from sklearn.utils.validation import check_is_fitted

        from ._persistence import encode_history, encode_value, estimator_params, save_model

        check_is_fitted(self)
        params = estimator_params(self)
        state = self._saved_state()
        state["history"] = encode_history(self.history_)
        state["n_epochs_"] = int(self.n_epochs_)
        names = getattr(self, "feature_names_in_", None)
        state["feature_names_in_"] = None if names is None else [encode_value(n) for n in names]
        state["n_features_in_"] = int(self.n_features_in_)
        save_model(self, path, {"params": params, "state": state}, self._saved_weights())
        return self

    def _restore_common(self, state, net, device):
        from ._persistence import decode_history, decode_value

        net.history = decode_history(state["history"])
        self.net_ = net
        self.history_ = net.history
        self.device_ = device
        self.n_epochs_ = state["n_epochs_"]
        self.n_features_in_ = state["n_features_in_"]
        names = state["feature_names_in_"]
        if names is not None:
            self.feature_names_in_ = np.asarray([decode_value(n) for n in names], dtype=object)

    # --- fit plumbing ---------------------------------------------------

    def _resolve_device(self):
        return resolve_device(self.device)

    @staticmethod
    @contextlib.contextmanager
    def _torch_rng(rng, device):
        """Seed torch from ``rng`` inside the block, leaving the caller's
        global torch RNG state untouched afterwards."""
        seed = int(rng.randint(np.iinfo(np.int32).max))
        cuda_devices = []
        if str(device).startswith("cuda"):
            cuda_devices = [torch.device(device).index or 0]
        with torch.random.fork_rng(devices=cuda_devices):
            torch.manual_seed(seed)
            yield seed

    @contextlib.contextmanager
    def _training_context(self, device):
        """Context for one ``fit``: a thread governor and a seeded torch RNG.

        Yields
        ------
        rng : numpy.random.RandomState
            From ``random_state``; use it for every other random choice.
        governor : ThreadGovernor
            To be followed during training (see ``AdaptiveThreads``).
        """
        rng = check_random_state(self.random_state)
        with ThreadGovernor(self.n_threads) as governor, self._torch_rng(rng, device):
            yield rng, governor

    def _net_kwargs(self, governor, optimizer, device, optimizer_defaults=None, callbacks=()):
        """Keyword arguments every skgen net gets from its estimator.

        Callbacks: the adaptive-thread governor, the epoch means of the
        per-batch losses ``_batch_losses``, then ``callbacks``, then the
        user's. ``verbose=1`` adds one progress bar over epochs showing
        ``_progress_losses``; ``verbose >= 2`` prints skorch's table of one
        row per epoch instead (its PrintLog is removed otherwise: it formats
        a table every epoch even when silent). Optimizer
        arguments: ``optimizer_defaults``, the fused implementation unless the
        user chose ``fused`` or ``foreach``, then the user's
        ``optimizer__<name>`` values.
        """
        user = self._routed_params("optimizer")
        optimizer_kwargs = dict(optimizer_defaults or {})
        if not {"fused", "foreach"} & set(user):
            optimizer_kwargs.update(default_optimizer_kwargs(optimizer, device))
        optimizer_kwargs.update(user)
        net_callbacks = [
            ("adaptive_threads", AdaptiveThreads(governor)),
            ("training_monitor", TrainingMonitor()),
            ("epoch_loss_means", EpochLossMeans(self._batch_losses())),
            *callbacks,
            *self._user_callbacks(),
        ]
        if self.verbose == 1:
            net_callbacks.append(("epoch_progress", EpochProgress(self._progress_losses(), type(self).__name__)))
        kwargs = {f"optimizer__{key}": value for key, value in optimizer_kwargs.items()}
        if self.verbose < 2:
            kwargs["callbacks__print_log"] = None
        kwargs.update(callbacks=net_callbacks, optimizer=optimizer, device=device, verbose=int(self.verbose >= 2))
        return kwargs

    def _batch_losses(self):
        """Per-batch history keys whose epoch means the history records (hook)."""
        return ()

    def _progress_losses(self):
        """``{label: epoch history key}`` shown by the progress bar (hook)."""
        return {"loss": "train_loss"}

    def _user_callbacks(self):
        """The ``callbacks`` parameter as skorch's ``(name, callback)`` pairs."""
        out = []
        for i, item in enumerate(self.callbacks or ()):
            name, callback = item if isinstance(item, tuple) else (f"user_{i}_{type(item).__name__}", item)
            if not isinstance(callback, Callback):
                raise TypeError(
                    f"callbacks must hold skorch.callbacks.Callback instances (or (name, callback) pairs); "
                    f"got {callback!r}."
                )
            out.append((name, callback))
        return out

    def _train(self, net, dataset):
        """``net.partial_fit(dataset)`` with skgen's failure handling.

        A non-finite loss stops training with a ValueError naming the epoch.
        A KeyboardInterrupt (caught by skorch, which keeps the weights reached
        so far) ends ``fit`` normally with a warning saying how many epochs
        completed; the estimator is usable.
        """
        try:
            net.partial_fit(dataset)
        except NonFiniteLossError as exc:
            raise ValueError(
                f"Training diverged: the loss became NaN or infinite in epoch {exc.epoch}. "
                f"Lower lr (now {net.lr:g}) or scale the inputs (e.g. StandardScaler)."
            ) from None
        completed = interrupted_epochs(net)
        if completed is not None:
            warnings.warn(
                f"{type(self).__name__}.fit was interrupted after {completed} of {net.max_epochs} epochs; "
                "the estimator keeps the weights reached so far and is usable.",
                UserWarning,
                stacklevel=3,
            )
        return net

    def _inference_context(self):
        return ThreadGovernor(self.n_threads)

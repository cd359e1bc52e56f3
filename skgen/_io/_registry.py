"""Which estimators a model file can hold, and ``skgen.load``.

Estimators register themselves (``TorchEstimatorBase.__init_subclass__``
calls :func:`register` for every concrete subclass that declares
``_saveable = True``), so adding one needs no edit here. A file names its
estimator's class; :func:`load` accepts it only when that class registered
itself (importing it first through ``skgen``'s public names when it is one
of them). Nothing in a file can name other code to import or run.
"""

import importlib

from numbers import Integral

from ._json import ModelFileError, decode_param, encode_param
from ._model_file import read_model

_REGISTRY = {}


def register(cls):
    """Let model files hold instances of ``cls`` (keyed by its class name)."""
    _REGISTRY[cls.__name__] = cls
    return cls


def registered_class(name):
    """The registered estimator class called ``name``, or None.

    An estimator of skgen's public API that has not been imported yet (the
    package imports its estimators lazily) is imported through ``skgen``'s
    public names; no other module is ever imported on a file's word.
    """
    if name not in _REGISTRY and isinstance(name, str):
        package = importlib.import_module("skgen")
        if name in getattr(package, "__all__", ()):
            getattr(package, name)
    return _REGISTRY.get(name)


def saveable_params(estimator):
    """The estimator's parameters for a model file, or a ValueError for one a
    file cannot hold: a class or callback (only pickle can keep code), named
    in the estimator's ``_code_params`` with the names a file may use."""
    params = estimator.get_params(deep=False)
    for key, names in estimator._code_params.items():
        if params.get(key) is not None and params[key] not in names:
            raise ValueError(
                f"save() supports the default networks and optimizers given by name only; this "
                f"{type(estimator).__name__} has {key}={params[key]!r}. Use pickle (or joblib) instead, and load "
                "such files only from trusted sources."
            )
    random_state = params.get("random_state")
    if random_state is not None and (isinstance(random_state, bool) or not isinstance(random_state, Integral)):
        params["random_state"] = None  # a RandomState instance: its stream is not a parameter
    params.update(estimator._params_for_file())
    return {key: encode_param(value) for key, value in params.items()}


def load(path, *, device=None):
    """Load an estimator written by ``save``.

    Parameters
    ----------
    path : str or path-like
    device : str or None, default=None
        Where to put the networks; None resolves the saved estimator's
        ``device`` parameter on this machine (``"auto"``: CUDA when
        available, else CPU), so a model trained on a GPU loads on a
        CPU-only machine.

    Returns
    -------
    estimator : AutoencoderTransformer or GANSampler
        Fitted, ready for ``transform`` / ``sample``.

    Raises
    ------
    ValueError
        For a file that is not a skgen model file, another format version,
        or corrupted or tampered content. Loading never runs code from the
        file.
    """
    document, weights = read_model(path, device="cpu")
    cls = registered_class(document.get("class"))
    if cls is None:
        raise ModelFileError(f"{path} holds an unknown estimator class {document.get('class')!r}.")
    params = document.get("params")
    allowed = set(cls._get_param_names())
    if not isinstance(params, dict) or not set(params) <= allowed | {k for k in params if cls._is_routed(k)}:
        raise ModelFileError(f"{path} has invalid parameters for {cls.__name__}.")
    decoded = {key: decode_param(value) for key, value in params.items()}
    for key, names in cls._code_params.items():
        if decoded.get(key) is not None and decoded[key] not in names:
            raise ModelFileError(f"{path} names a {key} that a model file cannot hold.")
    estimator = cls(**decoded)
    try:
        estimator._restore_from_file(document["state"], weights, device)
    except (KeyError, TypeError, RuntimeError) as exc:
        raise ModelFileError(f"{path} is corrupted: its state does not fit a {cls.__name__} ({exc}).") from None
    return estimator

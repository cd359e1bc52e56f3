"""Safe model files: ``est.save(path)`` and ``skgen.load(path)``.

A model file is a zip archive with two members:

- ``skgen.json``: format name and version, the estimator's class and
  parameters, and its fitted state (codec, condition frequencies, code
  statistics...) as plain JSON;
- ``weights.pt``: the networks' state dicts, read back with
  ``torch.load(weights_only=True)``, which unpickles only tensors and plain
  containers.

Nothing in the file names a class to import or code to run: the estimator
class comes from a fixed list, only the default networks can be rebuilt
(estimators with user-supplied modules or callbacks must be pickled, from
trusted sources only), and a SHA-256 digest of the weights in the JSON
catches a corrupted or swapped weights member.
"""

import hashlib
import io
import json
import math
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from skorch.history import History

FORMAT = "skgen-model"
FORMAT_VERSION = 1
CONFIG_NAME = "skgen.json"
WEIGHTS_NAME = "weights.pt"


class ModelFileError(ValueError):
    """A file that is not a valid skgen model file."""


# --- JSON encoding of values, arrays and dtypes --------------------------------


def encode_value(value):
    """One scalar as JSON: non-finite floats, timestamps and NA get a tag."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else {"float": repr(value)}
    if value is pd.NA:
        return {"na": "NA"}
    if value is pd.NaT:
        return {"na": "NaT"}
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return {"timestamp": pd.Timestamp(value).isoformat()}
    raise ValueError(f"Cannot save a value of type {type(value).__name__} ({value!r}) in a model file.")


def decode_value(value):
    if isinstance(value, dict):
        if "float" in value:
            return float(value["float"])
        if "na" in value:
            return pd.NA if value["na"] == "NA" else pd.NaT
        if "timestamp" in value:
            return pd.Timestamp(value["timestamp"])
        raise ModelFileError(f"Unknown tagged value {value!r} in the model file.")
    return value


def encode_array(array):
    if array is None:
        return None
    array = np.asarray(array)
    return {
        "dtype": "object" if array.dtype == object else array.dtype.str,
        "shape": list(array.shape),
        "data": [encode_value(v) for v in array.ravel().tolist()],
    }


def decode_array(obj):
    if obj is None:
        return None
    data = [decode_value(v) for v in obj["data"]]
    if obj["dtype"] == "object":
        out = np.empty(len(data), dtype=object)
        out[:] = data
    else:
        out = np.array(data, dtype=np.dtype(obj["dtype"]))
    return out.reshape(obj["shape"])


def encode_dtype(dtype):
    if isinstance(dtype, pd.CategoricalDtype):
        return {
            "category": [encode_value(v) for v in dtype.categories.tolist()],
            "ordered": bool(dtype.ordered),
            "categories_dtype": encode_dtype(dtype.categories.dtype),
        }
    if isinstance(dtype, pd.StringDtype):
        na_value = getattr(dtype, "na_value", pd.NA)
        return {"string": dtype.storage, "na": "nan" if na_value is not pd.NA else "NA"}
    if isinstance(dtype, np.dtype):
        return {"numpy": "object" if dtype == object else dtype.str}
    return {"pandas": str(dtype)}


def decode_dtype(obj):
    if "category" in obj:
        categories = pd.Index([decode_value(v) for v in obj["category"]], dtype=decode_dtype(obj["categories_dtype"]))
        return pd.CategoricalDtype(categories, ordered=obj["ordered"])
    if "string" in obj:
        if obj["na"] == "nan":
            return pd.StringDtype(obj["string"], na_value=np.nan)
        return pd.StringDtype(obj["string"])
    if "numpy" in obj:
        return np.dtype(object) if obj["numpy"] == "object" else np.dtype(obj["numpy"])
    return pd.api.types.pandas_dtype(obj["pandas"])


# --- history -----------------------------------------------------------------------


def encode_history(history):
    """Per-epoch records (per-batch records are not kept)."""
    return [
        {key: encode_value(value) for key, value in row.items() if key != "batches" and _is_scalar(value)}
        for row in history
    ]


def _is_scalar(value):
    return value is None or isinstance(value, (bool, str, int, float, np.integer, np.floating, np.bool_))


def decode_history(rows):
    return History([{key: decode_value(value) for key, value in row.items()} for row in rows])


# --- files -------------------------------------------------------------------------


def save_model(estimator, path, config, weights):
    """Write ``config`` (JSON-able dict) and ``weights`` (dict of state dicts)."""
    buffer = io.BytesIO()
    torch.save({name: {k: v.detach().cpu() for k, v in state.items()} for name, state in weights.items()}, buffer)
    weight_bytes = buffer.getvalue()
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "skgen_version": _skgen_version(),
        "class": type(estimator).__name__,
        "weights_sha256": hashlib.sha256(weight_bytes).hexdigest(),
        **config,
    }
    text = json.dumps(document, allow_nan=False)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(CONFIG_NAME, text)
        archive.writestr(WEIGHTS_NAME, weight_bytes)


def read_model(path, device="cpu"):
    """Read and check a model file; return ``(document, weights)``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No model file at {path}.")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if names != {CONFIG_NAME, WEIGHTS_NAME}:
                raise ModelFileError(
                    f"{path} is not a skgen model file (expected members {CONFIG_NAME} and {WEIGHTS_NAME})."
                )
            text = archive.read(CONFIG_NAME)
            weight_bytes = archive.read(WEIGHTS_NAME)
    except zipfile.BadZipFile:
        raise ModelFileError(f"{path} is not a skgen model file (not a zip archive).") from None
    try:
        document = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{path} is corrupted: its {CONFIG_NAME} is not valid JSON ({exc}).") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError(f"{path} is not a skgen model file (format {document.get('format')!r}).")
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelFileError(
            f"{path} has model format version {version!r}; this skgen ({_skgen_version()}) reads version "
            f"{FORMAT_VERSION}. Save it again with a matching skgen version."
        )
    if hashlib.sha256(weight_bytes).hexdigest() != document.get("weights_sha256"):
        raise ModelFileError(f"{path} is corrupted or tampered with: its weights do not match their digest.")
    try:
        weights = torch.load(io.BytesIO(weight_bytes), map_location=device, weights_only=True)
    except Exception as exc:  # torch raises UnpicklingError, RuntimeError...
        raise ModelFileError(f"{path} holds weights that cannot be loaded safely: {exc}") from None
    return document, weights


def _skgen_version():
    from . import __version__

    return __version__


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
    from .autoencoder import AutoencoderTransformer
    from .gan import GANSampler

    classes = {"AutoencoderTransformer": AutoencoderTransformer, "GANSampler": GANSampler}
    document, weights = read_model(path, device="cpu")
    cls = classes.get(document.get("class"))
    if cls is None:
        raise ModelFileError(f"{path} holds an unknown estimator class {document.get('class')!r}.")
    params = document.get("params")
    allowed = set(cls._get_param_names())
    if not isinstance(params, dict) or not set(params) <= allowed | {k for k in params if cls._is_routed(k)}:
        raise ModelFileError(f"{path} has invalid parameters for {cls.__name__}.")
    decoded = {key: _decode_param(value) for key, value in params.items()}
    for key in ("module", "generator", "discriminator", "optimizer", "callbacks"):
        if key in decoded and decoded[key] not in (None, "adam", "adamw", "sgd", "rmsprop"):
            raise ModelFileError(f"{path} names a {key} that a model file cannot hold.")
    from ._data import resolve_device

    estimator = cls(**decoded)
    try:
        estimator._restore(document["state"], weights, resolve_device(device or estimator.device))
    except (KeyError, TypeError, RuntimeError) as exc:
        raise ModelFileError(f"{path} is corrupted: its state does not fit a {cls.__name__} ({exc}).") from None
    return estimator


def encode_param(value):
    """Parameters are JSON values; tuples are tagged so they come back as tuples."""
    if isinstance(value, tuple):
        return {"tuple": [encode_param(v) for v in value]}
    if isinstance(value, list):
        return [encode_param(v) for v in value]
    if isinstance(value, torch.device):
        return str(value)
    return encode_value(value)


def _decode_param(value):
    if isinstance(value, dict) and "tuple" in value:
        return tuple(_decode_param(v) for v in value["tuple"])
    if isinstance(value, list):
        return [_decode_param(v) for v in value]
    return decode_value(value)


def estimator_params(estimator):
    """The estimator's parameters for a model file (default networks only)."""
    params = estimator.get_params(deep=False)
    for key in ("module", "generator", "discriminator", "callbacks"):
        if params.get(key) is not None:
            raise ValueError(
                f"save() supports the default networks only; this {type(estimator).__name__} has {key}="
                f"{params[key]!r}. Use pickle (or joblib) instead, and load such files only from trusted sources."
            )
    if not isinstance(params.get("optimizer", "adam"), str):
        raise ValueError("save() supports optimizers given by name only; use pickle for optimizer classes.")
    if params.get("accelerator"):
        params["accelerator"] = None  # how it was trained, not how to load it
    random_state = params.get("random_state")
    if random_state is not None and not isinstance(random_state, (int, np.integer)):
        params["random_state"] = None
    return {key: encode_param(value) for key, value in params.items()}

"""The model file container: a zip of ``skgen.json`` and ``weights.pt``.

- ``skgen.json``: format name and version, the estimator's class,
  its parameters and fitted state as plain JSON (see :mod:`skgen._io._json`);
- ``weights.pt``: the networks' state dicts, read back with
  ``torch.load(weights_only=True)``, which unpickles only tensors and plain
  containers.

A SHA-256 digest of the weights in the JSON catches a corrupted or swapped
weights member. What the document means is for :mod:`skgen._io._registry`.
"""

import hashlib
import io
import json
import zipfile
from pathlib import Path

import torch

from .._version import __version__
from ._json import ModelFileError

FORMAT = "skgen-model"
FORMAT_VERSION = 1
CONFIG_NAME = "skgen.json"
WEIGHTS_NAME = "weights.pt"


def save_model(path, document, weights):
    """Write ``document`` (a JSON-able dict) and ``weights`` (a dict of state dicts)."""
    buffer = io.BytesIO()
    torch.save({name: {k: v.detach().cpu() for k, v in state.items()} for name, state in weights.items()}, buffer)
    weight_bytes = buffer.getvalue()
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "skgen_version": __version__,
        "weights_sha256": hashlib.sha256(weight_bytes).hexdigest(),
        **document,
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
            f"{path} has model format version {version!r}; this skgen ({__version__}) reads version "
            f"{FORMAT_VERSION}. Save it again with a matching skgen version."
        )
    if hashlib.sha256(weight_bytes).hexdigest() != document.get("weights_sha256"):
        raise ModelFileError(f"{path} is corrupted or tampered with: its weights do not match their digest.")
    try:
        weights = torch.load(io.BytesIO(weight_bytes), map_location=device, weights_only=True)
    except Exception as exc:  # torch raises UnpicklingError, RuntimeError...
        raise ModelFileError(f"{path} holds weights that cannot be loaded safely: {exc}") from None
    return document, weights

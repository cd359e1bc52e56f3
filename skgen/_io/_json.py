"""JSON for model files: scalars, arrays, dtypes, parameters and training history.

A leaf of the package (numpy, pandas and skorch's ``History`` only): what a
value becomes in ``skgen.json``, and back.
"""

import importlib.util
import math

import numpy as np
import pandas as pd
from skorch.history import History

from ._constraints import constraint_class


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
    if isinstance(dtype, pd.SparseDtype):
        return {"sparse": encode_dtype(dtype.subtype), "fill_value": encode_value(dtype.fill_value)}
    return {"pandas": str(dtype)}


def decode_dtype(obj):
    if "category" in obj:
        categories = pd.Index([decode_value(v) for v in obj["category"]], dtype=decode_dtype(obj["categories_dtype"]))
        return pd.CategoricalDtype(categories, ordered=obj["ordered"])
    if "string" in obj:
        storage = obj["string"]
        if storage == "pyarrow" and not _pyarrow_available():
            storage = "python"  # the same strings, stored without pyarrow on this machine
        if obj["na"] == "nan":
            return pd.StringDtype(storage, na_value=np.nan)
        return pd.StringDtype(storage)
    if "sparse" in obj:
        return pd.SparseDtype(decode_dtype(obj["sparse"]), decode_value(obj["fill_value"]))
    if "numpy" in obj:
        return np.dtype(object) if obj["numpy"] == "object" else np.dtype(obj["numpy"])
    return pd.api.types.pandas_dtype(obj["pandas"])


def _pyarrow_available():
    return importlib.util.find_spec("pyarrow") is not None


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


# --- parameters ---------------------------------------------------------------------


def encode_param(value):
    """Parameters are JSON values; tuples are tagged so they come back as tuples."""
    if isinstance(value, tuple):
        return {"tuple": [encode_param(v) for v in value]}
    if isinstance(value, list):
        return [encode_param(v) for v in value]
    if type(value).__name__ == "device":  # torch.device, without importing torch
        return str(value)
    if getattr(value, "_is_skgen_constraint", False):
        return {"constraint": type(value).__name__, "params": [[k, _encode_term(v)] for k, v in value.get_params().items()]}
    return encode_value(value)


def _encode_term(value):
    if isinstance(value, dict):  # LinearEquation's {column: coefficient}
        return {"pairs": [[encode_value(k), encode_value(v)] for k, v in value.items()]}
    return encode_param(value)


def _decode_term(value):
    if isinstance(value, dict) and "pairs" in value:
        return {decode_value(k): decode_value(v) for k, v in value["pairs"]}
    return decode_param(value)


def decode_param(value):
    if isinstance(value, dict) and "tuple" in value:
        return tuple(decode_param(v) for v in value["tuple"])
    if isinstance(value, dict) and "constraint" in value:
        cls = constraint_class(value["constraint"])  # a fixed set of classes: a file names one of them
        if cls is None:
            raise ValueError(f"Unknown constraint class {value['constraint']!r}.")
        return cls(**{k: _decode_term(v) for k, v in value["params"]})
    if isinstance(value, list):
        return [decode_param(v) for v in value]
    return decode_value(value)

"""The autoencoder's input checks: numeric frames, float32 range, a fast path for plain arrays."""

import math

import numpy as np
from pandas.api.types import is_bool_dtype, is_numeric_dtype
from sklearn.utils import check_array
from sklearn.utils.validation import validate_data

from .._modules import ResidualAutoencoder


def check_numeric_frame(X, estimator_name):
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


def validate_input(estimator, X, reset):
    """scikit-learn's validation of ``X`` (sets ``n_features_in_`` and the
    feature names only with ``reset``)."""
    check_numeric_frame(X, type(estimator).__name__)
    return validate_data(estimator, X, reset=reset, dtype=[np.float64, np.float32], ensure_min_samples=2 if reset else 1)


def check_training_values(X, loss):
    """Values the network cannot train on: outside [0, 1] for BCE, beyond float32."""
    if loss == "bce" and (X.min() < 0 or X.max() > 1):
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


def inference_input(estimator, X):
    """Validate ``X`` for transform / scoring.

    Returns ``(X, finite_checked)``. A plain 2-D float ndarray of the right
    width (the common case inside pipelines) skips scikit-learn's
    validation, whose fixed cost and full pass over ``X`` for NaN/inf
    were 10-40% of a transform; the caller then checks finiteness with
    :func:`check_finite_after`.
    """
    if (
        type(X) is np.ndarray
        and X.ndim == 2
        and X.dtype in (np.float32, np.float64)
        and X.shape[0] > 0
        and X.shape[1] == estimator.n_features_in_
        and not hasattr(estimator, "feature_names_in_")
    ):
        return X, False
    return validate_input(estimator, X, reset=False), True


def check_finite_after(net, X, output):
    """Raise scikit-learn's NaN/inf error for ``X`` after a fast-path call.

    The default module propagates a NaN or inf in any input feature to
    every output of that row (each output is a dense linear function of
    all inputs, and IEEE NaN*0 is NaN), so finite outputs prove finite
    inputs. For user modules ``X`` itself is checked.
    """
    if isinstance(net.module_, ResidualAutoencoder) and math.isfinite(float(output.sum())):
        return
    check_array(X, dtype=None, ensure_all_finite=True, input_name="X")

"""A table given to GANSampler as a DataFrame or a 2-D array, checked for its shape."""

import numpy as np
import pandas as pd
import scipy.sparse as sp


def rank_message(shape):
    """Why an array of ``shape`` is neither a table nor images, and what to do."""
    if len(shape) == 0:
        return "Expected a DataFrame or a 2-D array; got a scalar."
    if len(shape) == 1:
        return (
            f"Expected a DataFrame or a 2-D array; got a 1-D array of shape {shape}: "
            "for a single column use X.reshape(-1, 1)."
        )
    return (
        f"Expected a table (a DataFrame or a 2-D array) or images ((n, H, W), (n, C, H, W) or (n, H, W, C)); "
        f"got an array with {len(shape)} dimensions, shape {shape}."
    )


def as_frame(X):
    """A DataFrame of ``X`` (a DataFrame or a 2-D array), never a view the caller could see modified."""
    if sp.issparse(X):
        raise TypeError(
            "GANSampler does not support sparse input; pass a DataFrame or a dense array (e.g. X.toarray())."
        )
    if isinstance(X, pd.DataFrame):
        return X
    array = np.asarray(X)
    if array.ndim != 2:
        raise ValueError(rank_message(array.shape))
    return pd.DataFrame(array)

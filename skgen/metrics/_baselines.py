"""Yardsticks for the scores: what a sampler that learns no relation at all reaches."""

import numpy as np
import pandas as pd

from ._frames import as_matching_frames, check_count


def independent_columns_bootstrap(real, n_samples=None, *, random_state=0):
    """Rows whose columns are drawn independently from the real columns.

    Each column is resampled with replacement on its own, so every marginal
    (and missing rate) is kept and every relation between columns is lost:
    the score a synthetic table must beat to show it learned anything beyond
    the marginals. Dtypes are kept.

    Parameters
    ----------
    real : DataFrame
    n_samples : int or None, default=None
        Rows to draw; None draws ``len(real)``.
    random_state : int, default=0

    Returns
    -------
    baseline : DataFrame
    """
    real, _ = as_matching_frames(real, real)
    if n_samples is not None:
        check_count(n_samples, "n_samples", 0)
    n = len(real) if n_samples is None else int(n_samples)
    rng = np.random.RandomState(random_state)
    columns = {c: real[c].iloc[rng.randint(len(real), size=n)].reset_index(drop=True) for c in real.columns}
    return pd.DataFrame(columns)

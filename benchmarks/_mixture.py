"""The latent-class mixture anchor of the tabular benchmark (a reference, not a product feature).

The textbook latent-class model, as issue 19 describes it: numeric (and
datetime) columns cut into 32 quantile bins, missing values a bin of their
own; a mixture of K products of per-column categorical distributions over
the bins and categories, fitted by EM (``skgen._tabular._latent_classes``:
100 iterations, a small Dirichlet smoothing); a sampled row draws a class,
then each column's bin or category from the class, then a numeric value
uniformly among the training values inside the sampled bin.
"""

import time

import numpy as np
import pandas as pd
import torch

N_BINS = 32


class LatentClassMixture:
    """``fit(frame)`` / ``sample(n, random_state)`` with ``n_classes`` classes."""

    def __init__(self, n_classes=100, random_state=0):
        self.n_classes = n_classes
        self.random_state = random_state

    def fit(self, frame):
        from skgen._tabular._latent_classes import LatentClasses

        start = time.perf_counter()
        self.columns_ = list(frame.columns)
        self.dtypes_ = frame.dtypes
        codes, self.levels_ = [], []
        for column in self.columns_:
            code, levels = self._encode(frame[column])
            codes.append(code)
            self.levels_.append(levels)
        generator = torch.Generator().manual_seed(self.random_state)
        self.model_, _ = LatentClasses.fit(
            torch.from_numpy(np.stack(codes, axis=1)), [len(lv) for lv in self.levels_], self.n_classes, generator
        )
        self.fit_seconds_ = time.perf_counter() - start
        return self

    @staticmethod
    def _encode(series):
        """Level codes of one column and, per level, what it stands for
        (a category, or the sorted training values of a bin, or None for missing)."""
        missing = series.isna().to_numpy()
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series) or \
                pd.api.types.is_datetime64_any_dtype(series):
            values = series.to_numpy(dtype="float64", na_value=np.nan) if not \
                pd.api.types.is_datetime64_any_dtype(series) else \
                series.astype("datetime64[ns]").astype("int64").to_numpy(dtype="float64")  # (parsed dates may be in s)
            present = values[~missing]
            edges = np.unique(np.quantile(present, np.linspace(0, 1, N_BINS + 1)[1:-1])) if len(present) else []
            bins = np.searchsorted(edges, present, side="right")
            levels = [np.sort(present[bins == b]) for b in range(len(edges) + 1)]
            keep = [b for b in range(len(levels)) if len(levels[b])]
            remap = np.full(len(levels), -1)
            remap[keep] = np.arange(len(keep))
            levels = [("values", levels[b]) for b in keep]
            code = np.empty(len(series), dtype=np.int64)
            code[~missing] = remap[bins]
        else:
            observed = series[~missing].astype(object)
            categories = pd.Index(pd.unique(observed))
            levels = [("category", c) for c in categories]
            code = np.empty(len(series), dtype=np.int64)
            code[~missing] = categories.get_indexer(observed)
        if missing.any():
            code[missing] = len(levels)
            levels.append(("missing", None))
        return code, levels

    def sample(self, n, random_state=0):
        generator = torch.Generator().manual_seed(random_state)
        rng = np.random.RandomState(random_state)
        classes = self.model_.sample_classes(n, generator).numpy()
        probs = self.model_.level_probs.numpy().astype(np.float64)
        data, offset = {}, 0
        for column, levels in zip(self.columns_, self.levels_):
            block = probs[classes, offset : offset + len(levels)]
            offset += len(levels)
            cumulative = block.cumsum(1)
            chosen = (cumulative < rng.uniform(size=(n, 1)) * cumulative[:, -1:]).sum(1).clip(max=len(levels) - 1)
            out = np.empty(n, dtype=object)
            for b in np.unique(chosen):
                rows = np.flatnonzero(chosen == b)
                kind, value = levels[b]
                if kind == "values":
                    out[rows] = value[rng.randint(len(value), size=len(rows))]
                elif kind == "category":
                    out[rows] = [value] * len(rows)
                else:
                    out[rows] = None
            data[column] = self._restore_dtype(pd.Series(out), self.dtypes_[column])
        return pd.DataFrame(data, columns=self.columns_)

    @staticmethod
    def _restore_dtype(series, dtype):
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return pd.to_datetime(pd.to_numeric(series).astype("Int64"), unit="ns").astype(dtype)
        # pandas 3 reads text as its "str" dtype, not object (to_numeric below refused it).
        if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_string_dtype(dtype) or \
                isinstance(dtype, pd.CategoricalDtype):
            return series.astype(dtype) if series.notna().all() else series
        numeric = pd.to_numeric(series)
        try:
            return numeric.astype(dtype)
        except (TypeError, ValueError):
            return numeric

"""A table's training data for the conditional GAN: the condition space of its
discrete columns and the encoded rows indexed for training-by-sampling.

:class:`skgen._data.ConditionalBatchIterator` draws the batches from them.
"""

import numpy as np
import torch
from torch.utils.data import Dataset


class ConditionSpace:
    """The levels of a model's discrete columns, as global condition indices.

    Condition ``g = column_offset[j] + level`` stands for "column ``j`` has
    this level". Holds level frequencies only, never rows, so a fitted model
    keeps it without keeping any training data.

    Parameters
    ----------
    level_counts : list of 1-D arrays
        Rows per level, for each discrete column.
    device : str, default="cpu"
    column_weights : sequence of float or None, default=None
        How often each column is the condition, relative to the others
        (None: all equally often).
    """

    def __init__(self, level_counts, device="cpu", column_weights=None):
        self.level_counts = [np.asarray(c, dtype=np.int64) for c in level_counts]
        self.column_weights = None if column_weights is None else [float(w) for w in column_weights]
        self.n_levels = [len(c) for c in level_counts]
        self.n_conditions = int(sum(self.n_levels))
        if not self.n_levels:
            return
        self.column_offset = torch.tensor([0] + list(np.cumsum(self.n_levels)[:-1]), device=device)
        freq = torch.zeros(len(self.n_levels), max(self.n_levels), dtype=torch.float64)
        for j, counts in enumerate(level_counts):
            freq[j, : len(counts)] = torch.as_tensor(np.asarray(counts, dtype=np.float64))
        # Training-by-sampling draws levels by log-frequency (rare levels are
        # seen far more often than in the data); sampling uses the frequency.
        # Stored as the joint probability of each condition (a column drawn
        # uniformly, then a level), so one 1-D multinomial draws a batch.
        self.train_probs = self._joint(torch.log1p(freq)).to(device)
        self.data_probs = self._joint(freq).to(device)

    def __getstate__(self):
        # Frequencies travel on the CPU: a model trained on a GPU unpickles
        # anywhere (GANSampler moves them back to its device when sampling).
        return {k: v.cpu() if isinstance(v, torch.Tensor) else v for k, v in self.__dict__.items()}

    def to(self, device):
        """This space with its tensors on ``device`` (self when already there)."""
        tensors = {k: v for k, v in vars(self).items() if isinstance(v, torch.Tensor)}
        if all(v.device == torch.device(device) for v in tensors.values()):
            return self
        for key, value in tensors.items():
            setattr(self, key, value.to(device))
        return self

    def _joint(self, weights):
        columns = torch.ones(len(self.n_levels), 1, dtype=torch.float64)
        if getattr(self, "column_weights", None) is not None:
            columns = torch.tensor(self.column_weights, dtype=torch.float64).reshape(-1, 1)
        per_level = weights / weights.sum(dim=1, keepdim=True) * columns / columns.sum()
        return torch.cat([per_level[j, :k] for j, k in enumerate(self.n_levels)]).float()

    def sample(self, n, probs, generator=None):
        """Draw ``n`` condition indices from the joint probabilities ``probs``."""
        return torch.multinomial(probs, n, replacement=True, generator=generator)


class ConditionalDataset(Dataset):
    """Encoded rows plus the index that training-by-sampling needs.

    Parameters
    ----------
    X : torch.Tensor of shape (n_samples, n_encoded)
    codes : torch.LongTensor of shape (n_samples, n_discrete) or None
        Level index of each row in each discrete (conditionable) column.
    space : ConditionSpace
    classes : torch.LongTensor of shape (n_samples,) or None, default=None
        Each row's latent class (see :mod:`skgen._tabular._latent_classes`):
        batches then carry it as a second condition.
    """

    def __init__(self, X, codes, space, classes=None):
        self.X = X
        self.codes = codes
        self.space = space
        self.classes = classes
        if space.n_conditions == 0:
            return
        device = X.device
        n_columns = len(space.n_levels)
        self.column_of = torch.repeat_interleave(
            torch.arange(n_columns, device=device), torch.tensor(space.n_levels, device=device)
        )
        counts = torch.zeros(space.n_conditions, dtype=torch.long, device=device)
        starts = torch.zeros(space.n_conditions, dtype=torch.long, device=device)
        sorted_rows = torch.empty(n_columns, len(X), dtype=torch.long, device=device)
        for j in range(n_columns):
            column_codes = codes[:, j]
            sorted_rows[j] = torch.argsort(column_codes, stable=True)
            level_counts = torch.bincount(column_codes, minlength=space.n_levels[j])
            g0 = int(space.column_offset[j])
            counts[g0 : g0 + space.n_levels[j]] = level_counts
            starts[g0 : g0 + space.n_levels[j]] = torch.cumsum(level_counts, 0) - level_counts
        self.counts = counts
        self.starts = starts
        self.sorted_rows = sorted_rows

    def __len__(self):
        return len(self.X)

    def rows_for(self, conditions):
        """One random row index carrying each condition's level."""
        u = torch.rand(len(conditions), device=self.X.device)
        offset = self.starts[conditions] + (u * self.counts[conditions]).long()
        return self.sorted_rows[self.column_of[conditions], offset]

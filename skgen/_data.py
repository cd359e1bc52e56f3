"""The datasets and batch iterators skgen's nets train on.

skorch's default iterator is a ``DataLoader`` that collates sample by sample;
on small models that costs more than the model itself. Here the data become
one tensor on the training device once per fit, and a batch is a slice of it.
"""

import numpy as np
import torch
from torch.utils.data import Dataset

# Rows per forward pass when encoding, decoding or scoring. Chosen by
# benchmarks/bench_autoencoder.py: large enough to amortise per-call overhead,
# small enough that activations stay in cache.
INFERENCE_BATCH_SIZE = 2048


def as_float32_tensor(X, device="cpu"):
    """Return ``X`` as a float32 torch tensor on ``device``, never sharing a
    writable buffer with the caller's array in a way that could modify it.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    device : str, default="cpu"

    Returns
    -------
    tensor : torch.Tensor
    """
    X = np.asarray(X)
    if X.dtype == np.float32 and X.flags.c_contiguous and X.flags.writeable:
        tensor = torch.from_numpy(X)
    else:
        # Read-only inputs (memmaps) and other dtypes are copied once.
        tensor = torch.from_numpy(np.array(X, dtype=np.float32, order="C"))
    return tensor.to(device)


class InMemoryDataset(Dataset):
    """All rows of ``X`` (and optionally ``y``) as tensors on one device.

    Parameters
    ----------
    X : torch.Tensor of shape (n_samples, ...)
    y : torch.Tensor of shape (n_samples, ...) or None, default=None
    """

    def __init__(self, X, y=None):
        if y is not None and len(y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)}.")
        self.X = X
        self.y = y

    def __len__(self):
        return len(self.X)

    def __getitem__(self, index):
        # A placeholder target keeps torch's DataLoader collation working
        # (used when training through Accelerate); the losses ignore it.
        return self.X[index], (torch.zeros((), dtype=self.X.dtype) if self.y is None else self.y[index])


class SliceBatchIterator:
    """Yields ``(X_batch, y_batch)`` slices of an :class:`InMemoryDataset`.

    A skorch ``iterator_train`` / ``iterator_valid``: skorch builds it once per
    fit and iterates it once per epoch. When shuffling, the rows are permuted
    once per epoch (one gather) and batches are then contiguous views; data
    over ``WHOLE_GATHER_BYTES`` (256 MB) are gathered batch by batch instead,
    so an epoch never holds a second copy of them.

    Parameters
    ----------
    dataset : InMemoryDataset
    batch_size : int
    shuffle : bool, default=False
    drop_last : bool, default=False
        Drop a final batch smaller than ``batch_size`` (kept when it is the
        only batch): a batch of one row breaks batch norm in training.
    rows_per_process : int or None, default=None
        Rows per step when a step is split across processes
        (:mod:`skgen._distributed`); the epoch keeps ``batch_size``'s
        number of steps. None: ``batch_size``.
    """

    WHOLE_GATHER_BYTES = 256 * 2**20

    def __init__(self, dataset, batch_size, shuffle=False, drop_last=False, rows_per_process=None):
        if not isinstance(dataset, InMemoryDataset):
            raise TypeError(
                f"SliceBatchIterator needs an InMemoryDataset, got {type(dataset).__name__}."
            )
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.rows_per_process = rows_per_process

    def __len__(self):
        n = len(self.dataset)
        if self.drop_last and n >= self.batch_size:
            return n // self.batch_size
        return -(-n // self.batch_size)

    def __iter__(self):
        X, y = self.dataset.X, self.dataset.y
        n = len(X)
        order = None
        if self.shuffle:
            # Drawn on the CPU from torch's global generator so that a seeded
            # fit shuffles identically on every device.
            order = torch.randperm(n).to(X.device)
            if X.element_size() * X.nelement() <= self.WHOLE_GATHER_BYTES:
                # One gather per epoch, then contiguous slices (fastest).
                X = X[order]
                y = None if y is None else y[order]
                order = None
        # Split across processes, a step takes this process's share of a batch (its own rows:
        # each process draws its own permutation).
        step_rows = self.batch_size if self.rows_per_process is None else self.rows_per_process
        for step in range(len(self)):
            start = step * step_rows
            end = start + step_rows
            if order is None:
                yield X[start:end], (None if y is None else y[start:end])
            else:  # large data: gather each batch, never a permuted copy of all rows
                rows = order[start:end]
                yield X[rows], (None if y is None else y[rows])


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


class ConditionalBatchIterator:
    """Training batches drawn by CTGAN's training-by-sampling.

    Each step draws a condition per row (a discrete column uniformly, then
    one of its levels by log-frequency) and a real row that carries it, and
    yields ``(X_real, conditions)``. Without discrete columns it yields
    uniformly drawn rows and ``None``. With latent classes, ``conditions``
    has two columns: the drawn condition and ``n_conditions`` plus the
    row's class (the position of the class in the condition vector). One epoch is ``len(dataset) //
    batch_size`` steps (at least one).

    Parameters
    ----------
    dataset : ConditionalDataset
    batch_size : int
        Rows per step (an epoch is ``len(dataset) // batch_size`` steps).
    rows_per_process : int or None, default=None
        Rows this process draws per step when a step is split across
        processes (:mod:`skgen._distributed`); None draws ``batch_size``.
    """

    def __init__(self, dataset, batch_size, rows_per_process=None):
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.rows_per_process = rows_per_process

    def __len__(self):
        return max(1, len(self.dataset) // self.batch_size)

    def __iter__(self):
        remaining = len(self)
        if not hasattr(self.dataset, "buffers"):
            yield from self._batches(self.dataset, remaining)
            return
        # A streamed table (skgen._tabular._streaming): each buffer gets its share of the epoch's
        # steps, counted on the rows read so far, so the shares add up to the epoch.
        rows_read, steps_done = 0, 0
        for data in self.dataset.buffers():
            rows_read += data.source_rows
            steps = min(remaining, max(0, rows_read // self.batch_size - steps_done))
            if steps and len(data):
                yield from self._batches(data, steps)
                steps_done += steps
                remaining -= steps
            data = None  # the buffer is let go before the next one is read

    def _batches(self, data, n_steps):
        space = data.space
        n_rows = self.batch_size if self.rows_per_process is None else self.rows_per_process
        for _ in range(n_steps):
            if space.n_conditions == 0:
                rows = torch.randint(len(data), (n_rows,), device=data.X.device)
                yield data.X[rows], None
            else:
                conditions = space.sample(n_rows, space.train_probs)
                rows = data.rows_for(conditions)
                if data.classes is not None:
                    conditions = torch.stack([conditions, space.n_conditions + data.classes[rows]], dim=1)
                yield data.X[rows], conditions


# Pickles of skgen 0.1 name the DP batch iterator here.
from ._privacy import PoissonBatchIterator  # noqa: E402,F401

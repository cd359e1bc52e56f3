"""The datasets and batch iterators skgen's nets train on (tables' conditional
datasets live in :mod:`skgen._tabular._datasets`).

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


def __getattr__(name):
    # Pickles of skgen 0.1 and 0.2 name the tabular training data here; a shim until 0.5.0.
    if name in ("ConditionSpace", "ConditionalDataset"):
        from ._tabular import _datasets

        return getattr(_datasets, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Fast in-memory batches and device resolution.

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


def resolve_device(device):
    """Turn the ``device`` parameter into a torch device name.

    Parameters
    ----------
    device : str or torch.device
        ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``,
        ``"cuda:N"`` or ``"mps"``.

    Returns
    -------
    device : str
        The resolved device, e.g. ``"cpu"`` or ``"cuda:0"``.

    Raises
    ------
    ValueError
        If the device is unknown or not available on this machine.
    """
    if isinstance(device, torch.device):
        device = str(device)
    if not isinstance(device, str):
        raise ValueError(
            f"device must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'; got {device!r}."
        )
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        parsed = torch.device(device)
    except (RuntimeError, ValueError):
        raise ValueError(
            f"Unknown device {device!r}; use 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'."
        ) from None
    if parsed.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested but CUDA is not available on this "
                "machine; use device='auto' to fall back to the CPU."
            )
        if parsed.index is not None and parsed.index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r} does not exist: this machine has "
                f"{torch.cuda.device_count()} CUDA device(s)."
            )
    elif parsed.type == "mps":
        if not (hasattr(torch.backends, "mps") and torch.backends.mps.is_available()):
            raise ValueError("device='mps' was requested but MPS is not available.")
    elif parsed.type != "cpu":
        raise ValueError(
            f"Unsupported device {device!r}; use 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'."
        )
    return str(parsed)


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
        return self.X[index], (None if self.y is None else self.y[index])


class SliceBatchIterator:
    """Yields ``(X_batch, y_batch)`` slices of an :class:`InMemoryDataset`.

    A skorch ``iterator_train`` / ``iterator_valid``: skorch builds it once per
    fit and iterates it once per epoch. When shuffling, the rows are permuted
    once per epoch (one gather) and batches are then contiguous views.

    Parameters
    ----------
    dataset : InMemoryDataset
    batch_size : int
    shuffle : bool, default=False
    drop_last : bool, default=False
        Drop a final batch smaller than ``batch_size`` (kept when it is the
        only batch).
    """

    def __init__(self, dataset, batch_size, shuffle=False, drop_last=False):
        if not isinstance(dataset, InMemoryDataset):
            raise TypeError(
                f"SliceBatchIterator needs an InMemoryDataset, got {type(dataset).__name__}."
            )
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last

    def __len__(self):
        n = len(self.dataset)
        if self.drop_last and n >= self.batch_size:
            return n // self.batch_size
        return -(-n // self.batch_size)

    def __iter__(self):
        X, y = self.dataset.X, self.dataset.y
        n = len(X)
        if self.shuffle:
            # Drawn on the CPU from torch's global generator so that a seeded
            # fit shuffles identically on every device.
            order = torch.randperm(n).to(X.device)
            X = X[order]
            y = None if y is None else y[order]
        stop = n
        if self.drop_last and n > self.batch_size:
            stop = n - n % self.batch_size
        for start in range(0, stop, self.batch_size):
            end = start + self.batch_size
            yield X[start:end], (None if y is None else y[start:end])

"""Where and how a fit runs: the device, torch's seeded RNG, the thread governor."""

import contextlib

import numpy as np
import torch
from sklearn.utils import check_random_state

from ._threads import ThreadGovernor


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


@contextlib.contextmanager
def seeded_torch(rng, device):
    """Seed torch from ``rng`` inside the block, leaving the caller's global
    torch RNG state untouched afterwards."""
    seed = int(rng.randint(np.iinfo(np.int32).max))
    cuda_devices = []
    if str(device).startswith("cuda"):
        cuda_devices = [torch.device(device).index or 0]
    with torch.random.fork_rng(devices=cuda_devices):
        torch.manual_seed(seed)
        yield seed


@contextlib.contextmanager
def training_context(random_state, n_threads, device):
    """Context for one ``fit``: a thread governor and a seeded torch RNG.

    Yields
    ------
    rng : numpy.random.RandomState
        From ``random_state``; use it for every other random choice.
    governor : ThreadGovernor
        To be followed during training (see ``AdaptiveThreads``).
    """
    rng = check_random_state(random_state)
    with ThreadGovernor(n_threads) as governor, seeded_torch(rng, device):
        yield rng, governor


def sampling_rng(random_state):
    """The generator behind ``sample(random_state=None)``: it continues from
    the fit's seed, so a seeded sampler's successive calls are reproducible."""
    return np.random.RandomState(check_random_state(random_state).randint(2**31 - 1))

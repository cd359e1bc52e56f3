"""``skgen.show_versions()``: what a bug report needs to know about the installation."""

import importlib.metadata
import platform
import sys

from ._version import __version__

DEPENDENCIES = ("numpy", "pandas", "scikit-learn", "scipy", "torch", "skorch", "tqdm", "threadpoolctl",
                "matplotlib", "pyarrow", "imbalanced-learn", "opacus", "accelerate", "dask")


def _installed(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _torch_lines():
    """Torch's build and devices, read only when torch is installed (importing it takes a second)."""
    if _installed("torch") is None:
        return []
    import torch

    from ._core._threads import usable_cpus

    cuda = torch.cuda.is_available()
    devices = ", ".join(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())) if cuda else "none"
    return [
        ("torch CUDA build", torch.version.cuda or "none (CPU build)"),
        ("CUDA devices", devices),
        ("torch threads", str(torch.get_num_threads())),
        ("usable CPUs", str(usable_cpus())),
    ]


def versions():
    """``{section: [(name, value), ...]}``: the system, skgen's dependencies, torch's devices."""
    system = [
        ("python", sys.version.replace("\n", " ")),
        ("executable", sys.executable),
        ("machine", platform.platform()),
    ]
    dependencies = [("skgen", __version__)] + [(name, _installed(name) or "not installed") for name in DEPENDENCIES]
    return {"System": system, "Dependencies": dependencies, "Torch": _torch_lines()}


def show_versions():
    """Print the versions of Python, skgen, its dependencies and torch's devices.

    Paste its output into a bug report (as ``sklearn.show_versions()``).

    Examples
    --------
    >>> import skgen
    >>> skgen.show_versions()  # doctest: +SKIP
    """
    for section, rows in versions().items():
        print(f"\n{section}:")
        width = max(len(name) for name, _ in rows) if rows else 0
        for name, value in rows:
            print(f"{name:>{width + 4}}: {value}")

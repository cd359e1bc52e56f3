"""skgen: scikit-learn estimators for deep generative models.

The estimators are imported on first use (PEP 562), so ``import skgen`` and
the ``skgen`` command start without loading torch, skorch, scikit-learn and
pandas; ``skgen.GANSampler`` and ``from skgen import GANSampler`` work as
usual.
"""

import importlib

from ._version import __version__

_LAZY = {
    "AutoencoderTransformer": ".autoencoder",
    "GANSampler": ".gan",
    "GANOverSampler": ".oversampling",
    "load": "._io._registry",
    "show_versions": "._show_versions",
}

__all__ = ["AutoencoderTransformer", "GANOverSampler", "GANSampler", "load", "show_versions", "__version__"]


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'skgen' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))

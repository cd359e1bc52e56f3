"""Data flow one way between GANSampler and its data kinds (docs/architecture.rst)."""

import ast
import dataclasses
from pathlib import Path

import numpy as np
import pytest

from skgen import GANSampler

from ._settings import TINY_TABLE_GAN

KIND_MODULES = ["_gan_kind.py", "_tabular/_kind.py", "_images/_kind.py"]
PACKAGE = Path(__file__).resolve().parents[1] / "skgen"


def test_a_kind_reads_the_parameters_and_cannot_change_them():
    config = GANSampler(pac=5, latent_classes=3)._kind_config()
    assert config.pac == 5 and config.latent_classes == 3
    with pytest.raises(TypeError):
        config.params["pac"] = 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.pac = 1
    with pytest.raises(AttributeError, match="no parameter 'pack'"):
        config.pack


def test_a_kind_reads_the_fitted_state_and_cannot_set_it():
    X = np.random.RandomState(0).normal(size=(120, 3))
    sampler = GANSampler(**TINY_TABLE_GAN).fit(X)
    kind = sampler._kind()
    assert kind.fitted.codec_ is sampler.codec_
    with pytest.raises(AttributeError, match="the sampler sets it"):
        kind.fitted.codec_ = None
    with pytest.raises(AttributeError, match="no fitted attribute 'codecs_'"):
        kind.fitted.codecs_


def _sampler_references(source):
    """Lines where a kind module names ``sampler`` in code (a variable or an attribute)."""
    tree = ast.parse(source)
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "sampler":
            lines.append(node.lineno)
        elif isinstance(node, ast.Attribute) and node.attr == "sampler":
            lines.append(node.lineno)
        elif isinstance(node, ast.arg) and node.arg == "sampler":
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("module", KIND_MODULES)
def test_a_kind_never_holds_or_calls_the_sampler(module):
    assert _sampler_references((PACKAGE / module).read_text()) == []


def test_the_reference_check_sees_a_kind_that_reaches_back():
    assert _sampler_references("def hook(self):\n    return self.sampler.pac\n") == [2]
    assert _sampler_references("def hook(self, sampler):\n    return 1\n") == [1]

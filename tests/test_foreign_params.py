"""GANSampler refuses, before training, a parameter of the other data kind set away from its default."""

import numpy as np
import pandas as pd
import pytest

from skgen import GANSampler

# A valid, non-default value for every parameter a data kind declares as its own.
NON_DEFAULT = {
    "pac": 7,
    "gp_weight": 3.0,
    "generator_dims": (999,),
    "discriminator_dims": (64,),
    "categorical_columns": ["a"],
    "max_categories": 7,
    "dp_epsilon": 1.0,
    "dp_delta": 1e-3,
    "dp_max_grad_norm": 2.0,
    "constraints": ["a <= b"],
    "constraint_violations": "drop",
    "latent_classes": 5,
    "calibrate_levels": False,
    "numeric_values": "generator",
    "early_stopping": False,
    "validation_fraction": 0.1,
    "infer_constraints": False,
    "image_shape": (8, 8),
    "channel_axis": "last",
}

DATA = {
    "table": lambda: pd.DataFrame({"a": np.arange(60.0), "b": np.arange(60.0) + 1, "c": ["x", "y", "z"] * 20}),
    "image": lambda: np.random.RandomState(0).rand(60, 8, 8),
}


def _foreign_cases():
    kinds = GANSampler._kinds
    for kind in kinds.values():
        for other in kinds.values():
            if other is kind:
                continue
            for name in other.parameters:
                if name not in kind.parameters:
                    yield kind.name, other.name, name


def test_every_declared_parameter_has_an_example_value():
    declared = {name for kind in GANSampler._kinds.values() for name in kind.parameters}
    assert declared == set(NON_DEFAULT)


@pytest.mark.parametrize("kind, other, name", list(_foreign_cases()))
def test_a_foreign_parameter_is_refused_before_training(kind, other, name, monkeypatch):
    def no_training(*args, **kwargs):
        raise AssertionError("training started")

    monkeypatch.setattr(GANSampler, "_start_training", no_training)
    sampler = GANSampler(max_epochs=1, n_threads=1, data_kind=kind, **{name: NON_DEFAULT[name]})
    with pytest.raises(ValueError, match=rf"This fit is on {kind}s, which ignore {name}=.* \(for {other}s only\)"):
        sampler.fit(DATA[kind]())


@pytest.mark.parametrize("kind", list(DATA))
def test_the_defaults_and_own_parameters_are_accepted(kind):
    own = {name: NON_DEFAULT[name] for name in GANSampler._kinds[kind].parameters
           if name not in ("dp_epsilon", "dp_delta", "image_shape", "constraints", "categorical_columns")}
    GANSampler(max_epochs=1, batch_size=20, n_threads=1, data_kind=kind, **own).fit(DATA[kind]())
    # Values equal to the defaults in another type (a list for a tuple, an int for a float) count as defaults.
    GANSampler(max_epochs=1, batch_size=20, n_threads=1, data_kind=kind, generator_dims=[256],
               gp_weight=10).fit(DATA[kind]())

"""The generator itself follows its condition: what it produces for a requested level,
read before sampling writes the requested levels into the rows."""

import numpy as np
import pandas as pd
import pytest
import torch

from skgen import GANSampler

# Not judged: the trained generator is the one after max_epochs, whatever a judge would keep.
SETTINGS = dict(latent_classes=0, calibrate_levels=False, early_stopping=False, batch_size=200, n_threads=1,
                random_state=0)


def _table(n=1200):
    rng = np.random.RandomState(0)
    colour = rng.choice(["red", "green", "blue"], n, p=[0.6, 0.3, 0.1])
    centre = pd.Series(colour).map({"red": 0.0, "green": 5.0, "blue": 10.0}).to_numpy()
    return pd.DataFrame({"colour": colour, "size": centre + rng.normal(size=n), "flag": rng.rand(n) < 0.5})


@pytest.fixture(scope="module")
def samplers():
    table = _table()
    # No latent classes and no level calibration: nothing but the generator can carry the condition.
    trained = GANSampler(max_epochs=40, **SETTINGS).fit(table)
    untrained = GANSampler(max_epochs=1, **SETTINGS).fit(table)
    return trained, untrained


def _obeyed(sampler, column="colour", n=2000):
    """Per level of ``column``: the share of rows whose own logits, for that column's block,
    put the requested level first when the generator is asked for it (no row is forced)."""
    net = sampler.net_
    codec = next(c for c in sampler.codec_.codecs_ if c.name == column)
    start = codec.discrete_segment.start
    (block,) = [b for b, (first, _) in enumerate(net.blocks) if first == start]
    width = net.blocks[block][1]
    shares = {}
    for g, (b, position) in enumerate(net.condition_blocks.tolist()):
        if b != block:
            continue
        requested = torch.full((n,), g, dtype=torch.long)
        rows, _ = net.generate(n, conditions=requested, forced=[requested], generator=torch.Generator().manual_seed(0))
        shares[codec.levels[position]] = float(np.mean(rows[:, start:start + width].argmax(1) == position))
    return shares


def test_the_trained_generator_produces_the_requested_level_itself(samplers):
    trained, untrained = samplers
    obeyed, baseline = _obeyed(trained), _obeyed(untrained)
    assert set(obeyed) == {"red", "green", "blue"}
    for level in obeyed:
        assert obeyed[level] >= 0.9, (level, obeyed)
        assert obeyed[level] > baseline[level] + 0.2, (level, obeyed, baseline)

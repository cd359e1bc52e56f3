"""The latent-class model the tabular GAN is conditioned on (skgen._tabular._latent_classes)."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch

from skgen import GANSampler, load
from skgen._tabular._latent_classes import LatentClasses
from ._settings import TINY_TABLE_GAN

FAST = TINY_TABLE_GAN


def paired_codes(n, n_levels, seed):
    """Two columns with the same level on every row (a 1:1 mapping) and a free third one."""
    rng = np.random.RandomState(seed)
    a = rng.randint(n_levels, size=n)
    return np.stack([a, a, rng.randint(3, size=n)], axis=1)


def test_em_recovers_a_one_to_one_relation():
    codes = paired_codes(3000, 8, 0)
    model, classes = LatentClasses.fit(torch.from_numpy(codes), [8, 8, 3], 16, torch.Generator().manual_seed(0))
    assert classes.shape == (3000,) and model.n_classes == 16
    probs = model.level_probs.numpy()
    assert np.allclose(probs[:, :8].sum(1), 1, atol=1e-5) and np.allclose(probs[:, 16:].sum(1), 1, atol=1e-5)
    assert abs(model.weights.sum().item() - 1) < 1e-4
    # Rows drawn from the mixture keep the pair; drawn from the marginals (one class) they would not.
    generator = torch.Generator().manual_seed(1)
    drawn = model.sample_classes(5000, generator)
    a = torch.multinomial(model.level_probs[drawn, :8], 1, generator=generator).ravel()
    b = torch.multinomial(model.level_probs[drawn, 8:16], 1, generator=generator).ravel()
    assert (a == b).float().mean() > 0.95
    single, _ = LatentClasses.fit(torch.from_numpy(codes), [8, 8, 3], 1, torch.Generator().manual_seed(0))
    a1 = torch.multinomial(single.level_probs[torch.zeros(5000, dtype=torch.long), :8], 1, generator=generator)
    b1 = torch.multinomial(single.level_probs[torch.zeros(5000, dtype=torch.long), 8:16], 1, generator=generator)
    assert (a1 == b1).float().mean() < 0.2
    # Each row's class explains its levels: the class's most likely level is the row's.
    assert (probs[classes.numpy(), :8].argmax(1) == codes[:, 0]).mean() > 0.95


def test_classes_given_levels_follow_the_posterior():
    codes = paired_codes(2000, 4, 0)
    model, _ = LatentClasses.fit(torch.from_numpy(codes), [4, 4, 3], 8, torch.Generator().manual_seed(0))
    rows = torch.full((500, 1), 2)  # column 0 at level 2 (global index 2)
    classes = model.draw_classes(rows, torch.Generator().manual_seed(0))
    assert (model.level_probs[classes, 4:8].argmax(1) == 2).float().mean() > 0.95


def test_observed_probabilities_read_back_the_counts_without_pseudo_counts():
    """Level 4 of the first two columns is on no training row: smoothed, every class keeps a little
    of it; read back, no class has it, and each class's levels still sum to one."""
    codes = paired_codes(2000, 4, 0)
    model, classes = LatentClasses.fit(torch.from_numpy(codes), [5, 5, 3], 8, torch.Generator().manual_seed(0))
    assert model.n_rows == 2000
    assert (model.level_probs[:, 4] > 0).all()
    observed = model._observed_probs()
    assert (observed[:, 4] == 0).all() and (observed[:, 9] == 0).all()
    assert np.allclose(observed[:, :5].sum(1).numpy(), 1, atol=1e-4)
    # Without n_rows (a model saved before), the draw is the smoothed posterior's.
    old = LatentClasses.from_state({k: v for k, v in model.get_state().items() if k != "n_rows"})
    rows = torch.full((300, 1), 2)
    assert torch.equal(old.draw_classes_inside(rows, torch.Generator().manual_seed(0)),
                       old.draw_classes(rows, torch.Generator().manual_seed(0)))


def _rare_level_table(n, seed):
    """``kind`` "R" on 8 rows, all in city "Z" (about 2% of the rows, with a high ``x``)."""
    rng = np.random.RandomState(seed)
    city = rng.choice(list("ABCDEFG"), n).astype(object)
    x = rng.randn(n)
    in_z = rng.rand(n) < 0.02
    city[in_z], x[in_z] = "Z", x[in_z] + 6
    kind = rng.choice(["p", "q"], n).astype(object)
    kind[np.flatnonzero(in_z)[:8]] = "R"
    return pd.DataFrame({"kind": kind, "city": city, "x": x})


def test_a_rare_level_asked_for_draws_the_classes_of_the_rows_that_have_it(tmp_path):
    """Under the smoothed posterior a level of 8 rows in 3,000 took most of its classes from rows
    without it, and half the rows asked for it lived in other cities (0.49 against 0.92)."""
    frame = _rare_level_table(3000, 0)
    sampler = GANSampler(**FAST).fit(frame)
    rows = sampler.sample(500, conditions={"kind": "R"}, random_state=0)
    assert (rows["kind"] == "R").all()
    latent = sampler.latent_classes_
    latent.draw_classes_inside = latent.draw_classes
    try:
        smoothed = sampler.sample(500, conditions={"kind": "R"}, random_state=0)
    finally:
        del latent.draw_classes_inside
    in_z, smoothed_in_z = (rows["city"] == "Z").mean(), (smoothed["city"] == "Z").mean()
    assert in_z > 0.8 and in_z > smoothed_in_z + 0.25
    sampler.save(tmp_path / "model.skgen")
    restored = load(tmp_path / "model.skgen")
    pd.testing.assert_frame_equal(restored.sample(200, conditions={"kind": "R"}, random_state=1),
                                  sampler.sample(200, conditions={"kind": "R"}, random_state=1))


def _pair_table(n, seed):
    """``grade_num`` follows ``grade`` on 97% of the rows (near-deterministic: no inferred one-to-one rule)."""
    rng = np.random.RandomState(seed)
    names = np.array([f"grade {chr(65 + i)}" for i in range(12)])
    level = rng.randint(12, size=n)
    number = np.where(rng.rand(n) < 0.97, level + 1, rng.randint(1, 13, size=n))
    return pd.DataFrame({
        "grade": names[level], "grade_num": number, "x": level + rng.randn(n), "flag": rng.rand(n) < 0.3,
    })


def _pair_mismatch(frame, synthetic):
    """Share of rows whose number is not the one their grade goes with in most real rows."""
    usual = frame.groupby("grade")["grade_num"].agg(lambda v: v.mode()[0])
    return float((synthetic["grade"].map(usual) != synthetic["grade_num"]).mean())


def test_sampler_fits_classes_and_keeps_a_pair_after_little_training():
    frame = _pair_table(2000, 0)
    with_classes = GANSampler(**FAST).fit(frame)
    without = GANSampler(**FAST, latent_classes=0).fit(frame)
    assert with_classes.latent_classes_.n_classes == 100  # "auto": one per 20 rows
    assert not hasattr(without, "latent_classes_")
    assert not hasattr(with_classes, "constraints_")  # near-deterministic: no one-to-one rule is inferred
    mismatch = _pair_mismatch(frame, with_classes.sample(2000, random_state=0))
    assert _pair_mismatch(frame, frame) < 0.05
    assert mismatch < 0.2 and mismatch + 0.3 < _pair_mismatch(frame, without.sample(2000, random_state=0))


def test_conditions_save_load_and_pickle_keep_the_classes(tmp_path):
    frame = _pair_table(600, 1)
    sampler = GANSampler(**FAST, latent_classes=5).fit(frame)
    rows = sampler.sample(300, conditions={"grade": "grade C", "flag": True}, random_state=0)
    assert (rows["grade"] == "grade C").all() and rows["flag"].all()
    sampler.save(tmp_path / "model.skgen")
    restored = load(tmp_path / "model.skgen")
    assert restored.latent_classes_.n_classes == 5
    pd.testing.assert_frame_equal(restored.sample(50, random_state=3), sampler.sample(50, random_state=3))
    unpickled = pickle.loads(pickle.dumps(sampler))
    pd.testing.assert_frame_equal(unpickled.sample(50, random_state=3), sampler.sample(50, random_state=3))


def test_auto_is_off_for_tiny_tables_and_private_training():
    frame = _pair_table(39, 2)
    assert not hasattr(GANSampler(**FAST).fit(frame), "latent_classes_")
    assert GANSampler(**FAST).fit(_pair_table(40, 2)).latent_classes_.n_classes == 2


@pytest.mark.parametrize(
    "params, match",
    [
        ({"latent_classes": 4, "dp_epsilon": 5.0}, "dp_epsilon"),
        ({"latent_classes": 4, "conditional": False}, "conditional=True"),
        ({"latent_classes": -1}, "latent_classes"),
        ({"latent_classes": "many"}, "latent_classes"),
    ],
)
def test_bad_latent_class_settings_are_refused_before_training(params, match):
    sampler = GANSampler(**FAST, **params)
    with pytest.raises(ValueError, match=match):
        sampler.fit(_pair_table(300, 0))
    assert not hasattr(sampler, "net_")

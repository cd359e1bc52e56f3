"""Differentially private training and the membership-inference check."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from skorch.callbacks import Callback

import skgen
from skgen import GANSampler
from skgen.metrics import membership_inference_auc

from .test_tabular import mixed_frame
from ._settings import TINY_TABLE_GAN

DP_FAST = dict(TINY_TABLE_GAN, max_epochs=3, generator_dims=(16,), discriminator_dims=(16,))


@pytest.fixture(scope="module")
def frame():
    return mixed_frame(500)


@pytest.fixture(scope="module")
def private(frame):
    return GANSampler(dp_epsilon=2.0, **DP_FAST).fit(frame)


def test_private_fit_reports_the_spent_epsilon(frame, private):
    assert 0 < private.dp_epsilon_ <= 2.0 + 1e-6
    assert private.net_.lr == 2e-4  # lr=None: smaller steps for noisy DP gradients
    assert private.dp_delta_ == pytest.approx(1 / (10 * len(frame)))
    assert private.dp_noise_multiplier_ > 0
    synthetic = private.sample(50, random_state=0)
    assert synthetic.dtypes.equals(frame.dtypes)


class _DPProbe(Callback):
    """What DP-SGD did to the critic's gradients in each step: the per-pack
    gradient norms before clipping, the norm of their clipped sum, and the
    noise (the noised, averaged gradient minus the clipped sum's average)."""

    def initialize(self):
        self.steps_ = []
        return self

    def on_grad_computed(self, net, named_parameters, **kwargs):
        params = [p for _, p in named_parameters]
        if params[0] is next(net.discriminator_.parameters()):
            per_pack = torch.cat([p.grad_sample.reshape(len(p.grad_sample), -1) for p in params], dim=1)
            self._pending = (per_pack.norm(dim=1), params)

    def on_batch_end(self, net, **kwargs):
        norms, params = self._pending
        optimizer = net.optimizer_discriminator_
        summed = torch.cat([p.summed_grad.flatten() for p in params])
        noise = torch.cat([p.grad.flatten() for p in params]) * optimizer.expected_batch_size - summed
        self.steps_.append((norms, float(summed.norm()), float(noise.std()), optimizer.noise_multiplier))


def test_dp_sgd_clips_each_pack_and_adds_calibrated_noise(frame):
    clip = 1e-3
    probe = _DPProbe()
    GANSampler(dp_epsilon=2.0, dp_max_grad_norm=clip, callbacks=[probe], **{**DP_FAST, "max_epochs": 1}).fit(frame)
    assert probe.steps_
    for norms, summed_norm, noise_std, sigma in probe.steps_:
        assert norms.min() > 10 * clip  # clipping had work to do in every pack
        assert summed_norm <= len(norms) * clip * (1 + 1e-4)  # each pack counted at most clip
        assert 0.8 < noise_std / (sigma * clip) < 1.25  # Gaussian noise of std sigma * clip


def test_smaller_epsilon_means_more_noise(frame):
    strict = GANSampler(dp_epsilon=0.5, dp_delta=1e-5, **DP_FAST).fit(frame)
    loose = GANSampler(dp_epsilon=8.0, dp_delta=1e-5, **DP_FAST).fit(frame)
    assert strict.dp_noise_multiplier_ > loose.dp_noise_multiplier_
    assert strict.dp_epsilon_ <= 0.5 + 1e-6 and loose.dp_epsilon_ <= 8.0 + 1e-6


def test_private_model_pickles_and_saves(private, tmp_path):
    again = pickle.loads(pickle.dumps(private))
    pd.testing.assert_frame_equal(again.sample(10, random_state=1), private.sample(10, random_state=1))
    path = tmp_path / "private.skgen"
    private.save(path)
    loaded = skgen.load(path)
    pd.testing.assert_frame_equal(loaded.sample(10, random_state=1), private.sample(10, random_state=1))
    assert loaded.dp_epsilon_ == private.dp_epsilon_


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(dp_epsilon=1.0, loss="wgan-gp"), "cannot be trained with DP-SGD"),
        (dict(dp_epsilon=0.0), "'dp_epsilon' parameter of GANSampler must be a float in the range \\(0.0, inf\\)"),
        (dict(dp_epsilon=float("inf")), "'dp_epsilon' parameter of GANSampler must be a float in the range \\(0.0, inf\\)"),
        (dict(dp_epsilon=1.0, dp_delta=1.5), "dp_delta"),
        (dict(dp_epsilon=1.0, batch_size=5, pac=10), "at least pac"),
        (dict(dp_epsilon=1.0, dp_max_grad_norm=0.0), "dp_max_grad_norm"),
    ],
)
def test_bad_privacy_parameters(frame, params, message):
    with pytest.raises(ValueError, match=message):
        GANSampler(**{**DP_FAST, **params}).fit(frame)


def test_private_training_is_for_tables_only():
    images = np.random.RandomState(0).uniform(size=(20, 8, 8))
    with pytest.raises(ValueError, match="tables only"):
        GANSampler(dp_epsilon=1.0, max_epochs=1).fit(images)


def test_membership_inference_auc_detects_copies(frame):
    train, holdout = frame.iloc[:250], frame.iloc[250:]
    copies = train.copy()
    assert membership_inference_auc(train, holdout, copies) > 0.9
    # Synthetic rows that are new draws from the same distribution leak nothing.
    fresh = mixed_frame(500, seed=7)
    assert 0.4 < membership_inference_auc(train, holdout, fresh) < 0.6

"""What every skgen GAN net shares: one training-step template, one table of losses, EMA, chunked generation.

A data kind's net (:mod:`._tabular`, :mod:`._images`) fills the hooks of
:meth:`GANNetMixin.train_step`: how a batch becomes generated samples, how
the critic scores real and generated ones, and any extra term of either
loss. The objectives themselves are the rows of :data:`GAN_LOSSES`.
"""

import contextlib
import copy
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F


def _bce_critic(d_real, d_fake):
    return F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real)) + F.binary_cross_entropy_with_logits(
        d_fake, torch.zeros_like(d_fake)
    )


def _bce_generator(d_fake):
    return F.binary_cross_entropy_with_logits(d_fake, torch.ones_like(d_fake))


# name -> (critic loss of (real scores, fake scores), generator loss of fake scores)
GAN_LOSSES = {
    "bce": (_bce_critic, _bce_generator),  # the non-saturating GAN
    "wgan-gp": (lambda d_real, d_fake: d_fake.mean() - d_real.mean(), lambda d_fake: -d_fake.mean()),
    "hinge": (
        lambda d_real, d_fake: F.relu(1.0 - d_real).mean() + F.relu(1.0 + d_fake).mean(),
        lambda d_fake: -d_fake.mean(),
    ),
}


@dataclass
class GANStep:
    """One batch's tensors, as the hooks of :meth:`GANNetMixin.train_step` pass them on.

    ``fake`` keeps its graph (the generator's update back-propagates
    through it); the critic learns on ``fake.detach()``. ``context`` is
    what the critic and generator are conditioned on (a condition matrix,
    class labels or None); ``extra`` anything else a kind needs.
    """

    real: torch.Tensor
    fake: torch.Tensor
    context: Any = None
    extra: Any = None


class GANNetMixin:
    """The discriminator (built from ``discriminator`` and
    ``discriminator_kwargs``, with its own optimizer), the averaged generator
    and the training-step template of both GAN nets.

    ``ema_decay`` keeps an exponential moving average of the generator's
    weights (``generator_ema_``), used for sampling; None samples from the
    raw generator. Learning-rate schedules are callbacks
    (:class:`skgen._core._callbacks.LinearLRDecay`), not part of the step.
    """

    def initialize_module(self):
        super().initialize_module()
        self.discriminator_ = self.discriminator(**(self.discriminator_kwargs or {}))
        if self.ema_decay:
            self.generator_ema_ = copy.deepcopy(self.module_)
            self.generator_ema_.requires_grad_(False)
            self.ema_steps_ = 0
        return self

    def initialize_for_sampling(self):
        """:meth:`initialize` without the optimizers, for a net read from a model
        file to sample from (creating them loads torch's compiler, about a
        second); a later training loop creates them first (:meth:`fit_loop`)."""
        self.check_training_readiness()
        self._initialize_virtual_params()
        self._initialize_callbacks()
        self._initialize_module()
        self._initialize_criterion()
        self._initialize_history()
        # (no _validate_params: the optimizer's parameters are known once it exists; they were checked in fit)
        self.initialized_ = True
        return self

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        if not hasattr(self, "optimizer_"):
            self._initialize_optimizer()
        return super().fit_loop(X, y, epochs=epochs, **fit_params)

    def initialize_optimizer(self, *args, **kwargs):
        _, generator_kwargs = self.get_params_for_optimizer("optimizer", self.module_.named_parameters())
        _, discriminator_kwargs = self.get_params_for_optimizer(
            "optimizer", self.discriminator_.named_parameters()
        )
        self.optimizer_ = self.optimizer(self.module_.parameters(), **generator_kwargs)
        self.optimizer_discriminator_ = self.optimizer(self.discriminator_.parameters(), **discriminator_kwargs)
        return self

    # --- the training step ------------------------------------------------

    def train_step(self, batch, **fit_params):
        """One critic update, then one generator update scored by the updated
        critic, sharing one generator pass (as in PyTorch's DCGAN example)."""
        self._set_training(True)
        step = self._begin_step(batch)
        if step is None:  # nothing to learn from in this batch
            return {"loss": torch.zeros((), device=self.device), "y_pred": None}
        loss_d = self._critic_loss(step)
        self._discriminator_update(loss_d, batch)
        loss_g = self._generator_update(lambda: self._generator_loss(step), batch)
        self._record_losses(loss_g, loss_d)
        return {"loss": loss_g.detach(), "y_pred": None}

    def _begin_step(self, batch):
        """Hook: the batch's :class:`GANStep` (None skips the batch)."""
        raise NotImplementedError

    def _critic_scores(self, step):
        """Hook: the critic's ``(real scores, fake scores)`` on the detached fakes."""
        raise NotImplementedError

    def _generator_scores(self, step):
        """Hook: the critic's scores of ``step.fake`` (with the graph)."""
        raise NotImplementedError

    def _critic_penalty(self, step):
        """Hook: a term added to the critic's loss (default none)."""
        return 0.0

    def _generator_penalty(self, step):
        """Hook: a term added to the generator's loss (default none)."""
        return 0.0

    def _critic_loss(self, step):
        critic_loss, _ = GAN_LOSSES[self.gan_loss]
        d_real, d_fake = self._critic_scores(step)
        return critic_loss(d_real, d_fake) + self._critic_penalty(step)

    def _generator_loss(self, step):
        _, generator_loss = GAN_LOSSES[self.gan_loss]
        return generator_loss(self._generator_scores(step)) + self._generator_penalty(step)

    def _record_losses(self, loss_g, loss_d):
        """Both losses of the step, by name (their epoch means: ``EpochLossMeans``)."""
        self.history.record_batch("generator_loss", loss_g.item())
        self.history.record_batch("critic_loss", loss_d.item())

    def _discriminator_update(self, loss_d, batch):
        self.optimizer_discriminator_.zero_grad(set_to_none=True)
        loss_d.backward()
        self._notify_grad_computed(self.discriminator_, batch)
        self.optimizer_discriminator_.step()

    def _generator_update(self, generator_loss, batch):
        """One generator step on ``generator_loss()``, computed with the
        critic's weights frozen (no gradients are accumulated for them)."""
        critic_params = list(self.discriminator_.parameters())
        for p in critic_params:
            p.requires_grad_(False)
        try:
            with self._generator_pass():
                loss_g = generator_loss()
                self.optimizer_.zero_grad(set_to_none=True)
                loss_g.backward()
        finally:
            for p in critic_params:
                p.requires_grad_(True)
        self._notify_grad_computed(self.module_, batch)
        self.optimizer_.step()
        if self.ema_decay:
            self._update_ema()
        return loss_g

    def _generator_pass(self):
        """Hook: a context for the generator's pass through the critic."""
        return contextlib.nullcontext()

    @torch.no_grad()
    def _update_ema(self):
        """Move the averaged generator towards the current one (with a warm-up
        so early, poor weights fade quickly)."""
        self.ema_steps_ += 1
        decay = min(self.ema_decay, (1 + self.ema_steps_) / (10 + self.ema_steps_))
        ema_params = list(self.generator_ema_.parameters())
        torch._foreach_lerp_(ema_params, list(self.module_.parameters()), 1.0 - decay)
        for ema_buffer, buffer in zip(self.generator_ema_.buffers(), self.module_.buffers()):
            ema_buffer.copy_(buffer)

    # --- sampling -----------------------------------------------------------

    def sampling_generator(self):
        """The generator used for sampling: the average when kept."""
        return getattr(self, "generator_ema_", None) or self.module_

    def _generate_in_chunks(self, n, batch_size, generator, produce):
        """Run ``produce(noise, start, stop)`` on chunks of ``batch_size`` noise
        rows (drawn from ``generator``) without gradients; return its outputs
        (a tuple of tensors per chunk) gathered into CPU tensors of ``n`` rows."""
        self._set_training(False)
        outputs = None
        with torch.inference_mode():
            for start in range(0, n, batch_size):
                stop = min(n, start + batch_size)
                noise = torch.randn(stop - start, self.latent_dim, generator=generator, device=self.device)
                parts = produce(noise, start, stop)
                if outputs is None:
                    outputs = [torch.empty(n, *part.shape[1:], dtype=part.dtype) for part in parts]
                for out, part in zip(outputs, parts):
                    out[start:stop] = part
        return outputs


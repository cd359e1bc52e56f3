"""skorch nets: how each skgen model trains and runs inference."""

import copy
import warnings

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback
from skorch.utils import is_dataset

from ._data import (
    INFERENCE_BATCH_SIZE,
    ConditionalBatchIterator,
    InMemoryDataset,
    SliceBatchIterator,
    as_float32_tensor,
)
from ._modules import BlockActivation, TabularGenerator, sample_blocks


def _supports_fused_adam():
    major, minor = (int(part) for part in torch.__version__.split(".")[:2])
    return (major, minor) >= (2, 4)


def default_optimizer_kwargs(optimizer, device):
    """Optimizer arguments skgen adds unless the user sets them.

    Adam and AdamW use their fused implementation on CPU and CUDA (torch
    >= 2.4): the same update in one kernel per step, measured 15-20% faster
    per training step than torch's default on the digits and MNIST
    autoencoders.
    """
    fused_ok = optimizer in (torch.optim.Adam, torch.optim.AdamW) and _supports_fused_adam()
    if fused_ok and torch.device(device).type in ("cpu", "cuda"):
        return {"fused": True}
    return {}


class LeanNetMixin:
    """Cuts skorch's per-batch Python overhead without changing its behaviour.

    * ``notify`` calls only the callbacks that override the hook (skorch's
      base ``Callback`` hooks are no-ops), looked up once per callback list.
    * ``_set_training`` switches train/eval mode only when it changes; skorch
      walks every submodule on every batch.

    On small models (the digits autoencoder) these two were ~10% of a fit.
    """

    def notify(self, method_name, **cb_kwargs):
        getattr(self, method_name)(self, **cb_kwargs)
        callbacks = getattr(self, "callbacks_", ())
        cache = self.__dict__.get("_hook_cache")
        if cache is None or cache[0] is not callbacks or cache[1] != len(callbacks):
            cache = (callbacks, len(callbacks), {})
            self.__dict__["_hook_cache"] = cache
        listeners = cache[2].get(method_name)
        if listeners is None:
            base_hook = getattr(Callback, method_name, None)
            listeners = [
                cb
                for _, cb in callbacks
                if base_hook is None or getattr(type(cb), method_name, None) is not base_hook
            ]
            cache[2][method_name] = listeners
        for cb in listeners:
            getattr(cb, method_name)(self, **cb_kwargs)

    def _set_training(self, training=True):
        for name in self._modules + self._criteria:
            module = getattr(self, name + "_")
            if isinstance(module, torch.nn.Module) and module.training != training:
                module.train(training)

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_hook_cache", None)
        state.pop("_grad_scaler", None)
        # skorch moves modules and optimizers between devices on unpickling;
        # plain tensor attributes (e.g. condition indices) travel on the CPU
        # so a model trained on a GPU unpickles on a CPU-only machine.
        for key, value in list(state.items()):
            if isinstance(value, torch.Tensor) and value.device.type != "cpu":
                state[key] = value.cpu()
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        for key, value in list(vars(self).items()):
            if isinstance(value, torch.Tensor) and value.device != torch.device(self.device):
                setattr(self, key, value.to(self.device))


class AutoencoderNet(LeanNetMixin, NeuralNet):
    """A skorch net that trains ``module`` to reconstruct its input.

    The module must provide ``encode(x)`` and ``decode(z)``; its ``forward``
    returns the reconstruction (or the logits of it, with a
    ``BCEWithLogitsLoss`` criterion and ``predict_nonlinearity=torch.sigmoid``).
    Data are held on the device as one tensor and batched by slicing.

    Parameters
    ----------
    module : type of torch.nn.Module
    head_task : {"classification", "regression"} or None, default=None
        With a task, a linear head on the codes (``head_``) predicts the
        targets ``y`` and its loss, times ``head_weight``, is added to the
        reconstruction loss.
    head_inputs : int, default=0
        Code width (input of the head).
    head_outputs : int, default=0
        Number of classes or regression targets.
    head_weight : float, default=1.0
    precision : {None, "bf16", "fp16"}, default=None
        Train under ``torch.autocast`` in this precision (None: float32).
    """

    def __init__(
        self, module, *args, head_task=None, head_inputs=0, head_outputs=0, head_weight=1.0, precision=None, **kwargs
    ):
        kwargs.setdefault("iterator_train", SliceBatchIterator)
        kwargs.setdefault("iterator_valid", SliceBatchIterator)
        kwargs.setdefault("iterator_train__shuffle", True)
        kwargs.setdefault("train_split", None)
        super().__init__(module, *args, **kwargs)
        self.head_task = head_task
        self.head_inputs = head_inputs
        self.head_outputs = head_outputs
        self.head_weight = head_weight
        self.precision = precision

    def train_step(self, batch, **fit_params):
        if self.precision is None:
            return super().train_step(batch, **fit_params)
        # Mixed precision: the forward pass and loss under torch.autocast;
        # float16 scales the loss so small gradients do not underflow.
        self._set_training(True)
        Xi, yi = batch
        device_type = torch.device(self.device).type
        dtype = torch.bfloat16 if self.precision == "bf16" else torch.float16
        self.optimizer_.zero_grad(set_to_none=True)
        with torch.autocast(device_type=device_type, dtype=dtype):
            y_pred = self.infer(Xi, **fit_params)
            loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        if self.precision == "fp16":
            scaler = self.__dict__.setdefault("_grad_scaler", torch.amp.GradScaler(device_type))
            scaler.scale(loss).backward()
            scaler.step(self.optimizer_)
            scaler.update()
        else:
            loss.backward()
            self.optimizer_.step()
        return {"loss": loss.detach().float(), "y_pred": y_pred}

    def initialize_module(self):
        super().initialize_module()
        if self.head_task is not None:
            self.head_ = torch.nn.Linear(self.head_inputs, self.head_outputs).to(self.device)
        return self

    def get_dataset(self, X, y=None):
        if is_dataset(X):
            return X
        return InMemoryDataset(as_float32_tensor(X, self.device))

    def infer(self, x, **fit_params):
        if self.head_task is None:
            return self.module_(x, **fit_params)
        codes = self.module_.encode(x)
        return self.module_.decode(codes), codes

    def get_loss(self, y_pred, y_true, X=None, training=False):
        # The target of an autoencoder is its input; y (if any) is the
        # target of the head.
        if self.head_task is None:
            return self.criterion_(y_pred, X)
        reconstruction, codes = y_pred
        loss = self.criterion_(reconstruction, X)
        if y_true is not None:
            predicted = self.head_(codes)
            if self.head_task == "classification":
                head_loss = torch.nn.functional.cross_entropy(predicted, y_true)
            else:
                head_loss = torch.nn.functional.mse_loss(predicted, y_true)
            if training:
                self.history.record_batch("reconstruction_loss", loss.item())
                self.history.record_batch("head_loss", head_loss.item())
            loss = loss + self.head_weight * head_loss
        return loss

    # --- inference -------------------------------------------------------

    def _batched(self, fn, X, batch_size=INFERENCE_BATCH_SIZE):
        """Apply ``fn`` to ``X`` in no-grad batches; return a float32 tensor on CPU."""
        self._set_training(False)
        X = as_float32_tensor(X, self.device)
        outputs = []
        with torch.inference_mode():
            for start in range(0, len(X), batch_size):
                outputs.append(fn(X[start : start + batch_size]))
        out = outputs[0] if len(outputs) == 1 else torch.cat(outputs)
        return out.cpu()

    def _reconstruct(self, x):
        out = self.module_(x)
        nonlinearity = self._get_predict_nonlinearity()
        return nonlinearity(out)

    def encode(self, X):
        """Codes of ``X`` (ndarray, float32) from ``module.encode``."""
        return self._batched(self.module_.encode, X).numpy()

    def decode(self, Z):
        """Reconstructions (ndarray, float32) of codes ``Z`` from ``module.decode``."""
        nonlinearity = self._get_predict_nonlinearity()
        return self._batched(lambda z: nonlinearity(self.module_.decode(z)), Z).numpy()

    def reconstruction_error(self, X):
        """Mean squared reconstruction error of each row of ``X`` (float64 ndarray)."""

        def row_mse(x):
            return torch.mean((self._reconstruct(x) - x) ** 2, dim=1)

        return self._batched(row_mse, X).numpy().astype(np.float64)


class GANNetMixin:
    """What both GAN nets share: the discriminator (built from
    ``discriminator`` and ``discriminator_kwargs``, with its own optimizer),
    the averaged generator and the critic-frozen generator update.

    ``ema_decay`` keeps an exponential moving average of the generator's
    weights (``generator_ema_``), used for sampling; None samples from the
    raw generator.
    """

    def initialize_module(self):
        super().initialize_module()
        self.discriminator_ = self.discriminator(**(self.discriminator_kwargs or {}))
        if self.ema_decay:
            self.generator_ema_ = copy.deepcopy(self.module_)
            self.generator_ema_.requires_grad_(False)
            self.ema_steps_ = 0
        return self

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

    def sampling_generator(self):
        """The generator used for sampling: the average when kept."""
        return getattr(self, "generator_ema_", None) or self.module_

    def _schedule_lr(self):
        """Linear decay of both learning rates to zero over ``lr_decay_steps``
        steps (None: constant). GAN training oscillates at a constant rate;
        the decay lets it settle."""
        total = getattr(self, "lr_decay_steps", None)
        if not total:
            return
        done = self.__dict__.get("lr_steps_done_", 0)
        lr = self.lr * max(0.0, 1.0 - done / total)
        for optimizer in (self.optimizer_, self.optimizer_discriminator_):
            for group in optimizer.param_groups:
                group["lr"] = lr
        self.lr_steps_done_ = done + 1

    def initialize_optimizer(self, *args, **kwargs):
        self.lr_steps_done_ = 0
        _, generator_kwargs = self.get_params_for_optimizer("optimizer", self.module_.named_parameters())
        _, discriminator_kwargs = self.get_params_for_optimizer(
            "optimizer", self.discriminator_.named_parameters()
        )
        self.optimizer_ = self.optimizer(self.module_.parameters(), **generator_kwargs)
        self.optimizer_discriminator_ = self.optimizer(self.discriminator_.parameters(), **discriminator_kwargs)
        return self

    def _record_losses(self, loss_g, loss_d):
        """Both losses of the step, by name (their epoch means: ``EpochLossMeans``)."""
        self.history.record_batch("generator_loss", loss_g.item())
        self.history.record_batch("critic_loss", loss_d.item())

    def _discriminator_update(self, loss_d):
        self.optimizer_discriminator_.zero_grad(set_to_none=True)
        loss_d.backward()
        self.optimizer_discriminator_.step()

    def _generator_update(self, generator_loss):
        """One generator step on ``generator_loss()``, computed with the
        critic's weights frozen (no gradients are accumulated for them)."""
        critic_params = list(self.discriminator_.parameters())
        for p in critic_params:
            p.requires_grad_(False)
        # A DP critic (Opacus' GradSampleModule) must not record per-sample
        # gradients for the generator's pass.
        private = hasattr(self.discriminator_, "disable_hooks")
        if private:
            self.discriminator_.disable_hooks()
        try:
            loss_g = generator_loss()
            self.optimizer_.zero_grad(set_to_none=True)
            loss_g.backward()
        finally:
            for p in critic_params:
                p.requires_grad_(True)
            if private:
                self.discriminator_.enable_hooks()
        self.optimizer_.step()
        if self.ema_decay:
            self._update_ema()
        return loss_g


class TabularGANNet(GANNetMixin, LeanNetMixin, NeuralNet):
    """A conditional tabular GAN as one skorch net.

    ``module`` is the generator (skorch's ``module__`` routing applies);
    the discriminator is built from ``discriminator`` and
    ``discriminator_kwargs`` and has its own optimizer. ``train_step``
    alternates one discriminator and one generator update per batch.

    Parameters
    ----------
    module : type of torch.nn.Module
        Generator: ``forward(noise, cond)`` returns pre-activation rows.
    discriminator : type of torch.nn.Module
        ``forward(rows, cond)`` returns one score per pack of rows.
    discriminator_kwargs : dict
    blocks : list of (start, width)
        The softmax blocks of the encoded rows (``module__output_dim`` wide);
        they get a Gumbel-softmax (:class:`BlockActivation`).
    condition_blocks : LongTensor of shape (n_conditions, 2)
        For each global condition: its softmax block and position in it.
    latent_dim : int
    gan_loss : {"wgan-gp", "bce"}
    gp_weight : float
    pac : int
    ema_decay : float or None
        Keep an exponential moving average of the generator's weights
        (``generator_ema_``), used for sampling; None samples from the raw
        generator.
    """

    def __init__(
        self,
        module,
        *args,
        discriminator=None,
        discriminator_kwargs=None,
        blocks=(),
        condition_blocks=None,
        latent_dim=128,
        gan_loss="wgan-gp",
        gp_weight=10.0,
        pac=10,
        ema_decay=None,
        dp_noise_multiplier=None,
        dp_max_grad_norm=1.0,
        dp_sample_rate=None,
        lr_decay_steps=None,
        **kwargs,
    ):
        kwargs.setdefault("iterator_train", ConditionalBatchIterator)
        kwargs.setdefault("train_split", None)
        kwargs.setdefault("criterion", torch.nn.BCEWithLogitsLoss)
        super().__init__(module, *args, **kwargs)
        self.discriminator = discriminator
        self.discriminator_kwargs = discriminator_kwargs
        self.blocks = blocks
        self.condition_blocks = condition_blocks
        self.latent_dim = latent_dim
        self.gan_loss = gan_loss
        self.gp_weight = gp_weight
        self.pac = pac
        self.ema_decay = ema_decay
        self.dp_noise_multiplier = dp_noise_multiplier
        self.dp_max_grad_norm = dp_max_grad_norm
        self.dp_sample_rate = dp_sample_rate
        self.lr_decay_steps = lr_decay_steps

    def initialize_module(self):
        super().initialize_module()
        width = self.module__output_dim
        self.activation_ = BlockActivation(width, list(self.blocks)).to(self.device)
        if self.dp_noise_multiplier is not None:
            from opacus import GradSampleModule

            self.discriminator_ = GradSampleModule(self.discriminator_, loss_reduction="mean")
        return self

    def initialize_optimizer(self, *args, **kwargs):
        super().initialize_optimizer(*args, **kwargs)
        if self.dp_noise_multiplier is not None:
            from opacus.accountants import RDPAccountant
            from opacus.optimizers import DPOptimizer

            # Each step scores the drawn real packs and as many fake ones.
            expected_units = max(1, 2 * int(round(self.batch_size / self.pac)))
            self.optimizer_discriminator_ = DPOptimizer(
                self.optimizer_discriminator_,
                noise_multiplier=self.dp_noise_multiplier,
                max_grad_norm=self.dp_max_grad_norm,
                expected_batch_size=expected_units,
                loss_reduction="mean",
            )
            self.dp_accountant_ = RDPAccountant()
        return self

    def finish_private_training(self):
        """Drop the DP wrappers once trained (plain modules pickle and save)."""
        if hasattr(self.discriminator_, "_module"):
            self.discriminator_ = self.discriminator_._module
        if hasattr(self.optimizer_discriminator_, "original_optimizer"):
            self.optimizer_discriminator_ = self.optimizer_discriminator_.original_optimizer

    def get_dataset(self, X, y=None):
        if is_dataset(X):
            return X
        raise TypeError("TabularGANNet trains on a ConditionalDataset.")

    # --- one training step ----------------------------------------------

    def _condition_vector(self, conditions, n):
        if conditions is None:
            return None
        cond = torch.zeros(n, len(self.condition_blocks), device=conditions.device)
        cond[torch.arange(n, device=conditions.device), conditions] = 1.0
        return cond

    def _fake(self, n, cond):
        noise = torch.randn(n, self.latent_dim, device=self.device)
        raw = self.module_(noise, cond)
        return raw, self.activation_(raw)

    def _gradient_penalty(self, real, fake, cond):
        pac = self.pac
        alpha = torch.rand(len(real) // pac, 1, 1, device=real.device)
        alpha = alpha.expand(-1, pac, real.shape[1]).reshape(real.shape)
        mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
        score = self.discriminator_(mixed, cond)
        (grad,) = torch.autograd.grad(score.sum(), mixed, create_graph=True)
        norms = grad.reshape(-1, pac * real.shape[1]).norm(2, dim=1)
        return ((norms - 1) ** 2).mean()

    def _condition_loss(self, raw, conditions):
        if conditions is None:
            return raw.new_zeros(())
        logits = self.activation_.block_logits(raw)
        block, position = self.condition_blocks[conditions].unbind(1)
        # Each row's conditioned block (padding is -inf, so it gets no probability).
        chosen = logits.gather(1, block.view(-1, 1, 1).expand(-1, 1, logits.shape[2])).squeeze(1)
        return torch.nn.functional.cross_entropy(chosen, position)

    def _private_train_step(self, real, conditions, sample_rate):
        """DP-SGD on the critic: one pass over real and fake packs whose
        per-pack gradients Opacus clips and noises; the generator learns only
        through the critic (post-processing)."""
        # Every Poisson draw spends privacy, even an empty one.
        self.dp_accountant_.step(noise_multiplier=self.dp_noise_multiplier, sample_rate=sample_rate)
        n = len(real)
        if n == 0:
            return {"loss": torch.zeros((), device=real.device), "y_pred": None}
        bce = torch.nn.functional.binary_cross_entropy_with_logits
        cond = self._condition_vector(conditions, n)
        raw, fake = self._fake(n, cond)
        both = None if cond is None else torch.cat([cond, cond])
        scores = self.discriminator_(torch.cat([real, fake.detach()]), both).reshape(-1)
        targets = torch.cat([torch.ones(n // self.pac), torch.zeros(n // self.pac)]).to(scores)
        loss_d = bce(scores, targets)
        with warnings.catch_warnings():
            # Opacus' hooks on a first layer whose input needs no gradient.
            warnings.filterwarnings("ignore", message="Full backward hook is firing")
            self._discriminator_update(loss_d)

        def generator_loss():
            d_fake = self.discriminator_(fake, cond)
            return bce(d_fake, torch.ones_like(d_fake)) + self._condition_loss(raw, conditions)

        loss_g = self._generator_update(generator_loss)
        self._record_losses(loss_g, loss_d)
        return {"loss": loss_g.detach(), "y_pred": None}

    def train_step(self, batch, **fit_params):
        real, conditions = batch
        n = len(real)
        self._set_training(True)
        self._schedule_lr()
        if self.dp_noise_multiplier is not None:
            return self._private_train_step(real, conditions, self.dp_sample_rate)
        cond = self._condition_vector(conditions, n)
        bce = torch.nn.functional.binary_cross_entropy_with_logits

        # One generator pass serves both updates (as in PyTorch's DCGAN
        # example): the critic learns on the detached rows, then the
        # generator is scored by the updated critic.
        raw, fake = self._fake(n, cond)
        fake_rows = fake.detach()
        # Real and generated packs in one critic call (fewer, larger products).
        scores = self.discriminator_(torch.cat([real, fake_rows]), None if cond is None else torch.cat([cond, cond]))
        d_real, d_fake = scores.split(len(scores) // 2)
        if self.gan_loss == "wgan-gp":
            loss_d = d_fake.mean() - d_real.mean()
            loss_d = loss_d + self.gp_weight * self._gradient_penalty(real, fake_rows, cond)
        else:
            loss_d = bce(d_real, torch.ones_like(d_real)) + bce(d_fake, torch.zeros_like(d_fake))
        self._discriminator_update(loss_d)

        def generator_loss():
            d_fake = self.discriminator_(fake, cond)
            if self.gan_loss == "wgan-gp":
                loss_g = -d_fake.mean()
            else:
                loss_g = bce(d_fake, torch.ones_like(d_fake))
            return loss_g + self._condition_loss(raw, conditions)

        loss_g = self._generator_update(generator_loss)
        self._record_losses(loss_g, loss_d)
        return {"loss": loss_g.detach(), "y_pred": None}

    # --- sampling ---------------------------------------------------------

    def generate(self, n, conditions=None, forced=None, generator=None, batch_size=4096):
        """Generate ``n`` encoded rows and the level drawn in each softmax block.

        Chunks of 4096 rows sampled Adult 1.2 times faster than chunks of
        8192 on CPU (the activations stay in cache).

        Parameters
        ----------
        n : int
        conditions : LongTensor of shape (n,) or None
            Global condition index per row (as in training), or None.
        forced : list of LongTensor or None
            Global condition indices whose block is set to that level in
            every row (multi-column ``conditions`` of ``sample``).
        generator : torch.Generator
            Source of the noise.

        Returns
        -------
        rows : float32 ndarray of shape (n, width)
            Generator output; its numeric columns are the encoded values.
        choices : int64 ndarray of shape (n, n_blocks)
            The level drawn in each softmax block, sampled from the block's
            softmax (:func:`sample_blocks`).
        """
        self._set_training(False)
        generator_module = self.sampling_generator()
        device = self.device
        activation = self.activation_
        forced_levels = [tuple(int(v) for v in self.condition_blocks[int(g)]) for g in forced or ()]
        # The default generator takes each row's condition index directly.
        indexed = isinstance(generator_module, TabularGenerator) and not forced
        rows = None
        choices = torch.empty(n, activation.n_blocks, dtype=torch.long)
        with torch.inference_mode():
            for start in range(0, n, batch_size):
                m = min(batch_size, n - start)
                noise = torch.randn(m, self.latent_dim, generator=generator, device=device)
                if conditions is None:
                    raw = generator_module(noise, None)
                elif indexed:
                    raw = generator_module(noise, cond_index=conditions[start : start + m].to(device))
                else:
                    cond = self._condition_vector(conditions[start : start + m].to(device), m)
                    for g in forced or ():
                        cond[:, g] = 1.0
                    raw = generator_module(noise, cond)
                if rows is None:
                    rows = torch.empty(n, raw.shape[1], dtype=raw.dtype)
                rows[start : start + m] = raw
                choices[start : start + m] = sample_blocks(raw, self.blocks, generator).cpu()
            for block, position in forced_levels:
                choices[:, block] = position
        return rows.numpy(), choices.numpy()


class ImageGANNet(GANNetMixin, LeanNetMixin, NeuralNet):
    """A (class-conditional) image GAN as one skorch net.

    Trains on an :class:`InMemoryDataset` of images in [-1, 1] and integer
    labels (or none): per batch, one critic and one generator update
    sharing one generator pass.

    Parameters
    ----------
    module : type of torch.nn.Module
        Generator: ``forward(noise, labels)`` returns ``(n, C, H, W)`` images
        in [-1, 1] (labels None when unconditional).
    discriminator : type of torch.nn.Module
        ``forward(images, labels)`` returns one score per image.
    discriminator_kwargs : dict
    latent_dim : int
    gan_loss : {"hinge", "bce"}
        Hinge loss (the usual pairing with spectral normalisation) or the
        non-saturating cross-entropy GAN.
    ema_decay : float or None
    lr_decay_steps : int or None
        Decay both learning rates linearly to zero over this many steps.
    """

    def __init__(
        self,
        module,
        *args,
        discriminator=None,
        discriminator_kwargs=None,
        latent_dim=128,
        gan_loss="hinge",
        ema_decay=None,
        lr_decay_steps=None,
        **kwargs,
    ):
        kwargs.setdefault("iterator_train", SliceBatchIterator)
        kwargs.setdefault("iterator_train__shuffle", True)
        kwargs.setdefault("train_split", None)
        kwargs.setdefault("criterion", torch.nn.BCEWithLogitsLoss)
        super().__init__(module, *args, **kwargs)
        self.discriminator = discriminator
        self.discriminator_kwargs = discriminator_kwargs
        self.latent_dim = latent_dim
        self.gan_loss = gan_loss
        self.ema_decay = ema_decay
        self.lr_decay_steps = lr_decay_steps

    def get_dataset(self, X, y=None):
        if is_dataset(X):
            return X
        raise TypeError("ImageGANNet trains on an InMemoryDataset.")

    def train_step(self, batch, **fit_params):
        real, labels = batch
        self._set_training(True)
        self._schedule_lr()
        noise = torch.randn(len(real), self.latent_dim, device=real.device)
        fake = self.module_(noise, labels)
        d_real = self.discriminator_(real, labels)
        d_fake = self.discriminator_(fake.detach(), labels)
        relu = torch.nn.functional.relu
        bce = torch.nn.functional.binary_cross_entropy_with_logits
        if self.gan_loss == "hinge":
            loss_d = relu(1.0 - d_real).mean() + relu(1.0 + d_fake).mean()
        else:
            loss_d = bce(d_real, torch.ones_like(d_real)) + bce(d_fake, torch.zeros_like(d_fake))
        self._discriminator_update(loss_d)

        def generator_loss():
            scores = self.discriminator_(fake, labels)
            if self.gan_loss == "hinge":
                return -scores.mean()
            return bce(scores, torch.ones_like(scores))

        loss_g = self._generator_update(generator_loss)
        self._record_losses(loss_g, loss_d)
        return {"loss": loss_g.detach(), "y_pred": None}

    def generate(self, n, labels=None, generator=None, batch_size=256):
        """Generate ``n`` images (float32 ndarray ``(n, C, H, W)`` in [-1, 1]).

        Chunks of 256 keep the feature maps in cache: on CPU they sampled
        28x28 images 1.8 times faster than chunks of 4096.

        Parameters
        ----------
        n : int
        labels : LongTensor of shape (n,) or None
            Class index per image (conditional models).
        generator : torch.Generator
            Source of the noise.
        """
        self._set_training(False)
        generator_module = self.sampling_generator()
        out = None
        with torch.inference_mode():
            for start in range(0, n, batch_size):
                m = min(batch_size, n - start)
                noise = torch.randn(m, self.latent_dim, generator=generator, device=self.device)
                batch_labels = None if labels is None else labels[start : start + m].to(self.device)
                images = generator_module(noise, batch_labels)
                if out is None:
                    out = torch.empty(n, *images.shape[1:], dtype=images.dtype)
                out[start : start + m] = images
        return out.numpy()


def accelerated_autoencoder_net():
    """:class:`AutoencoderNet` with skorch's ``AccelerateMixin`` (needs
    ``accelerate``): modules, optimizer and data loader are prepared by a
    Hugging Face ``Accelerator``, so ``accelerate launch`` trains one model on
    several GPUs (each process takes a shard of every epoch). Built on first
    use, as ``skgen._nets.AcceleratedAutoencoderNet`` (so pickles find it)."""
    cls = globals().get("AcceleratedAutoencoderNet")
    if cls is None:
        from skorch.hf import AccelerateMixin

        def get_dataset(self, X, y=None):
            if is_dataset(X):
                return X
            return InMemoryDataset(as_float32_tensor(X, "cpu"))

        cls = type("AcceleratedAutoencoderNet", (AccelerateMixin, AutoencoderNet), {"get_dataset": get_dataset})
        cls.__module__ = __name__
        globals()["AcceleratedAutoencoderNet"] = cls
    return cls


def __getattr__(name):
    # Unpickling an accelerated net looks the class up by name.
    if name == "AcceleratedAutoencoderNet":
        return accelerated_autoencoder_net()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

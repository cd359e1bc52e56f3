"""Differentially private training of the tabular GAN, in one place.

The critic is trained by DP-SGD through Opacus: each step draws a Poisson
sample of rows (:class:`PoissonBatchIterator`, what the accountant assumes),
Opacus clips every pack's gradient to ``dp_max_grad_norm`` and adds Gaussian
noise (:class:`PrivateCriticMixin`), and an RDP accountant counts what the
steps spend. :func:`privacy_plan` picks the noise that spends ``dp_epsilon``
over the planned steps. The generator sees the data only through the critic
(post-processing), so it needs no noise of its own.

Opacus is imported only when private training is asked for.
"""

import importlib.util
import warnings

import torch
import torch.nn.functional as F

# The default critic's options under DP-SGD: Opacus computes per-sample
# gradients of nn.Linear, not of the sparse condition product.
PRIVATE_CRITIC_KWARGS = {"sparse_conditions": False}


def check_privacy_params(estimator):
    """The DP-specific checks that constraints cannot express (loss, opacus)."""
    if estimator.loss not in ("auto", "bce"):
        raise ValueError(
            f"loss={estimator.loss!r} cannot be trained with DP-SGD (the gradient penalty needs second-order "
            "gradients that per-sample clipping does not support); use loss='auto' or 'bce'."
        )
    if importlib.util.find_spec("opacus") is None:
        raise ImportError("dp_epsilon needs opacus: pip install 'skgen[privacy]' (or pip install opacus).")


def privacy_plan(epsilon, delta, batch_size, n_rows, max_epochs):
    """Noise multiplier and sampling rate that spend ``epsilon`` over the
    planned steps (Opacus' RDP accountant); ``delta`` None is ``1 / (10 n)``."""
    from opacus.accountants.utils import get_noise_multiplier

    sample_rate = min(1.0, batch_size / n_rows)
    steps = max_epochs * max(1, n_rows // batch_size)
    delta = delta if delta is not None else 1.0 / (10 * n_rows)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Optimal order is the largest alpha")
        sigma = get_noise_multiplier(
            target_epsilon=epsilon, target_delta=delta, sample_rate=sample_rate, steps=steps, accountant="rdp"
        )
    return {"noise_multiplier": float(sigma), "sample_rate": sample_rate, "delta": delta}


def spent_epsilon(net, delta):
    """The epsilon a private net's steps spent, at ``delta``."""
    with warnings.catch_warnings():
        # Opacus notes when a larger RDP order could tighten the bound.
        warnings.filterwarnings("ignore", message="Optimal order is the largest alpha")
        return float(net.dp_accountant_.get_epsilon(delta))


class PoissonBatchIterator:
    """Batches for differentially private training (DP-SGD).

    Each step includes every row independently with probability
    ``batch_size / n_rows`` (Poisson sampling, what the privacy accountant
    assumes), shuffles the drawn rows, drops the last ones to a multiple of
    ``pac``, and gives each row the condition of its own level in one
    discrete column drawn uniformly. Training-by-sampling is not used: it
    picks rows by their values, which the accounting does not cover.

    Parameters
    ----------
    dataset : ConditionalDataset
    batch_size : int
        Expected rows per step.
    pac : int, default=1
    """

    def __init__(self, dataset, batch_size, pac=1):
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.pac = int(pac)

    @property
    def sample_rate(self):
        return min(1.0, self.batch_size / len(self.dataset))

    def __len__(self):
        return max(1, len(self.dataset) // self.batch_size)

    def __iter__(self):
        data = self.dataset
        space = data.space
        device = data.X.device
        n = len(data)
        for _ in range(len(self)):
            chosen = torch.nonzero(torch.rand(n, device=device) < self.sample_rate).flatten()
            chosen = chosen[torch.randperm(len(chosen), device=device)]
            chosen = chosen[: len(chosen) - len(chosen) % self.pac]
            if space.n_conditions == 0:
                yield data.X[chosen], None
                continue
            column = torch.randint(len(space.n_levels), (len(chosen),), device=device)
            conditions = space.column_offset[column] + data.codes[chosen, column]
            yield data.X[chosen], conditions


class PrivateCriticMixin:
    """DP-SGD for a GAN net's critic: Opacus' per-pack clipping and noise.

    Mixed into :class:`skgen._nets.TabularGANNet` (as
    ``PrivateTabularGANNet``): the critic is wrapped in a
    ``GradSampleModule`` and its optimizer in a ``DPOptimizer``; each step
    first charges the accountant (every Poisson draw spends privacy, even an
    empty one), then scores the real and generated packs in one pass with
    the cross-entropy loss. :meth:`finish_private_training` drops the
    wrappers once trained, so the net pickles and saves as a plain one.

    Parameters
    ----------
    dp_noise_multiplier : float
    dp_max_grad_norm : float
    dp_sample_rate : float
        The Poisson sampling rate (for the accountant).
    """

    def __init__(self, *args, dp_noise_multiplier=1.0, dp_max_grad_norm=1.0, dp_sample_rate=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.dp_noise_multiplier = dp_noise_multiplier
        self.dp_max_grad_norm = dp_max_grad_norm
        self.dp_sample_rate = dp_sample_rate

    def initialize_module(self):
        super().initialize_module()
        from opacus import GradSampleModule

        self.discriminator_ = GradSampleModule(self.discriminator_, loss_reduction="mean")
        return self

    def initialize_optimizer(self, *args, **kwargs):
        super().initialize_optimizer(*args, **kwargs)
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

    def _begin_step(self, batch):
        self.dp_accountant_.step(noise_multiplier=self.dp_noise_multiplier, sample_rate=self.dp_sample_rate)
        if len(batch[0]) == 0:
            return None
        return super()._begin_step(batch)

    def _critic_loss(self, step):
        n = len(step.real)
        cond = step.context
        both = None if cond is None else torch.cat([cond, cond])
        scores = self.discriminator_(torch.cat([step.real, step.fake.detach()]), both).reshape(-1)
        targets = torch.cat([torch.ones(n // self.pac), torch.zeros(n // self.pac)]).to(scores)
        return F.binary_cross_entropy_with_logits(scores, targets)

    def _discriminator_update(self, loss_d, batch):
        with warnings.catch_warnings():
            # Opacus' hooks on a first layer whose input needs no gradient.
            warnings.filterwarnings("ignore", message="Full backward hook is firing")
            super()._discriminator_update(loss_d, batch)

    def _generator_pass(self):
        # The generator's pass through the critic records no per-sample gradients.
        return _HooksDisabled(self.discriminator_)

    def finish_private_training(self):
        """Drop the DP wrappers once trained (plain modules pickle and save)."""
        if hasattr(self.discriminator_, "_module"):
            self.discriminator_ = self.discriminator_._module
        if hasattr(self.optimizer_discriminator_, "original_optimizer"):
            self.optimizer_discriminator_ = self.optimizer_discriminator_.original_optimizer


class _HooksDisabled:
    def __init__(self, module):
        self.module = module

    def __enter__(self):
        self.module.disable_hooks()
        return self

    def __exit__(self, *exc):
        self.module.enable_hooks()
        return False

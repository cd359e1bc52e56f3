"""The interface between GANSampler and a data kind (tables, images).

:class:`GANSampler` holds the parameters and the fitted state; a data kind
(:class:`skgen._tabular._kind.TableKind`, :class:`skgen._images._kind.ImageKind`)
holds the know-how: how its data are validated and encoded, which nets train
on them, how samples are generated, scored and saved.

Data flow one way. The sampler gives a kind a :class:`KindConfig` (its
parameters, read-only, and the skorch plumbing every net gets) and, once
fitted, a read-only :class:`FittedState` of its ``*_`` attributes; a kind
returns the net and ``{attribute: value}`` of fitted state, which only the
sampler sets. A kind is built on demand, so pickles hold no kind objects.
Adding a data kind is one subclass and one entry in ``GANSampler._kinds``.
"""

import abc
from dataclasses import dataclass
from numbers import Number
from types import MappingProxyType
from typing import Any, Callable, Mapping

import torch

from ._core._callbacks import LinearLRDecay
from ._distributed import AveragedGradients, check_accelerator, process_state, rows_per_process


def _is_default(value, default):
    """Whether a parameter's value is its default (an empty list or tuple counts as None: nothing set)."""
    if value is default:
        return True
    if isinstance(value, (list, tuple)):
        return (default is None and len(value) == 0) or (isinstance(default, tuple) and tuple(value) == default)
    if isinstance(value, Number) and isinstance(default, Number):
        return isinstance(value, bool) == isinstance(default, bool) and value == default
    return type(value) is type(default) and value == default


@dataclass(frozen=True)
class KindConfig:
    """What a data kind is given to fit and sample with.

    Parameters
    ----------
    params : mapping
        The sampler's parameters by name (``get_params(deep=False)``), read-only;
        also readable as attributes (``config.pac``).
    defaults : mapping
        Each parameter's default (for refusing another kind's parameters).
    other_parameters : mapping
        ``{kind name: parameters}`` of every data kind.
    routed : mapping
        ``{"generator": {...}, "discriminator": {...}}``: the ``<module>__<name>`` values.
    net_plumbing : callable
        ``(governor, optimizer, device, optimizer_defaults, callbacks) -> dict``: the skorch
        keyword arguments every net of the sampler gets (threads, progress, user callbacks).
    inference_context : callable
        A context manager that holds the thread pools during generation.
    """

    params: Mapping[str, Any]
    defaults: Mapping[str, Any]
    other_parameters: Mapping[str, tuple]
    routed: Mapping[str, Mapping[str, Any]]
    net_plumbing: Callable[..., dict]
    inference_context: Callable

    def __getattr__(self, name):
        params = object.__getattribute__(self, "params")
        if name in params:
            return params[name]
        raise AttributeError(f"GANSampler has no parameter {name!r}")


class FittedState:
    """The sampler's fitted ``*_`` attributes, read-only, by attribute (``fitted.codec_``)."""

    __slots__ = ("_values",)

    def __init__(self, values):
        object.__setattr__(self, "_values", MappingProxyType(dict(values)))

    def __getattr__(self, name):
        try:
            return object.__getattribute__(self, "_values")[name]
        except KeyError:
            raise AttributeError(f"This sampler has no fitted attribute {name!r}") from None

    def __setattr__(self, name, value):
        raise AttributeError("A kind does not set fitted state: it returns it, and the sampler sets it.")


class GANDataKind(abc.ABC):
    """How :class:`~skgen.GANSampler` fits and samples one kind of data.

    Class attributes
    ----------------
    name : str
        The ``data_kind`` value, e.g. ``"table"``.
    parameters : tuple of str
        GANSampler parameters that apply to this kind only.
    losses : tuple of str
        The ``loss`` values it can train with; the first is ``"auto"``'s.
    default_batch_size, default_lr, default_lr_schedule
        What ``batch_size=None``, ``lr=None`` and ``lr_schedule="auto"`` mean.
    """

    name = None
    parameters = ()
    losses = ()
    default_batch_size = None
    default_lr = None
    default_lr_schedule = "constant"

    def __init__(self, config, fitted=None):
        self.config = config
        self.fitted = fitted

    # --- hooks -----------------------------------------------------------------

    def check_params(self):
        """Checks across parameters (single values are checked by constraints)."""
        self.check_foreign_params()
        self.check_accelerator()
        loss = self.config.loss
        if loss != "auto" and loss not in self.losses:
            raise ValueError(
                f"loss={loss!r} is not available for {self.name}s; choose 'auto' or one of {self.losses}."
            )

    def check_foreign_params(self):
        """Refuse another kind's parameters set away from their defaults: they would be silently ignored."""
        config = self.config
        foreign = {}
        for kind, parameters in config.other_parameters.items():
            for name in parameters:
                if name not in self.parameters and name in config.defaults:
                    value = config.params[name]
                    if not _is_default(value, config.defaults[name]):
                        foreign.setdefault(kind, []).append(f"{name}={value!r}")
        if foreign:
            said = "; ".join(f"{', '.join(names)} (for {kind}s only)" for kind, names in foreign.items())
            raise ValueError(
                f"This fit is on {self.name}s, which ignore {said}: leave them at their defaults, or fit on the data "
                "they are for."
            )

    def check_accelerator(self):
        """The ``accelerator`` options, and what it cannot be combined with."""
        check_accelerator(self.config.accelerator)
        if self.config.accelerator and self.config.dp_epsilon is not None:
            raise ValueError(
                "accelerator cannot be combined with dp_epsilon: the privacy accounting assumes one process."
            )

    @abc.abstractmethod
    def validate(self, X, y):
        """Check and convert the training data; return what the fit needs (sets nothing)."""

    @abc.abstractmethod
    def start_training(self, data, device, governor, rng):
        """Return the initialised net and its dataset."""

    def end_training(self, net, data):
        """Work after training inside the fit's context (default: none)."""
        return None

    @abc.abstractmethod
    def fitted_state(self, net, data, extra):
        """``{attribute: value}`` of the kind's fitted state (``*_`` names)."""

    @abc.abstractmethod
    def sample(self, n_samples, seed, conditions, y, return_y):
        """``n_samples`` generated rows (images), seeded by ``seed``."""

    def sample_block(self, n_samples, seed, conditions, offset):
        """One block of a chunked stream (:mod:`skgen._sample_stream`): ``offset`` rows came before it."""
        return self.sample(n_samples, seed, conditions, None, False)

    @abc.abstractmethod
    def score(self, X, y, seed):
        """The sampler's ``score`` on real data (higher is better), against samples drawn with ``seed``."""

    @abc.abstractmethod
    def saved_state(self):
        """The kind's fitted state as JSON values for a model file."""

    @abc.abstractmethod
    def restore(self, state, weights, device):
        """From a model file: ``(net, {attribute: value})``, the loaded net (not initialised)
        and the kind's fitted state, which the sampler sets."""

    # --- what every kind resolves the same way ------------------------------------

    def batch_size(self):
        batch_size = self.config.batch_size
        return self.default_batch_size if batch_size is None else batch_size

    def learning_rate(self):
        return self.default_lr if self.config.lr is None else self.config.lr

    def gan_loss(self):
        return self.losses[0] if self.config.loss == "auto" else self.config.loss

    def step_batch_size(self, n_rows):
        """Rows per training step for ``n_rows`` training rows."""
        return min(self.batch_size(), n_rows)

    def n_epochs(self, n_rows):
        """Epochs to train for ``n_rows`` rows: ``max_epochs``, or the kind's rule for ``"auto"``."""
        max_epochs = self.config.max_epochs
        return self.auto_epochs(n_rows) if max_epochs == "auto" else max_epochs

    @abc.abstractmethod
    def auto_epochs(self, n_rows):
        """Hook: ``max_epochs="auto"`` for ``n_rows`` rows."""

    def lr_schedule(self):
        """``lr_schedule``, with ``"auto"`` resolved to the kind's default."""
        schedule = self.config.lr_schedule
        return self.default_lr_schedule if schedule == "auto" else schedule

    def schedule_callbacks(self, n_rows):
        """The learning-rate schedule as callbacks (``lr_schedule``)."""
        schedule = self.lr_schedule()
        if schedule == "constant" or n_rows is None:
            return []
        steps = self.n_epochs(n_rows) * max(1, n_rows // self.step_batch_size(n_rows))
        return [("lr_decay", LinearLRDecay(steps))]

    def net_kwargs(self, governor, device, n_rows, callbacks=()):
        """skorch plumbing shared by the GAN nets: Adam with ``betas`` and
        ``weight_decay`` for both networks, the schedule, the gradient
        averaging of a fit across processes, the kind's ``callbacks``
        (``(name, callback)`` pairs), the user's callbacks."""
        config = self.config
        callbacks = self.schedule_callbacks(n_rows) + list(callbacks)
        state = process_state(config.accelerator)
        if state is not None and state.num_processes > 1:
            callbacks.insert(0, ("averaged_gradients", AveragedGradients(state.num_processes, state.process_index)))
        return config.net_plumbing(
            governor,
            torch.optim.Adam,
            device,
            optimizer_defaults={"betas": tuple(config.betas), "weight_decay": config.weight_decay},
            callbacks=callbacks,
        )

    def rows_per_process(self, batch_size, multiple=1):
        """This process's rows of a ``batch_size`` step: all of them, or an
        equal share when the fit runs on several processes."""
        state = process_state(self.config.accelerator)
        if state is None or state.num_processes == 1:
            return batch_size
        return rows_per_process(batch_size, state.num_processes, multiple)

    def process_shard(self):
        """``(process_index, n_processes)`` of this fit: ``(0, 1)`` in one process."""
        state = process_state(self.config.accelerator)
        return (0, 1) if state is None else (state.process_index, state.num_processes)

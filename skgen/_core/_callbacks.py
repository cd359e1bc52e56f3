"""skorch callbacks shared by skgen's nets."""

import math

from skorch.callbacks import Callback


class AdaptiveThreads(Callback):
    """Lets a :class:`skgen._core._threads.ThreadGovernor` follow the machine's load.

    At the start of each epoch the governor may change torch's thread count
    (at most once per its ``recheck_interval``), so a fit that began on a
    quiet machine drops to one thread when another process takes a core,
    and goes back up when the core frees.

    Parameters
    ----------
    governor : ThreadGovernor
    """

    def __init__(self, governor):
        self.governor = governor

    def on_epoch_begin(self, net, **kwargs):
        if self.governor is not None:
            self.governor.update()

    def __getstate__(self):
        # The governor belongs to one running fit; a pickled net keeps no
        # reference to it.
        state = self.__dict__.copy()
        state["governor"] = None
        return state


class NonFiniteLossError(ValueError):
    """Raised by :class:`TrainingMonitor` when a training loss is NaN or infinite."""

    def __init__(self, epoch):
        self.epoch = epoch
        super().__init__(f"non-finite loss in epoch {epoch}")


class TrainingMonitor(Callback):
    """Stops training at the first non-finite loss and counts finished epochs.

    A NaN or infinite batch loss (what a non-finite gradient turns into at
    the next step) raises :class:`NonFiniteLossError` at once, naming the
    epoch, instead of training on garbage until ``max_epochs``. The count of
    completed epochs tells the estimator whether ``fit`` was interrupted.
    """

    def on_train_begin(self, net, **kwargs):
        self.epochs_completed_ = 0

    def on_batch_end(self, net, training=False, loss=None, **kwargs):
        if loss is not None and not math.isfinite(loss.item() if hasattr(loss, "item") else loss):
            raise NonFiniteLossError(len(net.history))

    def on_epoch_end(self, net, **kwargs):
        self.epochs_completed_ += 1


def interrupted_epochs(net):
    """After ``partial_fit``: the epochs completed if training was cut short
    by KeyboardInterrupt (not by early stopping), else None. Drops the
    unfinished epoch's history row."""
    monitor = dict(net.callbacks_).get("training_monitor")
    completed = getattr(monitor, "epochs_completed_", None)
    if completed is None or completed >= net.max_epochs:
        return None
    early = dict(net.callbacks_).get("early_stopping")
    if early is not None and getattr(early, "misses_", 0) >= early.patience:
        return None
    while len(net.history) > completed:
        del net.history[-1]
    return completed


class LinearLRDecay(Callback):
    """Decays the learning rate of every optimizer of the net linearly to zero.

    At the start of each training batch the rate is ``net.lr * (1 - done /
    total_steps)`` (never below zero), for all of the net's optimizers (a
    GAN's generator and critic alike). GAN training oscillates at a constant
    rate; the decay lets it settle.

    Parameters
    ----------
    total_steps : int
        Training steps over which the rate falls to zero.
    """

    def __init__(self, total_steps):
        self.total_steps = total_steps

    def initialize(self):
        self.steps_done_ = 0
        return self

    def on_batch_begin(self, net, training=False, **kwargs):
        if not training:
            return
        lr = net.lr * max(0.0, 1.0 - self.steps_done_ / self.total_steps)
        for name in net._optimizers:
            for group in getattr(net, name + "_").param_groups:
                group["lr"] = lr
        self.steps_done_ += 1

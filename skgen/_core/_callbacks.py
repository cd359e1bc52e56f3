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


class JudgedTraining(Callback):
    """Judges the generator as training goes, keeps its best state and stops when it stops improving.

    Before the first epoch and then every ``every`` epochs, ``judge(net)``
    scores the net's sampling generator (higher is better; the tabular GAN's
    judge is held-out detection). The generator's state at the best score
    is kept, and put back when training ends, so that the fitted model is
    the best one judged, not the last one trained. A check improves on the
    best when it beats it by more than ``min_delta`` and, if the judge has a
    ``margin(best_score)`` method, by more than that margin too (the noise
    of its scores: a check that beats the best by less is as likely chance
    as progress). After ``patience`` checks in a row without an
    improvement, training stops (as skorch's ``EarlyStopping`` does, by a
    KeyboardInterrupt that skorch catches). The scores go to ``scores_`` as
    ``(epoch, score)`` pairs, and to the history as ``judged_score`` (as the
    judge's ``shown(score)`` method, if it has one, gives it for reading). The
    judge is dropped when training ends (it may hold real rows), so a later
    ``partial_fit`` is not judged.

    Parameters
    ----------
    judge : callable
        ``judge(net) -> float``.
    every : int
        Epochs between checks.
    patience : int
        Checks without improvement before training stops.
    min_delta : float, default=0.0
        Improvement a check must beat the best score by.
    """

    def __init__(self, judge, every, patience, min_delta=0.0):
        self.judge = judge
        self.every = every
        self.patience = patience
        self.min_delta = min_delta

    def on_train_begin(self, net, **kwargs):
        self.misses_ = 0
        self.scores_ = []
        self.best_state_ = None
        if self.judge is None:  # a net read back from a pickle: its validation rows are gone
            return
        self.best_score_ = -math.inf
        self.best_epoch_ = None
        self._check(net, len(net.history))

    def on_epoch_end(self, net, **kwargs):
        epoch = len(net.history)
        if self.judge is None or epoch % self.every:
            return
        improved = self._check(net, epoch)
        score = self.scores_[-1][1]
        shown = getattr(self.judge, "shown", None)
        net.history.record("judged_score", score if shown is None else float(shown(score)))
        self.misses_ = 0 if improved else self.misses_ + 1
        if self.misses_ >= self.patience:
            raise KeyboardInterrupt

    def on_train_end(self, net, **kwargs):
        if self.best_state_ is not None:
            net.sampling_generator().load_state_dict(self.best_state_)
            self.best_state_ = None  # (a fitted net keeps no second copy of its weights)
        # The judge holds real rows: a fitted net keeps none of them (a later partial_fit is not judged).
        self.judge = None

    def _check(self, net, epoch):
        score = float(self.judge(net))
        self.scores_.append((epoch, score))
        if score <= self.best_score_ + self._required_gain():
            return False
        self.best_score_, self.best_epoch_ = score, epoch
        self.best_state_ = {k: v.detach().clone() for k, v in net.sampling_generator().state_dict().items()}
        return True

    def _required_gain(self):
        margin = getattr(self.judge, "margin", None)
        if margin is None or not math.isfinite(self.best_score_):
            return self.min_delta
        return max(self.min_delta, float(margin(self.best_score_)))

    def __getstate__(self):
        # The judge holds a fit's validation rows; a pickled net keeps none of them.
        state = self.__dict__.copy()
        state["judge"] = None
        return state

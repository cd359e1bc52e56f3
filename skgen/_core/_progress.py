"""Progress of a fit as a user reads it: one bar over epochs with the losses by name."""

import math
import sys
import time

from skorch.callbacks import Callback


class EpochLossMeans(Callback):
    """Records, at each epoch's end, the mean of per-batch losses under the same names.

    skorch keeps one ``train_loss`` per epoch; a GAN has two losses (and a
    supervised autoencoder two parts of one), recorded per batch by the
    net's ``train_step``. This callback puts their epoch means in the
    history row, so ``history_[:, "critic_loss"]`` reads like
    ``history_[:, "train_loss"]`` and the progress bar and skorch's epoch
    table show them.

    Parameters
    ----------
    keys : tuple of str
        Per-batch history keys to average.
    """

    def __init__(self, keys):
        self.keys = keys

    def on_epoch_end(self, net, **kwargs):
        batches = net.history[-1, "batches"]
        for key in self.keys:
            values = [batch[key] for batch in batches if key in batch]
            if values:
                net.history.record(key, float(sum(values) / len(values)))


class EpochProgress(Callback):
    """One progress bar over the epochs of a fit, with named losses and an ETA.

    On a terminal it is a tqdm bar on stderr. When stderr is not a terminal
    (a log file, a pipe, a notebook's captured stream), it writes plain
    lines instead -- no carriage returns, no colour -- at most one per
    ``every`` of the planned epochs, so a fit writes about ten lines.

    Parameters
    ----------
    losses : dict
        ``{label: history key}`` of the epoch values to show; a tuple of
        keys shows the first one the epoch has.
    description : str
        Shown before the bar (the estimator's name).
    every : float, default=0.1
        Share of the planned epochs between plain lines.
    file : file-like or None, default=None
        Where to write; None is ``sys.stderr`` at the start of training.
    """

    def __init__(self, losses, description, every=0.1, file=None):
        self.losses = losses
        self.description = description
        self.every = every
        self.file = file

    def on_train_begin(self, net, **kwargs):
        self.file_ = self.file if self.file is not None else sys.stderr
        self.total_ = int(net.max_epochs)
        self.start_epoch_ = len(net.history)
        self.started_ = time.perf_counter()
        self.next_line_ = 1
        self.bar_ = None
        isatty = getattr(self.file_, "isatty", None)
        if isatty is not None and isatty():
            from tqdm.auto import tqdm

            self.bar_ = tqdm(total=self.total_, desc=self.description, unit="epoch", file=self.file_, leave=True)

    def _loss_text(self, net, separator):
        row = net.history[-1]
        shown = []
        for label, keys in self.losses.items():
            key = next((k for k in ((keys,) if isinstance(keys, str) else keys) if k in row), None)
            if key is not None:
                shown.append(f"{label} {row[key]:.4g}")
        return separator.join(shown)

    def on_epoch_end(self, net, **kwargs):
        done = len(net.history) - self.start_epoch_
        if self.bar_ is not None:
            self.bar_.set_postfix_str(self._loss_text(net, ", "), refresh=False)
            self.bar_.update(1)
            return
        step = max(1, math.ceil(self.every * self.total_))
        if done < self.next_line_ * step and done != self.total_:
            return
        self.next_line_ = done // step + 1
        elapsed = time.perf_counter() - self.started_
        left = elapsed / done * (self.total_ - done)
        self._print_line(net, f"epoch {done}/{self.total_} ({100 * done / self.total_:.0f}%)",
                         f"{_duration(elapsed)} elapsed, {_duration(left)} left")

    def _print_line(self, net, where, timing):
        losses = self._loss_text(net, ", ")
        print(f"{self.description}: {where}{'; ' + losses if losses else ''}; {timing}", file=self.file_, flush=True)

    def on_train_end(self, net, **kwargs):
        if getattr(self, "bar_", None) is not None:
            self.bar_.close()
            self.bar_ = None
            return
        done = len(net.history) - getattr(self, "start_epoch_", len(net.history))
        if 0 < done < self.total_:
            # Training stopped before max_epochs (judged training, an interrupt): say where.
            self._print_line(net, f"stopped at epoch {done}/{self.total_}",
                             f"{_duration(time.perf_counter() - self.started_)} elapsed")

    def __getstate__(self):
        # A bar and a stream belong to one running fit.
        state = self.__dict__.copy()
        for key in ("bar_", "file_"):
            state.pop(key, None)
        return state


def _duration(seconds):
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, seconds = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"

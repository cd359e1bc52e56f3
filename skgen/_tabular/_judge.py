"""Judged training of the tabular GAN: the rows that judge it, and the detection score a check gives the generator."""

import math
import warnings

import numpy as np
import torch

from .._core._callbacks import JudgedTraining
from ..metrics._detection import cross_validated_auc
from ._columns import SMALL_TABLE_ROWS
from ._conditions import unconditional_rows

# early_stopping: the judge compares generated rows with (by default) the training rows, at most
# MAX_VALIDATION_ROWS of them (a detector's AUC on 2,500 + 2,500 rows moves by about 0.01 between
# seeds), on tables of at least MIN_JUDGED_ROWS rows; CHECKS checks over max_epochs, stopping after
# PATIENCE checks without improvement. Thirty checks, a patience of three and two folds (instead of
# twenty, four and three) halved the fits of credit, attrition, email and wage (13-30 s before) at the
# same detection (mean 0.759 against 0.751 on those and ames, three seeds each): most fits keep a
# state found early, and the checks after it only confirmed it. A patience of two instead of three
# cut every fit by about a third (Adult 36 -> 26 s, ames 23 -> 10 s) and changed the kept state on
# ames, loans and a 3,000-row Adult sample only (19-table detection 0.820 -> 0.819; three seeds,
# benchmarks/results/generalisation_patience2.md).
MAX_VALIDATION_ROWS = 2_500
MIN_JUDGED_ROWS = SMALL_TABLE_ROWS  # (smaller tables are warned about already)
CHECKS = 30
PATIENCE = 2
JUDGE_FOLDS = 2
# The judge's detector: fifty boosting rounds at twice the default rate, without early stopping. On
# the same generated rows its score moves about half as much between fold seeds as the default
# detector's (sd 0.008-0.010 against 0.019-0.029 on email and credit), and a check costs the same on
# small tables and half on wide or large ones (ames 0.64-0.80 s against 1.04-1.35 s).
JUDGE_DETECTOR = {"max_iter": 50, "learning_rate": 0.2, "early_stopping": False}


def is_judged(early_stopping, n_rows):
    """Whether a fit of ``n_rows`` in-memory rows is judged. A table too small to judge by trains to
    ``max_epochs``: with early_stopping=True, a warning says so (with "auto", the small-table warning)."""
    if early_stopping is False:
        return False
    if n_rows < MIN_JUDGED_ROWS:
        if early_stopping is True:
            warnings.warn(
                f"early_stopping is off: the table's {n_rows} rows are too few to judge training by "
                f"(it needs {MIN_JUDGED_ROWS}); GANSampler trains for max_epochs and keeps the last generator.",
                UserWarning,
                stacklevel=6,
            )
        return False
    return True


def validation_split(n_rows, fraction, rng):
    """``(training rows, judged rows)``: sorted row indices. ``fraction`` None judges the training
    rows themselves (a sample of them); a float keeps that share out of training.
    The judged rows are at most ``MAX_VALIDATION_ROWS``, and a held-out part leaves one row to train on."""
    order = rng.permutation(n_rows)
    if fraction is None:
        return np.arange(n_rows), np.sort(order[:MAX_VALIDATION_ROWS])
    n_judged = int(min(MAX_VALIDATION_ROWS, max(1, round(fraction * n_rows)), n_rows - 1))
    return np.sort(order[n_judged:]), np.sort(order[:n_judged])


def check_schedule(n_epochs):
    """``(every, patience)``: epochs between checks and checks without improvement before stopping."""
    return max(1, n_epochs // CHECKS), PATIENCE


class DetectionJudge:
    """Scores a training net by detection against the judged rows (higher is better).

    As many rows as ``validation`` holds are generated the way ``sample``
    generates them without conditions (same seed at every check, so checks
    differ only by the generator) and decoded by ``codec``; the score is
    :func:`skgen.metrics.detection_score` of them against ``validation``,
    ``JUDGE_FOLDS`` folds, not clipped at 1.

    Parameters
    ----------
    validation : DataFrame
        The rows to judge against, in the model's columns (the codec's).
    codec : TabularCodec
    space : ConditionSpace
    latent : LatentClasses or None
    seed : int
    n_threads : int or None
        Threads of the detector.
    """

    def __init__(self, validation, codec, space, latent, seed, n_threads=None):
        self.validation = validation
        self.codec = codec
        self.space = space
        self.latent = latent
        self.seed = seed
        self.n_threads = n_threads

    def rows(self, net):
        """The rows a check judges: decoded, before any constraint is rebuilt."""
        n = len(self.validation)
        device = net.device
        generator = torch.Generator(device=device).manual_seed(self.seed)
        conditions = unconditional_rows(self.space, self.latent, n, self.seed, device, generator)
        encoded, choices = net.generate(n, conditions, generator=generator)
        return self.codec.inverse_transform(
            encoded, rng=np.random.RandomState(self.seed), choices=choices, in_bin=self.latent is not None
        )

    def margin(self, best_score):
        """How much a check must beat ``best_score`` by to count as better: the standard error of
        the difference of two independent scores (:func:`score_standard_error`)."""
        return math.sqrt(2.0) * score_standard_error(best_score, len(self.validation))

    @staticmethod
    def shown(score):
        """The score as :func:`skgen.metrics.detection_score` reports it (at most 1), for the
        history and the progress display."""
        return min(score, 1.0)

    def __call__(self, net):
        rows = self.rows(net)
        # The detection score unclipped (2 - 2 AUC, above 1 when the detector does worse than chance):
        # clipped, every check a detector cannot tell apart ties at 1, and the first one would win.
        auc, _ = cross_validated_auc(self.validation, rows, n_splits=JUDGE_FOLDS, random_state=self.seed,
                                     n_threads=self.n_threads, detector_params=JUDGE_DETECTOR)
        return 2.0 - 2.0 * auc


def score_standard_error(score, n_rows):
    """The standard error of a judged score ``2 - 2 AUC`` of ``n_rows`` real rows against as many
    generated ones: twice Hanley and McNeil's (1982) standard error of the AUC. It counts only the
    scored rows' noise, not the detector's, so it is a lower bound of how much checks vary."""
    auc = 1.0 - score / 2.0
    auc = min(max(auc, 1.0 - auc), 1.0)  # (below 0.5 the detector is as informative mirrored)
    q1, q2 = auc / (2.0 - auc), 2.0 * auc * auc / (1.0 + auc)
    variance = (auc * (1.0 - auc) + (n_rows - 1) * (q1 - auc * auc + q2 - auc * auc)) / (n_rows * n_rows)
    return 2.0 * math.sqrt(max(variance, 0.0))


def judged_state(net):
    """``validation_scores_`` (the checks' scores, in order; None if not judged) and
    ``best_epoch_`` (the epoch of the generator kept: 0 is the untrained one)."""
    judged = dict(net.callbacks_).get("early_stopping")
    if not isinstance(judged, JudgedTraining) or not getattr(judged, "scores_", None):
        return {"validation_scores_": None, "best_epoch_": None}
    return {"validation_scores_": [score for _, score in judged.scores_], "best_epoch_": judged.best_epoch_}

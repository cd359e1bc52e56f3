"""Judged training (``early_stopping``): held-out rows, the best generator kept, an early stop, the prior as start."""

import numpy as np
import pandas as pd
import pytest
import torch
from skorch.history import History

import skgen
import skgen._tabular._judge as judge_module
from skgen import GANSampler
from skgen._core._callbacks import JudgedTraining
from skgen._modules import TabularGenerator
from skgen.metrics._detection import cross_validated_auc

from ._settings import TINY_TABLE_GAN as UNJUDGED_TABLE_GAN

TINY_TABLE_GAN = dict(UNJUDGED_TABLE_GAN, early_stopping="auto")


def small_table(n, seed=0):
    rng = np.random.RandomState(seed)
    group = rng.choice(["a", "b", "c"], n, p=[0.6, 0.3, 0.1])
    x = pd.Series(group).map({"a": -2.0, "b": 0.0, "c": 3.0}).to_numpy() + 0.5 * rng.randn(n)
    return pd.DataFrame({"group": group, "x": x, "y": 2 * x + rng.randn(n)})


class _FakeNet:
    """What JudgedTraining reads of a net: its history and its sampling generator."""

    def __init__(self):
        self.history = History()
        self.generator = torch.nn.Linear(2, 1)

    def sampling_generator(self):
        return self.generator


def _scripted(scores):
    scores = iter(scores)
    return lambda net: next(scores)


def test_the_best_state_is_kept_and_training_stops_after_patience_checks():
    net = _FakeNet()
    callback = JudgedTraining(_scripted([0.2, 0.5, 0.9, 0.4, 0.3, 0.8, 1.0]), every=2, patience=3)
    callback.on_train_begin(net)
    stopped_at = None
    for epoch in range(1, 13):
        net.history.new_epoch()
        with torch.no_grad():
            net.generator.weight.fill_(epoch)  # the state reached after each epoch
        try:
            callback.on_epoch_end(net)
        except KeyboardInterrupt:
            stopped_at = epoch
            break
    callback.on_train_end(net)
    # Checks at 0, 2, 4, 6, 8, 10: the best (0.9) at epoch 4, then three checks lower.
    assert stopped_at == 10
    assert callback.best_epoch_ == 4
    assert torch.all(net.generator.weight == 4)
    assert [e for e, _ in callback.scores_] == [0, 2, 4, 6, 8, 10]
    assert net.history[:, "judged_score"] == [0.5, 0.9, 0.4, 0.3, 0.8]


class _NoisyJudge:
    """A scripted judge whose scores are noisy by ``noise``: ``margin`` says how much counts."""

    def __init__(self, scores, noise):
        self.scores, self.noise = iter(scores), noise

    def __call__(self, net):
        return next(self.scores)

    def margin(self, best_score):
        return self.noise


def test_a_check_counts_as_better_only_when_it_beats_the_judges_noise():
    net = _FakeNet()
    # 0.52 and 0.55 beat 0.5 by less than the noise (0.06); 0.7 beats it by more.
    callback = JudgedTraining(_NoisyJudge([0.5, 0.52, 0.55, 0.7, 0.72, 0.6, 0.65], noise=0.06), every=1, patience=3)
    callback.on_train_begin(net)
    stopped_at = None
    for epoch in range(1, 7):
        net.history.new_epoch()
        try:
            callback.on_epoch_end(net)
        except KeyboardInterrupt:
            stopped_at = epoch
            break
    assert callback.best_epoch_ == 3 and stopped_at == 6


class _DetectionLikeJudge(_NoisyJudge):
    """A scripted judge that, like the detection judge, shows its scores clipped at 1."""

    shown = staticmethod(judge_module.DetectionJudge.shown)


def test_the_history_shows_a_score_above_one_as_one_and_the_best_is_still_chosen_unclipped():
    net = _FakeNet()
    # 1.08 and 1.02: detectors worse than chance. Clipped they would tie at 1, and the first would win.
    callback = JudgedTraining(_DetectionLikeJudge([0.6, 1.02, 1.08, 0.7], noise=0.0), every=1, patience=3)
    callback.on_train_begin(net)
    for epoch in range(1, 4):
        net.history.new_epoch()
        callback.on_epoch_end(net)
    assert net.history[:, "judged_score"] == [1.0, 1.0, 0.7]
    assert [s for _, s in callback.scores_] == [0.6, 1.02, 1.08, 0.7]
    assert callback.best_epoch_ == 2


@pytest.mark.parametrize("score, n_rows, expected", [(0.7, 2500, 0.0154), (0.05, 2344, 0.0046), (1.0, 2500, 0.0163)])
def test_the_judges_margin_is_the_noise_of_a_difference_of_two_scores(score, n_rows, expected):
    # Hanley and McNeil's standard error of an AUC of 0.65 on 2,500 + 2,500 rows is 0.0077 (their
    # table's order of size); a score 2 - 2 AUC doubles it.
    assert judge_module.score_standard_error(score, n_rows) == pytest.approx(expected, abs=2e-4)
    judge = judge_module.DetectionJudge(pd.DataFrame({"x": np.zeros(n_rows)}), None, None, None, 0)
    assert judge.margin(score) == pytest.approx(np.sqrt(2) * expected, abs=3e-4)


class _FixedRowsJudge(judge_module.DetectionJudge):
    """A judge whose generated rows are given (no net to sample them from)."""

    def __init__(self, validation, generated, seed):
        super().__init__(validation, None, None, None, seed)
        self.generated = generated

    def rows(self, net):
        return self.generated


@pytest.mark.parametrize("shift", [0.0, 3.0])
def test_a_checks_detector_boosts_a_fixed_number_of_rounds_whatever_the_rows(monkeypatch, shift):
    # Rows it cannot tell apart (shift 0) and rows it can (3): the default detector's early stopping
    # ends these after a few rounds or runs to 100; a check's detector runs its fixed rounds.
    from sklearn.ensemble import HistGradientBoostingClassifier

    rounds = []
    fit = HistGradientBoostingClassifier.fit

    def recording_fit(self, *args, **kwargs):
        fitted = fit(self, *args, **kwargs)
        rounds.append(fitted.n_iter_)
        return fitted

    monkeypatch.setattr(HistGradientBoostingClassifier, "fit", recording_fit)
    real, generated = small_table(1500, seed=1), small_table(1500, seed=2)
    generated["x"] += shift
    _FixedRowsJudge(real, generated, seed=0)(None)
    assert rounds == [judge_module.JUDGE_DETECTOR["max_iter"]] * judge_module.JUDGE_FOLDS
    rounds.clear()
    cross_validated_auc(real, generated, n_splits=judge_module.JUDGE_FOLDS)
    assert all(n != judge_module.JUDGE_DETECTOR["max_iter"] for n in rounds)


def test_a_zero_output_generator_adds_nothing_until_trained():
    generator = TabularGenerator(latent_dim=4, cond_dim=3, output_dim=5, hidden_dims=(8,), zero_output=True)
    out = generator(torch.randn(6, 4), cond_index=torch.tensor([0, 1, 2, 0, 1, 2]))
    assert torch.equal(out, torch.zeros(6, 5))
    default = TabularGenerator(latent_dim=4, cond_dim=3, output_dim=5, hidden_dims=(8,))
    assert default(torch.randn(6, 4), cond_index=torch.tensor([0, 1, 2, 0, 1, 2])).abs().sum() > 0


@pytest.fixture
def judged_scores(monkeypatch):
    """Replace the judge's detection with a script: first the untrained generator wins, then each check loses."""
    calls = []

    def judge(self, net):
        calls.append(self.rows(net))  # the judged rows are still generated and decoded
        return 1.0 if len(calls) == 1 else 0.5 - 0.01 * len(calls)

    monkeypatch.setattr(judge_module.DetectionJudge, "__call__", judge)
    return calls


def test_an_early_stop_keeps_the_untrained_generator_that_samples_the_latent_classes(judged_scores, capsys):
    frame = small_table(500)
    sampler = GANSampler(**dict(TINY_TABLE_GAN, max_epochs=40, verbose=1)).fit(frame)
    assert capsys.readouterr().err.splitlines()[-1].startswith("GANSampler: stopped at epoch 2/40; generator ")
    # Checks every epoch (40 // 30): epoch 0 is best, two worse checks stop at epoch 2.
    assert sampler.best_epoch_ == 0
    assert sampler.n_epochs_ == 2
    assert len(sampler.validation_scores_) == 3 and sampler.validation_scores_[0] == 1.0
    out = sampler.net_.sampling_generator().out
    assert torch.count_nonzero(out.weight) == 0 and torch.count_nonzero(out.bias) == 0
    # Numeric values are drawn inside the bins the classes give (the zero score is no value of its own).
    assert sampler.sample(500, random_state=0)["x"].value_counts().iloc[0] <= 5
    # The judged rows are the validation part's size, in the table's columns.
    assert all(len(rows) == 500 and list(rows.columns) == list(frame.columns) for rows in judged_scores)


def test_the_judged_rows_are_a_sample_of_the_training_rows_or_kept_out(monkeypatch):
    frame = small_table(500)
    judged = []
    original = judge_module.DetectionJudge.__init__

    def record(self, validation, *args, **kwargs):
        judged.append(validation)
        original(self, validation, *args, **kwargs)

    monkeypatch.setattr(judge_module.DetectionJudge, "__init__", record)
    sampler = GANSampler(**TINY_TABLE_GAN).fit(frame)
    # By default the GAN trains on every row and is judged against them (at most 2,500).
    assert sampler.condition_space_.level_counts[0].sum() == 500
    assert len(sampler.validation_scores_) == 3  # epochs 0, 1, 2
    # The judge's rows (real ones) are not kept by the fitted sampler.
    assert dict(sampler.net_.callbacks_)["early_stopping"].judge is None
    held_out = GANSampler(**dict(TINY_TABLE_GAN, validation_fraction=0.25)).fit(frame)
    # A validation_fraction keeps its rows out: training-by-sampling (and the latent classes) count 375.
    assert held_out.condition_space_.level_counts[0].sum() == 375
    assert [len(rows) for rows in judged] == [500, 125]
    assert judged[0].isin(frame.to_dict("list")).all().all()
    unjudged = GANSampler(**dict(TINY_TABLE_GAN, early_stopping=False)).fit(frame)
    assert not hasattr(unjudged, "validation_scores_") and not hasattr(unjudged, "best_epoch_")
    assert len(judged) == 2


def test_a_table_too_small_to_judge_trains_to_max_epochs_with_a_warning():
    frame = small_table(40)
    with pytest.warns(UserWarning, match="early_stopping is off: the table's 40 rows are too few to judge"):
        sampler = GANSampler(**dict(TINY_TABLE_GAN, early_stopping=True)).fit(frame)
    assert sampler.n_epochs_ == 2 and not hasattr(sampler, "best_epoch_")
    # "auto": the small-table warning says it, once.
    with pytest.warns(UserWarning) as caught:
        GANSampler(**TINY_TABLE_GAN).fit(frame)
    messages = [str(w.message) for w in caught]
    assert not any("early_stopping" in m for m in messages)
    assert sum("not judged as it goes" in m for m in messages) == 1


@pytest.mark.parametrize("value", [0.0, 0.5, 1.2, "half"])
def test_a_bad_validation_fraction_is_refused_before_training(value):
    with pytest.raises(ValueError, match="validation_fraction"):
        GANSampler(**dict(TINY_TABLE_GAN, validation_fraction=value)).fit(small_table(200))


def test_the_progress_display_shows_the_judged_detection(capsys):
    GANSampler(**dict(TINY_TABLE_GAN, max_epochs=4, verbose=1)).fit(small_table(200))
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("GANSampler: epoch")]
    assert lines and all("judged detection " in line for line in lines)


def test_the_judged_scores_survive_a_model_file(tmp_path):
    sampler = GANSampler(**TINY_TABLE_GAN).fit(small_table(300))
    path = tmp_path / "judged.skgen"
    sampler.save(path)
    loaded = skgen.load(path)
    assert loaded.validation_scores_ == sampler.validation_scores_
    assert loaded.best_epoch_ == sampler.best_epoch_


@pytest.mark.slow
def test_the_defaults_are_never_worse_than_the_latent_class_model_they_start_from(monkeypatch):
    from skgen.metrics import detection_score

    train, holdout = small_table(3000, seed=0), small_table(1000, seed=1)
    train["label"] = np.where(train["y"] + np.random.RandomState(2).randn(3000) > 0, "yes", "no")
    holdout["label"] = np.where(holdout["y"] + np.random.RandomState(3).randn(1000) > 0, "yes", "no")
    defaults, priors = [], []
    for seed in range(3):
        sampler = GANSampler(random_state=seed, n_threads=1).fit(train)
        # Judged training stops well before the cap (auto: 3,000 steps of 200 rows, 250 epochs).
        assert sampler.best_epoch_ is not None and sampler.n_epochs_ < 0.6 * sampler.max_epochs_
        defaults.append(detection_score(holdout, sampler.sample(3000, random_state=seed), random_state=seed))
    # The latent-class model alone: the same fits with the untrained generator kept.
    calls = []
    monkeypatch.setattr(judge_module.DetectionJudge, "__call__", lambda self, net: calls.append(1) or -len(calls))
    for seed in range(3):
        prior = GANSampler(random_state=seed, n_threads=1).fit(train)
        assert prior.best_epoch_ == 0
        priors.append(detection_score(holdout, prior.sample(3000, random_state=seed), random_state=seed))
    # Judged against the rows it trains on, with a detector's noise, the kept state may score a little
    # below the untrained one on unseen rows; never by more than 0.05 (measured: 0.876 against 0.904).
    assert np.mean(defaults) >= np.mean(priors) - 0.05, (defaults, priors)

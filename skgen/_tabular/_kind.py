"""Tables as a GANSampler data kind: frame in and out, the conditional GAN, conditions, scores, state."""

from numbers import Integral, Real

import numpy as np
import pandas as pd
import torch
from sklearn.utils._param_validation import Interval, StrOptions

from .._core._callbacks import JudgedTraining
from .._core._validation import NON_NEGATIVE_REAL, POSITIVE_INT, POSITIVE_REAL, layer_widths
from .._gan_kind import GANDataKind
from .._io._json import decode_value, encode_value
from .._modules import TabularDiscriminator, TabularGenerator
from .._nets import PrivateTabularGANNet, TabularGANNet
from .._privacy import PRIVATE_CRITIC_KWARGS, PoissonBatchIterator, check_privacy_params, privacy_plan, spent_epsilon
from ._codec import TabularCodec
from ._columns import warn_if_small
from ._conditional_rows import rows_meeting
from ._conditions import resolve_conditions, unconditional_rows
from ._constraint_set import ConstraintSet, inferred_rules_table
from ._datasets import ConditionalDataset, ConditionSpace
from ._frame_input import as_frame
from ._fit_data import TableFitData
from ._inferred_rules import inferred_relations, kept_on_every_piece
from ._judge import DetectionJudge, check_schedule, is_judged, judged_state, validation_split
from ._latent_classes import LatentClasses, cpu_generator
from ._level_calibration import block_frequencies, calibrate_levels, with_exact_missing_rates
from ._sources import FirstPass, TableSource, is_table_source
from ._streaming import BUFFER_ROWS, FIT_SAMPLE_ROWS, StreamingDataset, buffer_encoder, level_codes
from ._value_tree_sizing import grow_for_training, leaf_rows_state, size_after_training

# The tables-only parameters of GANSampler, with their constraints.
TABLE_CONSTRAINTS = {
    "pac": [POSITIVE_INT],
    "gp_weight": [NON_NEGATIVE_REAL],
    "generator_dims": [layer_widths(allow_empty=False)],
    "discriminator_dims": [layer_widths(allow_empty=False)],
    "categorical_columns": [list, tuple, None],
    "max_categories": [Interval(Integral, 2, None, closed="left")],
    "dp_epsilon": [POSITIVE_REAL, None],
    "dp_delta": [Interval(Real, 0, 1, closed="neither"), None],
    "dp_max_grad_norm": [POSITIVE_REAL],
    "constraints": [list, tuple, None],
    "constraint_violations": [StrOptions({"raise", "drop"})],
    "infer_constraints": ["boolean", list, tuple, StrOptions({"auto"})],
    "latent_classes": [Interval(Integral, 0, None, closed="left"), StrOptions({"auto"})],
    "calibrate_levels": ["boolean"],
    "numeric_values": [StrOptions({"trees", "generator"})],
    "early_stopping": ["boolean", StrOptions({"auto"})],
    "validation_fraction": [Interval(Real, 0, 0.5, closed="neither"), None],
}

# max_epochs="auto": half as many optimiser steps as rows, within these bounds (an epoch is
# n_rows // batch_size steps). On Adult 10,000 steps (193 epochs) gave detection 0.81 where 117
# epochs gave 0.79; 10,000 steps cost tables of 1-3k rows 150-200 s (benchmarks/results/tabular.md runs).
MIN_AUTO_STEPS, MAX_AUTO_STEPS = 3_000, 10_000
MIN_STEPS_PER_EPOCH = 10

# latent_classes="auto": one class per this many training rows, at most MAX_AUTO_CLASSES. The
# untrained generator samples the classes alone; measured that way (three seeds each, the model
# before training judged against the real 20%), one class per 100 rows gave 0.73 / 0.86 / 0.75 /
# 0.19 detection on Adult-1,000 / attrition / email / ames, and 100 classes 0.77 / 0.94 / 0.83 / 0.44.
# With value trees, a probe (seeds 0-1) put nyc_weather at 0.568 with 200 classes, 0.692 with 500,
# 0.734 with 1,000 (seed 0), and Adult at 0.957 / 0.962 / 0.920 (seed 0; 1,000 trained to epoch 24).
ROWS_PER_AUTO_CLASS = 20
MAX_AUTO_CLASSES = 500

_NUMERIC_CONDITION_WEIGHT = 0.25


class TableKind(GANDataKind):
    """Tables: a DataFrame (or 2-D array) in, new rows with the same columns and dtypes out."""

    name = "table"
    parameters = tuple(TABLE_CONSTRAINTS)
    losses = ("wgan-gp", "bce")
    default_batch_size = 500
    default_lr = 8e-4
    default_lr_schedule = "constant"

    def check_params(self):
        config = self.config
        if config.dp_epsilon is not None:
            check_privacy_params(config)  # (its loss rule is narrower than the tables' one)
            self.check_accelerator()
        else:
            super().check_params()
        if self.batch_size() < config.pac:
            raise ValueError(f"batch_size={config.batch_size} must be at least pac={config.pac}.")
        explicit_classes = config.latent_classes != "auto" and config.latent_classes > 0
        if explicit_classes and config.dp_epsilon is not None:
            raise ValueError(
                "latent_classes cannot be used with dp_epsilon: the classes are fitted on the rows without "
                "noise; set latent_classes=0."
            )
        if explicit_classes and not config.conditional:
            raise ValueError("latent_classes needs conditional=True (the classes are a condition); set latent_classes=0.")

    def learning_rate(self):
        if self.config.lr is None and self.config.dp_epsilon is not None:
            return 2e-4
        return super().learning_rate()

    def gan_loss(self):
        if self.config.loss == "auto" and self.config.dp_epsilon is not None:
            return "bce"
        return super().gan_loss()

    def step_batch_size(self, n_rows=None):
        """``batch_size`` capped at the table's rows and rounded down to a
        multiple of ``pac`` (at least one pack; rows are drawn with
        replacement). The default (None) is 500, and a tenth of the rows
        on tables under 5,000 rows, so that an epoch is at least 10 steps."""
        batch_size = self.batch_size()
        if n_rows is not None:
            if self.config.batch_size is None:
                batch_size = min(batch_size, n_rows // MIN_STEPS_PER_EPOCH)
            batch_size = min(batch_size, n_rows)
        pac = self.config.pac
        return max(pac, batch_size // pac * pac)

    def auto_epochs(self, n_rows):
        """Enough epochs for half as many optimiser steps as rows, at least ``MIN_AUTO_STEPS`` and at
        most ``MAX_AUTO_STEPS``, whatever the table's size."""
        if n_rows is None:  # a model file being restored: its epochs are done
            return 1
        steps = min(MAX_AUTO_STEPS, max(MIN_AUTO_STEPS, n_rows // 2))
        steps_per_epoch = max(1, n_rows // self.step_batch_size(n_rows))
        return -(-steps // steps_per_epoch)

    # --- fit ------------------------------------------------------------------

    def validate(self, X, y):
        if is_table_source(X):
            return self._validate_source(X)
        frame = as_frame(X)
        if frame.shape[0] < 2:
            raise ValueError(f"GANSampler needs at least 2 rows to fit; got {frame.shape[0]} sample(s).")
        if frame.shape[1] == 0:
            raise ValueError(
                f"Found array with 0 feature(s) (shape={frame.shape}) while a minimum of 1 is required by GANSampler."
            )
        return TableFitData(X, None, len(frame), *self._fit_codec(frame))

    def _validate_source(self, X):
        """A table in files or a Dask frame: a first pass, the model's parts fitted on its sample."""
        config = self.config
        if config.dp_epsilon is not None:
            raise ValueError("Differentially private training (dp_epsilon) needs the table in memory; pass a DataFrame.")
        source = X if isinstance(X, TableSource) else TableSource(X)
        seed = config.random_state if isinstance(config.random_state, Integral) else None
        first = FirstPass(source, FIT_SAMPLE_ROWS, np.random.RandomState(seed))
        if first.n_rows < 2:
            raise ValueError(f"GANSampler needs at least 2 rows to fit; got {first.n_rows} sample(s).")
        frame, codec_obj, encoded, constraints = self._fit_codec(first.frame, source)
        for codec in codec_obj.codecs_:
            if codec.name in first.missing.index:
                codec.missing_rate = float(first.missing[codec.name] / first.n_rows)
        return TableFitData(X, source, first.n_rows, frame, codec_obj, encoded, constraints)

    def _fit_codec(self, frame, source=None):
        """``(frame, codec, encoded, constraints)``: the constraints (given and inferred) fitted on
        ``frame``, the frame they give, the codec fitted on it and its encoded rows."""
        config = self.config
        constraints, model_frame, categorical = None, frame, config.categorical_columns
        specs, inferred = list(config.constraints or ()), inferred_relations(frame, config)
        if source is not None:  # (found on the first pass's sample: checked on every row)
            inferred = kept_on_every_piece(inferred, frame, source)
        if specs or inferred:
            constraints, frame = ConstraintSet.fit(specs, frame, config.constraint_violations, inferred)
            model_frame = constraints.to_model(frame)
            if model_frame.shape[1] == 0:
                raise ValueError(
                    f"Every column is a key (a distinct value on every row: {list(frame.columns)}), so there is "
                    "nothing to learn; list a column in categorical_columns to learn its values."
                )
            categorical = constraints.model_categorical_columns(categorical)
        codec = TabularCodec(categorical_columns=categorical, max_categories=config.max_categories,
                             combination_columns=None if constraints is None else constraints.combination_columns())
        codec.fit(model_frame)
        if codec.n_encoded_ == 0:
            raise ValueError(
                "Every column is constant, so there is nothing to learn; a synthetic copy is the column "
                "values repeated (e.g. pd.concat([X.iloc[:1]] * n))."
            )
        warn_if_small(len(frame))  # (a streamed table's sample holds every row of a small one)
        return frame, codec, codec.transform(model_frame), constraints

    def discrete_codecs(self, codec):
        """The columns the generator is conditioned on (all discrete ones)."""
        return [c for c in codec.codecs_ if c.discrete_segment is not None] if self.config.conditional else []

    def column_weights(self, discrete):
        """How often each conditioned column is trained on: a numeric column's
        mode block a quarter as often as a discrete column (on Adult, equal
        weights made rows easier to detect: detection 0.20 against 0.23)."""
        return [1.0 if c.levels is not None else _NUMERIC_CONDITION_WEIGHT for c in discrete]

    def start_training(self, data, device, governor, rng):
        codec, encoded = data.codec, data.encoded
        config = self.config
        rows_seen, training_rows = (data.frame, data.encoded), None
        if data.source is None and config.dp_epsilon is None and is_judged(config.early_stopping, len(encoded)):
            # With a validation_fraction, the GAN (and the latent classes it starts from) never sees
            # the rows that judge it; by default they are a sample of the rows it trains on.
            training_rows, validation_rows = validation_split(len(encoded), config.validation_fraction, rng)
            judged = data.frame.iloc[validation_rows].reset_index(drop=True)
            # In the model's columns (a rule's hidden columns in, the columns it rebuilds out): the
            # generator's own rows are judged.
            data.validation = judged if data.constraints is None else data.constraints.to_model(judged)
            encoded = encoded[training_rows]
        discrete = self.discrete_codecs(codec)
        codes, level_counts = None, []
        if discrete:
            codes_np = level_codes(encoded, discrete)
            level_counts = [np.bincount(codes_np[:, j], minlength=c.discrete_segment.width) for j, c in enumerate(discrete)]
            codes = torch.from_numpy(codes_np).to(device)
        space = ConditionSpace(level_counts, device, self.column_weights(discrete))
        source, n_rows = data.source, len(encoded) if data.source is None else data.n_rows
        latent, classes = None, None
        n_classes = self.n_latent_classes(n_rows) if discrete else 0
        if n_classes:
            generator = torch.Generator().manual_seed(int(rng.randint(2**31 - 1)))
            latent, classes = LatentClasses.fit(codes.cpu(), space.n_levels, n_classes, generator)
            classes = classes.to(device)
        if source is None:
            dataset = ConditionalDataset(torch.from_numpy(encoded).to(device), codes, space, classes)
        else:
            encode = buffer_encoder(codec, data.constraints, discrete, space, latent, device, rng.randint(2**31 - 1))
            dataset = StreamingDataset(source, n_rows, encode, BUFFER_ROWS, int(rng.randint(2**31 - 1)),
                                       shard=self.process_shard())
            # The first pass's sample has served: only its columns are needed from here on.
            data.frame, data.encoded = data.frame.iloc[:0], None
        private = None
        if config.dp_epsilon is not None:
            private = privacy_plan(
                config.dp_epsilon, config.dp_delta, self.step_batch_size(n_rows), n_rows, self.n_epochs(n_rows)
            )
        data.space, data.private, data.discrete, data.latent = space, private, [c.name for c in discrete], latent
        judge = None
        if data.validation is not None:
            judge = DetectionJudge(data.validation, codec, space, latent, int(rng.randint(2**31 - 1)),
                                   self.judge_threads())
        net = self.build_net(codec, device, governor, private, n_rows, latent=latent, judge=judge)
        if private is None and config.calibrate_levels:
            frequencies = block_frequencies(encoded, net.blocks)
            data.level_frequencies = with_exact_missing_rates(frequencies, net.blocks, codec.codecs_)
        net = net.initialize()
        # Drawn last, so the draws before it are those of fits made before level calibration;
        # from the fit's seed, not torch's stream, which each process of a distributed fit has its own of.
        data.calibration_seed = int(rng.randint(2**31 - 1))
        # From a stream of their own (the calibration seed), so the draws above stay those of fits without trees.
        grow_for_training(data, config.numeric_values, *rows_seen, training_rows, data.calibration_seed)
        return net, dataset

    def n_latent_classes(self, n_rows):
        """Classes of the latent-class model the GAN is conditioned on (0: none)."""
        config = self.config
        if config.dp_epsilon is not None or not config.conditional:
            return 0
        if config.latent_classes != "auto":
            return min(int(config.latent_classes), n_rows)
        n_classes = min(MAX_AUTO_CLASSES, n_rows // ROWS_PER_AUTO_CLASS)
        return n_classes if n_classes >= 2 else 0

    def end_training(self, net, data):
        private = data.private
        if private is None:
            if self.config.calibrate_levels and net.blocks:
                calibrate_levels(net, data)
            return {"value_tree_leaf_rows_": size_after_training(net, data)}
        epsilon = spent_epsilon(net, private["delta"])
        net.finish_private_training()
        return {
            "dp_epsilon_": epsilon,
            "dp_delta_": private["delta"],
            "dp_noise_multiplier_": private["noise_multiplier"],
        }

    def fitted_state(self, net, data, extra):
        X, frame = data.X, data.frame
        names = None
        is_frame = isinstance(X, pd.DataFrame) or data.source is not None
        if is_frame and all(isinstance(c, str) for c in frame.columns):
            names = np.asarray(frame.columns, dtype=object)
        return {
            "codec_": data.codec,
            "condition_space_": data.space,
            "discrete_columns_": data.discrete,
            "fitted_on_array_": not is_frame,
            "constraints_": data.constraints,
            "inferred_constraints_": inferred_rules_table(data.constraints),
            "latent_classes_": data.latent,
            **judged_state(net),
            "n_features_in_": frame.shape[1],
            "feature_names_in_": names,
            **extra,
        }

    def judge_threads(self):
        """Threads of the judge's detector: ``n_threads`` when it is a count, else scikit-learn's choice."""
        n_threads = self.config.n_threads
        return n_threads if isinstance(n_threads, Integral) and n_threads > 0 else None

    def build_net(self, codec, device, governor, private=None, n_rows=None, latent=None, judge=None):
        """The tabular GAN net for ``codec`` (not initialised); ``private``
        is ``{"noise_multiplier", "sample_rate"}`` for DP training;
        ``latent`` (a :class:`LatentClasses`) adds the classes to the
        condition vector and their level log-probabilities to the
        generator's block logits (the default generator then starts at zero:
        an untrained model samples the latent-class model); ``judge`` (a
        :class:`DetectionJudge`) judges training (``early_stopping``)."""
        config = self.config
        width = codec.n_encoded_
        discrete = self.discrete_codecs(codec)
        blocks = [(s.start, s.width) for s in codec.segments_ if s.kind == "softmax"]
        block_of_start = {start: b for b, (start, _) in enumerate(blocks)}
        condition_blocks = [
            (block_of_start[c.discrete_segment.start], level) for c in discrete for level in range(c.discrete_segment.width)
        ]
        n_latent_classes = 0 if latent is None else latent.n_classes
        cond_dim = len(condition_blocks) + n_latent_classes
        generator_kwargs = {"latent_dim": config.latent_dim, "cond_dim": cond_dim, "output_dim": width}
        if config.generator is None:
            generator_kwargs["hidden_dims"] = tuple(config.generator_dims)
            generator_kwargs["zero_output"] = latent is not None
        generator_kwargs.update(config.routed["generator"])
        discriminator_kwargs = {"input_dim": width, "cond_dim": cond_dim, "pac": config.pac}
        if config.discriminator is None:
            discriminator_kwargs["hidden_dims"] = tuple(config.discriminator_dims)
            discriminator_kwargs["sparse_conditions"] = True
            if config.dp_epsilon is not None:
                discriminator_kwargs.update(PRIVATE_CRITIC_KWARGS)
        discriminator_kwargs.update(config.routed["discriminator"])
        kwargs = {f"module__{k}": v for k, v in generator_kwargs.items()}
        net_class = TabularGANNet
        if private is not None:
            net_class = PrivateTabularGANNet
            kwargs.update(
                iterator_train=PoissonBatchIterator,
                iterator_train__pac=config.pac,
                dp_noise_multiplier=private["noise_multiplier"],
                dp_sample_rate=private["sample_rate"],
                dp_max_grad_norm=config.dp_max_grad_norm,
            )
        callbacks = []
        if judge is not None:
            callbacks.append(("early_stopping", JudgedTraining(judge, *check_schedule(self.n_epochs(n_rows)))))
        kwargs.update(self.net_kwargs(governor, device, n_rows, callbacks))
        step_rows = self.step_batch_size(n_rows)
        if private is None and self.rows_per_process(step_rows) != step_rows:
            kwargs["iterator_train__rows_per_process"] = self.rows_per_process(step_rows, config.pac)
        block_tensor = torch.tensor(condition_blocks, dtype=torch.long, device=device).reshape(-1, 2)
        return net_class(
            config.generator or TabularGenerator,
            discriminator=config.discriminator or TabularDiscriminator,
            discriminator_kwargs=discriminator_kwargs,
            blocks=blocks,
            condition_blocks=block_tensor,
            latent_dim=config.latent_dim,
            gan_loss=self.gan_loss(),
            gp_weight=config.gp_weight,
            pac=config.pac,
            ema_decay=config.ema_decay,
            n_latent_classes=n_latent_classes,
            class_logits=None if latent is None else latent.block_logits(discrete, width).to(device),
            lr=self.learning_rate(),
            max_epochs=self.n_epochs(n_rows),
            batch_size=self.step_batch_size(n_rows),
            **kwargs,
        )

    # --- sample, score ------------------------------------------------------------

    def sample(self, n_samples, seed, conditions, y, return_y):
        if y is not None or return_y:
            raise ValueError("y= and return_y= are for image models; condition tables with conditions={column: value}.")
        return self.sample_block(n_samples, seed, conditions, 0)

    def sample_block(self, n_samples, seed, conditions, offset):
        fitted = self.fitted
        constraints = getattr(fitted, "constraints_", None)
        if conditions is None:
            frame = self._generate(n_samples, seed, None) if constraints is None else \
                constraints.generate(self._generate, n_samples, seed, None, offset)
        elif constraints is None:
            frame = rows_meeting(self._generate, n_samples, seed, conditions, fitted.codec_.columns_)
        else:
            rows = lambda n, s, c: constraints.generate(self._generate, n, s, c, finish=False)  # noqa: E731
            frame = rows_meeting(rows, n_samples, seed, conditions, constraints.columns)
            frame = constraints.finish(frame, np.random.RandomState(seed), offset)
        return frame.to_numpy() if fitted.fitted_on_array_ else frame

    def _generate(self, n_samples, seed, conditions):
        """``n_samples`` rows of the GAN's table (before any constraint is rebuilt)."""
        config, fitted = self.config, self.fitted
        net = fitted.net_
        device = net.device
        generator = torch.Generator(device=device).manual_seed(seed)
        space = fitted.condition_space_.to(device)
        resolved = resolve_conditions(conditions, fitted.codec_, space, fitted.discrete_columns_, n_samples,
                                      np.random.RandomState(seed))
        rows, forced, bounds = None, [], None
        latent = getattr(fitted, "latent_classes_", None)
        if resolved is not None:
            indices = [torch.from_numpy(i).to(device) for i in resolved.indices]
            rows, forced, bounds = indices[0], indices, resolved.bounds
            if latent is not None:
                rows = latent.with_classes(rows, latent.draw_classes_inside(torch.stack(indices, 1), cpu_generator(seed)))
        else:
            rows = unconditional_rows(space, latent, n_samples, seed, device, generator)
        with config.inference_context():
            encoded, choices = net.generate(n_samples, rows, forced=forced, generator=generator)
        return fitted.codec_.inverse_transform(
            encoded, rng=np.random.RandomState(seed), choices=choices, bounds=bounds,
            # With latent classes a numeric value stays in the bin its mode block drew: the
            # class knows the bin better than the score does (Adult: detection 0.61 -> 0.75).
            in_bin=latent is not None,
        )

    def real_frame(self, X):
        """``X`` as a frame with the training columns (for scoring)."""
        fitted = self.fitted
        frame = as_frame(X)
        if frame.shape[1] != fitted.n_features_in_:
            raise ValueError(
                f"X has {frame.shape[1]} features, but GANSampler is expecting {fitted.n_features_in_} features "
                "as input."
            )
        constraints = getattr(fitted, "constraints_", None)
        columns = list(fitted.codec_.columns_) if constraints is None else constraints.columns
        if list(frame.columns) != columns:
            if isinstance(X, pd.DataFrame) and hasattr(fitted, "feature_names_in_"):
                raise ValueError(f"X has columns {list(frame.columns)}, but GANSampler was fitted with {columns}.")
            frame = frame.set_axis(columns, axis=1)
        return frame

    def score(self, X, y, seed):
        from ..metrics._fidelity import quality_score

        frame = self.real_frame(X)
        synthetic = self.sample(len(frame), seed, None, None, False)
        if not isinstance(synthetic, pd.DataFrame):
            synthetic = pd.DataFrame(synthetic)
        return quality_score(frame, synthetic)

    # --- model files ------------------------------------------------------------

    def saved_state(self):
        fitted = self.fitted
        latent = getattr(fitted, "latent_classes_", None)
        return {
            "codec": fitted.codec_.get_state(),
            "level_counts": [c.tolist() for c in fitted.condition_space_.level_counts],
            "column_weights": fitted.condition_space_.column_weights,
            "fitted_on_array": bool(fitted.fitted_on_array_),
            "discrete_columns": [encode_value(c) for c in fitted.discrete_columns_],
            "constraints": None if getattr(fitted, "constraints_", None) is None else fitted.constraints_.get_state(),
            "latent_classes": None if latent is None else latent.get_state(),
            "level_bias": None if fitted.net_.level_bias is None else fitted.net_.level_bias.cpu().tolist(),
            "validation_scores": getattr(fitted, "validation_scores_", None),
            "best_epoch": getattr(fitted, "best_epoch_", None),
        }

    def restore(self, state, weights, device):
        codec = TabularCodec.from_state(state["codec"])
        counts = [np.asarray(c) for c in state["level_counts"]]
        fitted = {
            "codec_": codec, "condition_space_": ConditionSpace(counts, device, state.get("column_weights")),
            "fitted_on_array_": state["fitted_on_array"],
            "discrete_columns_": [decode_value(c) for c in state["discrete_columns"]],
        }
        if state.get("constraints") is not None:
            fitted["constraints_"] = ConstraintSet.from_state(state["constraints"])
        fitted["inferred_constraints_"] = inferred_rules_table(fitted.get("constraints_"))
        fitted["validation_scores_"] = state.get("validation_scores")  # absent before judged training
        fitted["best_epoch_"] = state.get("best_epoch")
        fitted.update(leaf_rows_state(codec))
        latent = None
        if state.get("latent_classes") is not None:
            latent = fitted["latent_classes_"] = LatentClasses.from_state(state["latent_classes"])
        net = self.build_net(codec, device, None, latent=latent)
        if state.get("level_bias") is not None:  # absent before level calibration: no bias
            net.level_bias = torch.tensor(state["level_bias"], dtype=torch.float32, device=device)
        return net, fitted

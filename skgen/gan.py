"""GANSampler: learns the distribution of a table or a set of images and samples new ones.

The estimator holds the parameters and the fitted state; what depends on the
data kind lives in :mod:`skgen._tabular._kind` and :mod:`skgen._images._kind`
(see :mod:`skgen._gan_kind` for the interface).
"""

import functools
import inspect
from numbers import Integral, Real
from types import MappingProxyType

import numpy as np
import torch
from sklearn.base import _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._core._base import COMMON_CONSTRAINTS, TorchEstimatorBase
from ._core._context import sampling_rng
from ._core._validation import BETAS, NON_NEGATIVE_REAL, POSITIVE_INT, POSITIVE_REAL, module_class
from ._distributed import process_state, shared_seed
from ._gan_kind import FittedState, KindConfig
from ._images._codec import is_image_input
from ._images._kind import IMAGE_CONSTRAINTS, ImageKind
from ._sample_stream import DEFAULT_CHUNK_SIZE, check_counts, iter_chunks
from ._io._table_writer import TableWriter
from ._tabular._kind import TABLE_CONSTRAINTS, TableKind

# Fitted attributes of skgen 0.1 pickles, and their names now.
_RENAMED_STATE = {"_sample_rng": "sample_rng_", "_discrete_columns": "discrete_columns_", "_fitted_on_array": "fitted_on_array_"}


class GANSampler(TorchEstimatorBase):
    """Synthetic data from a conditional GAN: tables and images.

    **Images** -- an array of shape ``(n, H, W)``, ``(n, C, H, W)`` or
    ``(n, H, W, C)``, or flat rows ``(n, H*W)`` with ``image_shape`` -- are
    learned by a DCGAN-style convolutional generator and a spectrally
    normalised critic (hinge loss), class-conditional when ``fit`` gets
    labels ``y``: ``sample(n, y=3)`` returns images of class 3 in the
    training layout, dtype and value range.

    **Tables** -- fitted on a pandas DataFrame, or a 2-D array, ``sample``
    returns new rows with the same columns, dtypes, categories and value
    ranges. Columns are encoded by ``skgen._tabular.TabularCodec``: numeric
    columns are quantile-normalised with their point masses (e.g. a value
    held by 40% of rows) as separate categories, categorical and boolean
    columns are one-hot, and missing values are learned and come back at the
    same rate.

    The generator is conditioned on one discrete column's level at a time
    (numeric columns too, through a block of their point masses, quantile
    bins and "missing") and trained by sampling those conditions by
    log-frequency (as in CTGAN), so rare categories and ranges are learned,
    and ``sample(n, conditions={...})`` returns rows with the requested
    values, ranges or missing values. ``constraints`` declares rules
    between columns that every sampled row keeps, and the exact relations
    the table holds are found and kept too (``infer_constraints``). The default loss is
    WGAN-GP with PacGAN packing; ``loss="bce"`` gives the classic
    non-saturating GAN.

    Parameters
    ----------
    generator : type of torch.nn.Module or None, default=None
        Generator class. Tables: None uses
        ``skgen._modules.TabularGenerator``, built as
        ``generator(latent_dim=..., cond_dim=..., output_dim=...,
        **generator__params)``; ``forward(noise, cond)`` returns ``(n,
        output_dim)`` pre-activation rows. Images: None uses
        ``skgen._modules.ConvGenerator``, built as ``generator(latent_dim=...,
        n_classes=..., channels=..., height=..., width=...,
        **generator__params)``; ``forward(noise, labels)`` returns ``(n, C, H,
        W)`` images in [-1, 1] (labels None when unconditional).
    discriminator : type of torch.nn.Module or None, default=None
        Critic class. Tables: None uses
        ``skgen._modules.TabularDiscriminator``, built as
        ``discriminator(input_dim=..., cond_dim=..., pac=...,
        **discriminator__params)``; ``forward(rows, cond)`` returns one score
        per pack of ``pac`` rows (real and generated rows come in one call,
        real first). Images: None uses
        ``skgen._modules.ConvDiscriminator``, built as
        ``discriminator(channels=..., height=..., width=..., n_classes=...,
        **discriminator__params)``; ``forward(images, labels)`` returns one
        score per image.
    latent_dim : int, default=128
        Width of the generator's noise input.
    generator_dims : tuple of int, default=(256,)
        Tables: hidden widths of the default generator (each a residual block whose
        output is concatenated to its input). One block matched two in
        quality and TSTR on Adult at half the cost per row.
    discriminator_dims : tuple of int, default=(128, 256)
        Tables: hidden widths of the default discriminator (images: use
        ``generator__base_width`` / ``discriminator__base_width``). The first
        layer reads whole packs (``pac`` rows) and is most of a training
        step's arithmetic; 128 wide it made Adult epochs 30% faster than 256
        with the same TSTR ROC-AUC and quality per epoch.
    loss : {"auto", "wgan-gp", "hinge", "bce"}, default="auto"
        GAN objective. ``"auto"`` is ``"wgan-gp"`` (Wasserstein with
        gradient penalty) for tables and ``"hinge"`` for images (the usual
        pairing with spectral normalisation); ``"bce"`` is the classic
        non-saturating cross-entropy GAN, for both.
    pac : int, default=10
        Tables: rows per discriminator pack (PacGAN); ``batch_size`` is rounded down
        to a multiple of it.
    gp_weight : float, default=10.0
        Tables: weight of the gradient penalty (``loss="wgan-gp"``).
    lr : float or None, default=None
        Adam learning rate of both networks. None is 8e-4 for tables (2e-4
        with ``dp_epsilon``) and 2e-4 for images. On Adult, 8e-4 gave a
        TSTR ROC-AUC of 0.870-0.880 at 100 epochs (three seeds) where 2e-4
        gave 0.85, and trained stably to 300 epochs.
    lr_schedule : {"auto", "constant", "linear"}, default="auto"
        ``"linear"`` decays both learning rates to zero over the fit, which
        settles the oscillation of GAN training; ``"auto"`` is linear for
        images and constant for tables.
    betas : tuple of float, default=(0.5, 0.9)
        Adam's betas.
    weight_decay : float, default=1e-6
        Adam's weight decay.
    ema_decay : float or None, default=0.999
        Samples come from an exponential moving average of the generator's
        weights (with a short warm-up), which smooths out the oscillation of
        GAN training; None samples from the last weights.
    max_epochs : int or "auto", default="auto"
        Passes over the data (each ``n_rows // batch_size`` steps).
        ``"auto"``: tables train for half as many optimiser steps as they
        have rows, at least 3,000 and at most 10,000 (193 epochs of Adult's
        26,048 rows; 300 of a 1,000-row table, whose batches are 100 rows),
        so a small table is not left with a handful of steps and a large
        one does not pay for passes it does not need; images train for 300
        epochs.
    early_stopping : "auto" or bool, default="auto"
        Tables: judge the generator as it trains, keep its best state and
        stop when it no longer improves. Before the first epoch and then
        thirty times over ``max_epochs``, as many rows as the judged part
        of the table (see ``validation_fraction``) are generated by the
        averaged generator and scored against it with
        :func:`skgen.metrics.detection_score` (2 folds; a detector of 50
        boosting rounds at rate 0.2); the generator state
        that scored best is the fitted one, and training stops after two
        checks without an improvement (a check improves on the best only
        when it beats it by more than the scores' own noise). The default
        generator starts at zero on top of the latent-class model
        (``latent_classes``), so the state judged before the first epoch is
        that model alone. ``"auto"`` is
        True for tables of at least 50 rows held in memory and trained
        without ``dp_epsilon``; smaller tables train for ``max_epochs``
        with a warning. The scores are in ``validation_scores_``, the kept
        state's epoch in ``best_epoch_``. They are ``2 - 2 AUC``, not
        clipped at 1: a check the detector scores worse than chance is
        above 1, so that such checks do not all tie (the progress display
        and the history's ``judged_score`` show at most 1, as
        :func:`skgen.metrics.detection_score` does).
    validation_fraction : float or None, default=None
        Tables: the rows that judge training (``early_stopping``). None
        judges against the training rows themselves (a sample of 2,500 of
        them on larger tables), which stay in training: on tables of a few
        thousand rows the rows a held-out part takes cost more detection
        than judging in-sample risks (credit: 0.756 with every row, 0.690
        with 80%, three seeds each). A float keeps that share of the rows
        (at most 2,500) out of training to judge it (the latent classes are
        fitted without them too).
    batch_size : int or None, default=None
        Rows (images) per step; None is 128 for images and 500 for tables,
        or a tenth of the rows on tables under 5,000 rows (at least ``pac``).
    conditional : bool, default=True
        Condition the generator on discrete columns (needed for
        ``sample(conditions=...)``), or on the labels ``y`` for images.
    latent_classes : int or "auto", default="auto"
        Tables: classes of a latent-class model (a mixture of products of
        per-column distributions over the discrete columns and the numeric
        columns' bins, fitted by EM in ``fit``) that the generator and the
        critic are also conditioned on, every row of every step: the
        mixture carries the relations between columns (``education`` and
        ``education-num``), the GAN the rest. ``"auto"`` is one class per
        20 training rows, at most 500 (none below 40 rows, or with
        ``dp_epsilon``); 0 turns them off.
    calibrate_levels : bool, default=True
        Tables: after training, match the levels the generator draws
        (categories, and the modes and bins of numeric columns) to the
        training rows' frequencies with a per-level logit bias applied when
        sampling (three rounds of ten drawn rows per training row, 20,000
        to 60,000; on Adult HS-grad came out in 35.2% of rows against 32.4%
        without it). Off with ``dp_epsilon``; False samples the generator as
        trained.
    numeric_values : {"trees", "generator"}, default="trees"
        Tables: where a numeric value inside a quantile bin comes from
        (the generator picks a bin, a point mass or missing).
        ``"trees"``: drawn from the training values of that bin among
        training rows like the generated one, CART-style -- a regression
        tree per numeric column, grown in ``fit`` on every discrete level of
        the row and the numeric columns before it -- which keeps relations
        finer than a bin (a humidity given its temperature and dew point);
        where no such row, its bin aside, has a value in the generator's
        bin, from those rows whatever their bin (a second tree, which does
        not read the bin: a flight's duration follows its route). A value
        keeps the inequalities found between numeric columns with the
        columns known before it (``Accept <= Apps``) wherever such a row
        has one. Each such value is one of the column's training values,
        each column drawn from its own row of the leaf. The trees and the values they
        draw from are saved with the model. Used with latent classes, never
        with ``dp_epsilon``. ``"generator"``: the value's place in its bin
        is read from the generator's score.
    image_shape : tuple or None, default=None
        ``(H, W)``, ``(C, H, W)`` or ``(H, W, C)`` of images given as flat
        rows; also marks 2-D input as images.
    channel_axis : {"auto", "first", "last"}, default="auto"
        Where 4-D image arrays keep their channels. ``"auto"``: an array
        ``(n, a, b, c)`` is channels-last when ``c`` is 1 to 4 and ``a`` is
        not, channels-first otherwise.
    data_kind : {"auto", "table", "image"}, default="auto"
        What ``X`` holds. ``"auto"`` reads images from a 3-D or 4-D ndarray
        (or any input with ``image_shape``) and a table from anything else;
        set it to say so explicitly (a future data kind with 3-D arrays,
        such as time series, would otherwise be guessed as images).
    categorical_columns : list of str or None, default=None
        Tables: columns to treat as categorical whatever their dtype.
    max_categories : int, default=100
        Tables: most levels kept per categorical column; rarer levels are pooled
        while training and drawn back from their observed frequencies.
    constraints : list of str or skgen.constraints objects, or None, default=None
        Tables: rules every sampled row keeps, e.g. ``["start <= end",
        "age >= 18", "total = price + tax",
        skgen.constraints.FixedCombinations(["make", "model"]),
        skgen.constraints.Unique("id")]`` (see :mod:`skgen.constraints`).
        Checked against the training data in ``fit``; kept by how the table
        is learned and rebuilt, then every sampled row is checked and the
        few that break a rule are generated again.
    constraint_violations : {"raise", "drop"}, default="raise"
        Tables: when training rows break a constraint, ``"raise"`` names
        them in a ValueError; ``"drop"`` drops them with a warning.
    infer_constraints : "auto", bool or list of str, default="auto"
        Tables: keep the exact relations the training table holds beyond
        the declared ``constraints`` (found by
        :func:`skgen.constraints.infer`, listed with their evidence in
        ``inferred_constraints_``). ``"auto"`` looks for every kind but
        inequalities; True for every kind, a sampled row that breaks an
        inferred inequality getting its upper side raised to its lower side
        (every row keeps them, but a model that breaks them often leaves
        rows easier to detect once mended: attrition 0.91 to 0.80, ames
        0.44 to 0.38; College 0.80 to 0.82: ``benchmarks/results/relations.md``,
        ``relations_attrition.md``); a list for some of ``"combinations"``,
        ``"datetime_parts"``, ``"equations"``, ``"functions"``, ``"inequalities"``, ``"missing"``;
        False for none. Key columns (a distinct text value on every row) are
        always generated new unless listed in ``categorical_columns``.
        Columns a declared constraint names take part in no inferred rule.
    dp_epsilon : float or None, default=None
        Train with differential privacy (tables): the critic is trained by
        DP-SGD through Opacus (per-pack gradients clipped to
        ``dp_max_grad_norm`` and noised so that the whole fit spends at most
        ``dp_epsilon``; the generator sees the data only through the critic).
        Needs ``pip install "skgen[privacy]"``; uses ``loss="bce"`` and
        uniform (Poisson) batches instead of training-by-sampling. The
        guarantee covers the networks; the codec's statistics (column
        ranges, quantiles, category lists and frequencies) are computed
        without noise, so treat them as public or coarsen them first.
    dp_delta : float or None, default=None
        The delta of (epsilon, delta)-DP; None is ``1 / (10 * n_rows)``.
    dp_max_grad_norm : float, default=1.0
        Per-pack gradient clipping norm for DP training.
    n_threads : int, "adaptive" or None, default=None
        Torch CPU threads; None (or -1) uses the CPUs this process may use,
        a count fixed by the machine, so the same ``random_state`` gives the
        same model whatever the load; ``"adaptive"`` follows the load
        (faster on a busy machine, not reproducible; see
        :class:`AutoencoderTransformer`). The same seed with another thread
        count trains a different (equally good) model: rounding differs in
        the last bits and training amplifies it (on a wage table most
        continuous values and a few percent of categorical ones differ).
        Pin an int for identical results across machines.
    device : str, default="auto"
        ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``...
    accelerator : bool, dict or None, default=None
        Train on several processes (GPUs, or CPU processes) through Hugging
        Face Accelerate: run the script with ``torchrun --nproc_per_node
        N`` (GPUs or CPU processes) or ``accelerate launch --multi_gpu
        --num_processes N`` and set True, or a dict of
        ``accelerate.PartialState`` options (e.g. ``{"cpu": True}``). Each
        training step's ``batch_size`` rows are split across the processes;
        each draws its share (of a streamed table, each process encodes
        and holds every N-th row of each buffer), and both networks'
        gradients are averaged before their optimizers step, so the fit
        takes the same steps as one process would, in less time. Unseeded,
        every process takes the first process's seed.
        Every process ends with the same fitted sampler (save it from one:
        ``accelerate.PartialState().is_main_process``). Accelerate chooses
        the device (``device`` is ignored). Not combined with
        ``dp_epsilon``; needs ``pip install accelerate``.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation and training; an int gives identical samples on
        CPU for the same ``sample`` call.
    callbacks : list of skorch callbacks or None, default=None
        Extra :mod:`skorch.callbacks` (instances, or ``(name, callback)``
        pairs) added to the net, e.g. ``skorch.callbacks.Checkpoint``.
    verbose : int, default=0
        0 is silent; 1 shows one progress bar over the epochs on stderr
        with the generator and critic losses and the time left (plain
        lines at most every 10% of the epochs when stderr is not a
        terminal); 2 prints skorch's table of one row per epoch instead.
    **kwargs
        ``generator__<name>``, ``discriminator__<name>`` and
        ``optimizer__<name>`` parameters, tunable with ``GridSearchCV``.

    Attributes
    ----------
    net_ : skgen._nets.TabularGANNet or skgen._nets.ImageGANNet
        The fitted skorch net (``net_.module_`` is the generator,
        ``net_.discriminator_`` the critic).
    codec_ : skgen._tabular.TabularCodec or skgen._images.ImageCodec
        The fitted column (or image) encoding.
    data_kind_ : {"table", "image"}
        What the sampler was fitted on.
    history_ : skorch.History
        ``history_[:, "generator_loss"]`` and ``history_[:,
        "critic_loss"]``: the epoch means of the two networks' losses
        (per batch in ``history_[-1, "batches", :, "critic_loss"]``);
        ``"train_loss"`` is skorch's name for the generator's.
    n_epochs_ : int
        Epochs trained.
    lr_, loss_, batch_size_, max_epochs_, lr_schedule_ : float, str, int, int, str
        What ``lr=None``, ``loss="auto"``, ``batch_size=None``,
        ``max_epochs="auto"`` and ``lr_schedule="auto"`` (or the values
        given) came to for this data: the learning rate of both networks,
        the GAN loss, the rows per step (capped by the table's rows and
        rounded to ``pac``), the epoch budget and the schedule.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in,)
        Column names, when fitted on a DataFrame with string column names.
    device_ : str
    sample_rng_ : numpy.random.RandomState
        The generator behind ``sample(random_state=None)``; it starts from
        ``random_state``, so a seeded sampler's successive calls repeat.
    condition_space_ : skgen._tabular._datasets.ConditionSpace
        Tables: levels and frequencies of the discrete columns (no rows are
        kept; the value trees keep column values: ``value_tree_leaf_rows_``).
    discrete_columns_ : list
        Tables: the columns the generator is conditioned on (discrete
        columns, and numeric columns through their mode blocks), in its
        condition order (empty with ``conditional=False``).
    fitted_on_array_ : bool
        Tables: fitted on an array (``sample`` returns an array) rather than
        a DataFrame.
    constraints_ : skgen._tabular._constraint_set.ConstraintSet
        Tables with declared or inferred rules: the fitted rules (parsed
        strings, learned combinations and mappings).
    inferred_constraints_ : pandas.DataFrame
        Tables: the rules read off the training table (``infer_constraints``),
        one row each: ``rule``, ``kind``, ``columns``, ``support``,
        ``log10_chance``, ``why`` and the ``constraint`` object (pass the ones
        you want to ``constraints`` and set ``infer_constraints=False`` to
        fix them).
    value_tree_leaf_rows_ : int
        Tables (``numeric_values="trees"``): the fewest training rows in a
        leaf of the value trees -- the smallest of 10, 20, 40, ..., 640
        whose rows copy no more training rows than the generator's own
        places, or than the table repeats its own rows, plus a fifth of a point
        (5,000 rows counted after training). Absent where no trees are kept
        (none passed, no latent classes, ``dp_epsilon``). The trees hold
        each numeric column's training values, grouped by leaf and bin (not
        whole rows), in the fitted sampler and its model file.
    dp_epsilon_ : float
        With ``dp_epsilon``: the privacy spent by the fit (Opacus' RDP
        accountant), at most ``dp_epsilon``.
    dp_delta_ : float
        With ``dp_epsilon``: the delta it holds for.
    dp_noise_multiplier_ : float
        With ``dp_epsilon``: the noise multiplier used.
    classes_ : ndarray of shape (n_classes,)
        Image labels seen in ``fit`` (conditional image models only).
    class_prior_ : ndarray of shape (n_classes,)
        Their training frequencies, used to draw labels when ``sample`` is
        called with ``y=None``.

    See Also
    --------
    sklearn.mixture.GaussianMixture : A classical density model with ``sample``.
    sklearn.neighbors.KernelDensity : Per-call ``random_state`` in ``sample``.

    Examples
    --------
    >>> import pandas as pd
    >>> from skgen import GANSampler
    >>> df = pd.DataFrame({"x": [0.1, 0.5, 0.9, 0.3] * 25, "c": ["a", "b", "b", "a"] * 25})
    >>> sampler = GANSampler(max_epochs=2, batch_size=50, random_state=0).fit(df)
    >>> synthetic = sampler.sample(5, random_state=0)
    >>> list(synthetic.columns), synthetic.dtypes.equals(df.dtypes)
    (['x', 'c'], True)
    >>> sampler.sample(3, conditions={"c": "b"})["c"].tolist()
    ['b', 'b', 'b']
    """

    _routed_prefixes = ("generator", "discriminator", "optimizer")
    _saveable = True
    _fits_on_paths = True  # tables in Parquet/CSV files, read in bounded memory
    _code_params = {"generator": (), "discriminator": (), "callbacks": ()}
    _kinds = {"table": TableKind, "image": ImageKind}

    _parameter_constraints = {
        **COMMON_CONSTRAINTS,
        **TABLE_CONSTRAINTS,
        **IMAGE_CONSTRAINTS,
        "generator": [module_class(torch.nn.Module, "a torch.nn.Module subclass"), None],
        "discriminator": [module_class(torch.nn.Module, "a torch.nn.Module subclass"), None],
        "latent_dim": [POSITIVE_INT],
        "loss": [StrOptions({"auto", "wgan-gp", "bce", "hinge"})],
        "lr": [POSITIVE_REAL, None],
        "lr_schedule": [StrOptions({"auto", "constant", "linear"})],
        "betas": [BETAS],
        "weight_decay": [NON_NEGATIVE_REAL],
        "ema_decay": [Interval(Real, 0, 1, closed="neither"), None],
        "max_epochs": [POSITIVE_INT, StrOptions({"auto"})],
        "batch_size": [POSITIVE_INT, None],
        "conditional": ["boolean"],
        "data_kind": [StrOptions({"auto", "table", "image"})],
        "accelerator": ["boolean", dict, None],
    }

    def __init__(
        self,
        *,
        generator=None,
        discriminator=None,
        latent_dim=128,
        generator_dims=(256,),
        discriminator_dims=(128, 256),
        loss="auto",
        pac=10,
        gp_weight=10.0,
        lr=None,
        lr_schedule="auto",
        betas=(0.5, 0.9),
        weight_decay=1e-6,
        ema_decay=0.999,
        max_epochs="auto",
        batch_size=None,
        conditional=True,
        latent_classes="auto",
        calibrate_levels=True,
        numeric_values="trees",
        early_stopping="auto",
        validation_fraction=None,
        categorical_columns=None,
        max_categories=100,
        constraints=None,
        constraint_violations="raise",
        infer_constraints="auto",
        image_shape=None,
        channel_axis="auto",
        data_kind="auto",
        dp_epsilon=None,
        dp_delta=None,
        dp_max_grad_norm=1.0,
        n_threads=None,
        device="auto",
        accelerator=None,
        random_state=None,
        callbacks=None,
        verbose=0,
        **kwargs,
    ):
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = latent_dim
        self.generator_dims = generator_dims
        self.discriminator_dims = discriminator_dims
        self.loss = loss
        self.pac = pac
        self.gp_weight = gp_weight
        self.lr = lr
        self.lr_schedule = lr_schedule
        self.betas = betas
        self.weight_decay = weight_decay
        self.ema_decay = ema_decay
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.conditional = conditional
        self.latent_classes = latent_classes
        self.calibrate_levels = calibrate_levels
        self.numeric_values = numeric_values
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.categorical_columns = categorical_columns
        self.max_categories = max_categories
        self.constraints = constraints
        self.constraint_violations = constraint_violations
        self.infer_constraints = infer_constraints
        self.image_shape = image_shape
        self.channel_axis = channel_axis
        self.data_kind = data_kind
        self.dp_epsilon = dp_epsilon
        self.dp_delta = dp_delta
        self.dp_max_grad_norm = dp_max_grad_norm
        self.n_threads = n_threads
        self.device = device
        self.accelerator = accelerator
        self.random_state = random_state
        self.callbacks = callbacks
        self.verbose = verbose
        self._store_extra_params(kwargs)

    # --- fit --------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the distribution of ``X``.

        Parameters
        ----------
        X : DataFrame, array-like of shape (n_samples, n_features), images, or a table source
            The table: numeric, integer, boolean, categorical, string and
            datetime columns; missing values allowed (not a column that is
            entirely missing). Or images (see ``data_kind``). Or a table
            larger than memory, read in bounded memory: a Parquet/CSV file,
            a directory of them or a glob (``"data/*.parquet"``), a
            ``pyarrow.dataset.Dataset`` or a ``dask.dataframe.DataFrame``
            (see "Tables larger than memory" in the user guide).
        y : array-like of shape (n_samples,) or None, default=None
            Image labels: with ``conditional=True`` the model is
            class-conditional. Ignored for tables.

        Returns
        -------
        self : GANSampler
        """
        return self._fit(X, y)

    def _kind(self, X=None):
        """The data kind: of the fitted sampler (with its fitted state), or (given ``X``) of the data to fit."""
        if X is not None:
            return self._kinds[self._data_kind_of(X)](self._kind_config())
        fitted = {name: value for name, value in vars(self).items() if name.endswith("_") and not name.startswith("_")}
        return self._kinds[self.data_kind_](self._kind_config(), FittedState(fitted))

    def _kind_config(self):
        """What a data kind is given: the parameters, read-only, and the nets' skorch plumbing."""
        return KindConfig(
            params=MappingProxyType(self.get_params(deep=False)),
            defaults=MappingProxyType(_init_defaults(type(self))),
            other_parameters=MappingProxyType({kind.name: kind.parameters for kind in self._kinds.values()}),
            routed=MappingProxyType({name: self._routed_params(name) for name in ("generator", "discriminator")}),
            net_plumbing=self._net_kwargs,
            inference_context=self._inference_context,
        )

    def _data_kind_of(self, X):
        """``data_kind``, or for ``"auto"`` what ``X`` holds: 3-D and 4-D arrays (or rows of
        ``image_shape``) are images, the rest tables. The one place that decides it."""
        if self.data_kind != "auto":
            return self.data_kind
        return "image" if is_image_input(X, self.image_shape) else "table"

    def _check_callbacks(self):
        if self._user_lr_schedulers():
            raise ValueError(
                "GANSampler schedules the learning rates of both networks itself (lr_schedule='linear' or "
                "'constant'); skorch's LRScheduler would step the generator's optimizer only. Remove it and "
                "set lr_schedule."
            )

    def _validate_fit_input(self, X, y):
        kind = self._kind(X)
        kind.check_params()
        return kind, kind.validate(X, y)

    def _fit(self, X, y):
        state = process_state(self.accelerator)
        if state is None or state.num_processes == 1 or isinstance(self.random_state, Integral):
            return super()._fit(X, y)
        # Unseeded, each process would draw its own sample, codec and latent classes: the
        # fit runs on the first process's seed (random_state itself is put back after it).
        random_state, self.random_state = self.random_state, shared_seed(self.random_state)
        try:
            return super()._fit(X, y)
        finally:
            self.random_state = random_state

    def _fit_device(self):
        state = process_state(self.accelerator)
        return super()._fit_device() if state is None else str(state.device)

    def _reports_progress(self):
        state = process_state(self.accelerator)
        return state is None or state.is_main_process

    def _start_training(self, data, device, governor, rng):
        kind, fit_data = data
        return kind.start_training(fit_data, device, governor, rng)

    def _end_training(self, net, data):
        kind, fit_data = data
        return kind.end_training(net, fit_data)

    def _set_fitted_state(self, net, data, extra):
        kind, fit_data = data
        state = kind.fitted_state(net, fit_data, extra)
        for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("_")]:
            if name not in ("net_", "history_", "n_epochs_"):  # (set by the fit template)
                delattr(self, name)  # a refit on another kind keeps nothing of the last fit
        self.data_kind_ = kind.name
        for name, value in _resolved_params(net, kind).items():
            setattr(self, name, value)
        self.device_ = net.device
        for name, value in state.items():
            if value is not None:
                setattr(self, name, value)
        self.sample_rng_ = sampling_rng(self.random_state)

    def _batch_losses(self):
        return ("generator_loss", "critic_loss")

    def _progress_losses(self):
        return {"generator": "generator_loss", "critic": "critic_loss", "judged detection": "judged_score"}

    # --- sample, score ------------------------------------------------------------

    def sample(self, n_samples=1, *, conditions=None, y=None, return_y=False, random_state=None):
        """Generate synthetic rows or images.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows (images); 0 returns an empty frame (array) with
            the training columns and dtypes (image shape).
        conditions : dict or None, default=None
            Tables: ``{column: condition}``, each condition one of: a value
            (a category, a boolean, an integer, a point mass, any number or
            date inside the training range), ``None`` (rows where the
            column is missing), or a closed range ``(low, high)`` of a
            numeric or datetime column with ``None`` for an open end, e.g.
            ``{"age": (30, 40), "sex": "Female", "capital-gain": (None,
            0)}``. Every row meets every condition; the other columns follow
            their distribution given them: the model's own rows that meet
            the conditions when at least 1 in 200 does, else rows the
            conditional generator makes inside them.
        y : label, array-like of shape (n_samples,) or None, default=None
            Images of a conditional model: one label for every image, or a
            label per image. None draws labels from the training
            frequencies.
        return_y : bool, default=False
            Images of a conditional model: also return the labels.
        random_state : int, RandomState instance or None, default=None
            Seed for this call (as in ``KernelDensity.sample``); None draws
            from the sampler's own generator, so successive calls differ.

        Returns
        -------
        samples : DataFrame or ndarray
            Tables: a DataFrame with the training columns and dtypes (an
            ndarray if fitted on an array), shape ``(n_samples,
            n_features_in_)``. Images: an array in the training layout, dtype
            and value range, ``(n_samples, ...)``.
        labels : ndarray of shape (n_samples,)
            Only with ``return_y=True``.
        """
        check_is_fitted(self)
        if isinstance(n_samples, bool) or not isinstance(n_samples, Integral) or n_samples < 0:
            raise ValueError(f"n_samples must be a non-negative integer; got {n_samples!r}.")
        if n_samples == 0:
            # The shapes, columns and dtypes of a real call, without its rows.
            empty = self.sample(1, conditions=conditions, y=y, return_y=return_y, random_state=0)
            return tuple(part[:0] for part in empty) if return_y else empty[:0]
        return self._kind().sample(n_samples, self._call_seed(random_state), conditions, y, return_y)

    def _call_seed(self, random_state):
        rng = self.sample_rng_ if random_state is None else check_random_state(random_state)
        return int(rng.randint(2**31 - 1))

    def sample_chunks(self, n_samples, *, chunk_size=DEFAULT_CHUNK_SIZE, conditions=None, random_state=None):
        """Generate ``n_samples`` rows (images) as a sequence of chunks, in constant memory.

        Rows are made in fixed blocks, each from its own seed, so a seed
        gives the same rows whatever ``chunk_size`` is, and only one block
        and one chunk are in memory at a time. Up to 65,536 rows (one
        block) they are the rows of ``sample(n_samples,
        random_state=...)``; beyond, :meth:`sample` draws its rows as one
        block and they differ.

        Parameters
        ----------
        n_samples : int
            Rows (images) in all; 0 yields nothing.
        chunk_size : int, default=100_000
            Rows per chunk; the last chunk holds the rest.
        conditions : dict or None, default=None
            Tables: as in :meth:`sample`, for every row.
        random_state : int, RandomState instance or None, default=None
            Seed of the whole stream; None draws it from the sampler's own
            generator.

        Yields
        ------
        chunk : DataFrame or ndarray
            As :meth:`sample` returns; a DataFrame's index runs on across
            chunks (``pd.concat`` of the chunks has a ``RangeIndex``), and
            :class:`~skgen.constraints.Unique` keys are distinct across
            the whole stream.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from skgen import GANSampler
        >>> frame = pd.DataFrame({"x": np.arange(200.0), "c": ["a", "b"] * 100})
        >>> sampler = GANSampler(max_epochs=1, random_state=0).fit(frame)
        >>> [len(chunk) for chunk in sampler.sample_chunks(250, chunk_size=100, random_state=0)]
        [100, 100, 50]
        """
        check_is_fitted(self)
        check_counts(n_samples, chunk_size)
        seed = self._call_seed(random_state)
        return iter_chunks(self._kind(), n_samples, chunk_size, seed, conditions)

    def sample_to(self, path, n_samples, *, chunk_size=DEFAULT_CHUNK_SIZE, conditions=None, random_state=None):
        """Write ``n_samples`` synthetic rows to a Parquet or CSV file, chunk by chunk.

        Memory stays constant (one chunk at a time, see
        :meth:`sample_chunks`; the rows are the same as theirs for the same
        seed). The file is written under a hidden temporary name next to
        ``path`` and renamed to ``path`` only once every row is written: an
        error (a full disk, say) leaves no partial file that looks complete.

        Parameters
        ----------
        path : str or Path
            ``.parquet``/``.pq`` (needs pyarrow) or ``.csv``/``.tsv``/``.txt``,
            optionally compressed (``.gz``, ``.bz2``, ``.xz``, ``.zip``,
            ``.zst``). An existing file is replaced.
        n_samples : int
        chunk_size : int, default=100_000
            Rows per chunk (a Parquet row group).
        conditions : dict or None, default=None
            As in :meth:`sample`.
        random_state : int, RandomState instance or None, default=None
            As in :meth:`sample_chunks`.

        Returns
        -------
        path : Path
            The file written.
        """
        check_is_fitted(self)
        if self.data_kind_ != "table":
            raise ValueError("sample_to writes tables; iterate over sample_chunks() to store images.")
        check_counts(n_samples, chunk_size)
        chunks = self.sample_chunks(n_samples, chunk_size=chunk_size, conditions=conditions, random_state=random_state)
        if n_samples == 0:
            chunks = [self.sample(0, conditions=conditions)]
        with TableWriter(path) as writer:
            for chunk in chunks:
                writer.write(chunk if hasattr(chunk, "columns") else _array_frame(chunk))
        return writer.path

    def score(self, X, y=None):
        """Fidelity of synthetic data against real ``X`` (higher is better).

        Tables: samples ``len(X)`` rows (fixed seed) and returns
        :func:`skgen.metrics.quality_score` against ``X``: the mean of the
        column-shape and column-pair similarities, in [0, 1].

        Images: samples ``len(X)`` images (labels ``y`` when given to a
        conditional model, else drawn from the training frequencies) and
        returns minus the Fréchet distance between the two sets in the space
        of the first 32 principal components of ``X``'s pixels (scaled to
        [-1, 1]): cheap, needs no trained feature extractor, 0 is best.

        Parameters
        ----------
        X : DataFrame, array-like of rows, or images
            Real (held-out) data.
        y : array-like of shape (n_samples,) or None, default=None
            Labels of the images in ``X`` (conditional image models).

        Returns
        -------
        score : float
        """
        check_is_fitted(self)
        return self._kind().score(X, y, self._call_seed(0))

    # --- model files and pickles --------------------------------------------------

    def _saved_state(self):
        privacy = ("dp_epsilon_", "dp_delta_", "dp_noise_multiplier_")
        return {
            "data_kind_": self.data_kind_,
            "sample_rng": _encode_rng(self.sample_rng_),
            "privacy": {k: getattr(self, k) for k in privacy if hasattr(self, k)},
            "resolved": {name: getattr(self, name) for name in RESOLVED_PARAMS if hasattr(self, name)},
            **self._kind().saved_state(),
        }

    def _saved_weights(self):
        net = self.net_
        weights = {"generator": net.module_.state_dict(), "discriminator": net.discriminator_.state_dict()}
        if getattr(net, "generator_ema_", None) is not None:
            weights["generator_ema"] = net.generator_ema_.state_dict()
        return weights

    def _restore(self, state, weights, device):
        self.data_kind_ = state["data_kind_"]
        net, fitted = self._kind().restore(state, weights, device)
        for name, value in fitted.items():
            setattr(self, name, value)
        net.initialize_for_sampling()
        net.module_.load_state_dict(weights["generator"])
        net.discriminator_.load_state_dict(weights["discriminator"])
        if "generator_ema" in weights:
            net.generator_ema_.load_state_dict(weights["generator_ema"])
        self.sample_rng_ = _decode_rng(state["sample_rng"])
        for name, value in state.get("privacy", {}).items():
            setattr(self, name, value)
        # Files written before the resolved values were saved: what the restored net says.
        resolved = {**_resolved_params(net, self._kind(), n_epochs=state["n_epochs_"]), **state.get("resolved", {})}
        for name, value in resolved.items():
            setattr(self, name, value)
        return net

    def __setstate__(self, state):
        for old, new in _RENAMED_STATE.items():
            if old in state:
                state[new] = state.pop(old)
        state.setdefault("data_kind", "auto")
        state.setdefault("constraints", None)
        state.setdefault("constraint_violations", "raise")
        state.setdefault("infer_constraints", ["combinations"])  # what 0.3 inferred besides keys
        state.setdefault("latent_classes", 0)  # fitted (and refitted) without, as they were
        state.setdefault("calibrate_levels", False)  # likewise
        state.setdefault("numeric_values", "generator")  # likewise
        state.setdefault("early_stopping", False)  # trained to max_epochs, as they were
        state.setdefault("validation_fraction", None)
        state.setdefault("accelerator", None)
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.non_deterministic = self.n_threads == "adaptive"
        return tags


RESOLVED_PARAMS = ("lr_", "loss_", "batch_size_", "max_epochs_", "lr_schedule_")


def _resolved_params(net, kind, n_epochs=None):
    """What the "auto"/None parameters came to, read off the trained net (``n_epochs``: a restored
    net's own epoch budget is not the fit's)."""
    return {
        "lr_": float(net.lr),
        "loss_": kind.gan_loss(),
        "batch_size_": int(net.batch_size),
        "max_epochs_": int(net.max_epochs if n_epochs is None else n_epochs),
        "lr_schedule_": kind.lr_schedule(),
    }


def _array_frame(rows):
    """Rows of a sampler fitted on an array, as a DataFrame with columns "0", "1", ..."""
    import pandas as pd

    return pd.DataFrame(rows, columns=[str(i) for i in range(rows.shape[1])])


def _encode_rng(rng):
    name, keys, position, has_gauss, cached = rng.get_state()
    return [name, keys.tolist(), int(position), int(has_gauss), float(cached)]


def _decode_rng(state):
    rng = np.random.RandomState()
    name, keys, position, has_gauss, cached = state
    rng.set_state((name, np.asarray(keys, dtype=np.uint32), position, has_gauss, cached))
    return rng


@functools.cache
def _init_defaults(cls):
    """``{parameter: default}`` of ``cls.__init__``, read once per class."""
    return {name: p.default for name, p in inspect.signature(cls.__init__).parameters.items()}

"""``skgen synthesize``, ``skgen sample`` and ``skgen evaluate``."""

import contextlib
import sys
import time
import warnings
from pathlib import Path

from ._errors import CLIError
from ._inputs import (
    check_columns,
    check_output_table,
    check_rows,
    check_writable,
    output_dialect,
    parse_conditions,
    read_table,
    read_table_and_dialect,
    write_chunks,
)
from ._stream import check_stream_parse, open_source, uniform_rows
from ._summary import Stages, check_matplotlib, evaluation, privacy_lines

MAX_CATEGORIES = 100  # GANSampler's default, so the pre-training codec matches the sampler's
EVALUATED_ROWS = 100_000  # synthesize scores the first rows it writes (all of them up to this)


def verbosity(args):
    """GANSampler's ``verbose`` for the flags: a bar (1), an epoch table (2), or nothing."""
    if getattr(args, "quiet", False):
        return 0
    return 2 if getattr(args, "verbose", False) else 1


def fit_sampler(frame, **params):
    """A fitted GANSampler; skorch's epoch table (verbose=2) goes to stderr so stdout is the summary."""
    from ..gan import GANSampler

    sampler = GANSampler(max_categories=MAX_CATEGORIES, **params)
    with contextlib.redirect_stdout(sys.stderr), warnings.catch_warnings():
        # Said once already, before training, by the options' check.
        warnings.filterwarnings("ignore", message="Column .* is learned as categorical")
        sampler.fit(frame)
    return sampler


def _epochs_text(sampler):
    """The epochs trained, and which one's generator was kept when training was judged."""
    best = getattr(sampler, "best_epoch_", None)
    if best is None:
        return f"{sampler.n_epochs_} epochs"
    return f"{sampler.n_epochs_} of at most {sampler.max_epochs_} epochs, the generator of epoch {best} kept"


MIN_HOLDOUT_ROWS = 10  # tables shorter than this are not split


def _split_holdout(frame, share, seed):
    import numpy as np

    if not share:
        return frame, None
    if len(frame) < MIN_HOLDOUT_ROWS:
        warnings.warn(
            f"{len(frame)} rows are too few to set {share:.0%} of them aside: training on all of them, and the "
            "scores compare the synthetic rows with the training rows (no held-out rows).",
            UserWarning,
        )
        return frame, None
    order = np.random.RandomState(seed).permutation(len(frame))
    n_holdout = int(round(share * len(frame)))
    return frame.iloc[order[n_holdout:]], frame.iloc[order[:n_holdout]]


def _sampler_keys(sampler, train):
    """The key columns for the report: those the sampler generates as keys
    (Unique rules, inferred or declared) and those the report finds itself."""
    from ..constraints import Unique
    from ..metrics._keys import is_key

    rules = getattr(sampler, "constraints_", None)
    generated = [rule.column for rule in getattr(rules, "constraints", ()) if isinstance(rule, Unique)]
    return [c for c in train.columns if c in generated or is_key(train[c])]


def synthesize(args):
    from .._tabular import TabularCodec

    source = open_source(args) if args.stream else None
    frame, dialect = read_table_and_dialect(args.input, args) if source is None else (None, source.dialect)
    check_rows(args.rows)
    out_dialect = output_dialect(args, dialect)
    if not 0 <= args.holdout < 1:
        raise CLIError(f"--holdout must be in [0, 1); got {args.holdout}")
    check_output_table(args.output, args.force)
    if args.save:
        check_writable(args.save, args.force)
    if args.report:
        check_writable(args.report, args.force)
        check_matplotlib()
    columns = frame.columns if source is None else source.columns
    check_columns(columns, args.categorical or [], "--categorical")
    if args.target is not None:
        check_columns(columns, [args.target], "--target")
    if source is None:
        train, holdout = _split_holdout(frame, args.holdout, args.seed)
        fit_on, n_train, n_holdout = train, len(train), 0 if holdout is None else len(holdout)
    else:
        # Uniform samples of both parts for the scores; the sampler reads the training rows itself.
        train, n_train = uniform_rows(source, EVALUATED_ROWS, args.seed)
        check_stream_parse(source, train)
        holdout, n_holdout = uniform_rows(source.held_out(), EVALUATED_ROWS, args.seed) if args.holdout else (None, 0)
        if n_train < 2:
            raise CLIError(f"{args.input} holds {n_train} training row(s); GANSampler needs at least 2")
        fit_on = source
    n_rows = args.rows if args.rows is not None else n_train + n_holdout
    try:
        codec = TabularCodec(categorical_columns=args.categorical, max_categories=MAX_CATEGORIES).fit(train)
    except ValueError as exc:
        raise CLIError(f"cannot learn {args.input}: {str(exc).splitlines()[0]}") from None
    conditions = parse_conditions(codec, args.condition)
    start = time.perf_counter()
    sampler = fit_sampler(
        fit_on, max_epochs="auto" if args.epochs is None else args.epochs, batch_size=args.batch_size, categorical_columns=args.categorical,
        n_threads=args.threads, random_state=args.seed, device=args.device, verbose=verbosity(args),
        early_stopping=False if args.no_early_stopping else "auto",
        numeric_values="generator" if args.no_value_trees else "trees",
    )
    fit_s = time.perf_counter() - start
    chunks = sampler.sample_chunks(n_rows, conditions=conditions or None, random_state=args.seed)
    n_written, synthetic = write_chunks(chunks, args.output, keep=EVALUATED_ROWS, dialect=out_dialect)
    if args.save:
        sampler.save(args.save)
    read = ", read piece by piece" if source is not None else ""
    lines = [
        f"wrote {n_written:,} synthetic rows to {args.output} "
        f"(fitted on {n_train:,} rows{read}, {_epochs_text(sampler)}, {fit_s:.1f} s)"
    ]
    if n_written > len(synthetic):
        lines.append(f"the scores below are for the first {len(synthetic):,} rows")
    if len(train) < n_train or (holdout is not None and len(holdout) < n_holdout):
        lines.append(
            f"they compare with {len(train):,} of the {n_train:,} training rows"
            + (f" and {len(holdout):,} of the {n_holdout:,} held-out rows" if holdout is not None else "")
            + ", drawn at random (copies of other training rows are not looked for)"
        )
    stages = Stages(args.quiet)
    if conditions:
        # Rows of a condition are not a copy of the whole table: only privacy applies.
        lines.append("conditions: " + ", ".join(f"{k}={v}" for k, v in conditions.items()))
        lines += stages.run("measuring distances to the closest real rows", privacy_lines, train, synthetic, holdout,
                            args.threads)
    else:
        lines += evaluation(train, synthetic, holdout, args.target, stages, args.report, args.threads,
                            keys=_sampler_keys(sampler, train))
    if args.save:
        lines.append(f"model saved to {args.save} (skgen sample {args.save} -n ROWS -o FILE writes more rows)")
    print("\n".join(lines))
    return 0


def _load_sampler(path):
    from .._io._json import ModelFileError
    from .._io._registry import load
    from ..gan import GANSampler

    if not Path(path).is_file():
        raise CLIError(f"model file not found: {path}")
    try:
        sampler = load(path)
    except ModelFileError as exc:
        raise CLIError(str(exc).rstrip(".")) from None
    if not isinstance(sampler, GANSampler):
        raise CLIError(f"{path} holds a {type(sampler).__name__}, not a GANSampler: nothing to sample from")
    if sampler.data_kind_ != "table":
        raise CLIError(f"{path} holds an image sampler; skgen sample writes tables (use GANSampler.sample in Python)")
    return sampler


def sample(args):
    check_rows(args.rows)
    check_output_table(args.output, args.force)
    out_dialect = output_dialect(args)
    sampler = _load_sampler(args.model)
    if args.threads is not None:
        sampler.set_params(n_threads=args.threads)
    conditions = parse_conditions(sampler.codec_, args.condition)
    start = time.perf_counter()
    chunks = sampler.sample_chunks(args.rows, conditions=conditions or None, random_state=args.seed)
    n_written, _ = write_chunks(chunks, args.output, dialect=out_dialect)
    print(f"wrote {n_written:,} synthetic rows to {args.output} ({time.perf_counter() - start:.1f} s)")
    return 0


def evaluate(args):
    real = read_table(args.real, args)
    synthetic = read_table(args.synthetic, args)
    missing = [c for c in real.columns if c not in synthetic.columns]
    if missing:
        raise CLIError(f"{args.synthetic} lacks column(s) of {args.real}: {', '.join(map(str, missing))}")
    synthetic = synthetic[list(real.columns)]
    holdout = None
    if args.holdout:
        holdout = read_table(args.holdout, args)
        check_columns(holdout.columns, list(real.columns), "--holdout")
    if args.target is not None:
        check_columns(real.columns, [args.target], "--target")
    if args.html:
        check_writable(args.html, args.force)
        check_matplotlib()
    lines = evaluation(real, synthetic, holdout, args.target, Stages(args.quiet), args.html, args.threads)
    print("\n".join(lines))
    return 0

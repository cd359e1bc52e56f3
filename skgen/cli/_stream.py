"""``skgen synthesize --stream``: the input read piece by piece, never whole in memory.

The sampler is fitted on the source itself (``GANSampler.fit`` streams it);
the rows held out for the scores are set aside row by row, by a hash of each
row's place and the seed, so training never reads them; and the scores
compare the synthetic rows with uniform samples of the training and the
held-out rows (``EVALUATED_ROWS`` each at most).
"""

import numpy as np

from ._errors import CLIError
from ._inputs import csv_dialect_flags


def open_source(args):
    """The input's :class:`TableSource`, the share ``--holdout`` of its rows set aside."""
    from .._tabular._sources import TableSource

    try:
        return TableSource(args.input, holdout=args.holdout, seed=args.seed, **csv_dialect_flags(args))
    except (ValueError, ImportError) as exc:
        raise CLIError(_cannot_read(args.input, exc)) from None


def uniform_rows(source, n_rows, seed):
    """A uniform sample of at most ``n_rows`` rows of ``source`` and the number of rows it holds."""
    from .._tabular._sources import UniformSample

    sample, count = UniformSample(n_rows, np.random.RandomState(seed)), 0
    try:
        for piece in source.pieces():
            sample.add(piece)
            count += len(piece)
    except ValueError as exc:
        raise CLIError(_cannot_read(source.name, exc)) from None
    frame = sample.frame()
    return (None if frame is None else frame.reset_index(drop=True)), count


def check_stream_parse(source, rows):
    """Refuse CSV rows that look wrongly parsed (one column holding separators, numbers with
    decimal commas read as text), as the command line does for a table read whole."""
    from .._io import _table_files

    if source.dialect is None or rows is None:
        return
    sep, decimal, _ = source.dialect
    try:
        _table_files.check_parse(rows, source.name, sep, decimal)
    except _table_files.TableFileError as exc:
        raise CLIError(str(exc)) from None


def _cannot_read(name, exc):
    text = str(exc).strip()
    text = text.splitlines()[0].rstrip(".") if text else type(exc).__name__
    text = text.replace("; give its encoding", "; pass --encoding")
    if text.lower().startswith("cannot read"):
        return text[0].lower() + text[1:]
    return f"cannot read {name}: {text[0].lower() + text[1:]}"

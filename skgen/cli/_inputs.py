"""Files and options of the command line, checked before any training."""

import glob
import math
from pathlib import Path

from .._io import _table_files
from ._errors import CLIError


def csv_dialect_flags(args):
    """``sep``, ``decimal`` and ``encoding`` as the flags give them (None: guessed from the file)."""
    dialect = {name: getattr(args, name, None) for name in ("sep", "decimal", "encoding")}
    if dialect["sep"] in ("\\t", "tab"):
        dialect["sep"] = "\t"
    return dialect


def read_table(path, args=None):
    """Read a CSV (dialect sniffed unless the flags give it) or Parquet file, or raise CLIError."""
    return read_table_and_dialect(path, args)[0]


def read_table_and_dialect(path, args=None):
    """:func:`read_table` and the file's ``(sep, decimal, encoding)`` (None for Parquet)."""
    try:
        return _table_files.read_table_and_dialect(path, **csv_dialect_flags(args))
    except _table_files.TableFileError as exc:
        hint = ""
        if getattr(args, "stream", None) is False and (Path(path).is_dir() or glob.has_magic(str(path))):
            hint = "; pass --stream to read a directory or a glob of files piece by piece"
        raise CLIError(str(exc) + hint) from None


def check_writable(path, force):
    path = Path(path)
    if path.exists() and not force:
        raise CLIError(f"{path} exists; pass --force to overwrite it")
    if not path.parent.exists():
        raise CLIError(f"directory {path.parent} does not exist")


def check_output_table(path, force):
    check_writable(path, force)
    try:
        _table_files.check_output_format(path)
    except _table_files.TableFileError as exc:
        raise CLIError(str(exc)) from None


def write_table(frame, path):
    try:
        _table_files.write_table(frame, path)
    except _table_files.TableFileError as exc:
        raise CLIError(str(exc)) from None


def output_dialect(args, input_dialect=None):
    """The CSV form of the output: ``--out-sep`` / ``--out-decimal`` / ``--out-encoding``,
    else the input CSV's own form, else ``,`` ``.`` UTF-8 (a ``.tsv`` output: tabs)."""
    sep, decimal, encoding = input_dialect or (None, ".", "utf-8")
    if _table_files.is_parquet(args.output):
        return {}
    if input_dialect is not None and _table_files._csv_suffix(args.output) == ".tsv":
        sep = None
    if args.out_sep is not None:
        sep = "\t" if args.out_sep in ("\\t", "tab") else args.out_sep
    decimal = args.out_decimal or decimal
    encoding = args.out_encoding or encoding
    if decimal == "," and sep in (None, ","):
        if args.out_sep is not None or args.out_decimal is None:
            raise CLIError("--out-decimal ',' needs another field separator than ','; pass --out-sep ';'")
        sep = ";"  # --out-decimal ',' alone: the usual European pair
    return {"sep": sep, "decimal": decimal, "encoding": encoding}


def write_chunks(chunks, path, keep=0, dialect=None):
    """Write the DataFrames of ``chunks`` to ``path`` one by one (a temporary name until
    the last is written), CSV in ``dialect`` (see :func:`output_dialect`); return the
    number of rows and the first ``keep`` rows."""
    import pandas as pd

    from .._io._table_writer import TableWriter

    kept, n_kept = [], 0
    try:
        with TableWriter(path, **(dialect or {})) as writer:
            for chunk in chunks:
                if not hasattr(chunk, "columns"):
                    chunk = pd.DataFrame(chunk)
                writer.write(chunk)
                if n_kept < keep:
                    kept.append(chunk.iloc[: keep - n_kept])
                    n_kept += len(kept[-1])
    except _table_files.TableFileError as exc:
        raise CLIError(str(exc)) from None
    except OSError as exc:
        raise CLIError(f"cannot write {path}: {exc.strerror or exc}") from None
    return writer.n_rows, (pd.concat(kept, ignore_index=True) if kept else None)


def check_rows(rows):
    if rows is not None and rows < 1:
        raise CLIError(f"-n/--rows must be at least 1; got {rows}")


def check_columns(columns, wanted, flag):
    unknown = [c for c in wanted if c not in columns]
    if unknown:
        shown = ", ".join(map(str, list(columns)[:20]))
        raise CLIError(f"{flag}: unknown column(s) {', '.join(map(str, unknown))}; the columns are: {shown}")


def _matches(level, text):
    if str(level) == text:
        return True
    if isinstance(level, bool) or not isinstance(level, (int, float)):
        return False
    try:
        number = float(text)
    except ValueError:
        return False
    return math.isfinite(number) and number == level


def parse_conditions(codec, items):
    """``["col=value", ...]`` -> ``{col: value}``, each value one of the column's
    levels in ``codec`` (a fitted ``TabularCodec``), so a condition the
    sampler cannot honour is refused before training."""
    conditions = {}
    columns = list(codec.columns_)
    discrete = {c.name: c for c in codec.codecs_ if c.discrete_segment is not None and c.levels is not None}
    for item in items or ():
        if "=" not in item:
            raise CLIError(f"--condition expects COLUMN=VALUE; got {item!r}")
        column, text = item.split("=", 1)
        check_columns(columns, [column], "--condition")
        if column not in discrete:
            raise CLIError(
                f"--condition: cannot condition on column {column!r}: only discrete (categorical, boolean or "
                f"low-cardinality integer) columns can be conditioned on; these are: {', '.join(map(str, discrete))}"
            )
        levels = [lv for lv in discrete[column].levels if not (isinstance(lv, str) and lv.startswith("__skgen"))]
        matches = [lv for lv in levels if _matches(lv, text)]
        pooled = discrete[column].other_values
        if not matches and pooled is not None and any(_matches(v, text) for v in pooled):
            from .._tabular._conditions import pooled_value_message

            raise CLIError(f"--condition: {pooled_value_message(column, text)}")
        if not matches:
            shown = ", ".join(map(str, levels[:20]))
            raise CLIError(f"--condition: value {text!r} does not occur in column {column!r} (values: {shown})")
        conditions[column] = matches[0]
    return conditions

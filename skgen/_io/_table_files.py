"""Reading and writing the table files of the command line.

A CSV's dialect is guessed from its first lines -- encoding (UTF-8, else
Windows-1252, else Latin-1), separator (``,`` ``;`` tab ``|``) and decimal
mark -- and each guess can be overridden. A parse that looks wrong (one
column whose header holds a separator, text columns that are decimal-comma
numbers) is refused with the option that fixes it: a mis-read table must
never be learned, because a generator fitted on one text column writes the
real rows back verbatim.
"""

import codecs
import csv
import importlib.util
import io
import itertools
import re
from collections import Counter
from pathlib import Path

SEPARATORS = (",", ";", "\t", "|")
ENCODINGS = ("utf-8", "cp1252", "latin-1")
PARQUET_SUFFIXES = (".parquet", ".pq")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
COMPRESSION_SUFFIXES = (".gz", ".bz2", ".xz", ".zip", ".zst")
SNIFF_BYTES = 1 << 16
SNIFF_LINES = 50

_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_DECIMAL_POINT = re.compile(r"^[+-]?\d*\.\d+$")


class TableFileError(Exception):
    """A table file that cannot be read or written as asked (one line)."""


def unsupported_format(name):
    """The message for a file that is no table format skgen reads (a spreadsheet, say)."""
    return f"Cannot read {name}: skgen reads .csv, .tsv, .txt, .parquet and .pq files (save a spreadsheet as CSV)."


def check_unique_names(names):
    """Raise ``ValueError("Duplicate column names: [...].")`` when a name repeats
    (the one message the Python API and the command line give)."""
    seen, duplicated = set(), []
    for name in names:
        if name in seen and name not in duplicated:
            duplicated.append(name)
        seen.add(name)
    if duplicated:
        raise ValueError(f"Duplicate column names: {duplicated}.")


def csv_header(path, sep, encoding):
    """The names in a CSV file's header line as written (pandas renames a repeated ``a`` to ``a.1``)."""
    import pandas as pd

    first = pd.read_csv(path, sep=sep, encoding=encoding, header=None, nrows=1, dtype=str, keep_default_na=False)
    return first.iloc[0].tolist() if len(first) else []


def _separator_name(sep):
    return {"\t": "tab", ",": "','", ";": "';'", "|": "'|'"}.get(sep, repr(sep))


def is_parquet(path):
    return Path(path).suffix.lower() in PARQUET_SUFFIXES


def _csv_suffix(path):
    """The format suffix of a CSV path, under any compression suffix, or None."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] in COMPRESSION_SUFFIXES:
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes and suffixes[-1] in CSV_SUFFIXES else None


def check_output_format(path):
    """Refuse, before any work, an output path whose format cannot be written."""
    if is_parquet(path):
        if importlib.util.find_spec("pyarrow") is None:
            raise TableFileError(f"writing {path} needs pyarrow (pip install pyarrow), or write a .csv file")
        return
    if _csv_suffix(path) is None:
        allowed = ", ".join(CSV_SUFFIXES + PARQUET_SUFFIXES)
        raise TableFileError(
            f"cannot write {Path(path).name}: unknown table format {Path(path).suffix or '(no extension)'!r}; "
            f"use one of {allowed} (CSV may end in .gz, .bz2, .xz, .zip or .zst)"
        )


def write_table(frame, path):
    """Write ``frame`` as Parquet or CSV (tab-separated for .tsv), chosen by the path."""
    check_output_format(path)
    if is_parquet(path):
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False, sep="\t" if _csv_suffix(path) == ".tsv" else ",")


def _decode_sample(raw, encoding):
    """``raw`` decoded with ``encoding`` (a multi-byte character cut at the end is dropped)."""
    text = codecs.getincrementaldecoder(encoding)(errors="strict").decode(raw, final=False)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sniff_encoding(raw):
    """UTF-16 by its byte-order mark, else the first of ``ENCODINGS`` that
    decodes the sample ``raw`` (Latin-1 decodes any bytes)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ENCODINGS:
        try:
            _decode_sample(raw, encoding)
        except UnicodeDecodeError:
            continue
        return "utf-8-sig" if encoding == "utf-8" and raw.startswith(b"\xef\xbb\xbf") else encoding
    return "latin-1"  # pragma: no cover - Latin-1 maps every byte


def _sample_text(text, complete):
    """The sample without its last line, which the sample's end may have cut."""
    if not complete and "\n" in text:
        text = text[: text.rindex("\n")]
    return text


def _rows(text, sep):
    """The first rows of ``text`` split by ``sep`` (quoted fields may span lines)."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    return [row for row in itertools.islice(reader, SNIFF_LINES + 1) if any(f.strip() for f in row)]


def sniff_separator(text):
    """The separator that splits the sample's rows into the most consistent number (>= 2) of fields.

    Fields are counted with the csv module (quotes respected). A candidate
    scores the share of lines with its most common field count; ties go to
    more fields, then to the order of ``SEPARATORS``. None when no
    candidate splits the lines into two or more fields.
    """
    best, best_key = None, None
    for rank, sep in enumerate(SEPARATORS):
        try:
            counts = [len(row) for row in _rows(text, sep)]
        except csv.Error:
            continue
        if not counts:
            continue
        fields, agreeing = Counter(counts).most_common(1)[0]
        if fields < 2:
            continue
        key = (agreeing / len(counts), fields, -rank)
        if best_key is None or key > best_key:
            best, best_key = sep, key
    return best


def sniff_decimal(text, sep):
    """``","`` when the sample's numbers are written with a decimal comma, else ``"."``."""
    if sep == ",":
        return "."
    comma = point = 0
    try:
        rows = _rows(text, sep)[1:]
    except csv.Error:
        return "."
    for row in rows:
        for field in row:
            field = field.strip()
            comma += bool(_DECIMAL_COMMA.match(field))
            point += bool(_DECIMAL_POINT.match(field))
    return "," if comma > point else "."


def csv_dialect(path, sep, decimal, encoding):
    with open(path, "rb") as f:
        raw = f.read(SNIFF_BYTES)
    if encoding is None:
        encoding = sniff_encoding(raw)
    try:
        text = _decode_sample(raw, encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise TableFileError(f"cannot read {path} as {encoding}: {exc}; pass --encoding") from None
    if "\x00" in text:
        raise TableFileError(
            f"cannot read {path}: it holds NUL bytes, so it is a binary file rather than a CSV "
            "(pass --encoding if it is UTF-16 or UTF-32 text)"
        )
    text = _sample_text(text, complete=len(raw) < SNIFF_BYTES)
    if sep is None:
        sep = sniff_separator(text) or ","
    if decimal is None:
        decimal = sniff_decimal(text, sep)
    return sep, decimal, encoding


def check_parse(frame, path, sep, decimal):
    """Refuse a parse that looks wrong, naming the option that fixes it."""
    from pandas.api.types import is_object_dtype, is_string_dtype

    if frame.shape[1] == 1:
        header = str(frame.columns[0])
        inside = [s for s in SEPARATORS if s != sep and s in header]
        if inside:
            raise TableFileError(
                f"{path} parsed into one column whose header {header[:60]!r} contains "
                f"{_separator_name(inside[0])}: the separator is probably {_separator_name(inside[0])}; "
                f"pass --sep {inside[0]!r}"
            )
    if decimal != ",":
        for column in frame.columns:
            values = frame[column]
            if not (is_object_dtype(values) or is_string_dtype(values)):
                continue
            text = values.dropna().astype(str).str.strip()
            if len(text) and text.str.match(_DECIMAL_COMMA.pattern).mean() > 0.9:
                raise TableFileError(
                    f"column {column!r} of {path} holds numbers with a decimal comma (e.g. {text.iloc[0]!r}); "
                    "pass --decimal ',' (and --sep if fields are not separated by ';')"
                )


def _looks_binary(path):
    with open(path, "rb") as f:
        head = f.read(4096)
    return b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def read_table(path, *, sep=None, decimal=None, encoding=None):
    """Read a CSV (dialect sniffed unless given) or a Parquet file into a DataFrame
    (:func:`read_table_and_dialect` without the dialect)."""
    return read_table_and_dialect(path, sep=sep, decimal=decimal, encoding=encoding)[0]


def read_table_and_dialect(path, *, sep=None, decimal=None, encoding=None):
    """Read a CSV (dialect sniffed unless given) or a Parquet file into a DataFrame.

    Parameters
    ----------
    path : str or Path
    sep, decimal, encoding : str or None
        CSV dialect; None guesses it from the file's first lines.

    Returns
    -------
    frame : DataFrame
        With at least one row and one column.
    dialect : tuple or None
        ``(sep, decimal, encoding)`` of a CSV file; None for Parquet.

    Raises
    ------
    TableFileError
        Missing or unreadable file, empty table, or a parse that looks wrong.
    """
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise TableFileError(f"file not found: {path}" if not path.is_dir() else f"{path} is a directory, not a file")
    try:
        if is_parquet(path):
            if importlib.util.find_spec("pyarrow") is None:
                raise TableFileError(f"reading {path} needs pyarrow (pip install pyarrow)")
            frame = pd.read_parquet(path)
            sep = decimal = None
        elif _csv_suffix(path) is None and _looks_binary(path):
            raise TableFileError(unsupported_format(path.name))
        else:
            sep, decimal, encoding = csv_dialect(path, sep, decimal, encoding)
            check_unique_names(csv_header(path, sep, encoding))
            frame = pd.read_csv(path, sep=sep, decimal=decimal, encoding=encoding)
    except TableFileError:
        raise
    except UnicodeDecodeError as exc:
        raise TableFileError(f"cannot read {path} as {encoding} ({exc.reason} at byte {exc.start}); pass --encoding") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OSError, LookupError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TableFileError(f"cannot read {path}: {first_line}") from None
    if frame.shape[1] == 0:
        raise TableFileError(f"{path} holds no columns.")
    if frame.empty:
        raise TableFileError(f"{path} holds no rows.")
    if sep is not None:
        check_parse(frame, path, sep, decimal)
    return frame, (None if sep is None else (sep, decimal, encoding))

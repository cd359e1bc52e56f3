"""Tables read piece by piece: Parquet/CSV files (a path, a directory or a glob), a
``pyarrow.dataset.Dataset``, or a ``dask.dataframe.DataFrame``.

A :class:`TableSource` yields pandas pieces of at most ``PIECE_ROWS`` rows.
For training, the pieces of ``OPEN_UNITS`` randomly chosen reading units
(Parquet row groups, CSV files, Dask partitions) are interleaved, so rows
that sit together in the files are spread over the training buffers.
Category columns come back with the union of their categories over the
whole source (Parquet stores a dictionary per row group).
"""

import copy
import glob
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .._io._table_files import check_unique_names, csv_header, unsupported_format

PIECE_ROWS = 16_384  # rows per piece read
OPEN_UNITS = 8  # reading units interleaved when pieces are shuffled
# pandas.read_csv's default missing-value strings, so a file reads alike in both readers.
PANDAS_NA_STRINGS = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
                     "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]
_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".tsv": "csv", ".txt": "csv"}


def is_table_source(X):
    """Whether ``X`` is a source :class:`TableSource` reads (rather than in-memory data)."""
    if isinstance(X, (str, os.PathLike, TableSource)):
        return True
    module = type(X).__module__
    return module.startswith("pyarrow") and hasattr(X, "get_fragments") or _is_dask_frame(X)


def _is_dask_frame(X):
    return type(X).__module__.startswith("dask") and hasattr(X, "to_delayed") and hasattr(X, "columns")


def _files(spec):
    text = os.fspath(spec)
    path = Path(text)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in _FORMATS and not p.name.startswith("."))
        if not files:
            raise ValueError(f"Directory {text} holds no .csv, .tsv, .txt, .parquet or .pq file.")
    elif glob.has_magic(text):
        files = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
        if not files:
            raise ValueError(f"No file matches {text!r}.")
    elif path.is_file():
        files = [path]
    else:
        raise ValueError(f"File not found: {text}.")
    formats = {_FORMATS.get(p.suffix.lower()) for p in files}
    if None in formats:
        odd = next(p for p in files if _FORMATS.get(p.suffix.lower()) is None)
        raise ValueError(unsupported_format(odd.name))
    if len(formats) > 1:
        raise ValueError(f"{text!r} mixes Parquet and CSV files; fit on one format.")
    return files, formats.pop()


def _check_types(schema, where):
    import pyarrow as pa

    for field in schema:
        t = field.type
        if pa.types.is_dictionary(t):
            t = t.value_type
        if not (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)
                or pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_timestamp(t)
                or pa.types.is_date(t) or pa.types.is_decimal(t) or pa.types.is_null(t)):
            raise ValueError(
                f"Column {field.name!r} of {where} has type {field.type}, which GANSampler cannot learn "
                "(numbers, booleans, text, categories and timestamps can be); drop or convert it."
            )


def _row_keys(seed, unit, start, n):
    """Uniform keys in [0, 1) for rows ``start .. start + n`` of reading unit ``unit``: a hash
    of the row's place (splitmix64), so a row's key does not depend on how its unit is cut."""
    with np.errstate(over="ignore"):
        x = np.arange(start, start + n, dtype=np.uint64) + np.uint64((unit << 40) & 0xFFFFFFFFFFFFFFFF)
        x ^= np.uint64((seed * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


class TableSource:
    """Read a table too large for memory piece by piece.

    Parameters
    ----------
    X : str, PathLike, pyarrow.dataset.Dataset or dask.dataframe.DataFrame
        A file, a directory of files or a glob (``"data/*.parquet"``).
    sep, decimal, encoding : str or None
        The dialect of CSV files; None guesses each from the first file's
        first lines (as the command line does for one file).
    holdout : float
        Share of rows set aside, each row by a hash of its place in the
        source and ``seed``: :meth:`pieces` gives the other rows, and
        :meth:`held_out` a source of the set-aside rows.
    seed : int
    """

    def __init__(self, X, *, sep=None, decimal=None, encoding=None, holdout=0.0, seed=0):
        if isinstance(X, TableSource):
            raise TypeError("TableSource of a TableSource")
        self.holdout, self.seed, self._held_out = float(holdout), int(seed), False
        self.dialect = None  # (sep, decimal, encoding) of CSV files
        self.name = os.fspath(X) if isinstance(X, (str, os.PathLike)) else type(X).__name__
        self._dask = X if _is_dask_frame(X) else None
        if self._dask is not None:
            self.columns = list(X.columns)
            self._units = list(X.to_delayed())
            self.categories = {}
            return
        try:
            import pyarrow.dataset as ds
        except ImportError:
            raise ImportError("GANSampler.fit reads table files through pyarrow: pip install pyarrow.") from None
        if isinstance(X, (str, os.PathLike)):
            files, fmt = _files(X)
            dialect = _csv_dialect(files[0], sep, decimal, encoding) if fmt == "csv" else None
            self.dialect = dialect
            self._check_same_schema(files, fmt, dialect)
            import pyarrow as pa

            try:
                X = ds.dataset([str(f) for f in files], format=_csv_format(*dialect) if dialect else fmt)
            except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
                raise ValueError(f"Cannot read {self.name}: {str(exc).splitlines()[0]}") from None
        self.dataset = X
        _check_types(X.schema, self.name)
        self.columns = list(X.schema.names)
        units = []
        for fragment in X.get_fragments():
            split = getattr(fragment, "split_by_row_group", None)
            units.extend(split() if split is not None and fragment.format.__class__.__name__ == "ParquetFileFormat" else [fragment])
        self._units = units
        self.categories = {}  # category column -> the union of its categories (set by the first pass)

    @staticmethod
    def _check_same_schema(files, fmt, dialect):
        if fmt == "parquet":
            import pyarrow.parquet as pq

            first = pq.read_schema(files[0])
            check_unique_names(first.names)
            for path in files[1:]:
                schema = pq.read_schema(path)
                if schema.names != first.names or schema.types != first.types:
                    raise ValueError(
                        f"{path.name} and {files[0].name} have different schemas "
                        f"({_schema_difference(first, schema)}); fit on files of one table."
                    )
        else:
            sep, _, encoding = dialect
            check_unique_names(csv_header(files[0], sep, encoding))
            header = pd.read_csv(files[0], nrows=0, sep=sep, encoding=encoding).columns.tolist()
            for path in files[1:]:
                other = pd.read_csv(path, nrows=0, sep=sep, encoding=encoding).columns.tolist()
                if other != header:
                    raise ValueError(f"{path.name} and {files[0].name} have different columns; fit on files of one table.")

    @property
    def n_units(self):
        return len(self._units)

    def held_out(self):
        """The same source giving the rows set aside by ``holdout`` (and only them)."""
        other = copy.copy(self)
        other._held_out = True
        return other

    def _unit_pieces(self, index):
        index, start = int(index), 0
        for piece in self._read_unit(self._units[index]):
            if self.holdout:
                keep = (_row_keys(self.seed, index, start, len(piece)) < self.holdout) == self._held_out
                start += len(piece)
                piece = piece[keep]
            yield piece

    def _read_unit(self, unit):
        if self._dask is not None:
            frame = unit.compute()
            for start in range(0, len(frame), PIECE_ROWS):
                yield frame.iloc[start : start + PIECE_ROWS]
            return
        import pyarrow as pa

        # The system allocator returns what a piece used once it is let go; Arrow's default pool
        # kept it (a 1M-row streamed fit peaked at 1,346 MB against 1,137 MB with this).
        pool = pa.system_memory_pool()
        try:
            for batch in unit.to_batches(batch_size=PIECE_ROWS, memory_pool=pool):
                yield self._restore_categories(batch.to_pandas(memory_pool=pool))
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise ValueError(f"Cannot read {self.name}: {str(exc).splitlines()[0]}") from None

    def _restore_categories(self, frame):
        for column, dtype in self.categories.items():
            frame[column] = frame[column].astype(dtype)
        return frame

    def pieces(self, rng=None):
        """Pandas pieces of the whole table: in file order, or (``rng``) with
        the units in random order and ``OPEN_UNITS`` of them interleaved."""
        if rng is None:
            for index in range(len(self._units)):
                yield from (piece for piece in self._unit_pieces(index) if len(piece))
            return
        order = list(rng.permutation(len(self._units)))
        open_units = []
        while order or open_units:
            while order and len(open_units) < OPEN_UNITS:
                open_units.append(self._unit_pieces(order.pop()))
            k = int(rng.randint(len(open_units)))
            piece = next(open_units[k], None)
            if piece is None:
                open_units.pop(k)
            elif len(piece):
                yield piece


def _csv_dialect(path, sep, decimal, encoding):
    """The separator, decimal mark and encoding of a CSV file: those given, the others guessed."""
    from .._io._table_files import TableFileError, csv_dialect

    try:
        return csv_dialect(path, sep, decimal, encoding)
    except TableFileError as exc:
        raise ValueError(str(exc).replace("; pass --encoding", "; give its encoding")) from None


def _csv_format(sep, decimal, encoding):
    import pyarrow.csv as pacsv
    import pyarrow.dataset as ds

    return ds.CsvFileFormat(
        parse_options=pacsv.ParseOptions(delimiter=sep),
        # Missing values as pandas reads them (the command line's reader): text columns too.
        convert_options=pacsv.ConvertOptions(decimal_point=decimal, null_values=PANDAS_NA_STRINGS,
                                             strings_can_be_null=True),
        read_options=pacsv.ReadOptions(encoding={"utf-8-sig": "utf8", "utf-8": "utf8"}.get(encoding, encoding)),
    )


def _schema_difference(first, other):
    for name in dict.fromkeys(first.names + other.names):
        a = first.field(name).type if name in first.names else None
        b = other.field(name).type if name in other.names else None
        if a != b:
            return f"column {name!r}: {a} vs {b}" if a is not None and b is not None else f"column {name!r} in one only"
    return "column order"


class UniformSample:
    """A uniform sample of ``n_keep`` rows of a stream of pieces: each row gets a
    random key and the rows with the smallest keys are kept, in stream order."""

    def __init__(self, n_keep, rng):
        self.n_keep, self.rng = int(n_keep), rng
        self.kept, self.keys, self.places, self.n_seen = None, None, None, 0

    def add(self, piece):
        n_keep, keys = self.n_keep, self.rng.random_sample(len(piece))
        places = np.arange(self.n_seen, self.n_seen + len(piece))
        self.n_seen += len(piece)
        if self.kept is None:
            self.kept, self.keys, self.places = piece.reset_index(drop=True), keys, places
        else:
            threshold = np.partition(self.keys, n_keep - 1)[n_keep - 1] if len(self.keys) >= n_keep else np.inf
            candidates = keys < threshold
            self.kept = pd.concat([self.kept, piece[candidates]], ignore_index=True)
            self.keys = np.concatenate([self.keys, keys[candidates]])
            self.places = np.concatenate([self.places, places[candidates]])
        if len(self.keys) > n_keep + n_keep // 4:  # trimmed often: the kept rows are most of a pass's memory
            order = np.argsort(self.keys)[:n_keep]
            self.kept, self.keys, self.places = self.kept.iloc[order].reset_index(drop=True), self.keys[order], self.places[order]

    def _order(self):
        return np.sort(np.argsort(self.keys)[: self.n_keep])

    def frame(self):
        """The sample (None if no piece was added)."""
        return None if self.kept is None else self.kept.iloc[self._order()]

    def stream_places(self):
        """The sampled rows' places in the stream (0 for its first row)."""
        return set() if self.kept is None else set(self.places[self._order()].tolist())


class FirstPass:
    """One pass over a source: the row count, exact missing counts, and a bounded sample.

    The sample is ``n_keep`` rows drawn uniformly (each row gets a random
    key; the rows with the smallest keys are kept) plus *exemplars*: for
    each column the first row with a missing value, the rows with its
    smallest and largest value, and the first row of each distinct value
    (up to ``MAX_TRACKED`` values per column), so the codec fitted on the
    sample knows every level, the exact range and whether a column has
    missing values. Frequencies and quantiles come from the uniform part
    (approximate: a sampling error of about ``sqrt(p (1 - p) / n_keep)``).
    """

    MAX_TRACKED = 1_000

    def __init__(self, source, n_keep, rng):
        self.n_rows = 0
        self.missing = None
        uniform = UniformSample(n_keep, rng)
        exemplars = {}  # stream row -> row (one-row frame)
        seen = {}  # column -> set of values (None once past MAX_TRACKED)
        extremes = {}  # column -> (min, row, max, row)
        first_missing = set()
        categories = {}
        for piece in source.pieces():
            piece = piece.reset_index(drop=True)
            start = self.n_rows
            self.n_rows += len(piece)
            missing = piece.isna().sum()
            self.missing = missing if self.missing is None else self.missing + missing
            for column in piece.columns:
                values = piece[column]
                if isinstance(values.dtype, pd.CategoricalDtype):
                    categories.setdefault(column, {}).update(dict.fromkeys(values.cat.categories))
                self._exemplars(column, values, start, piece, exemplars, seen, extremes, first_missing)
            uniform.add(piece)
        if self.n_rows == 0:
            raise ValueError(f"{source.name} holds no rows.")
        sample = uniform.frame()
        # A row both drawn and an exemplar is kept once: twice, a small table's unique key would
        # look repeated and its values snapped to a grid of real values.
        sampled = uniform.stream_places()
        extra = [exemplars[r] for r in sorted(exemplars) if r not in sampled]
        self.frame = pd.concat([sample] + extra, ignore_index=True) if extra else sample.reset_index(drop=True)
        self.n_exemplars = len(extra)
        source.categories = {c: pd.CategoricalDtype(list(cats)) for c, cats in categories.items()}
        for column, dtype in source.categories.items():
            self.frame[column] = self.frame[column].astype(dtype)

    def _exemplars(self, column, values, start, piece, exemplars, seen, extremes, first_missing):
        rows = set()
        isna = values.isna()
        if column not in first_missing and isna.any():
            first_missing.add(column)
            rows.add(int(isna.to_numpy().argmax()))
        orderable = (pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype)) \
            or pd.api.types.is_datetime64_any_dtype(values.dtype)
        if orderable and not isna.all():
            present = values[~isna]
            lo_row, hi_row = present.idxmin(), present.idxmax()
            lo, hi = present[lo_row], present[hi_row]
            old = extremes.get(column)
            if old is None or lo < old[0]:
                rows.add(lo_row)
            if old is None or hi > old[1]:
                rows.add(hi_row)
            extremes[column] = (lo, hi) if old is None else (min(lo, old[0]), max(hi, old[1]))
        known = seen.setdefault(column, set())
        if known is not None:
            firsts = values[~values.duplicated() & ~isna]
            fresh = firsts[~firsts.isin(known)]
            if len(known) + len(fresh) > self.MAX_TRACKED:
                seen[column] = None
            else:
                known.update(fresh.tolist())
                rows.update(fresh.index)
        for i in rows:
            if start + int(i) not in exemplars:
                exemplars[start + int(i)] = piece.iloc[[int(i)]]

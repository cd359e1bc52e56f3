"""Writing a table chunk by chunk, in constant memory, without leaving a complete-looking partial file.

:class:`TableWriter` appends DataFrames to a Parquet file (one row group per
chunk, the schema of the first chunk) or a CSV file (``.tsv``
tab-separated; ``.gz``, ``.bz2``, ``.xz`` and ``.zst`` compression through
one stream, ``.zip`` as a one-member archive). The rows go to a hidden
temporary name next to the target (``.NAME.partial-PID``), which is renamed
to the target only when the writer closes without an error; on an error
(a chunk that does not fit the schema, the disk running full) the
temporary file is removed and the target is left as it was.
"""

import errno
import io
import os
from pathlib import Path

from ._table_files import TableFileError, _csv_suffix, check_output_format, is_parquet

_COMPRESSION = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zip": "zip", ".zst": "zstd"}


def _compression(path):
    suffix = Path(path).suffix.lower()
    return _COMPRESSION.get(suffix)


def _binary_stream(path, compression, inner_name):
    """A writable binary stream on ``path`` that compresses with ``compression``; also the objects to close."""
    if compression is None:
        handle = open(path, "wb")
        return handle, [handle]
    if compression == "gzip":
        import gzip

        handle = gzip.open(path, "wb")
    elif compression == "bz2":
        import bz2

        handle = bz2.open(path, "wb")
    elif compression == "xz":
        import lzma

        handle = lzma.open(path, "wb")
    elif compression == "zip":
        import zipfile

        archive = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)
        member = archive.open(inner_name, "w", force_zip64=True)
        return member, [member, archive]
    else:
        try:
            import zstandard
        except ImportError:
            raise TableFileError(f"writing {inner_name}.zst needs zstandard (pip install zstandard)") from None
        raw = open(path, "wb")
        handle = zstandard.ZstdCompressor().stream_writer(raw)
        return handle, [handle, raw]
    return handle, [handle]


def _plain_os_error(exc, path):
    """A full disk said in words; other OS errors as they are."""
    if exc.errno == errno.ENOSPC:
        return OSError(errno.ENOSPC, f"ran out of disk space writing {path}; the partial file was removed")
    return exc


class TableWriter:
    """Append DataFrames to a Parquet or CSV file; the file appears complete or not at all.

    Parameters
    ----------
    path : str or Path
        The target; its suffix chooses the format (see the module docstring).
    sep : str or None, default=None
        CSV field separator; None is a tab for ``.tsv`` and ``,`` otherwise.
    decimal : str, default="."
        CSV decimal mark.
    encoding : str, default="utf-8"
        CSV text encoding.

    Use as a context manager::

        with TableWriter("synthetic.parquet") as writer:
            for chunk in chunks:
                writer.write(chunk)
    """

    def __init__(self, path, *, sep=None, decimal=".", encoding="utf-8"):
        self.path = Path(path)
        self.sep = ("\t" if _csv_suffix(self.path) == ".tsv" else ",") if sep is None else sep
        self.decimal = decimal
        self.encoding = encoding
        check_output_format(self.path)
        if not self.path.parent.exists():
            raise TableFileError(f"directory {self.path.parent} does not exist")
        self.partial_path = self.path.with_name(f".{self.path.name}.partial-{os.getpid()}")
        self.n_rows = 0
        self._parquet = None
        self._schema = None
        self._text = None
        self._closers = []

    def __enter__(self):
        return self

    def write(self, frame):
        """Append the rows of ``frame`` (a DataFrame with the same columns each time)."""
        try:
            if is_parquet(self.path):
                self._write_parquet(frame)
            else:
                self._write_csv(frame)
        except OSError as exc:
            raise _plain_os_error(exc, self.path) from None
        self.n_rows += len(frame)

    def _write_parquet(self, frame):
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._parquet is None:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            self._schema = table.schema
            self._parquet = pq.ParquetWriter(self.partial_path, self._schema)
        else:
            try:
                table = pa.Table.from_pandas(frame, schema=self._schema, preserve_index=False)
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
                raise TableFileError(
                    f"a chunk of rows does not fit the Parquet schema of the first chunk of {self.path}: "
                    f"{str(exc).splitlines()[0]}"
                ) from None
        self._parquet.write_table(table)

    def _write_csv(self, frame):
        first = self._text is None
        if first:
            stream, self._closers = _binary_stream(self.partial_path, _compression(self.path), self.path.stem)
            self._text = io.TextIOWrapper(stream, encoding=self.encoding, newline="")
        try:
            frame.to_csv(self._text, index=False, header=first, sep=self.sep, decimal=self.decimal)
        except UnicodeEncodeError as exc:
            raise TableFileError(
                f"cannot write {self.path} as {self.encoding}: {exc.object[exc.start:exc.end]!r} has no "
                "character there; pick another encoding"
            ) from None

    def _close_handles(self):
        if self._parquet is not None:
            self._parquet.close()
        if self._text is not None:
            self._text.close()  # closes the compressed stream under it
        for handle in self._closers[1:]:
            handle.close()

    def __exit__(self, exc_type, exc, traceback):
        try:
            self._close_handles()
        except OSError as close_error:
            self._discard()
            if exc_type is not None:
                return False  # the first error is the one to report
            raise _plain_os_error(close_error, self.path) from None
        if exc_type is not None:
            self._discard()
            return False
        os.replace(self.partial_path, self.path)
        return False

    def _discard(self):
        try:
            self.partial_path.unlink()
        except FileNotFoundError:
            pass

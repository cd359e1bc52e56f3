"""Training on a table read from files (or a Dask frame) in bounded memory.

``GANSampler.fit(path)`` makes two kinds of passes over a
:class:`~skgen._tabular._sources.TableSource`:

1. one **first pass** (:class:`~skgen._tabular._sources.FirstPass`): the
   row count, exact missing counts, and a sample of ``FIT_SAMPLE_ROWS`` rows
   drawn uniformly plus exemplar rows (every level, the exact range, the
   first missing value of each column). The codec, the inferred rules and
   constraints, the condition frequencies and the latent classes are fitted
   on that sample, so their frequencies and quantiles are estimates from
   200,000 rows; levels, ranges and missing rates are exact.
2. per epoch, one **training pass**: pieces of the source, in random order
   and interleaved, are collected into buffers of ``BUFFER_ROWS`` rows,
   each encoded (rows that break a constraint fitted on the sample are
   dropped) and trained on for ``len(buffer) // batch_size`` steps with
   training-by-sampling inside the buffer, so an epoch is still one pass
   over every row (``n_rows // batch_size`` steps).

The next buffer is read and encoded in a background thread while the
current one is trained on (Arrow's reading and most of numpy's encoding
release the GIL), so a streamed epoch costs about what an in-memory one
does. When the fit runs on several processes (:mod:`skgen._distributed`),
every process reads the same pieces in the same order and keeps every
``n_processes``-th row of each buffer, starting at its own index: each
encodes and holds only its share, and the shares partition the table.

Peak memory is the sample (let go once the model's parts are fitted), two
buffers as encoded floats (the one trained on, the next being made; read
rows are let go once encoded), one buffer's pandas rows, and the model: it
does not grow with the number of rows. A level rarer than about one row in
a buffer is drawn only by the buffers that hold it.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import torch
from torch.utils.data import Dataset

from ._datasets import ConditionalDataset, ConditionSpace

FIT_SAMPLE_ROWS = 200_000
BUFFER_ROWS = 100_000  # 200,000 peaked 116 MB higher on a 1M-row fit, for no faster epoch


class StreamingDataset(Dataset):
    """A table trained on buffer by buffer; ``len`` is the source's row count.

    Parameters
    ----------
    source : TableSource
    n_rows : int
        Rows in the source (counted by the first pass).
    encode : callable
        ``encode(frame) -> ConditionalDataset`` of a buffer's rows.
    buffer_rows : int
    seed : int
        Seeds the order in which the source's pieces are read (the same in
        every process).
    shard : tuple of (int, int), default=(0, 1)
        ``(process_index, n_processes)``: this process keeps rows
        ``process_index::n_processes`` of each buffer.
    prefetch : bool, default=True
        Make the next buffer in a background thread while the current one
        is used.
    """

    def __init__(self, source, n_rows, encode, buffer_rows, seed, shard=(0, 1), prefetch=True):
        self.source = source
        self.n_rows = int(n_rows)
        self.encode = encode
        self.buffer_rows = int(buffer_rows)
        self.rng = np.random.RandomState(seed)
        self.shard = tuple(shard)
        self.prefetch = prefetch

    def __len__(self):
        return self.n_rows

    def buffers(self):
        """Encoded buffers covering the source once (each call: a new order); each
        carries ``source_rows``, the rows read for it by all processes together
        (before constraint checks)."""
        made = self._buffers()
        return prefetched(made) if self.prefetch else made

    def _buffers(self):
        parts, n = [], 0
        for piece in self.source.pieces(self.rng):
            parts.append(piece)
            n += len(piece)
            if n >= self.buffer_rows:
                yield self._encoded(parts, n)
                n = 0
        if n:
            yield self._encoded(parts, n)

    def _encoded(self, parts, n):
        # The read rows are let go (``parts`` emptied) before training on the buffer, so only
        # its encoded floats stay while it is trained on.
        frame = pd.concat(parts, ignore_index=True)
        parts.clear()
        index, n_processes = self.shard
        if n_processes > 1:
            frame = frame.iloc[index::n_processes]
        data = self.encode(frame)
        del frame
        if self.prefetch:
            # Made in a background thread, a buffer's temporaries sit in that thread's malloc arena,
            # which glibc keeps: trimmed, a 1M-row epoch peaked at 1,315 MB rather than 1,570.
            release_freed_memory()
        data.source_rows = n
        return data


_END = object()
_malloc_trim = None  # glibc's malloc_trim, once looked up (False where there is none)


def release_freed_memory():
    """Give memory that ``free`` kept in malloc's arenas back to the system (glibc; elsewhere nothing)."""
    global _malloc_trim
    if _malloc_trim is None:
        try:
            import ctypes

            _malloc_trim = ctypes.CDLL(None).malloc_trim
        except (OSError, AttributeError, TypeError):  # no C library by that name (Windows), no malloc_trim
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


def prefetched(items):
    """The items of the iterator ``items``, each next one made in a background
    thread while the caller uses the current one (at most one made ahead).

    Errors raised while making an item are raised here, in the caller's
    thread; when the caller stops early, the item being made is finished
    and dropped, and ``items`` is closed.
    """
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="skgen-buffer")
    try:
        pending = pool.submit(next, items, _END)
        while True:
            item = pending.result()
            if item is _END:
                return
            pending = pool.submit(next, items, _END)
            yield item
            item = None  # not held while the next one is awaited
    finally:
        pool.shutdown(wait=True)
        items.close()


def buffer_encoder(codec, constraints, discrete, space, latent, device, seed):
    """The ``encode`` of a :class:`StreamingDataset`: rows -> a ConditionalDataset (with latent classes)."""
    generator = torch.Generator().manual_seed(int(seed))
    offsets = torch.tensor([0] + list(np.cumsum(space.n_levels)[:-1]), dtype=torch.long) if discrete else None

    def encode(frame):
        if constraints is not None:
            frame = frame[constraints.satisfied(frame)]
            frame = constraints.to_model(frame)
        encoded = codec.transform(frame)
        codes, buffer_space, classes = None, space, None
        if discrete:
            codes_np = level_codes(encoded, discrete)
            counts = [np.bincount(codes_np[:, j], minlength=c.discrete_segment.width) for j, c in enumerate(discrete)]
            # The buffer's own frequencies: a level absent from it is never asked for.
            buffer_space = ConditionSpace(counts, device, space.column_weights)
            codes = torch.from_numpy(codes_np)
            if latent is not None:
                classes = latent.draw_classes(codes + offsets, generator).to(device)
            codes = codes.to(device)
        return ConditionalDataset(torch.from_numpy(encoded).to(device), codes, buffer_space, classes)

    return encode


def level_codes(encoded, discrete):
    """The level of each row in each discrete column: the hot position of its one-hot block."""
    return np.stack(
        [encoded[:, c.discrete_segment.start : c.discrete_segment.start + c.discrete_segment.width].argmax(1)
         for c in discrete],
        axis=1,
    ).astype(np.int64)

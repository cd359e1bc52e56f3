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

Peak memory is the sample (let go once the model's parts are fitted), one
buffer as pandas rows and encoded floats (the rows let go once encoded, the
previous buffer before the next is read), and the model: it does not grow
with the number of rows. A level rarer
than about one row in a buffer is drawn only by the buffers that hold it.
"""

import numpy as np
import pandas as pd
import torch
from torch.utils.data import Dataset

from .._data import ConditionalDataset, ConditionSpace

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
        Seeds the order in which the source's pieces are read.
    """

    def __init__(self, source, n_rows, encode, buffer_rows, seed):
        self.source = source
        self.n_rows = int(n_rows)
        self.encode = encode
        self.buffer_rows = int(buffer_rows)
        self.rng = np.random.RandomState(seed)

    def __len__(self):
        return self.n_rows

    def buffers(self):
        """Encoded buffers covering the source once (each call: a new order); each
        carries ``source_rows``, the rows read for it (before constraint checks)."""
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
        data = self.encode(frame)
        data.source_rows = n
        return data


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

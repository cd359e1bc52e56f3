"""Sampling in chunks: :meth:`GANSampler.sample_chunks` and :meth:`GANSampler.sample_to`.

Rows are generated in fixed blocks of ``STREAM_BLOCK`` rows, block ``k``
from its own seed (the call's seed and ``k`` through
:class:`numpy.random.SeedSequence`), and the blocks are cut into chunks of
the size asked for. So a seed gives the same rows whatever the chunk size
(and, up to ``STREAM_BLOCK`` rows, the rows of ``sample`` with that seed),
one block and one chunk are in memory at a time, and unique keys count on
across blocks (block ``k``'s keys start after the keys of the blocks
before it).
"""

from numbers import Integral

import numpy as np

STREAM_BLOCK = 65_536  # rows generated at a time (Adult: as fast per row as one large call)
DEFAULT_CHUNK_SIZE = 100_000


def block_seed(seed, k):
    """The seed of block ``k`` of a stream seeded with ``seed`` (block 0's is ``seed``
    itself, so a stream of one block is the rows of ``sample`` with that seed)."""
    if k == 0:
        return seed
    state = np.random.SeedSequence(entropy=seed, spawn_key=(k,)).generate_state(1, np.uint32)[0]
    return int(state) & 0x7FFFFFFF


def check_counts(n_samples, chunk_size):
    for name, value, low in (("n_samples", n_samples, 0), ("chunk_size", chunk_size, 1)):
        if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
            kind = "a non-negative" if low == 0 else "a positive"
            raise ValueError(f"{name} must be {kind} integer; got {value!r}.")


def _blocks(kind, n_samples, seed, conditions):
    for k, start in enumerate(range(0, n_samples, STREAM_BLOCK)):
        n = min(STREAM_BLOCK, n_samples - start)
        yield kind.sample_block(n, block_seed(seed, k), conditions, start)


def _concat(parts, start):
    if isinstance(parts[0], np.ndarray):
        return np.concatenate(parts)
    import pandas as pd

    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
    frame.index = pd.RangeIndex(start, start + len(frame))
    return frame


def iter_chunks(kind, n_samples, chunk_size, seed, conditions):
    """Chunks of at most ``chunk_size`` rows, ``n_samples`` in all; a DataFrame's index runs on across chunks."""
    pending, n_pending, emitted = [], 0, 0
    for block in _blocks(kind, n_samples, seed, conditions):
        pending.append(block)
        n_pending += len(block)
        while n_pending >= chunk_size:
            joined = _concat(pending, emitted)
            chunk, rest = joined[:chunk_size], joined[chunk_size:]
            yield chunk
            emitted += chunk_size
            pending, n_pending = ([rest], len(rest)) if len(rest) else ([], 0)
    if n_pending:
        yield _concat(pending, emitted)

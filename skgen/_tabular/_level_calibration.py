"""Level calibration: the generator's sampled level frequencies matched to the training rows'.

After training, a generator's softmax blocks are drawn a little too often at
some levels and too rarely at others (on Adult, ``education = HS-grad`` in
35.2% of sampled rows against 32.4% of training rows). Calibration draws
ten times as many rows as the table has (at least ``MIN_CALIBRATION_ROWS``,
at most ``MAX_CALIBRATION_ROWS``) the way :meth:`GANSampler.sample` does,
counts the level drawn in every block (categories, and the modes and bins of
numeric columns) and adds ``log(training frequency / sampled frequency)`` to the
block's logits at sampling time; a few rounds, since the blocks of one row
are drawn from one generator output and move together. Training is not
touched: the bias applies when levels are drawn (:func:`sample_blocks`),
the way a logit adjustment does.

On Adult (one fitted model, same seed) it took skgen's quality from 0.9672
to 0.9738 (column shapes 0.978 -> 0.984, pair trends 0.957 -> 0.964) with
detection 0.827 -> 0.838.
"""

import numpy as np
import torch

from ._columns import _MISSING
from ._conditions import unconditional_rows

# Ten draws per training row keep the calibration's own sampling noise a third of the noise in the
# training frequencies it aims at; 60,000 rows took 3.5 s of a 45 s fit on ames (2,344 rows, 74 columns).
MIN_CALIBRATION_ROWS, MAX_CALIBRATION_ROWS = 20_000, 60_000
DRAWS_PER_ROW = 10
CALIBRATION_ROUNDS = 3
_SMOOTHING = 1e-4  # keeps a level never drawn (or never seen) at a finite bias


def block_frequencies(encoded, blocks):
    """Each softmax block's level frequencies in one-hot encoded rows.

    Parameters
    ----------
    encoded : ndarray of shape (n_rows, width)
    blocks : list of (start, width)

    Returns
    -------
    list of float64 ndarray
    """
    return [np.asarray(encoded[:, start : start + width], dtype=np.float64).mean(0) for start, width in blocks]


def with_exact_missing_rates(frequencies, blocks, codecs):
    """``frequencies`` (per block) with each column's missing level at its ``missing_rate``.

    A streamed fit counts missing values on every row but fits the rest on a
    sample: the calibration then brings the missing share to the exact
    rate, the other levels keeping their sampled proportions. In memory the
    two agree and nothing changes.
    """
    block_of = {start: b for b, (start, _) in enumerate(blocks)}
    out = [np.array(f, dtype=np.float64) for f in frequencies]
    for codec in codecs:
        segment = codec.discrete_segment
        if segment is None or not codec.has_missing or segment.start not in block_of:
            continue
        block = out[block_of[segment.start]]
        position = codec.levels.index(_MISSING) if codec.levels is not None else segment.width - 1
        present = 1.0 - block[position]
        if abs(block[position] - codec.missing_rate) < 1e-12 or present <= 0:
            continue
        block *= (1.0 - codec.missing_rate) / present
        block[position] = codec.missing_rate
    return out


def calibration_rows(n_rows):
    """Rows each calibration round draws for a table of ``n_rows`` rows."""
    return int(min(MAX_CALIBRATION_ROWS, max(MIN_CALIBRATION_ROWS, DRAWS_PER_ROW * n_rows)))


def calibrated_bias(net, width, target, draw_rows, seed, n_draws=MAX_CALIBRATION_ROWS):
    """The per-column logit bias (zero outside the blocks) that brings the
    sampled level frequencies of ``net`` to ``target``; set as
    ``net.level_bias`` as it is found (each round samples with the bias so far).

    Parameters
    ----------
    net : TabularGANNet
    width : int
        Width of the generator's output (the encoded rows).
    target : list of ndarray
        Training frequencies per block (:func:`block_frequencies`).
    draw_rows : callable
        ``draw_rows(n, seed)``: the condition rows ``sample`` would give
        ``net.generate`` for ``n`` unconditional rows (or None).
    seed : int
    n_draws : int, default=MAX_CALIBRATION_ROWS
        Rows drawn in each round.

    Returns
    -------
    Tensor of shape (width,)
    """
    bias = torch.zeros(width, device=net.device)
    net.level_bias = bias
    for round_ in range(CALIBRATION_ROUNDS):
        round_seed = seed + round_
        generator = torch.Generator(device=net.device).manual_seed(round_seed)
        _, choices = net.generate(n_draws, draw_rows(n_draws, round_seed), generator=generator)
        for b, ((start, w), wanted) in enumerate(zip(net.blocks, target)):
            drawn = np.bincount(choices[:, b], minlength=w) / len(choices)
            step = np.log((wanted + _SMOOTHING) / (drawn + _SMOOTHING))
            bias[start : start + w] += torch.as_tensor(step, dtype=bias.dtype, device=bias.device)
    return bias


def calibrate_levels(net, data):
    """Set ``net.level_bias`` after a fit, from the fit's ``data`` (its codec, condition space,
    latent classes, training level frequencies and calibration seed)."""
    space, latent = data.space, data.latent
    calibrated_bias(
        net, data.codec.n_encoded_, data.level_frequencies,
        lambda n, seed: unconditional_rows(space, latent, n, seed, net.device), data.calibration_seed,
        calibration_rows(data.n_rows),
    )

"""A latent-class model of a table's discrete codes, which the tabular GAN is conditioned on.

The textbook latent-class model: a mixture of ``K`` products of per-column
categorical distributions over the level each row has in each discrete
column (numeric columns through their mode blocks: point masses, quantile
bins, missing), fitted by EM. Within a class the columns are independent;
across classes the mixture carries the near-deterministic relations between
columns (``education`` and ``education-num``, ``relationship`` and ``sex``)
that a GAN drawing each softmax block on its own breaks. The GAN is given
each training row's class as a second condition, always on, so it learns
what the mixture cannot (the values inside a class and the relations
left); sampling draws a class first.
"""

import numpy as np
import torch

# EM on at most this many rows (a seeded subsample); every row then gets its class from one E-step.
MAX_EM_ROWS = 50_000
EM_ITERATIONS = 100
# Dirichlet pseudo-count per level and class (keeps unseen levels possible, avoids log 0).
SMOOTHING = 0.05
WEIGHT_SMOOTHING = 1e-3  # pseudo-count per class in the mixture weights
# Counts of a level in a class below this are read as none: float32 rounding of the smoothed probabilities.
OBSERVED_COUNT = 1e-4
DRAW_ROWS = 65_536  # rows whose classes are drawn at a time


class LatentClasses:
    """Mixture weights and per-class level probabilities over global condition indices.

    Parameters
    ----------
    weights : array-like of shape (n_classes,)
        Class probabilities.
    level_probs : array-like of shape (n_classes, n_conditions)
        For each class, the probability of each level of each column, the
        columns laid end to end in condition order (each column's part sums
        to 1).
    n_levels : sequence of int
        Levels per column.
    n_rows : int or None
        The rows EM was fitted on, from which the counts of each level in
        each class are read back (:meth:`draw_classes_inside`); None for a
        model saved before.
    """

    def __init__(self, weights, level_probs, n_levels, n_rows=None):
        self.weights = torch.as_tensor(np.asarray(weights, dtype=np.float32))
        self.level_probs = torch.as_tensor(np.asarray(level_probs, dtype=np.float32))
        self.n_levels = [int(k) for k in n_levels]
        self.n_rows = None if n_rows is None else int(n_rows)

    @property
    def n_classes(self):
        return len(self.weights)

    @classmethod
    def fit(cls, codes, n_levels, n_classes, generator):
        """Fit the mixture by EM on ``codes`` and draw each row's class.

        Parameters
        ----------
        codes : LongTensor of shape (n_rows, n_columns)
            Level of each row in each column.
        n_levels : sequence of int
        n_classes : int
        generator : torch.Generator (CPU)
            Seeds the initial classes, the EM subsample and the classes drawn.

        Returns
        -------
        model : LatentClasses
        classes : LongTensor of shape (n_rows,)
            Each row's class, drawn from its posterior.
        """
        codes = codes.cpu()
        offsets = torch.tensor([0] + list(np.cumsum(n_levels)[:-1]), dtype=torch.long)
        global_codes = codes + offsets
        n_rows = len(codes)
        em_rows = global_codes
        if n_rows > MAX_EM_ROWS:
            em_rows = global_codes[torch.randperm(n_rows, generator=generator)[:MAX_EM_ROWS]]
        n_classes = min(int(n_classes), len(em_rows))
        n_conditions = int(sum(n_levels))
        column_of = torch.repeat_interleave(torch.arange(len(n_levels)), torch.tensor(n_levels))
        # Start: each class centred on a random row (half its mass on that row's levels).
        marginal = torch.bincount(em_rows.reshape(-1), minlength=n_conditions).float() / len(em_rows)
        centres = em_rows[torch.randperm(len(em_rows), generator=generator)[:n_classes]]
        probs = 0.5 * marginal.expand(n_classes, -1).clone()
        probs.scatter_add_(1, centres, torch.full(centres.shape, 0.5))
        weights = torch.full((n_classes,), 1.0 / n_classes)
        for _ in range(EM_ITERATIONS):
            responsibility = _posterior(em_rows, weights, probs)
            counts = torch.zeros(n_conditions, n_classes)
            for j in range(em_rows.shape[1]):
                counts.index_add_(0, em_rows[:, j], responsibility)
            counts = counts.t() + SMOOTHING
            totals = torch.zeros(n_classes, len(n_levels)).index_add_(1, column_of, counts)
            probs = counts / totals[:, column_of]
            weights = (responsibility.sum(0) + WEIGHT_SMOOTHING) / (len(em_rows) + WEIGHT_SMOOTHING * n_classes)
        model = cls(weights.numpy(), probs.numpy(), n_levels, n_rows=len(em_rows))
        classes = model.draw_classes(global_codes, generator)
        return model, classes

    def draw_classes(self, global_indices, generator):
        """One class per row, drawn from its posterior given the levels ``global_indices`` (n, k).

        In chunks of ``DRAW_ROWS`` rows: the posteriors of a million rows
        and 100 classes, with their temporaries, took 2 GB at once."""
        return self._draw(global_indices.cpu(), self.level_probs, generator)[0]

    def _draw(self, global_indices, level_probs, generator, check_possible=False):
        """``(classes, possible)``: one class per row from the posterior under ``level_probs``, in
        chunks of ``DRAW_ROWS`` rows, and (with ``check_possible``, else None) whether any class could
        have the row's levels."""
        classes = torch.empty(len(global_indices), dtype=torch.long)
        possible = torch.ones(len(global_indices), dtype=torch.bool) if check_possible else None
        for start in range(0, len(global_indices), DRAW_ROWS):
            log_posterior = _log_posterior(global_indices[start : start + DRAW_ROWS], self.weights, level_probs)
            classes[start : start + DRAW_ROWS] = gumbel_argmax(log_posterior, generator)
            if check_possible:  # (the smoothed posterior always is)
                possible[start : start + DRAW_ROWS] = torch.isfinite(log_posterior.max(1).values)
        return classes, possible

    def draw_classes_inside(self, global_indices, generator):
        """One class per row, for rows whose levels a user asked for: drawn from the classes whose
        training rows have those levels, by how many of them do (the posterior without the smoothing's
        pseudo-counts).

        With the smoothing, every class keeps a little of each level: a level 8 of 26,000 training
        rows have (Adult's ``Armed-Forces``) got most of its posterior from classes where no row has
        it, and the rows generated under it looked like the table at large. Rows whose levels no class
        has together, and every row of a model saved without ``n_rows``, get :meth:`draw_classes`.
        """
        if getattr(self, "n_rows", None) is None:
            return self.draw_classes(global_indices, generator)
        global_indices = global_indices.cpu()
        classes, possible = self._draw(global_indices, self._observed_probs(), generator, check_possible=True)
        if not possible.all():
            classes[~possible] = self.draw_classes(global_indices[~possible], generator)
        return classes

    def _observed_probs(self):
        """Per class, each level's share of the class's training rows, without pseudo-counts (0 where
        no row of the class has it): the counts read back from the smoothed probabilities."""
        n_classes = self.n_classes
        rows = self.weights.double() * (self.n_rows + WEIGHT_SMOOTHING * n_classes) - WEIGHT_SMOOTHING
        column_of = torch.repeat_interleave(torch.arange(len(self.n_levels)), torch.tensor(self.n_levels))
        levels = torch.tensor(self.n_levels, dtype=torch.float64)[column_of]
        counts = self.level_probs.double() * (rows[:, None] + levels[None, :] * SMOOTHING) - SMOOTHING
        counts[counts < OBSERVED_COUNT] = 0.0
        return (counts / rows.clamp(min=OBSERVED_COUNT)[:, None]).float()

    def sample_classes(self, n, generator):
        """``n`` classes drawn from the mixture weights."""
        return torch.multinomial(self.weights, n, replacement=True, generator=generator)

    def condition_probs(self, column_weights=None):
        """Per class, the probability of each global condition (a column
        drawn by ``column_weights``, then its level from the class), shape (n_classes, n_conditions)."""
        columns = torch.ones(len(self.n_levels))
        if column_weights is not None:
            columns = torch.as_tensor(np.asarray(column_weights, dtype=np.float32))
        columns = columns / columns.sum()
        column_of = torch.repeat_interleave(torch.arange(len(self.n_levels)), torch.tensor(self.n_levels))
        return self.level_probs * columns[column_of]

    def sample_conditions(self, n, column_weights, generator):
        """``n`` rows' (n, 2) condition indices for unconditioned sampling: a class drawn from the
        mixture, then a condition drawn from the class (as training pairs a condition with the class
        of a real row that has it)."""
        classes = self.sample_classes(n, generator)
        probs = self.condition_probs(column_weights)
        conditions = torch.empty(n, dtype=torch.long)
        # Class by class: one multinomial per class is much cheaper than a draw over every condition per row.
        order = torch.argsort(classes, stable=True)
        start = 0
        for k, count in enumerate(torch.bincount(classes, minlength=self.n_classes).tolist()):
            if count:
                conditions[order[start : start + count]] = torch.multinomial(
                    probs[k], count, replacement=True, generator=generator
                )
                start += count
        return self.with_classes(conditions, classes)

    def with_classes(self, conditions, classes):
        """(n, 2) condition indices: each row's condition, then its class's position after the conditions."""
        return torch.stack([conditions, self.level_probs.shape[1] + classes.to(conditions.device)], dim=1)

    def block_logits(self, discrete, width):
        """Per class, its level log-probabilities at the columns of the blocks of the ``discrete``
        column codecs (0 elsewhere): shape (n_classes, width), added to the generator's output."""
        columns = torch.cat([torch.arange(c.discrete_segment.width) + c.discrete_segment.start for c in discrete])
        logits = torch.zeros(self.n_classes, width)
        logits[:, columns] = self.level_probs.log()
        return logits

    def get_state(self):
        return {"weights": self.weights.tolist(), "level_probs": self.level_probs.tolist(), "n_levels": self.n_levels,
                "n_rows": getattr(self, "n_rows", None)}

    @classmethod
    def from_state(cls, state):
        return cls(state["weights"], state["level_probs"], state["n_levels"], state.get("n_rows"))


def cpu_generator(seed):
    """A CPU torch generator for the latent-class draws (the same rows on every device)."""
    return torch.Generator().manual_seed(int(seed))


def gumbel_argmax(log_probs, generator):
    """One draw per row from the categorical distributions ``softmax(log_probs)``."""
    uniform = torch.rand(log_probs.shape, generator=generator).clamp_(1e-10, 1.0 - 1e-7)
    return (log_probs - torch.log(-torch.log(uniform))).argmax(1)


def _log_posterior(global_codes, weights, probs):
    log_probs = probs.log().t().contiguous()  # (n_conditions, n_classes)
    # One fused gather-and-sum over the row's levels (a gather per column took twice as long).
    return torch.nn.functional.embedding_bag(global_codes, log_probs, mode="sum") + weights.log()


def _posterior(global_codes, weights, probs):
    return torch.softmax(_log_posterior(global_codes, weights, probs), dim=1)

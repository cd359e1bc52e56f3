"""Does the synthetic data copy real rows? Exact copies, near copies, distances, membership."""

import numpy as np
import pandas as pd

from .._core._threads import limited_threads
from ._frames import as_labels, as_matching_frames, check_threads, column_kind, row_keys, subsample, to_float

NEIGHBOURHOOD = 10  # near copies: nearest distance over the distance to the 10th nearest training row


def distance_features(frames, reference):
    """Numeric columns min-max scaled on ``reference`` (missing -> an indicator),
    categorical columns one-hot; one float32 matrix per frame."""
    blocks = [[] for _ in frames]
    for column in reference.columns:
        if column_kind(reference[column]) != "categorical":
            ref = to_float(reference[column])
            low, high = np.nanmin(ref), np.nanmax(ref)
            span = high - low if high > low else 1.0
            for out, frame in zip(blocks, frames):
                x = to_float(frame[column])
                out.append(np.nan_to_num((x - low) / span, nan=0.0)[:, None])
                if np.isnan(ref).any():
                    out.append(np.isnan(x)[:, None].astype(float))
        else:
            levels = pd.Index(pd.unique(as_labels(reference[column])))
            for out, frame in zip(blocks, frames):
                codes = levels.get_indexer(as_labels(frame[column]))
                onehot = np.zeros((len(frame), len(levels)), dtype=np.float32)
                rows = codes >= 0
                onehot[np.flatnonzero(rows), codes[rows]] = 1.0
                out.append(onehot)
    return [np.hstack(b).astype(np.float32) for b in blocks]


def _nearest_and_ratio(nn, X, k):
    """Distance to the nearest training row, and its ratio to the distance to
    the ``k``-th nearest (how much one row stands out from its neighbourhood)."""
    distances = nn.kneighbors(X, n_neighbors=k)[0]
    first, last = distances[:, 0], distances[:, -1]
    ratio = np.divide(first, last, out=np.zeros_like(first), where=last > 0)
    return first, ratio


def dcr_score(train, synthetic, holdout=None, *, max_rows=5000, random_state=0, n_threads=None):
    """Distance to closest record: does the synthetic data copy training rows?

    Exact copies are counted by hashing each row's values (numbers compared
    as float64, missing values equal to each other), on every row: no float
    distance can blur them. Distances are Euclidean over numeric columns
    min-max scaled on ``train`` (missing values get an indicator) and
    one-hot categorical columns. Real ``holdout`` rows (not used to fit the
    generator) show what "close" means for genuinely new rows.

    A *near copy* is a row much closer to one training row than to the rest
    of its neighbourhood: the ratio of its distance to the nearest training
    row to its distance to the 10th nearest is below what 95% of holdout
    rows show. New real rows give about 5%; copies with a little noise give
    close to 100%; a cloud of rows piled at the centre of the data, closer
    to the training rows than new rows are but copying none of them, is not
    flagged wholesale (a small distance alone would flag all of it).

    Parameters
    ----------
    train : DataFrame
        The rows the generator was fitted on.
    synthetic : DataFrame
    holdout : DataFrame or None, default=None
        Real rows the generator never saw; without them only the
        ``synthetic_*`` figures are returned.
    max_rows : int, default=5000
        Synthetic and holdout rows are subsampled to this many for the
        distances (exact copies use every row).
    random_state : int, default=0
    n_threads : int or None, default=None
        Threads for the neighbour search: None follows the machine's load
        (all usable cores on a quiet machine, fewer when other processes
        keep cores busy); -1 uses every usable core. The scores do not
        depend on it.

    Returns
    -------
    scores : dict
        ``synthetic_median_dcr`` and ``holdout_median_dcr`` (higher means
        farther from training rows), ``synthetic_exact_copies`` and
        ``holdout_exact_copies`` (shares of rows equal to a training row)
        and ``near_copies`` (the share of synthetic rows that are near
        copies, about 0.05 for rows as new as real ones).
    """
    distances = closest_record_distances(train, synthetic, holdout, max_rows=max_rows, random_state=random_state,
                                         n_threads=n_threads)
    return summarise_distances(distances)


def summarise_distances(distances):
    """:func:`dcr_score`'s figures from :func:`closest_record_distances`' output."""
    scores = {
        "synthetic_median_dcr": float(np.median(distances["synthetic"])),
        "synthetic_exact_copies": distances["synthetic_exact_copies"],
    }
    if "holdout" not in distances:
        return scores
    ratio_syn, ratio_hold = distances["synthetic_ratio"], distances["holdout_ratio"]
    threshold = np.quantile(ratio_hold, 0.05)
    near = ratio_syn < threshold if threshold > 0 else ratio_syn <= 0
    return {
        "synthetic_median_dcr": scores["synthetic_median_dcr"],
        "holdout_median_dcr": float(np.median(distances["holdout"])),
        "synthetic_exact_copies": scores["synthetic_exact_copies"],
        "holdout_exact_copies": distances["holdout_exact_copies"],
        "near_copies": float(np.mean(near)),
    }


class DistanceIndex:
    """The training rows' distance features and nearest-neighbour index,
    built once and queried for as many tables as needed (the report asks for
    the synthetic rows, the baseline and the holdout).

    Parameters
    ----------
    train : DataFrame
        Already checked (see :func:`as_matching_frames`); at least 2 rows.
    n_threads : int or None, default=None
        Threads for the neighbour queries (see :func:`dcr_score`).
    """

    def __init__(self, train, n_threads=None):
        from sklearn.neighbors import NearestNeighbors

        if len(train) < 2:
            raise ValueError("Distances to the closest record need at least 2 training rows.")
        self.train = train
        self.n_threads = n_threads
        self.kinds = {c: column_kind(train[c]) for c in train.columns}
        self._known = set(row_keys(train, self.kinds).tolist())
        self._features = distance_features([train], train)[0]
        self.k = min(NEIGHBOURHOOD, len(train))
        self._nn = NearestNeighbors(n_neighbors=self.k).fit(self._features)

    def exact_copy_share(self, candidates):
        """Share of ``candidates`` rows equal, value for value, to some training row."""
        keys = row_keys(candidates[list(self.train.columns)], self.kinds)
        return float(np.mean([k in self._known for k in keys.tolist()])) if len(keys) else 0.0

    def nearest(self, frame):
        """Per row of ``frame``: the distance to the closest training row and
        its ratio to the distance to the ``NEIGHBOURHOOD``-th nearest."""
        X = distance_features([frame], self.train)[0]
        with limited_threads(self.n_threads):
            return _nearest_and_ratio(self._nn, X, self.k)


def closest_record_distances(train, synthetic, holdout=None, *, max_rows=5000, random_state=0, n_threads=None):
    """What :func:`dcr_score` summarises: per (subsampled) synthetic and
    holdout row, the distance to its closest training row (``"synthetic"``,
    ``"holdout"``) and its nearest / 10th-nearest distance ratio
    (``"*_ratio"``, see ``NEIGHBOURHOOD``), and the exact-copy shares
    (``"*_exact_copies"``)."""
    rng = np.random.RandomState(random_state)
    train, synthetic = as_matching_frames(train, synthetic, names=("train", "synthetic"))
    if holdout is not None:
        holdout = as_matching_frames(train, holdout, names=("train", "holdout"))[1]
    check_threads(n_threads)
    index = DistanceIndex(train, n_threads)
    out = {"synthetic_exact_copies": index.exact_copy_share(synthetic)}
    if holdout is not None:
        out["holdout_exact_copies"] = index.exact_copy_share(holdout)
    out["synthetic"], out["synthetic_ratio"] = index.nearest(subsample(synthetic, max_rows, rng))
    if holdout is not None:
        out["holdout"], out["holdout_ratio"] = index.nearest(subsample(holdout, max_rows, rng))
    return out


def membership_inference_auc(train, holdout, synthetic, *, max_rows=5000, random_state=0, n_threads=None):
    """ROC-AUC of a distance-based membership-inference attack.

    The attacker holds the synthetic rows and a candidate real row and
    guesses "the row was in the training data" when the row has a close
    synthetic neighbour. Scoring each real row by minus its distance to the
    closest synthetic row, the AUC separates training rows (members) from
    real holdout rows (non-members): 0.5 means the synthetic data tell the
    attacker nothing about membership; values near 1 mean they leak it.
    Distances as in :func:`dcr_score`.

    Parameters
    ----------
    train : DataFrame
        Rows the generator was fitted on.
    holdout : DataFrame
        Real rows it never saw.
    synthetic : DataFrame
    max_rows : int, default=5000
        Each table is subsampled to this many rows.
    random_state : int, default=0
    n_threads : int or None, default=None
        As in :func:`dcr_score`.

    Returns
    -------
    auc : float
    """
    from sklearn.metrics import roc_auc_score
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.RandomState(random_state)
    train, synthetic = as_matching_frames(train, synthetic, names=("train", "synthetic"))
    holdout = as_matching_frames(train, holdout, names=("train", "holdout"))[1]
    check_threads(n_threads)
    train, holdout, synthetic = (subsample(f, max_rows, rng) for f in (train, holdout, synthetic))
    X_train, X_hold, X_syn = distance_features([train, holdout, synthetic], train)
    nearest = NearestNeighbors(n_neighbors=1).fit(X_syn)
    with limited_threads(n_threads):
        scores = -np.concatenate([nearest.kneighbors(X_train)[0].ravel(), nearest.kneighbors(X_hold)[0].ravel()])
    members = np.r_[np.ones(len(X_train)), np.zeros(len(X_hold))]
    return float(roc_auc_score(members, scores))

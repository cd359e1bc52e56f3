"""One evaluation of a synthetic table, every figure next to its yardsticks."""

import sys
import time

import numpy as np
import pandas as pd

from ._baselines import independent_columns_bootstrap
from ._detection import detection_score
from ._fidelity import column_pairs_score, column_shapes_score
from ._frames import as_matching_frames, check_threads, column_kind, numeric_values, subsample
from ._keys import key_columns, key_line, key_table
from ._privacy import DistanceIndex, summarise_distances
from ._utility import tstr_score
from ._verdict import BASELINE, HOLDOUT, SYNTHETIC, verdict

MAX_DISTANCE_ROWS = 5000  # as dcr_score's max_rows


class SyntheticDataReport:
    """Scores of a synthetic table with their baselines; :meth:`to_html` draws them.

    Built by :func:`report`. Each score is shown for the synthetic rows, for
    an independent-columns bootstrap of the real rows (every marginal kept,
    no relation: what learning nothing beyond the marginals reaches) and,
    when a holdout is given, for the real holdout rows themselves (what new
    real rows reach).

    Attributes
    ----------
    scores : DataFrame
        One row per score (the table's rows, quality, column shapes, column
        pairs, detection, the utility scores, the privacy figures), one
        column per table. Scores of small tables are noisy: compare tables
        of similar sizes (the baseline has as many rows as the synthetic
        table).
    columns : DataFrame
        Per column: kind, shape score (synthetic and baseline), missing
        rates, ranges; worst shape first.
    detection_columns : Series
        How much the detector's AUC drops when each column is shuffled: the
        columns that give the synthetic rows away first.
    verdict : list of str
        Plain-language reading of the scores: one sentence on the
        relations between columns weighing column pairs, detection and
        utility against the baseline, then quality, detection, copies and
        keys.
    keys : DataFrame
        Per key column (left out of every other score): the synthetic
        values, how many are distinct and the share that are real values.
    real, synthetic, holdout, baseline : DataFrame
        The tables as scored, without their key columns.
    """

    def __init__(self, real, synthetic, holdout, target, scores, columns, detection_columns, distances, verdict,
                 baseline, keys=None):
        self.real = real
        self.synthetic = synthetic
        self.holdout = holdout
        self.target = target
        self.scores = scores
        self.columns = columns
        self.detection_columns = detection_columns
        self.distances = distances
        self.verdict = verdict
        self.baseline = baseline
        self.keys = keys if keys is not None else pd.DataFrame(columns=["synthetic values", "distinct",
                                                                        "real values copied"])

    def summary_lines(self):
        """The scores as aligned text lines (what ``skgen evaluate`` prints)."""
        table = self.scores.copy()
        names = list(table.columns)
        width = max(len(str(i)) for i in table.index) + 2
        lines = [" " * width + "".join(f"{n:>22}" for n in names)]
        for metric, row in table.iterrows():
            cells = "".join(f"{_format(metric, row[n]):>22}" for n in names)
            lines.append(f"{metric:<{width}}{cells}")
        return lines + [f"verdict: {line}" for line in self.verdict]

    def to_html(self, path=None):
        """The report as one self-contained HTML page (inline images, no network).

        Parameters
        ----------
        path : str or path-like or None, default=None
            Also write the page there.

        Returns
        -------
        html : str
        """
        from ._report_html import render

        page = render(self)
        if path is not None:
            with open(path, "w", encoding="utf-8") as f:
                f.write(page)
        return page

    def _repr_html_(self):
        return self.to_html()


def _format(metric, value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "-"
    if metric == "rows":
        return f"{int(value):,}"
    if "copies" in metric:
        return f"{100 * value:.2f}%"
    return f"{value:.3f}"


def _range_text(series):
    if column_kind(series) == "categorical":
        return f"{series.nunique()} levels"
    values = numeric_values(series)
    if not len(values):
        return "-"
    if column_kind(series) == "datetime":
        low, high = (pd.Timestamp(int(v)) for v in (values.min(), values.max()))
        return f"{low:%Y-%m-%d} .. {high:%Y-%m-%d}"
    return f"{values.min():.4g} .. {values.max():.4g}"


def _column_table(real, synthetic, shapes, baseline_shapes):
    table = pd.DataFrame({
        "kind": [column_kind(real[c]) for c in real.columns],
        "shape (synthetic)": shapes.to_numpy(),
        "shape (baseline)": baseline_shapes.to_numpy(),
        "missing real": real.isna().mean().to_numpy(),
        "missing synthetic": synthetic.isna().mean().to_numpy(),
        "range real": [_range_text(real[c]) for c in real.columns],
        "range synthetic": [_range_text(synthetic[c]) for c in real.columns],
    }, index=pd.Index(real.columns, name="column"))
    return table.sort_values("shape (synthetic)", kind="stable")


def _attempt(notes, label, function, *args, **kwargs):
    """``function(...)``, or None with a note saying why the score is missing
    (a table too small to cross-validate, a holdout with one class...)."""
    try:
        return function(*args, **kwargs)
    except ValueError as exc:
        notes.append(f"No {label} score: {exc}")
        return None


class _Steps:
    """Runs the report's steps and tells on stderr how they go: with
    ``verbose=1`` each table's start and each step that took a second or
    more; with ``verbose=2`` also each step's start."""

    def __init__(self, verbose):
        self.verbose = verbose

    def announce(self, text):
        if self.verbose:
            print(f"skgen: {text}...", file=sys.stderr, flush=True)

    def run(self, label, function, *args, **kwargs):
        start = time.perf_counter()
        if self.verbose >= 2:
            print(f"skgen: {label}...", file=sys.stderr, flush=True)
        result = function(*args, **kwargs)
        elapsed = time.perf_counter() - start
        if self.verbose and elapsed >= 1:
            print(f"skgen: {label}: {elapsed:.1f} s", file=sys.stderr, flush=True)
        return result


def _scored_tables(real, synthetic, holdout, keys, random_state):
    """The tables without their key columns, and the baseline drawn from them."""
    def drop(frame):
        return None if frame is None else frame.drop(columns=keys)

    real, synthetic, holdout = drop(real), drop(synthetic), drop(holdout)
    baseline = independent_columns_bootstrap(real, len(synthetic), random_state=random_state)
    tables = {SYNTHETIC: synthetic, BASELINE: baseline}
    if holdout is not None:
        tables[HOLDOUT] = holdout
    return real, holdout, tables


def report(real, synthetic, *, holdout=None, target=None, path=None, random_state=0, keys="auto", n_threads=None,
           verbose=0):
    """Evaluate a synthetic table against the real one, with baselines, and draw it.

    Parameters
    ----------
    real : DataFrame
        The rows the generator was fitted on.
    synthetic : DataFrame
    holdout : DataFrame or None, default=None
        Real rows the generator never saw. With them, fidelity reference
        figures, detection, utility and privacy are measured against rows
        that could not be copied, and the holdout's own scores are shown.
    target : str or None, default=None
        A column to predict: adds train-on-synthetic, test-on-real utility
        (and train-on-real with a holdout).
    path : str or path-like or None, default=None
        Also write the HTML page there.
    random_state : int, default=0
    keys : "auto", list of str or None, default="auto"
        Key columns (ids, names): left out of shapes, pairs, detection,
        utility and distances, and reported on their own (are the synthetic
        values new and distinct?). ``"auto"`` takes every text or
        categorical column with a distinct value on every real row (what
        GANSampler replaces by ``syn-N`` values); None scores every column.
    n_threads : int or None, default=None
        Threads for the detector, the utility models and the neighbour
        search, as in :func:`detection_score` and :func:`dcr_score` (None:
        never more than the machine's load leaves free); -1 uses every
        usable core. The scores do not depend on it.
    verbose : int, default=0
        1 tells on stderr when each table's scoring starts and how long
        each step of a second or more took; 2 also announces every step.

    Returns
    -------
    report : SyntheticDataReport
    """
    real, synthetic = as_matching_frames(real, synthetic, names=("real", "synthetic"))
    if holdout is not None:
        holdout = as_matching_frames(real, holdout, names=("real", "holdout"))[1]
    if target is not None and target not in real.columns:
        raise ValueError(f"target column {target!r} is not in the real data.")
    check_threads(n_threads)
    key_names = key_columns(real, keys)
    if target in key_names:
        raise ValueError(f"target column {target!r} is a key (a distinct value on every row); nothing to predict.")
    keys_table = key_table(real, synthetic, holdout, key_names)
    real, holdout, tables = _scored_tables(real, synthetic, holdout, key_names, random_state)
    steps = _Steps(verbose)
    rows, notes, detection_columns, shape_details, distances = _scores(
        real, holdout, tables, target, random_state, n_threads, steps)
    scores = pd.DataFrame(rows)
    copies = (distances["synthetic_exact_copies"], distances.get("holdout_exact_copies"))
    lines = verdict(scores, holdout is not None, detection_columns, copies, len(real), key_line(keys_table)) + notes
    result = SyntheticDataReport(
        real, tables[SYNTHETIC], holdout, target, scores,
        _column_table(real, tables[SYNTHETIC], shape_details[SYNTHETIC], shape_details[BASELINE]), detection_columns,
        distances, lines, tables[BASELINE], keys_table,
    )
    if path is not None:
        steps.run("drawing the page", result.to_html, path)
    return result


def _table_distances(index, holdout_distances, table, rng):
    """:func:`closest_record_distances`' output for ``table``, the holdout's part computed once before."""
    out = dict(holdout_distances)
    out["synthetic_exact_copies"] = index.exact_copy_share(table)
    out["synthetic"], out["synthetic_ratio"] = index.nearest(subsample(table, MAX_DISTANCE_ROWS, rng))
    return out


def _scores(real, holdout, tables, target, random_state, n_threads, steps):
    """Every score of every table (see :func:`report`)."""
    reference = holdout if holdout is not None else real
    rows, notes, shape_details = {}, [], {}
    detection_columns = pd.Series(dtype=float)
    index = steps.run("indexing the training rows for distances", DistanceIndex, real, n_threads)
    rng = np.random.RandomState(random_state)
    distances = {}
    if holdout is not None:
        distances["holdout_exact_copies"] = index.exact_copy_share(holdout)
        distances["holdout"], distances["holdout_ratio"] = index.nearest(subsample(holdout, MAX_DISTANCE_ROWS, rng))
    for name, table in tables.items():
        steps.announce("scoring the independent-columns baseline" if name == BASELINE else f"scoring the {name} rows")
        shapes, shape_details[name] = column_shapes_score(real, table, return_details=True)
        pairs = steps.run(f"scoring column pairs ({name})", column_pairs_score, real, table,
                          random_state=random_state)
        column = {"rows": len(table), "quality": 0.5 * (shapes + pairs), "column shapes": shapes,
                  "column pairs": pairs}
        # Detection and utility against rows the table was not made from.
        against = real if name == HOLDOUT else reference
        detection = steps.run(f"scoring detection ({name})", _attempt, notes, f"detection ({name})", detection_score,
                              against, table, random_state=random_state, return_details=name == SYNTHETIC,
                              n_threads=n_threads)
        if name == SYNTHETIC and detection is not None:
            detection, detection_columns = detection
        column["detection"] = np.nan if detection is None else detection
        if target is not None:
            train_rows, test_rows = (table, reference) if name != HOLDOUT else (real, holdout)
            utility = steps.run(f"scoring utility ({name})", _attempt, notes, f"utility ({name})", tstr_score,
                                train_rows, test_rows, target, random_state=random_state, n_threads=n_threads) or {}
            column.update({f"utility {k}": v for k, v in utility.items() if k not in ("task", "dropped_rows")})
        if name != HOLDOUT:
            table_distances = steps.run(f"scoring distances ({name})", _table_distances, index, distances, table,
                                        rng)
            privacy = summarise_distances(table_distances)
            column["exact copies"] = privacy["synthetic_exact_copies"]
            column["median DCR"] = privacy["synthetic_median_dcr"]
            if "near_copies" in privacy:
                column["near copies"] = privacy["near_copies"]
            if name == SYNTHETIC:
                synthetic_distances = table_distances
        rows[name] = column
    if holdout is not None:
        rows[HOLDOUT].update({
            "exact copies": synthetic_distances["holdout_exact_copies"],
            "median DCR": float(np.median(synthetic_distances["holdout"])),
            "near copies": 0.05,
        })
    return rows, notes, detection_columns, shape_details, synthetic_distances

"""One evaluation of a synthetic table, every figure next to its yardsticks."""

import numpy as np
import pandas as pd

from ._baselines import independent_columns_bootstrap
from ._detection import detection_score
from ._fidelity import column_pairs_score, column_shapes_score
from ._frames import as_matching_frames, column_kind, numeric_values
from ._privacy import closest_record_distances, summarise_distances
from ._utility import tstr_score

SYNTHETIC, BASELINE, HOLDOUT = "synthetic", "independent columns", "real holdout"


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
        Plain-language reading of the scores.
    """

    def __init__(self, real, synthetic, holdout, target, scores, columns, detection_columns, distances, verdict,
                 baseline):
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


def _verdict(scores, has_holdout, detection_columns, copies):
    lines = []
    quality = scores.loc["quality"]
    if quality[SYNTHETIC] <= quality[BASELINE] + 0.005:
        lines.append(
            f"Quality {quality[SYNTHETIC]:.3f} is no better than shuffling each real column on its own "
            f"({quality[BASELINE]:.3f}): the relations between columns are not learned."
        )
    else:
        lines.append(
            f"Quality {quality[SYNTHETIC]:.3f} is above the no-relations baseline ({quality[BASELINE]:.3f})"
            + (f"; new real rows reach {quality[HOLDOUT]:.3f}." if has_holdout else ".")
        )
    detection = scores.loc["detection"][SYNTHETIC]
    against = "real rows it never saw" if has_holdout else "the real rows"
    if np.isnan(detection):
        pass
    elif detection >= 0.8:
        lines.append(f"A classifier can hardly tell the synthetic rows from {against} (detection {detection:.2f}).")
    else:
        worst = ", ".join(map(str, detection_columns.index[:3]))
        level = "sometimes" if detection >= 0.5 else "easily"
        lines.append(
            f"A classifier tells the synthetic rows from {against} {level} (detection {detection:.2f}; 1 is "
            f"indistinguishable); the columns that give them away most: {worst}."
        )
    synthetic_copies, holdout_copies = copies
    if synthetic_copies > (holdout_copies if holdout_copies is not None else 0.0) + 0.01:
        reference = f" (real new rows: {100 * holdout_copies:.2f}%)" if holdout_copies is not None else ""
        lines.append(f"Warning: {100 * synthetic_copies:.2f}% of the synthetic rows are copies of training rows"
                     f"{reference}.")
    return lines


def _attempt(notes, label, function, *args, **kwargs):
    """``function(...)``, or None with a note saying why the score is missing
    (a table too small to cross-validate, a holdout with one class...)."""
    try:
        return function(*args, **kwargs)
    except ValueError as exc:
        notes.append(f"No {label} score: {exc}")
        return None


def report(real, synthetic, *, holdout=None, target=None, path=None, random_state=0):
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

    Returns
    -------
    report : SyntheticDataReport
    """
    real, synthetic = as_matching_frames(real, synthetic, names=("real", "synthetic"))
    if holdout is not None:
        holdout = as_matching_frames(real, holdout, names=("real", "holdout"))[1]
    if target is not None and target not in real.columns:
        raise ValueError(f"target column {target!r} is not in the real data.")
    baseline = independent_columns_bootstrap(real, len(synthetic), random_state=random_state)
    tables = {SYNTHETIC: synthetic, BASELINE: baseline}
    if holdout is not None:
        tables[HOLDOUT] = holdout
    reference = holdout if holdout is not None else real
    rows = {}
    notes = []
    detection_columns = pd.Series(dtype=float)
    shape_details = {}
    for name, table in tables.items():
        shapes, shape_details[name] = column_shapes_score(real, table, return_details=True)
        pairs = column_pairs_score(real, table, random_state=random_state)
        column = {"rows": len(table), "quality": 0.5 * (shapes + pairs), "column shapes": shapes,
                  "column pairs": pairs}
        # Detection and utility against rows the table was not made from.
        against = real if name == HOLDOUT else reference
        detection = _attempt(notes, f"detection ({name})", detection_score, against, table,
                             random_state=random_state, return_details=name == SYNTHETIC)
        if name == SYNTHETIC and detection is not None:
            detection, detection_columns = detection
        column["detection"] = np.nan if detection is None else detection
        if target is not None:
            train_rows, test_rows = (table, reference) if name != HOLDOUT else (real, holdout)
            utility = _attempt(notes, f"utility ({name})", tstr_score, train_rows, test_rows, target,
                               random_state=random_state) or {}
            column.update({f"utility {k}": v for k, v in utility.items() if k not in ("task", "dropped_rows")})
        if name != HOLDOUT:
            table_distances = closest_record_distances(real, table, holdout, random_state=random_state)
            if name == SYNTHETIC:
                distances = table_distances
            privacy = summarise_distances(table_distances)
            column["exact copies"] = privacy["synthetic_exact_copies"]
            column["median DCR"] = privacy["synthetic_median_dcr"]
            if "near_copies" in privacy:
                column["near copies"] = privacy["near_copies"]
                holdout_privacy = privacy
        rows[name] = column
    if holdout is not None:
        rows[HOLDOUT].update({
            "exact copies": holdout_privacy["holdout_exact_copies"],
            "median DCR": holdout_privacy["holdout_median_dcr"],
            "near copies": 0.05,
        })
    scores = pd.DataFrame(rows)
    copies = (distances["synthetic_exact_copies"], distances.get("holdout_exact_copies"))
    verdict = _verdict(scores, holdout is not None, detection_columns, copies) + notes
    result = SyntheticDataReport(
        real, synthetic, holdout, target, scores,
        _column_table(real, synthetic, shape_details[SYNTHETIC], shape_details[BASELINE]), detection_columns,
        distances, verdict, baseline,
    )
    if path is not None:
        result.to_html(path)
    return result

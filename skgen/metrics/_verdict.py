"""The report's plain-language reading of its scores.

Every sentence is built from the figures it quotes, and a sentence about the
relations between columns weighs all the evidence there is (column pairs,
detection, utility, each against the independent-columns baseline), so the
verdict cannot say "not learned" while a score says the opposite.
"""

import numpy as np

SYNTHETIC, BASELINE, HOLDOUT = "synthetic", "independent columns", "real holdout"
# A score counts as better than the baseline's only by more than this much.
MARGINS = {"column pairs": 0.005, "detection": 0.02, "utility": 0.01}
# Below this many real rows every score is noise.
SMALL_TABLE_ROWS = 50


def _present(value):
    return value is not None and not (isinstance(value, float) and np.isnan(value))


def _utility_row(scores):
    """The utility score the relations are judged by: ROC-AUC, else R², else none."""
    for name in ("utility roc_auc", "utility r2"):
        if name in scores.index and _present(scores.loc[name, SYNTHETIC]) and _present(scores.loc[name, BASELINE]):
            return name
    return None


def relations_line(scores):
    """Are relations between columns learned? Judged on every score that has a baseline."""
    evidence = [("column pairs", "column pairs", MARGINS["column pairs"])]
    if _present(scores.loc["detection", SYNTHETIC]) and _present(scores.loc["detection", BASELINE]):
        evidence.append(("detection", "detection", MARGINS["detection"]))
    utility = _utility_row(scores)
    if utility is not None:
        label = {"utility roc_auc": "utility ROC-AUC", "utility r2": "utility R²"}[utility]
        evidence.append((label, utility, MARGINS["utility"]))
    better, worse = [], []
    for label, row, margin in evidence:
        ours, theirs = scores.loc[row, SYNTHETIC], scores.loc[row, BASELINE]
        (better if ours > theirs + margin else worse).append(f"{label} {ours:.3f} vs {theirs:.3f}")
    if not worse:
        return ("Relations between columns are learned: every score beats a table that shuffles each real column "
                f"on its own ({'; '.join(better)}).")
    if not better:
        return ("Relations between columns are not learned: no score beats a table that shuffles each real column "
                f"on its own ({'; '.join(worse)}).")
    return (f"Relations between columns are partly learned: better than shuffling each real column on its own on "
            f"{'; '.join(better)}, but not on {'; '.join(worse)}.")


def quality_line(scores, has_holdout):
    quality = scores.loc["quality"]
    reference = f"; new real rows reach {quality[HOLDOUT]:.3f}" if has_holdout else ""
    return (f"Quality {quality[SYNTHETIC]:.3f} (column shapes {scores.loc['column shapes', SYNTHETIC]:.3f}, column "
            f"pairs {scores.loc['column pairs', SYNTHETIC]:.3f}); the independent-columns baseline reaches "
            f"{quality[BASELINE]:.3f}{reference}.")


def detection_line(scores, has_holdout, detection_columns):
    detection = scores.loc["detection", SYNTHETIC]
    if not _present(detection):
        return None
    against = "real rows it never saw" if has_holdout else "the real rows"
    if detection >= 0.8:
        return f"A classifier can hardly tell the synthetic rows from {against} (detection {detection:.2f})."
    worst = ", ".join(map(str, detection_columns.index[:3]))
    level = "sometimes" if detection >= 0.5 else "easily"
    return (f"A classifier tells the synthetic rows from {against} {level} (detection {detection:.2f}; 1 is "
            f"indistinguishable); the columns that give them away most: {worst}.")


def copies_line(synthetic_copies, holdout_copies):
    if synthetic_copies > (holdout_copies if holdout_copies is not None else 0.0) + 0.01:
        reference = f" (real new rows: {100 * holdout_copies:.2f}%)" if holdout_copies is not None else ""
        return f"Warning: {100 * synthetic_copies:.2f}% of the synthetic rows are copies of training rows{reference}."
    return None


def small_table_line(n_real):
    if n_real < SMALL_TABLE_ROWS:
        return (f"Warning: the real table has {n_real} rows; scores on fewer than {SMALL_TABLE_ROWS} rows mean "
                "little (they swing with a handful of rows).")
    return None


def verdict(scores, has_holdout, detection_columns, copies, n_real, keys_line=None):
    """The verdict's lines, most important first (see the module's docstring)."""
    lines = [
        small_table_line(n_real),
        relations_line(scores),
        quality_line(scores, has_holdout),
        detection_line(scores, has_holdout, detection_columns),
        copies_line(*copies),
        keys_line,
    ]
    return [line for line in lines if line is not None]

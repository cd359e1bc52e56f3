"""What the command line prints after a fit or for ``evaluate``: the scores
of ``skgen.metrics.report`` with their baselines, and its HTML page."""

import sys
import time

from ._errors import CLIError


class Stages:
    """Announces the slow steps of a command on stderr ("scoring column pairs... 2.1 s")."""

    def __init__(self, quiet):
        self.quiet = quiet

    def run(self, label, function, *args, **kwargs):
        start = time.perf_counter()
        if not self.quiet:
            print(f"skgen: {label}...", file=sys.stderr, flush=True)
        result = function(*args, **kwargs)
        if not self.quiet and time.perf_counter() - start >= 1:
            print(f"skgen: {label}: {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
        return result


def evaluation(real, synthetic, holdout, target, stages, html_path=None, n_threads=None, keys="auto"):
    """``skgen.metrics.report`` of the tables, its lines, and its page written to ``html_path``.

    Each scoring step is announced on stderr (unless quiet), with its time
    when it takes a second or more."""
    from ..metrics import report

    result = stages.run("scoring quality, detection, utility and privacy", report, real, synthetic,
                        holdout=holdout, target=target, n_threads=n_threads, keys=keys,
                        verbose=0 if stages.quiet else 1)
    lines = ["scores (each next to a table that learns no relation between columns, and to real rows "
             "the generator never saw):" if holdout is not None else
             "scores (each next to a table that learns no relation between columns):"]
    lines += ["  " + line for line in result.summary_lines()]
    if html_path is not None:
        stages.run("drawing the report", result.to_html, html_path)
        lines.append(f"report written to {html_path}")
    return lines


def privacy_lines(train, synthetic, holdout, n_threads=None):
    from ..metrics import dcr_score

    scores = dcr_score(train, synthetic, holdout, n_threads=n_threads)
    lines = [
        f"privacy: median distance to the closest real row {scores['synthetic_median_dcr']:.3f}; "
        f"exact copies {100 * scores['synthetic_exact_copies']:.2f}%"
    ]
    if "holdout_median_dcr" in scores:
        lines.append(
            f"         real held-out rows: median distance {scores['holdout_median_dcr']:.3f}, exact copies "
            f"{100 * scores['holdout_exact_copies']:.2f}%; near-copies {100 * scores['near_copies']:.1f}% "
            "(about 5% is what new real rows give)"
        )
    return lines


def check_matplotlib():
    import importlib.util

    if importlib.util.find_spec("matplotlib") is None:
        raise CLIError("an HTML report needs matplotlib (pip install matplotlib)")

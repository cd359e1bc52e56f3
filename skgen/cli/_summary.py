"""What the command line prints after a fit or for ``evaluate``: quality,
utility and privacy lines, and the HTML report."""

import sys
import time
from pathlib import Path

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


def fidelity_lines(real, synthetic, label):
    from ..metrics import column_pairs_score, column_shapes_score

    shapes = column_shapes_score(real, synthetic)
    pairs = column_pairs_score(real, synthetic)
    return [f"quality vs {label}: {0.5 * (shapes + pairs):.3f} (column shapes {shapes:.3f}, column pairs {pairs:.3f})"]


def privacy_lines(train, synthetic, holdout):
    from ..metrics import dcr_score

    scores = dcr_score(train, synthetic, holdout)
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


def tstr_lines(synthetic, real, target):
    from ..metrics import tstr_score

    scores = tstr_score(synthetic, real, target)
    shown = ", ".join(f"{k} {v:.3f}" for k, v in scores.items())
    return [f"utility (train on synthetic, test on real, target {target!r}): {shown}"]


def html_report(real, synthetic, path, title):
    """Write an HTML page with one real-vs-synthetic plot per column."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise CLIError("--html needs matplotlib (pip install matplotlib)") from None
    import base64
    import html
    import io

    import numpy as np
    import pandas as pd

    from ..metrics import _is_numeric

    figures = []
    for column in real.columns:
        fig, ax = plt.subplots(figsize=(5, 3))
        if _is_numeric(real[column]):
            values = [pd.to_numeric(f[column], errors="coerce").dropna() for f in (real, synthetic)]
            bins = np.histogram_bin_edges(values[0], bins=30)
            ax.hist(values[0], bins=bins, alpha=0.5, density=True, label="real")
            ax.hist(values[1], bins=bins, alpha=0.5, density=True, label="synthetic")
        else:
            counts = pd.DataFrame({
                "real": real[column].astype(str).value_counts(normalize=True),
                "synthetic": synthetic[column].astype(str).value_counts(normalize=True),
            }).fillna(0).head(20)
            counts.plot.bar(ax=ax)
        ax.set_title(str(column))
        ax.legend()
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80)
        plt.close(fig)
        encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
        figures.append(f'<figure><img src="data:image/png;base64,{encoded}" alt="{html.escape(str(column))}"></figure>')
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{''.join(figures)}</body></html>"
    )
    Path(path).write_text(page, encoding="utf-8")

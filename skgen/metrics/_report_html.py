"""The HTML page of a :class:`SyntheticDataReport`: one self-contained file, images inline."""

import base64
import html
import io

import numpy as np
import pandas as pd

from ._frames import as_labels, binned_codes, category_codes, column_kind, numeric_values

MAX_MARGINALS = 24
MAX_HEATMAP_COLUMNS = 20
TOP_LEVELS = 10
COUNT_COLUMNS = ("synthetic values", "distinct")  # the keys table's counts (a row of it reads as floats)
COLOURS = {"real": "#4c72b0", "synthetic": "#dd8452", "holdout": "#55a868"}

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;background:#f6f7f9;color:#1d2430}
main{max-width:1180px;margin:0 auto;padding:24px 32px 64px}
h1{font-size:26px;margin:8px 0 4px} h2{font-size:20px;margin:36px 0 10px;border-bottom:2px solid #dde2ea;
padding-bottom:4px} p.meta{color:#5b6678;margin:0 0 16px}
.verdict{background:#fff;border-left:5px solid #4c72b0;padding:10px 16px;margin:8px 0;border-radius:4px}
.verdict.warn{border-left-color:#c44e52}
table{border-collapse:collapse;background:#fff;font-size:14px;margin:8px 0}
th,td{padding:5px 12px;border-bottom:1px solid #e6e9ef;text-align:right}
th:first-child,td:first-child{text-align:left} thead th{background:#eef1f6}
td.bad{color:#b03a3e;font-weight:600}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(270px,1fr));gap:12px}
figure{margin:0;background:#fff;border-radius:6px;padding:6px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
figure img{width:100%;height:auto} figcaption{font-size:12px;color:#5b6678;padding:2px 4px}
.wide img{max-width:100%}
"""


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _image(fig, alt):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    _plt().close(fig)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}">'


def _skewed(values):
    return len(values) > 0 and values.min() > 0 and np.median(values) > 0 and values.max() / np.median(values) > 50


def _marginal(column, real, synthetic):
    plt = _plt()
    fig, ax = plt.subplots(figsize=(3.6, 2.4))
    if column_kind(real) != "categorical":
        r, s = numeric_values(real), numeric_values(synthetic)
        log = _skewed(r)
        if log:
            low, high = np.log10(r.min()), np.log10(r.max())
            bins = np.logspace(low, high, 31)
            ax.set_xscale("log")
        else:
            bins = np.histogram_bin_edges(r, bins=30)
        ax.hist(r, bins=bins, density=True, alpha=0.55, color=COLOURS["real"], label="real")
        ax.hist(np.clip(s, bins[0], bins[-1]), bins=bins, density=True, alpha=0.55, color=COLOURS["synthetic"],
                label="synthetic")
        if column_kind(real) == "datetime":
            ax.set_xticks([])
        caption = "log axis" if log else ""
    else:
        r, s = as_labels(real), as_labels(synthetic)
        counts = pd.DataFrame({"real": r.value_counts(normalize=True), "synthetic": s.value_counts(normalize=True)})
        counts = counts.fillna(0).sort_values("real", ascending=False)
        if len(counts) > TOP_LEVELS:
            rest = counts.iloc[TOP_LEVELS - 1:].sum().to_frame(f"other ({len(counts) - TOP_LEVELS + 1})").T
            counts = pd.concat([counts.iloc[: TOP_LEVELS - 1], rest])
        labels = [str(v) if len(str(v)) <= 18 else str(v)[:17] + "…" for v in counts.index]
        y = np.arange(len(counts))
        ax.barh(y - 0.2, counts["real"], height=0.4, color=COLOURS["real"], label="real")
        ax.barh(y + 0.2, counts["synthetic"], height=0.4, color=COLOURS["synthetic"], label="synthetic")
        ax.set_yticks(y, labels, fontsize=7)
        ax.invert_yaxis()
        caption = f"{r.nunique()} levels" + (f", top {TOP_LEVELS - 1} shown" if r.nunique() > TOP_LEVELS else "")
    ax.set_title(str(column)[:40], fontsize=9)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, framealpha=0.85)
    return f"<figure>{_image(fig, str(column))}<figcaption>{html.escape(caption)}</figcaption></figure>"


def _cramers_v(a, b, na, nb):
    table = np.bincount(a * nb + b, minlength=na * nb).reshape(na, nb).astype(float)
    table = table[table.sum(1) > 0][:, table.sum(0) > 0]
    if min(table.shape) < 2:
        return 0.0
    n = table.sum()
    expected = table.sum(1, keepdims=True) * table.sum(0, keepdims=True) / n
    chi2 = float(((table - expected) ** 2 / expected).sum())
    return float(np.sqrt(chi2 / (n * (min(table.shape) - 1))))


def _associations(real, synthetic, columns):
    codes = {}
    for c in columns:
        if column_kind(real[c]) != "categorical":
            codes[c] = binned_codes(real[c], synthetic[c])
        else:
            codes[c] = category_codes(real[c], synthetic[c], max_levels=100)
    k = len(columns)
    out = np.zeros((2, k, k))
    for i in range(k):
        out[:, i, i] = 1.0
        for j in range(i + 1, k):
            (ra, sa, na), (rb, sb, nb) = codes[columns[i]], codes[columns[j]]
            out[0, i, j] = out[0, j, i] = _cramers_v(ra, rb, na, nb)
            out[1, i, j] = out[1, j, i] = _cramers_v(sa, sb, na, nb)
    return out


def _heatmaps(report):
    columns = list(report.real.columns)
    if len(columns) < 2:
        return "<p>One column: no pairs.</p>"
    note = ""
    if len(columns) > MAX_HEATMAP_COLUMNS:
        columns = list(report.columns.index[:MAX_HEATMAP_COLUMNS])
        note = f"<p>The {MAX_HEATMAP_COLUMNS} columns with the worst shapes of {len(report.real.columns)}.</p>"
    real_assoc, synthetic_assoc = _associations(report.real, report.synthetic, columns)
    plt = _plt()
    size = max(3.2, 0.28 * len(columns) + 1.6)
    fig, axes = plt.subplots(1, 3, figsize=(3 * size, size))
    labels = [str(c)[:16] for c in columns]
    panels = [(real_assoc, "real", "viridis"), (synthetic_assoc, "synthetic", "viridis"),
              (np.abs(real_assoc - synthetic_assoc), "|difference|", "Reds")]
    for ax, (matrix, title, cmap) in zip(axes, panels):
        image = ax.imshow(matrix, vmin=0, vmax=1, cmap=cmap)
        ax.set_title(title, fontsize=10)
        ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
        ax.set_yticks(range(len(labels)), labels if ax is axes[0] else [""] * len(labels), fontsize=7)
        fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    fig.tight_layout()
    return note + f'<figure class="wide">{_image(fig, "pairwise associations")}' \
        "<figcaption>Cramér's V between column pairs (numeric columns in 10 bins of the real range)</figcaption>" \
        "</figure>"


def _detection_section(report):
    detection = report.scores.loc["detection"]
    shown = ", ".join(f"{name} {value:.3f}" for name, value in detection.iloc[1:].items() if not np.isnan(value))
    text = (
        f"<p>A gradient-boosting classifier learns to tell synthetic rows from "
        f"{'real holdout rows' if report.holdout is not None else 'real rows'} (5-fold ROC-AUC; score "
        f"1 − (2·max(AUC, 0.5) − 1), 1 = indistinguishable): synthetic <b>"
        f"{'–' if np.isnan(detection.iloc[0]) else f'{detection.iloc[0]:.3f}'}</b>"
        + (f", {shown}" if shown else "") + ".</p>"
    )
    drops = report.detection_columns.head(10)
    if not len(drops):
        return text
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 0.3 * len(drops) + 0.9))
    ax.barh(np.arange(len(drops)), drops.to_numpy(), color=COLOURS["synthetic"])
    ax.set_yticks(np.arange(len(drops)), [str(c)[:30] for c in drops.index], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("drop in the detector's ROC-AUC when the column is shuffled", fontsize=8)
    ax.tick_params(labelsize=8)
    return (text + "<p>The columns it relies on most:</p>"
            f'<figure class="wide" style="max-width:640px">{_image(fig, "detection columns")}</figure>')


def _privacy_section(report):
    distances = report.distances
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 2.6))
    series = [("synthetic", distances["synthetic"])]
    if "holdout" in distances:
        series.append(("holdout", distances["holdout"]))
    top = max(float(np.quantile(values, 0.99)) for _, values in series) or 1.0
    bins = np.linspace(0, top, 40)
    for name, values in series:
        ax.hist(np.clip(values, 0, top), bins=bins, density=True, alpha=0.55, color=COLOURS[name], label=name)
    ax.set_xlabel("distance to the closest training row", fontsize=8)
    ax.legend(fontsize=8, frameon=False)
    ax.tick_params(labelsize=8)
    rows = report.scores.loc[[r for r in ("exact copies", "near copies", "median DCR") if r in report.scores.index]]
    return _table(rows) + f'<figure class="wide" style="max-width:640px">{_image(fig, "DCR histogram")}</figure>'


def _cell(metric, value, column=""):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "<td>–</td>"
    if str(metric) == "rows" or str(column) in COUNT_COLUMNS:
        return f"<td>{int(value):,}</td>"
    if "copies" in str(metric) or str(column).startswith("missing") or str(column) == "real values copied":
        return f"<td>{100 * value:.2f}%</td>"
    if isinstance(value, (float, np.floating)):
        return f"<td>{value:.3f}</td>"
    return f"<td>{html.escape(str(value))}</td>"


def _table(frame, bad=None):
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in [frame.index.name or ""] + list(frame.columns))
    body = []
    for index, row in frame.iterrows():
        cells = [f"<td>{html.escape(str(index))}</td>"]
        for column, value in row.items():
            cell = _cell(index, value, column)
            if bad is not None and bad(column, value):
                cell = cell.replace("<td>", '<td class="bad">', 1)
            cells.append(cell)
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _keys_section(report):
    if not len(report.keys):
        return ""
    return ("<h2>Generated keys</h2><p>Columns with a distinct value on every real row (ids, names): a synthetic "
            "table should give them new values, so they are left out of every other score.</p>"
            + _table(report.keys))


def render(report):
    """The whole page."""
    real, synthetic, holdout = report.real, report.synthetic, report.holdout
    sizes = f"{len(real):,} real rows, {len(synthetic):,} synthetic rows" + (
        f", {len(holdout):,} real holdout rows" if holdout is not None else ""
    ) + f"; {real.shape[1]} columns"
    verdict = "".join(
        f'<div class="verdict{" warn" if line.startswith("Warning") or "are not learned" in line else ""}">'
        f"{html.escape(line)}</div>"
        for line in report.verdict
    )
    columns = report.columns
    marginal_columns = list(columns.index[:MAX_MARGINALS])
    marginals = "".join(_marginal(c, real[c], synthetic[c]) for c in marginal_columns)
    marginal_note = (
        f"<p>The {MAX_MARGINALS} columns with the worst shapes of {len(columns)}.</p>" if len(columns) > MAX_MARGINALS
        else ""
    )
    utility_rows = [r for r in report.scores.index if r.startswith("utility")]
    utility = (
        _table(report.scores.loc[utility_rows]) + "<p>Train on each table, test on "
        f"{'the real holdout' if holdout is not None else 'the real rows'}; the real holdout column is "
        "train-on-real (TRTR).</p>" if utility_rows else "<p>No target given (pass <code>target=</code>).</p>"
    )
    fidelity_rows = report.scores.loc[["rows", "quality", "column shapes", "column pairs", "detection"]]
    sections = [
        "<h2>Summary</h2>", verdict, _table(fidelity_rows), _keys_section(report),
        "<h2>Columns, worst shape first</h2>",
        _table(columns, bad=lambda column, value: column == "shape (synthetic)" and value < 0.9),
        "<h2>Marginals</h2>", marginal_note, f'<div class="grid">{marginals}</div>',
        "<h2>Pairwise associations</h2>", _heatmaps(report),
        "<h2>Detection</h2>", _detection_section(report),
        "<h2>Utility</h2>", utility,
        "<h2>Privacy</h2>", _privacy_section(report),
    ]
    title = "skgen synthetic data report"
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{STYLE}</style></head>"
        f"<body><main><h1>{title}</h1><p class='meta'>{html.escape(sizes)}</p>{''.join(sections)}</main>"
        "</body></html>"
    )

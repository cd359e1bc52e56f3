"""The ``skgen`` command line: synthetic CSVs, their evaluation, and a demo.

    skgen synthesize INPUT.csv -n ROWS -o OUTPUT.csv [options]
    skgen evaluate REAL.csv SYNTHETIC.csv [--target COL] [--html REPORT.html]
    skgen demo

Every failure the user can cause (a missing or unreadable file, an unknown
column, a bad flag, an existing output) ends with one line on stderr and a
non-zero exit status, never a traceback.
"""

import argparse
import contextlib
import pickle
import sys
import time
from pathlib import Path

from . import _table_files

import numpy as np
import pandas as pd

EXIT_ERROR = 1
EXIT_USAGE = 2


class CLIError(Exception):
    """A problem to report to the user in one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise CLIError(f"{message} (see '{self.prog} --help')")


# --- files ----------------------------------------------------------------------


def read_table(path, args=None):
    """Read a CSV (dialect sniffed unless the flags give it) or Parquet file, or raise CLIError."""
    dialect = {name: getattr(args, name, None) for name in ("sep", "decimal", "encoding")}
    if dialect["sep"] in ("\\t", "tab"):
        dialect["sep"] = "\t"
    try:
        return _table_files.read_table(path, **dialect)
    except _table_files.TableFileError as exc:
        raise CLIError(str(exc)) from None


def _check_writable(path, force):
    path = Path(path)
    if path.exists() and not force:
        raise CLIError(f"{path} exists; pass --force to overwrite it")
    if not path.parent.exists():
        raise CLIError(f"directory {path.parent} does not exist")


def _check_output_table(path, force):
    _check_writable(path, force)
    try:
        _table_files.check_output_format(path)
    except _table_files.TableFileError as exc:
        raise CLIError(str(exc)) from None


def write_table(frame, path):
    try:
        _table_files.write_table(frame, path)
    except _table_files.TableFileError as exc:
        raise CLIError(str(exc)) from None


def _check_columns(frame, columns, flag):
    unknown = [c for c in columns if c not in frame.columns]
    if unknown:
        shown = ", ".join(map(str, list(frame.columns)[:20]))
        raise CLIError(f"{flag}: unknown column(s) {', '.join(unknown)}; the columns are: {shown}")


def _parse_conditions(frame, items):
    """``["col=value", ...]`` -> ``{col: value}`` with values of the column's own type."""
    conditions = {}
    for item in items or ():
        if "=" not in item:
            raise CLIError(f"--condition expects COLUMN=VALUE; got {item!r}")
        column, text = item.split("=", 1)
        _check_columns(frame, [column], "--condition")
        matches = [v for v in frame[column].dropna().unique() if str(v) == text]
        if not matches:
            raise CLIError(f"--condition: value {text!r} does not occur in column {column!r}")
        conditions[column] = matches[0]
    return conditions


# --- summaries ------------------------------------------------------------------


def _fidelity_lines(real, synthetic, label):
    from .metrics import column_pairs_score, column_shapes_score

    shapes = column_shapes_score(real, synthetic)
    pairs = column_pairs_score(real, synthetic)
    return [f"quality vs {label}: {0.5 * (shapes + pairs):.3f} (column shapes {shapes:.3f}, column pairs {pairs:.3f})"]


def _privacy_lines(train, synthetic, holdout):
    from .metrics import dcr_score

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


def _tstr_lines(synthetic, real, target):
    from .metrics import tstr_score

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

    from .metrics import _is_numeric

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


# --- commands -------------------------------------------------------------------


def _fit_sampler(frame, args, categorical):
    from . import GANSampler

    sampler = GANSampler(
        max_epochs=args.epochs,
        categorical_columns=categorical or None,
        random_state=args.seed,
        device=args.device,
        verbose=0 if args.quiet else 2,
    )
    # skorch's progress bar is on stderr; its epoch table goes there too, so
    # stdout carries only the summary.
    with contextlib.redirect_stdout(sys.stderr):
        sampler.fit(frame)
    return sampler


def synthesize(args):
    frame = read_table(args.input, args)
    if args.rows < 1:
        raise CLIError(f"-n/--rows must be at least 1; got {args.rows}")
    if not 0 <= args.holdout < 1:
        raise CLIError(f"--holdout must be in [0, 1); got {args.holdout}")
    _check_output_table(args.output, args.force)
    if args.save:
        _check_writable(args.save, args.force)
    _check_columns(frame, args.categorical or [], "--categorical")
    conditions = _parse_conditions(frame, args.condition)
    holdout = None
    train = frame
    if args.holdout and len(frame) >= 10:
        order = np.random.RandomState(args.seed).permutation(len(frame))
        n_holdout = int(round(args.holdout * len(frame)))
        holdout, train = frame.iloc[order[:n_holdout]], frame.iloc[order[n_holdout:]]
    start = time.perf_counter()
    sampler = _fit_sampler(train, args, args.categorical)
    fit_s = time.perf_counter() - start
    synthetic = sampler.sample(args.rows, conditions=conditions or None, random_state=args.seed)
    write_table(synthetic, args.output)
    if args.save:
        with open(args.save, "wb") as f:
            pickle.dump(sampler, f)
    lines = [
        f"wrote {len(synthetic):,} synthetic rows to {args.output} "
        f"(fitted on {len(train):,} rows, {sampler.n_epochs_} epochs, {fit_s:.1f} s)"
    ]
    if conditions:
        lines.append("conditions: " + ", ".join(f"{k}={v}" for k, v in conditions.items()))
    else:
        reference = holdout if holdout is not None else train
        label = f"{len(reference):,} held-out real rows" if holdout is not None else "the training rows"
        lines += _fidelity_lines(reference, synthetic, label)
    lines += _privacy_lines(train, synthetic, holdout)
    if args.save:
        lines.append(f"model saved to {args.save} (a pickle: load it only from a trusted source)")
    print("\n".join(lines))
    return 0


def evaluate(args):
    real = read_table(args.real, args)
    synthetic = read_table(args.synthetic, args)
    missing = [c for c in real.columns if c not in synthetic.columns]
    if missing:
        raise CLIError(f"{args.synthetic} lacks column(s) of {args.real}: {', '.join(map(str, missing))}")
    synthetic = synthetic[list(real.columns)]
    holdout = None
    if args.holdout:
        holdout = read_table(args.holdout, args)
        _check_columns(holdout, list(real.columns), "--holdout")
    if args.target is not None:
        _check_columns(real, [args.target], "--target")
    if args.html:
        _check_writable(args.html, args.force)
    lines = _fidelity_lines(real, synthetic, "the real rows")
    if args.target is not None:
        lines += _tstr_lines(synthetic, real, args.target)
    lines += _privacy_lines(real, synthetic, holdout)
    if args.html:
        html_report(real, synthetic, args.html, f"{args.synthetic} vs {args.real}")
        lines.append(f"report written to {args.html}")
    print("\n".join(lines))
    return 0


def demo_table():
    """A small mixed-type table from data shipped with scikit-learn (wine)."""
    from sklearn.datasets import load_wine

    wine = load_wine(as_frame=True)
    frame = wine.data[["alcohol", "malic_acid", "color_intensity", "hue", "proline", "flavanoids"]].copy()
    frame["proline"] = frame["proline"].astype("int64")
    frame["cultivar"] = pd.Categorical.from_codes(wine.target, ["barolo", "grignolino", "barbera"])
    frame["strong"] = frame["alcohol"] > 13.0
    return frame


def demo(args):
    out_dir = Path(args.output_dir)
    if out_dir.exists() and any(out_dir.iterdir()) and not args.force:
        raise CLIError(f"{out_dir} exists and is not empty; pass --force to overwrite its files")
    out_dir.mkdir(parents=True, exist_ok=True)
    from . import GANSampler

    frame = demo_table()
    print(f"demo: {len(frame)} wines, columns {', '.join(frame.columns)}", file=sys.stderr)
    start = time.perf_counter()
    # A small table: small batches and a higher learning rate give enough
    # updates in a few seconds (178 rows are 3 batches per epoch).
    sampler = GANSampler(
        max_epochs=args.epochs, batch_size=60, lr=1e-3, random_state=0, verbose=0 if args.quiet else 2
    )
    with contextlib.redirect_stdout(sys.stderr):
        sampler.fit(frame)
    fit_s = time.perf_counter() - start
    synthetic = sampler.sample(len(frame), random_state=0)
    barbera = sampler.sample(5, conditions={"cultivar": "barbera"}, random_state=0)
    write_table(synthetic, out_dir / "synthetic.csv")
    lines = [f"fitted GANSampler on {len(frame)} rows in {fit_s:.1f} s; wrote {out_dir / 'synthetic.csv'}"]
    lines += _fidelity_lines(frame, synthetic, "the real rows")
    lines += _tstr_lines(synthetic, frame, "cultivar")
    lines += _privacy_lines(frame, synthetic, None)
    lines.append("five synthetic barbera wines (conditional sampling):")
    lines.append(barbera.to_string(index=False))
    try:
        html_report(frame, synthetic, out_dir / "report.html", "skgen demo: synthetic wines")
        lines.append(f"report written to {out_dir / 'report.html'}")
    except CLIError as exc:
        lines.append(f"(no HTML report: {exc})")
    print("\n".join(lines))
    return 0


# --- entry point ----------------------------------------------------------------


def _add_dialect_arguments(parser):
    group = parser.add_argument_group("CSV dialect (guessed from the file unless given)")
    group.add_argument("--sep", help="field separator, e.g. ';' or '\\t' (default: guessed among , ; tab |)")
    group.add_argument("--decimal", choices=[".", ","], help="decimal mark (default: guessed)")
    group.add_argument("--encoding", help="text encoding, e.g. latin-1 (default: UTF-8, else Windows-1252)")


def build_parser():
    parser = _Parser(prog="skgen", description="Synthetic data with skgen's GANSampler.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    syn = commands.add_parser("synthesize", help="fit on a CSV and write a synthetic CSV")
    syn.add_argument("input", help="CSV (or Parquet) table to learn")
    syn.add_argument("-n", "--rows", type=int, required=True, help="synthetic rows to write")
    syn.add_argument("-o", "--output", required=True, help="CSV (or .parquet) file to write")
    syn.add_argument("--epochs", type=int, default=300, help="training epochs (default: 300)")
    syn.add_argument("--categorical", nargs="+", metavar="COL", help="columns to treat as categorical")
    syn.add_argument("--condition", nargs="+", metavar="COL=VALUE", help="generate only rows with these values")
    syn.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    syn.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    syn.add_argument("--save", metavar="MODEL", help="also pickle the fitted sampler to this file")
    syn.add_argument("--holdout", type=float, default=0.2,
                     help="share of rows kept out of training to measure quality and privacy (default: 0.2; 0 "
                          "trains on every row)")
    _add_dialect_arguments(syn)
    syn.add_argument("--force", action="store_true", help="overwrite existing output files")
    syn.add_argument("--quiet", action="store_true", help="no progress output")
    syn.set_defaults(handler=synthesize)

    ev = commands.add_parser("evaluate", help="compare a synthetic CSV with the real one")
    ev.add_argument("real")
    ev.add_argument("synthetic")
    ev.add_argument("--target", metavar="COL", help="column to predict for train-on-synthetic, test-on-real")
    ev.add_argument("--holdout", metavar="CSV", help="real rows the generator never saw (privacy reference)")
    ev.add_argument("--html", metavar="REPORT.html", help="write per-column real-vs-synthetic plots")
    _add_dialect_arguments(ev)
    ev.add_argument("--force", action="store_true", help="overwrite an existing report")
    ev.set_defaults(handler=evaluate)

    de = commands.add_parser("demo", help="a one-minute demo on data shipped with scikit-learn")
    de.add_argument("--output-dir", default="skgen-demo", help="where to write synthetic.csv and report.html")
    de.add_argument("--epochs", type=int, default=1000)
    de.add_argument("--force", action="store_true")
    de.add_argument("--quiet", action="store_true")
    de.set_defaults(handler=demo)
    return parser


def main(argv=None):
    """Run the command line; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            raise CLIError("choose a command: synthesize, evaluate or demo (see 'skgen --help')")
        return args.handler(args)
    except CLIError as exc:
        print(f"skgen: error: {exc}", file=sys.stderr)
        return EXIT_USAGE if "--help" in str(exc) else EXIT_ERROR
    except (ValueError, TypeError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"skgen: error: {message}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("skgen: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

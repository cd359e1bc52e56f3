"""The ``skgen`` argument parser (argparse only: ``skgen --help`` imports nothing heavy)."""

import argparse

from .._version import __version__
from ._errors import CLIError


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise CLIError(f"{message} (see '{self.prog} --help')")


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {value}")
    return value


def _add_dialect_arguments(parser):
    group = parser.add_argument_group("CSV dialect (guessed from each file unless given)")
    group.add_argument("--sep", help="field separator, e.g. ';' or '\\t' (default: guessed among , ; tab |)")
    group.add_argument("--decimal", choices=[".", ","], help="decimal mark (default: guessed)")
    group.add_argument("--encoding", help="text encoding, e.g. latin-1 (default: UTF-8, else Windows-1252)")


def _add_output_arguments(parser, rows_help):
    parser.add_argument("-n", "--rows", type=int, required=rows_help is None,
                        help="synthetic rows to write" + (f" (default: {rows_help})" if rows_help else ""))
    parser.add_argument("-o", "--output", required=True, help="file to write: .csv (.tsv, .csv.gz...) or .parquet")
    form = parser.add_argument_group("CSV output (default: the input CSV's own separator, decimal mark and "
                                     "encoding; else ',' '.' UTF-8)")
    form.add_argument("--out-sep", metavar="SEP", help="field separator of the output, e.g. ';' or '\\t'")
    form.add_argument("--out-decimal", choices=[".", ","], help="decimal mark of the output")
    form.add_argument("--out-encoding", metavar="ENCODING", help="text encoding of the output, e.g. latin-1")
    parser.add_argument("--condition", nargs="+", metavar="COL=VALUE", help="generate only rows with these values")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    _add_threads_argument(parser)
    parser.add_argument("--force", action="store_true", help="overwrite existing output files")


def _threads(text):
    return "adaptive" if text == "adaptive" else _positive_int(text)


def _add_threads_argument(parser):
    parser.add_argument("--threads", type=_threads, metavar="N",
                        help="CPU threads for training and scoring: N holds every thread pool to N; 'adaptive' "
                             "follows the machine's load (faster when it is busy, not reproducible); default: "
                             "the CPUs this process may use")


def _add_verbosity_arguments(parser):
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quiet", action="store_true", help="no progress output")
    group.add_argument("-v", "--verbose", action="store_true", help="one line of losses per epoch instead of a bar")


def build_parser():
    """The parser of the ``skgen`` command (``args.command`` names the command)."""
    parser = _Parser(prog="skgen", description="Synthetic tables with skgen's GANSampler.")
    parser.add_argument("--version", action="version", version=f"skgen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    syn = commands.add_parser("synthesize", help="fit on a table and write synthetic rows")
    syn.add_argument("input", help="CSV (or Parquet) table to learn; with --stream also a directory or a glob of files")
    _add_output_arguments(syn, "as many as the input has")
    syn.add_argument(
        "--epochs", type=_positive_int, default=None,
        help="most training epochs (default: half as many optimiser steps as rows, 3,000 to 10,000); "
             "training stops sooner when the judged detection stops improving",
    )
    syn.add_argument("--no-early-stopping", action="store_true",
                     help="train for all the epochs and keep the last generator, not the best one judged")
    syn.add_argument("--no-value-trees", action="store_true",
                     help="place numeric values inside their bins by the generator, not drawn from training rows "
                          "like the generated one (a saved model then holds no training values)")
    syn.add_argument("--batch-size", type=_positive_int, metavar="N",
                     help="rows per training step (default: 500, at most the number of rows)")
    syn.add_argument("--categorical", nargs="+", metavar="COL", help="columns to treat as categorical")
    syn.add_argument("--target", metavar="COL",
                     help="also report train-on-synthetic, test-on-real utility for predicting this column")
    syn.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    syn.add_argument("--save", metavar="MODEL.skgen",
                     help="also save the fitted sampler (safe model file: skgen sample / skgen.load read it)")
    syn.add_argument("--report", metavar="REPORT.html",
                     help="write an HTML report of the synthetic rows (scores, marginals, pairs, detection, privacy)")
    syn.add_argument("--stream", action="store_true",
                     help="read the input piece by piece, never whole in memory (tables larger than memory); "
                          "the scores compare with samples of 100,000 training and held-out rows")
    syn.add_argument("--holdout", type=float, default=0.2,
                     help="share of rows kept out of training to measure quality and privacy (default: 0.2; 0 "
                          "trains on every row)")
    _add_dialect_arguments(syn)
    _add_verbosity_arguments(syn)

    sam = commands.add_parser("sample", help="write synthetic rows from a saved model")
    sam.add_argument("model", help="model file written by 'skgen synthesize --save' or GANSampler.save")
    _add_output_arguments(sam, None)

    ev = commands.add_parser("evaluate", help="compare a synthetic table with the real one")
    ev.add_argument("real")
    ev.add_argument("synthetic")
    ev.add_argument("--target", metavar="COL", help="column to predict for train-on-synthetic, test-on-real")
    ev.add_argument("--holdout", metavar="CSV", help="real rows the generator never saw (privacy reference)")
    ev.add_argument("--html", metavar="REPORT.html", help="write an HTML report (scores, marginals, pairs, detection, privacy)")
    ev.add_argument("--force", action="store_true", help="overwrite an existing report")
    ev.add_argument("--quiet", action="store_true", help="no progress output")
    _add_threads_argument(ev)
    _add_dialect_arguments(ev)

    de = commands.add_parser("demo", help="a short demo on data shipped with scikit-learn")
    de.add_argument("--output-dir", default="skgen-demo", help="where to write synthetic.csv and report.html")
    de.add_argument("--epochs", type=_positive_int, default=1000)
    de.add_argument("--force", action="store_true")
    _add_verbosity_arguments(de)
    return parser

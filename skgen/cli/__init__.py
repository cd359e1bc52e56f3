"""The ``skgen`` command line: synthetic tables, their evaluation, and a demo.

    skgen synthesize INPUT.csv -n ROWS -o OUTPUT.csv [options]
    skgen sample MODEL.skgen -n ROWS -o OUTPUT.csv [--condition COL=VALUE ...]
    skgen evaluate REAL.csv SYNTHETIC.csv [--target COL] [--html REPORT.html]
    skgen demo

Every failure the user can cause (a missing or unreadable file, a table that
parsed wrong, an unknown column, a bad flag, an existing output) ends with
one line on stderr and a non-zero exit status, never a traceback, and is
found before training starts. Only argparse is imported until a command
runs, so ``skgen --help`` is quick.
"""

import sys
import warnings

from ._errors import EXIT_ERROR, EXIT_USAGE, CLIError
from ._parser import build_parser


def _handlers():
    # Imported when a command runs, not to print --help.
    from ._commands import evaluate, sample, synthesize
    from ._demo import demo

    return {"synthesize": synthesize, "sample": sample, "evaluate": evaluate, "demo": demo}


def _one_line_warning(message, category, filename, lineno, line=None):
    return f"skgen: warning: {message}\n"


def _run(handler, args):
    """The command, with ``--threads N`` holding every native thread pool
    (torch, OpenMP, BLAS) to N threads for the whole run: fit and scores."""
    threads = getattr(args, "threads", None)
    if threads is None:
        return handler(args)
    from .._core._threads import limited_threads

    with limited_threads(threads):
        return handler(args)


def main(argv=None):
    """Run the command line; returns the exit status."""
    warnings.formatwarning = _one_line_warning
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            raise CLIError("choose a command: synthesize, sample, evaluate or demo (see 'skgen --help')")
        return _run(_handlers()[args.command], args)
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


def __getattr__(name):
    # ``from skgen.cli import demo_table`` (the gallery example) without
    # importing the commands for ``--help``.
    if name == "demo_table":
        from ._demo import demo_table

        return demo_table
    raise AttributeError(f"module 'skgen.cli' has no attribute {name!r}")


if __name__ == "__main__":
    sys.exit(main())

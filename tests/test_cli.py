"""The ``skgen`` command line on small CSVs: in-process, and as ``python -m skgen`` where the process matters."""

import contextlib
import io
import os
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from skgen.cli import main


def run(*args, cwd=None, isolated=False):
    """``skgen *args``: in this process (``skgen.cli.main``, with its output captured: no interpreter and
    torch start-up per call), or with ``isolated=True`` as the ``python -m skgen`` a user runs."""
    args = [str(a) for a in args]
    if isolated:
        return subprocess.run([sys.executable, "-m", "skgen", *args], capture_output=True, text=True, timeout=300,
                              cwd=cwd)
    out, err = io.StringIO(), io.StringIO()
    previous_dir, previous_format = os.getcwd(), warnings.formatwarning
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
            warnings.simplefilter("default")
            # Printed as the command prints them, not recorded by pytest.
            warnings.showwarning = lambda message, category, filename, lineno, file=None, line=None: err.write(
                warnings.formatwarning(message, category, filename, lineno, line))
            try:
                code = main(args)
            except SystemExit as exc:  # argparse's usage errors and --help
                code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    finally:
        os.chdir(previous_dir)
        warnings.formatwarning = previous_format
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def assert_one_line_error(result, *fragments):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("skgen: error:")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture(scope="module")
def table_csv(tmp_path_factory):
    rng = np.random.RandomState(0)
    n = 300
    group = rng.choice(["north", "south", "east"], n, p=[0.6, 0.3, 0.1])
    frame = pd.DataFrame({
        "age": rng.randint(18, 80, n),
        "income": np.round(rng.lognormal(10, 0.5, n), 2),
        "region": group,
        "member": rng.rand(n) < 0.3,
    })
    frame.loc[rng.rand(n) < 0.1, "income"] = np.nan
    path = tmp_path_factory.mktemp("cli") / "table.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def synthesized(table_csv):
    output = table_csv.parent / "synthetic.csv"
    model = table_csv.parent / "model.skgen"
    result = run("synthesize", table_csv, "-n", 250, "-o", output, "--epochs", 3, "--seed", 1, "--save", model, "--quiet",
                 isolated=True)  # the whole path a user takes, from a fresh interpreter
    return result, output, model


def test_synthesize_writes_a_csv_with_the_same_columns(table_csv, synthesized):
    result, output, model = synthesized
    assert result.returncode == 0, result.stderr
    real = pd.read_csv(table_csv)
    synthetic = pd.read_csv(output)
    assert list(synthetic.columns) == list(real.columns) and len(synthetic) == 250
    assert set(synthetic["region"]) <= set(real["region"])
    header, columns = result.stdout.splitlines()[1:3]
    assert "real rows the generator never saw" in header
    assert columns.split() == ["synthetic", "independent", "columns", "real", "holdout"]
    for score in ("quality", "detection", "exact copies", "near copies", "median DCR"):
        assert f"\n  {score} " in result.stdout, score
    assert model.stat().st_size > 0


def test_synthesize_shows_progress_on_stderr(table_csv, tmp_path):
    result = run("synthesize", table_csv, "-n", 10, "-o", tmp_path / "out.csv", "--epochs", 2)
    assert result.returncode == 0, result.stderr
    assert "epoch" in result.stderr.lower()
    assert "epoch" not in result.stdout.lower().split("wrote")[0]


def test_synthesize_with_conditions(table_csv, tmp_path):
    output = tmp_path / "east.csv"
    result = run("synthesize", table_csv, "-n", 40, "-o", output, "--epochs", 2, "--condition", "region=east", "member=True",
                 "--quiet")
    assert result.returncode == 0, result.stderr
    synthetic = pd.read_csv(output)
    assert (synthetic["region"] == "east").all() and synthetic["member"].all()


def test_existing_output_needs_force(table_csv, synthesized):
    _, output, _ = synthesized
    before = output.read_text()
    result = run("synthesize", table_csv, "-n", 5, "-o", output, "--epochs", 1)
    assert_one_line_error(result, "exists", "--force")
    assert output.read_text() == before
    forced = run("synthesize", table_csv, "-n", 5, "-o", output, "--epochs", 1, "--force", "--quiet")
    assert forced.returncode == 0 and len(pd.read_csv(output)) == 5


def test_evaluate_prints_quality_utility_privacy_and_writes_html(table_csv, synthesized, tmp_path):
    _, output, _ = synthesized
    report = tmp_path / "report.html"
    result = run("evaluate", table_csv, output, "--target", "member", "--html", report)
    assert result.returncode == 0, result.stderr
    assert "\n  quality " in result.stdout and "\n  utility roc_auc " in result.stdout
    assert "\n  exact copies " in result.stdout and "verdict:" in result.stdout
    page = report.read_text()
    assert page.count("<img") >= 4 + 3 and "data:image/png;base64" in page
    assert "http" not in page.replace("http-equiv", "")  # self-contained


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["synthesize", "missing.csv", "-n", "5", "-o", "out.csv"], ["file not found", "missing.csv"]),
        (["synthesize", "{table}", "-n", "5", "-o", "out.csv", "--categorical", "nope"], ["unknown column", "nope"]),
        (["synthesize", "{table}", "-n", "5", "-o", "out.csv", "--condition", "region=west"], ["west"]),
        (["synthesize", "{table}", "-n", "5", "-o", "out.csv", "--condition", "region"], ["COLUMN=VALUE"]),
        (["synthesize", "{table}", "-n", "0", "-o", "out.csv"], ["at least 1"]),
        (["synthesize", "{table}", "-n", "five", "-o", "out.csv"], ["invalid int value"]),
        (["synthesize", "{table}", "-n", "5", "-o", "no/such/dir/out.csv"], ["does not exist"]),
        (["evaluate", "{table}", "{bad}"], ["cannot read"]),
        (["evaluate", "{table}", "{table}", "--target", "nope"], ["unknown column", "nope"]),
        (["frobnicate"], ["invalid choice"]),
        ([], ["choose a command"]),
    ],
)
def test_bad_input_gives_one_clear_line(table_csv, tmp_path, args, fragments):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe\x00\x00garbage\n\x00\x01")
    args = [a.format(table=table_csv, bad=bad) for a in args]
    assert_one_line_error(run(*args, cwd=tmp_path), *fragments)


def test_demo_runs_writes_its_report_and_keeps_its_log_short(tmp_path):
    result = run("demo", "--output-dir", tmp_path / "demo", "--epochs", 20, isolated=True)
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stderr and "\x1b" not in result.stderr
    assert len(result.stderr.splitlines()) <= 20, result.stderr
    assert (tmp_path / "demo" / "synthetic.csv").exists()
    assert (tmp_path / "demo" / "report.html").exists()
    assert "\n  quality " in result.stdout and "\n  utility accuracy " in result.stdout
    assert "barbera" in result.stdout

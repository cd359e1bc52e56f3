"""``skgen synthesize --stream``: a directory or glob of files read piece by piece."""

import re

import numpy as np
import pandas as pd
import pytest

from skgen._tabular._sources import TableSource

from .test_cli import assert_one_line_error, run

pytest.importorskip("pyarrow")


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    rng = np.random.RandomState(0)
    n = 1200
    frame = pd.DataFrame({
        "age": rng.randint(18, 80, n),
        "income": np.round(rng.lognormal(10, 0.5, n), 2),
        "region": rng.choice(["north", "south", "east"], n, p=[0.6, 0.3, 0.1]),
    })
    folder = tmp_path_factory.mktemp("stream") / "parts"
    folder.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(n), 3)):
        frame.iloc[rows].to_parquet(folder / f"part-{i}.parquet", row_group_size=150)
    return folder, frame


def test_a_directory_is_streamed_and_scored_against_rows_it_never_trained_on(parts, tmp_path):
    folder, frame = parts
    output = tmp_path / "synthetic.parquet"
    result = run("synthesize", folder, "-n", 300, "-o", output, "--stream", "--epochs", 2, "--seed", 4, "--quiet")
    assert result.returncode == 0, result.stderr
    synthetic = pd.read_parquet(output)
    assert list(synthetic.columns) == list(frame.columns) and len(synthetic) == 300
    n_train = sum(len(p) for p in TableSource(folder, holdout=0.2, seed=4).pieces())
    n_holdout = sum(len(p) for p in TableSource(folder, holdout=0.2, seed=4).held_out().pieces())
    assert n_train + n_holdout == len(frame) and 150 < n_holdout < 330
    assert f"fitted on {n_train:,} rows, read piece by piece" in result.stdout
    assert re.search(rf"^ +rows +300 +300 +{n_holdout:,}$", result.stdout, re.M), result.stdout


def test_scores_name_the_samples_they_use(parts, tmp_path, monkeypatch, capsys):
    from skgen.cli import _commands, main

    folder, _ = parts
    monkeypatch.setattr(_commands, "EVALUATED_ROWS", 200)
    code = main(["synthesize", str(folder / "*.parquet"), "-n", "500", "-o", str(tmp_path / "o.csv"), "--stream",
                 "--epochs", "1", "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    assert "the scores below are for the first 200 rows" in out
    assert re.search(r"they compare with 200 of the [\d,]+ training rows and 200 of the [\d,]+ held-out rows", out), out


def test_files_need_the_flag_and_the_flag_needs_files(parts, tmp_path):
    folder, _ = parts
    result = run("synthesize", folder, "-n", 5, "-o", tmp_path / "o.csv")
    assert_one_line_error(result, "is a directory", "pass --stream")
    result = run("synthesize", tmp_path / "none-*.parquet", "-n", 5, "-o", tmp_path / "o.csv", "--stream")
    assert_one_line_error(result, "no file matches")
    result = run("synthesize", folder, "-n", 5, "-o", tmp_path / "o.csv", "--stream", "--condition", "region=west")
    assert_one_line_error(result, "'west' does not occur in column 'region'")
    assert not list(tmp_path.glob("o*"))

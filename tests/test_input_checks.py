"""One table of bad inputs, refused (or warned about) in the same words by the
Python API, on a DataFrame and on the file, and by ``skgen synthesize``."""

import io
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from skgen import GANSampler

from .test_cli import run

N = 60


def _numbers(n=N):
    return np.arange(n, dtype=float)


# name -> (CSV text, the message; "error" or "warning")
CASES = {
    "duplicate names": (
        "a,b,a\n" + "".join(f"{i},{i % 3},{2 * i}\n" for i in range(N)),
        "Duplicate column names: ['a'].",
        "error",
    ),
    "a column of missing values only": (
        "a,b\n" + "".join(f"{i},\n" for i in range(N)),
        "Column 'b' has only missing values; drop it before fitting.",
        "error",
    ),
    "one row": ("a,b\n1,x\n", "GANSampler needs at least 2 rows to fit; got 1 sample(s).", "error"),
    "an infinite value": (
        "a,b\n" + "".join(f"{'inf' if i == 5 else i},{i % 3}\n" for i in range(N)),
        "Column 'a' contains infinite values.",
        "error",
    ),
    "every column constant": ("a,b\n" + "1,x\n" * N, "Every column is constant, so there is nothing to learn", "error"),
    "a tiny table": (
        "a,b\n" + "".join(f"{i},{'xy'[i % 2]}\n" for i in range(12)),
        "The table has 12 rows: a generator learns little from fewer than 50",
        "warning",
    ),
    # One value in five is text: more than the one in ten a stray typo would be, still a numeric column.
    "numbers with some text": (
        "price,shop\n" + "".join(f"{['about 5', 'n/a', 'approx 7'][i % 3] if i % 5 == 0 else 1.5 * i},{'ab'[i % 2]}\n"
                                 for i in range(N)),
        "Column 'price' is learned as categorical (50 levels) because 8 of its 56 values are not numbers: "
        "'about 5', 'approx 7'",
        "warning",
    ),
}


@pytest.fixture(scope="module")
def case_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad_inputs")
    paths = {}
    for i, (name, (text, _, _)) in enumerate(CASES.items()):
        paths[name] = folder / f"case{i}.csv"
        paths[name].write_text(text)
    return paths


def _frame(text):
    """The CSV as pandas reads it, with its names as written (pandas renames a repeated one)."""
    frame = pd.read_csv(io.StringIO(text))
    frame.columns = text.splitlines()[0].split(",")
    return frame


def _fit(X):
    GANSampler(max_epochs=1, batch_size=16, n_threads=1, random_state=0).fit(X)


def _api_says(X, message, kind):
    if kind == "error":
        with pytest.raises(ValueError, match=re.escape(message)):
            _fit(X)
    else:
        with pytest.warns(UserWarning, match=re.escape(message)):
            _fit(X)


@pytest.mark.parametrize("name", list(CASES))
def test_the_api_refuses_a_bad_frame_in_the_shared_words(name):
    text, message, kind = CASES[name]
    _api_says(_frame(text), message, kind)


@pytest.mark.parametrize("name", list(CASES))
def test_the_api_refuses_a_bad_file_in_the_shared_words(name, case_files):
    pytest.importorskip("pyarrow")
    _, message, kind = CASES[name]
    _api_says(str(case_files[name]), message, kind)


@pytest.mark.parametrize("name", list(CASES))
def test_the_command_line_refuses_a_bad_file_in_the_shared_words(name, case_files, tmp_path):
    _, message, kind = CASES[name]
    output = tmp_path / "out.csv"
    result = run("synthesize", case_files[name], "-n", 10, "-o", output, "--epochs", 1, "--holdout", 0, "--quiet")
    assert "Traceback" not in result.stderr
    if kind == "error":
        assert result.returncode != 0 and not output.exists()
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("skgen: error:") and message in lines[0], result.stderr
    else:
        assert result.returncode == 0, result.stderr
        warned = [line for line in result.stderr.splitlines() if line.startswith("skgen: warning:")]
        assert sum(message in line for line in warned) == 1, result.stderr


def test_an_unsupported_file_is_refused_in_the_same_words(tmp_path):
    pytest.importorskip("pyarrow")
    sheet = tmp_path / "book.xlsx"
    sheet.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00binary\x00\x00")
    message = "Cannot read book.xlsx: skgen reads .csv, .tsv, .txt, .parquet and .pq files"
    with pytest.raises(ValueError, match=re.escape(message)):
        _fit(str(sheet))
    result = run("synthesize", sheet, "-o", tmp_path / "out.csv")
    assert result.returncode != 0 and message in result.stderr and "NUL bytes" not in result.stderr


def test_a_header_without_rows_is_refused_in_the_same_words(tmp_path):
    pytest.importorskip("pyarrow")
    empty = tmp_path / "empty.csv"
    empty.write_text("a,b\n")
    message = f"{empty} holds no rows."
    with pytest.raises(ValueError, match=re.escape(message)):
        _fit(str(empty))
    result = run("synthesize", empty, "-o", tmp_path / "out.csv")
    assert result.returncode != 0 and message in result.stderr


def test_a_table_too_small_to_split_says_no_rows_were_held_out(tmp_path):
    tiny = tmp_path / "tiny.csv"
    tiny.write_text("a,b\n" + "".join(f"{i},{'xy'[i % 2]}\n" for i in range(6)))
    result = run("synthesize", tiny, "-o", tmp_path / "out.csv", "--epochs", 1)
    assert result.returncode == 0, result.stderr
    assert "6 rows are too few to set 20% of them aside" in result.stderr
    assert "The table has 6 rows" in result.stderr
    assert "verdict: Warning: the real table has 6 rows" in result.stdout


def test_no_warning_for_a_clean_table_of_fifty_rows():
    frame = pd.DataFrame({"a": _numbers(50), "b": ["xy"[i % 2] for i in range(50)]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _fit(frame)

"""Table files as users have them: dialects, encodings and wrong parses, read
by the command line (driven as a subprocess) before any training starts."""

import re

import numpy as np
import pandas as pd
import pytest

from skgen._io._table_files import (
    TableFileError,
    check_output_format,
    read_table,
    sniff_decimal,
    sniff_encoding,
    sniff_separator,
)

from .test_cli import assert_one_line_error, run


@pytest.fixture(scope="module")
def table():
    rng = np.random.RandomState(0)
    n = 200
    return pd.DataFrame({
        "age": rng.randint(18, 80, n),
        "income": np.round(rng.lognormal(10, 0.5, n), 2),
        "city": rng.choice(["Köln", "Zürich", "Málaga"], n),
    })


def _write(frame, path, **kwargs):
    frame.to_csv(path, index=False, **kwargs)
    return path


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sep": ";"},
        {"sep": ";", "decimal": ","},
        {"sep": "\t"},
        {"sep": "|"},
        {"encoding": "latin-1"},
        {"sep": ";", "decimal": ",", "encoding": "cp1252"},
        {"encoding": "utf-8-sig"},
        {"encoding": "utf-16"},
    ],
    ids=lambda kw: "-".join(f"{k}={v!r}" for k, v in kw.items()),
)
def test_read_table_sniffs_the_dialect(table, tmp_path, kwargs):
    path = _write(table, tmp_path / "t.csv", **kwargs)
    frame = read_table(path)
    pd.testing.assert_frame_equal(frame, table, check_dtype=False)
    assert frame["income"].dtype.kind == "f" and frame["age"].dtype.kind == "i"


def test_sniffing_respects_quotes_and_cut_samples():
    text = 'name;note\n"Smith, J";"a; b"\n"Doe, A";"c, d"\n"Roe, B";"e'
    assert sniff_separator(text) == ";"
    assert sniff_decimal("a;b\n1,5;2,25\n3,0;4,5\n", ";") == ","
    assert sniff_decimal("a;b\n1.5;2\n3.25;4\n", ";") == "."
    assert sniff_decimal("a,b\n1,5\n", ",") == "."
    assert sniff_separator("just one column\nvalue\n") is None
    # A UTF-8 character cut by the sample's end is still UTF-8.
    assert sniff_encoding("Zürich".encode("utf-8")[:2]) == "utf-8"
    assert sniff_encoding("Zürich".encode("latin-1")) == "cp1252"


def test_a_single_column_table_is_read(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("word\nalpha\nbeta\ngamma\n")
    assert list(read_table(path)["word"]) == ["alpha", "beta", "gamma"]


def test_wrong_separator_or_decimal_is_refused(table, tmp_path):
    semicolons = _write(table, tmp_path / "semi.csv", sep=";")
    with pytest.raises(TableFileError, match="one column whose header 'age;income;city' contains ';'.*--sep ';'"):
        read_table(semicolons, sep=",")
    decimal_comma = _write(table, tmp_path / "dec.csv", sep=";", decimal=",")
    with pytest.raises(TableFileError, match="column 'income' .* decimal comma.*--decimal ','"):
        read_table(decimal_comma, decimal=".")
    with pytest.raises(TableFileError, match="as utf-8.*--encoding"):
        read_table(_write(table, tmp_path / "latin.csv", encoding="latin-1"), encoding="utf-8")


def test_unknown_output_formats_are_refused(monkeypatch):
    for name in ("out.csv", "out.tsv", "out.csv.gz", "out.txt"):
        check_output_format(name)
    for name in ("out.xlsx", "out.json", "out"):
        with pytest.raises(TableFileError, match="unknown table format"):
            check_output_format(name)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with pytest.raises(TableFileError, match="needs pyarrow"):
        check_output_format("out.parquet")


def _real_rows(frame):
    return set(frame.astype(str).itertuples(index=False, name=None))


@pytest.mark.parametrize("stream", [[], ["--stream"]], ids=["whole", "stream"])
@pytest.mark.parametrize("kwargs", [{"sep": ";"}, {"sep": ";", "decimal": ",", "encoding": "latin-1"}])
def test_semicolon_csv_is_learned_column_by_column_and_no_real_row_is_written(table, tmp_path, kwargs, stream):
    source = _write(table, tmp_path / "real.csv", **kwargs)
    output = tmp_path / "synthetic.csv"
    result = run("synthesize", source, "-n", 100, "-o", output, "--epochs", 2, "--holdout", 0, "--quiet", *stream)
    assert result.returncode == 0, result.stderr
    # The output keeps the input's form: separator, decimal mark, encoding.
    assert output.read_bytes().decode(kwargs.get("encoding", "utf-8")).splitlines()[0] == ";".join(table.columns)
    synthetic = pd.read_csv(output, **kwargs)
    assert list(synthetic.columns) == list(table.columns)
    assert synthetic["income"].dtype.kind == "f" and set(synthetic["city"]) <= set(table["city"])
    assert not _real_rows(synthetic) & _real_rows(table)
    assert re.search(r"^ +exact copies +0\.00%", result.stdout, re.M), result.stdout


def test_a_forced_wrong_separator_stops_before_training(table, tmp_path):
    source = _write(table, tmp_path / "real.csv", sep=";")
    output = tmp_path / "synthetic.csv"
    result = run("synthesize", source, "-n", 100, "-o", output, "--epochs", 2, "--sep", ",")
    assert_one_line_error(result, "one column", "--sep ';'")
    assert not output.exists()
    assert "epoch" not in result.stderr


@pytest.mark.parametrize(
    "extra, fragments",
    [
        (["-o", "{dir}/out.xlsx"], ["unknown table format", ".xlsx"]),
        (["-o", "{dir}/out.csv", "--decimal", "."], ["decimal comma", "--decimal ','"]),
        (["-o", "{dir}/out.csv", "--encoding", "utf-8"], ["--encoding"]),
        (["-o", "{dir}/out.csv", "--encoding", "no-such-codec"], ["no-such-codec"]),
    ],
)
@pytest.mark.parametrize("stream", [[], ["--stream"]], ids=["whole", "stream"])
def test_bad_files_and_flags_stop_before_training(table, tmp_path, extra, fragments, stream):
    source = _write(table, tmp_path / "real.csv", sep=";", decimal=",", encoding="latin-1")
    extra = [a.format(dir=tmp_path) for a in extra]
    result = run("synthesize", source, "-n", 10, "--epochs", 2, *extra, *stream)
    assert_one_line_error(result, *fragments)
    assert "epoch" not in result.stderr
    assert not list(tmp_path.glob("out*"))


def test_evaluate_reads_both_files_with_their_dialects(table, tmp_path):
    real = _write(table, tmp_path / "real.csv", sep=";", decimal=",")
    synthetic = _write(table.sample(frac=1.0, random_state=0), tmp_path / "synthetic.csv")
    result = run("evaluate", real, synthetic)
    assert result.returncode == 0, result.stderr
    assert re.search(r"^ +column shapes +1\.000", result.stdout, re.M), result.stdout

"""``skgen synthesize`` writes as many rows as its input, in the input's CSV form unless told otherwise."""

import numpy as np
import pandas as pd
import pytest

from skgen import GANSampler

from .test_cli import assert_one_line_error, run


@pytest.fixture(scope="module")
def european_csv(tmp_path_factory):
    rng = np.random.RandomState(0)
    n = 120
    frame = pd.DataFrame({
        "balance": np.round(rng.lognormal(6, 0.5, n), 2),
        "student": rng.choice(["Ja", "Nein"], n),
        "city": rng.choice(["Köln", "Zürich", "Wien"], n),
    })
    path = tmp_path_factory.mktemp("eu") / "konten.csv"
    frame.to_csv(path, index=False, sep=";", decimal=",", encoding="latin-1")
    return path, frame


def test_without_n_the_output_has_the_inputs_rows_in_its_form(european_csv, tmp_path):
    source, frame = european_csv
    output = tmp_path / "synthetisch.csv"
    result = run("synthesize", source, "-o", output, "--epochs", 1, "--quiet")
    assert result.returncode == 0, result.stderr
    text = output.read_bytes().decode("latin-1")
    assert text.splitlines()[0] == "balance;student;city"
    assert "," in text.splitlines()[1].split(";")[0]  # a decimal comma
    synthetic = pd.read_csv(output, sep=";", decimal=",", encoding="latin-1")
    assert len(synthetic) == len(frame) and synthetic["balance"].dtype.kind == "f"
    assert set(synthetic["city"]) <= {"Köln", "Zürich", "Wien"}


def test_the_output_form_can_be_chosen(european_csv, tmp_path):
    source, _ = european_csv
    output = tmp_path / "us.csv"
    result = run("synthesize", source, "-o", output, "-n", 20, "--epochs", 1, "--quiet",
                 "--out-sep", ",", "--out-decimal", ".", "--out-encoding", "utf-8")
    assert result.returncode == 0, result.stderr
    synthetic = pd.read_csv(output)
    assert list(synthetic.columns) == ["balance", "student", "city"] and synthetic["balance"].dtype.kind == "f"
    assert set(synthetic["city"]) <= {"Köln", "Zürich", "Wien"}


def test_a_decimal_comma_with_a_comma_separator_is_refused_before_training(european_csv, tmp_path):
    source, _ = european_csv
    output = tmp_path / "o.csv"
    result = run("synthesize", source, "-o", output, "--epochs", 1, "--out-sep", ",", "--out-decimal", ",")
    assert_one_line_error(result, "--out-decimal ','", "--out-sep ';'")
    assert not output.exists() and "epoch" not in result.stderr


def test_a_pooled_level_is_refused_in_the_same_words_by_the_api_and_the_command_line(tmp_path):
    rng = np.random.RandomState(0)
    colours = np.r_[rng.choice(["red", "blue"], 297), ["teal", "mauve", "ochre"]]
    frame = pd.DataFrame({"colour": colours, "weight": rng.normal(70, 5, 300).round(1)})
    model = tmp_path / "m.skgen"
    sampler = GANSampler(max_epochs=1, max_categories=3, n_threads=1, random_state=0).fit(frame)
    sampler.save(model)
    message = ("Value 'teal' of column 'colour' is too rare to condition on: training pools it with other rare "
               "values, which are sampled together but cannot be asked for one by one.")
    with pytest.raises(ValueError) as caught:
        sampler.sample(5, conditions={"colour": "teal"})
    assert str(caught.value) == message
    result = run("sample", model, "-n", 5, "-o", tmp_path / "o.csv", "--condition", "colour=teal")
    assert_one_line_error(result, message)


@pytest.mark.parametrize("threads", ["1", "adaptive"])
def test_threads_hold_the_fit_and_the_scores(european_csv, tmp_path, threads):
    source, _ = european_csv
    result = run("synthesize", source, "-o", tmp_path / "o.csv", "--epochs", 1, "--quiet", "--threads", threads)
    assert result.returncode == 0, result.stderr
    assert "detection" in result.stdout

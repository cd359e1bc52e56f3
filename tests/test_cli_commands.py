"""The commands and flags a user expects, and the progress they see (``skgen.cli.main`` in-process)."""

import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import skgen

from .test_cli import assert_one_line_error, run


@pytest.fixture(scope="module")
def table_csv(tmp_path_factory):
    rng = np.random.RandomState(1)
    n = 240
    frame = pd.DataFrame({
        "weight": np.round(rng.normal(70, 12, n), 1),
        "colour": rng.choice(["red", "green", "blue"], n, p=[0.5, 0.3, 0.2]),
        "member": rng.rand(n) < 0.4,
    })
    path = tmp_path_factory.mktemp("commands") / "table.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def saved_model(table_csv):
    model = table_csv.parent / "model.skgen"
    result = run("synthesize", table_csv, "-n", 20, "-o", table_csv.parent / "first.csv", "--epochs", 3,
                 "--batch-size", 60, "--threads", 1, "--save", model, "--quiet")
    assert result.returncode == 0, result.stderr
    return model


def test_save_writes_the_safe_model_file_with_the_flags(saved_model):
    sampler = skgen.load(saved_model)  # the safe format: a pickle would be refused
    assert sampler.get_params()["batch_size"] == 60 and sampler.get_params()["n_threads"] == 1
    assert sampler.get_params()["max_epochs"] == 3 and 1 <= sampler.n_epochs_ <= 3  # (a judged fit may stop early)


def test_sample_writes_rows_from_a_saved_model(saved_model, tmp_path):
    outputs = [tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.tsv"]
    for output in outputs[:2]:
        result = run("sample", saved_model, "-n", 50, "-o", output, "--seed", 7)
        assert result.returncode == 0, result.stderr
        assert "wrote 50 synthetic rows" in result.stdout
    first, second = (pd.read_csv(p) for p in outputs[:2])
    pd.testing.assert_frame_equal(first, second)
    expected = skgen.load(saved_model).sample(50, random_state=7)
    assert list(first.columns) == ["weight", "colour", "member"]
    np.testing.assert_allclose(first["weight"], expected["weight"])
    result = run("sample", saved_model, "-n", 30, "-o", outputs[2], "--condition", "colour=blue", "--seed", 1)
    assert result.returncode == 0, result.stderr
    assert (pd.read_csv(outputs[2], sep="\t")["colour"] == "blue").all()


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["sample", "{dir}/none.skgen", "-n", "5", "-o", "{dir}/o.csv"], ["model file not found"]),
        (["sample", "{table}", "-n", "5", "-o", "{dir}/o.csv"], ["not a skgen model file"]),
        (["sample", "{model}", "-n", "5", "-o", "{dir}/o.csv", "--condition", "weight=70"],
         ["cannot condition on column 'weight'"]),
        (["sample", "{model}", "-n", "5", "-o", "{dir}/o.csv", "--condition", "colour=pink"], ["'pink'", "red"]),
        (["sample", "{model}", "-n", "5", "-o", "{dir}/o.xlsx"], ["unknown table format"]),
        (["sample", "{model}", "-n", "0", "-o", "{dir}/o.csv"], ["at least 1"]),
    ],
)
def test_sample_refuses_bad_input_in_one_line(saved_model, table_csv, tmp_path, args, fragments):
    args = [a.format(dir=tmp_path, table=table_csv, model=saved_model) for a in args]
    assert_one_line_error(run(*args), *fragments)
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize(
    "extra, fragments",
    [
        (["--condition", "weight=70.5"], ["cannot condition on column 'weight'", "colour"]),
        (["--condition", "colour=pink"], ["'pink'"]),
        (["--target", "height"], ["--target", "unknown column", "height"]),
        (["--batch-size", "0"], ["--batch-size", "positive"]),
        (["--threads", "-2"], ["--threads", "positive"]),
        (["--quiet", "--verbose"], ["not allowed with"]),
    ],
)
def test_synthesize_checks_every_option_before_training(table_csv, tmp_path, extra, fragments):
    output = tmp_path / "out.csv"
    result = run("synthesize", table_csv, "-n", 5, "-o", output, "--epochs", 2, *extra)
    assert_one_line_error(result, *fragments)
    assert "epoch" not in result.stderr
    assert not output.exists()


def test_parquet_output_without_pyarrow_stops_before_training(table_csv, tmp_path):
    # A subprocess in which pyarrow cannot be imported.
    code = (
        "import importlib.util, sys\n"
        "real = importlib.util.find_spec\n"
        "importlib.util.find_spec = lambda name, *a: None if name == 'pyarrow' else real(name, *a)\n"
        "from skgen.cli import main\n"
        f"sys.exit(main(['synthesize', {str(table_csv)!r}, '-n', '5', '-o', {str(tmp_path / 'o.parquet')!r}]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert_one_line_error(result, "needs pyarrow")
    assert "epoch" not in result.stderr


def test_synthesize_reports_utility_for_a_target_and_writes_the_report(table_csv, tmp_path):
    report = tmp_path / "report.html"
    result = run("synthesize", table_csv, "-n", 100, "-o", tmp_path / "o.csv", "--epochs", 2, "--target",
                 "member", "--report", report, "--quiet")
    assert result.returncode == 0, result.stderr
    assert "\n  utility roc_auc " in result.stdout
    assert "<h2>Detection</h2>" in report.read_text()


@pytest.mark.parametrize("flags, numeric_values", [((), "trees"), (("--no-value-trees",), "generator")])
def test_no_value_trees_fits_and_saves_a_model_without_them(table_csv, tmp_path, flags, numeric_values):
    model = tmp_path / "model.skgen"
    result = run("synthesize", table_csv, "-n", 10, "-o", tmp_path / "o.csv", "--epochs", 2, "--save", model,
                 "--quiet", *flags)
    assert result.returncode == 0, result.stderr
    assert skgen.load(model).get_params()["numeric_values"] == numeric_values


def test_version():
    result = run("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"skgen {skgen.__version__}"


def test_a_fit_logs_a_few_plain_lines_when_stderr_is_not_a_terminal(table_csv, tmp_path):
    result = run("synthesize", table_csv, "-n", 10, "-o", tmp_path / "o.csv", "--epochs", 20, "--no-early-stopping")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert "\r" not in result.stderr and "\x1b" not in result.stderr
    progress = [line for line in lines if line.startswith("GANSampler: epoch")]
    assert 5 <= len(progress) <= 11, result.stderr
    assert progress[-1].startswith("GANSampler: epoch 20/20 (100%)")
    assert "generator" in progress[-1] and "critic" in progress[-1] and "left" in progress[-1]
    assert len(lines) <= 20, result.stderr


def test_a_judged_fit_says_where_it_stopped_and_which_generator_it_kept(table_csv, tmp_path):
    result = run("synthesize", table_csv, "-n", 10, "-o", tmp_path / "o.csv", "--epochs", 60)
    assert result.returncode == 0, result.stderr
    sampler_lines = [line for line in result.stderr.splitlines() if line.startswith("GANSampler:")]
    summary = re.search(r"(\d+) of at most 60 epochs, the generator of epoch (\d+) kept", result.stdout)
    assert summary, result.stdout
    stopped = int(summary.group(1))
    assert stopped < 60 and int(summary.group(2)) <= stopped
    assert sampler_lines[-1].startswith(f"GANSampler: stopped at epoch {stopped}/60"), result.stderr


@pytest.mark.slow
def test_verbose_prints_the_epoch_table(table_csv, tmp_path):
    result = run("synthesize", table_csv, "-n", 10, "-o", tmp_path / "o.csv", "--epochs", 12, "--verbose",
                 "--no-early-stopping")
    assert result.returncode == 0, result.stderr
    table = [line for line in result.stderr.splitlines() if line.strip()[:2].strip().isdigit()]
    assert len(table) >= 12
    assert "critic_loss" in result.stderr and "generator_loss" in result.stderr
    assert "epoch" not in result.stdout.split("wrote")[0]




def test_a_mostly_numeric_column_is_warned_about_once_before_training(tmp_path):
    rng = np.random.RandomState(0)
    prices = [f"{v:.2f}" for v in rng.lognormal(3, 1, 200)]
    prices[3] = "unknown"
    source = tmp_path / "prices.csv"
    pd.DataFrame({"price": prices, "shop": rng.choice(list("abc"), 200)}).to_csv(source, index=False)
    result = run("synthesize", source, "-n", 5, "-o", tmp_path / "o.csv", "--epochs", 2)
    assert result.returncode == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if line.startswith("skgen: warning:")]
    assert len(warned) == 1 and "'price'" in warned[0] and "'unknown'" in warned[0]
    lines = result.stderr.splitlines()
    assert lines.index(warned[0]) < min(i for i, line in enumerate(lines) if "epoch" in line)

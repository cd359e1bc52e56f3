"""GANSampler.sample_chunks and sample_to: the same rows whatever the chunk size, files that
appear complete or not at all."""

import errno

import numpy as np
import pandas as pd
import pytest

from skgen import GANSampler
from skgen import _sample_stream
from skgen._io import _table_writer
from skgen._io._table_files import TableFileError
from skgen.constraints import Unique


@pytest.fixture(scope="module")
def sampler():
    rng = np.random.RandomState(0)
    n = 400
    frame = pd.DataFrame({
        "id": np.arange(n),
        "x": np.where(rng.rand(n) < 0.1, np.nan, rng.randn(n)),
        "colour": rng.choice(["red", "green", "blue"], n),
        "size": pd.Categorical(rng.choice(["S", "M", "L"], n)),
        "flag": rng.rand(n) < 0.3,
    })
    return GANSampler(max_epochs=2, batch_size=100, constraints=[Unique("id")], random_state=0).fit(frame)


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 300 rows, so a test's few hundred rows span several blocks."""
    monkeypatch.setattr(_sample_stream, "STREAM_BLOCK", 300)


def test_the_rows_do_not_depend_on_the_chunk_size(sampler, small_blocks):
    streams = {
        size: list(sampler.sample_chunks(1000, chunk_size=size, random_state=3)) for size in (1, 7, 300, 450, 5000)
    }
    assert [len(c) for c in streams[450]] == [450, 450, 100]
    assert len(streams[1]) == 1000 and len(streams[5000]) == 1
    whole = pd.concat(streams[5000])
    for chunks in streams.values():
        pd.testing.assert_frame_equal(pd.concat(chunks), whole)
    pd.testing.assert_index_equal(whole.index, pd.RangeIndex(1000))
    assert whole.dtypes.equals(sampler.sample(5).dtypes)
    # Blocks are drawn from different seeds: no block repeats the first.
    first = whole.iloc[:300].drop(columns="id").reset_index(drop=True)
    second = whole.iloc[300:600].drop(columns="id").reset_index(drop=True)
    assert not first.equals(second)
    assert not pd.concat(sampler.sample_chunks(1000, chunk_size=450, random_state=4)).equals(whole)


def test_one_block_is_the_rows_of_sample(sampler):
    chunks = pd.concat(sampler.sample_chunks(250, chunk_size=60, random_state=5))
    pd.testing.assert_frame_equal(chunks, sampler.sample(250, random_state=5))


def test_unique_keys_stay_distinct_across_blocks_and_conditions_hold(sampler, small_blocks):
    rows = pd.concat(sampler.sample_chunks(1000, chunk_size=128, conditions={"colour": "red"}, random_state=0))
    assert rows["id"].is_unique and rows["id"].min() == 400
    assert (rows["colour"] == "red").all()


@pytest.mark.parametrize("name", ["out.parquet", "out.csv", "out.tsv", "out.csv.gz", "out.csv.zip"])
def test_sample_to_writes_the_streamed_rows(sampler, small_blocks, tmp_path, name):
    if name.endswith("parquet"):
        pytest.importorskip("pyarrow")
    path = sampler.sample_to(tmp_path / name, 700, chunk_size=256, random_state=1)
    assert path == tmp_path / name and sorted(p.name for p in tmp_path.iterdir()) == [name]
    expected = pd.concat(sampler.sample_chunks(700, chunk_size=700, random_state=1)).reset_index(drop=True)
    if name.endswith("parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(path), expected)
    else:
        written = pd.read_csv(path, sep="\t" if name.endswith("tsv") else ",")
        assert written.shape == expected.shape and list(written.columns) == list(expected.columns)
        np.testing.assert_allclose(written["x"], expected["x"])
        assert (written["colour"] == expected["colour"]).all() and (written["id"] == expected["id"]).all()


def test_a_failed_write_leaves_no_complete_looking_file(sampler, small_blocks, tmp_path, monkeypatch):
    target = tmp_path / "synthetic.csv"
    target.write_text("the previous file\n")
    original = _table_writer.TableWriter._write_csv
    calls = []

    def disk_fills_up(self, frame):
        calls.append(len(frame))
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        original(self, frame)

    monkeypatch.setattr(_table_writer.TableWriter, "_write_csv", disk_fills_up)
    with pytest.raises(OSError, match="ran out of disk space writing .*synthetic.csv"):
        sampler.sample_to(target, 900, chunk_size=300, random_state=0)
    assert calls == [300, 300]
    assert target.read_text() == "the previous file\n"  # the earlier file, untouched
    assert [p.name for p in tmp_path.iterdir()] == ["synthetic.csv"]  # and no partial file


def test_zero_rows_write_an_empty_table_with_the_columns(sampler, tmp_path):
    assert list(sampler.sample_chunks(0)) == []
    path = sampler.sample_to(tmp_path / "empty.csv", 0)
    written = pd.read_csv(path)
    assert written.empty and list(written.columns) == ["id", "x", "colour", "size", "flag"]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda s, d: s.sample_chunks(10, chunk_size=0), "chunk_size must be a positive integer"),
        (lambda s, d: s.sample_chunks(-1), "n_samples must be a non-negative integer"),
        (lambda s, d: s.sample_chunks(2.5), "n_samples must be a non-negative integer"),
        (lambda s, d: s.sample_to(d / "out.json", 10), "unknown table format '.json'"),
        (lambda s, d: s.sample_to(d / "missing" / "out.csv", 10), "directory .*missing does not exist"),
    ],
)
def test_bad_arguments_are_refused_before_any_row_is_made(sampler, tmp_path, call, message):
    with pytest.raises((ValueError, TableFileError), match=message):
        call(sampler, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_images_stream_as_arrays_but_are_not_written_as_tables(tmp_path):
    images = np.random.RandomState(0).rand(40, 8, 8).astype(np.float32)
    sampler = GANSampler(max_epochs=1, batch_size=20, random_state=0).fit(images)
    chunks = list(sampler.sample_chunks(50, chunk_size=20, random_state=0))
    assert [c.shape for c in chunks] == [(20, 8, 8), (20, 8, 8), (10, 8, 8)]
    np.testing.assert_array_equal(np.concatenate(chunks), sampler.sample(50, random_state=0))
    with pytest.raises(ValueError, match="sample_to writes tables"):
        sampler.sample_to(tmp_path / "images.parquet", 10)

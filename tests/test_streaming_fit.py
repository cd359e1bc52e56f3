"""GANSampler.fit on Parquet/CSV files, a pyarrow Dataset or a Dask frame, in bounded memory."""

import subprocess
import sys
import textwrap
import types

import numpy as np
import pandas as pd
import pytest

from skgen import GANSampler
from skgen._tabular import _kind as table_kind
from skgen._tabular import _sources

pytest.importorskip("pyarrow")


def _table(n=3000, seed=0):
    rng = np.random.RandomState(seed)
    group = rng.choice(["a", "b", "c", "rare"], n, p=[0.5, 0.3, 0.195, 0.005])
    return pd.DataFrame({
        "group": group,
        "x": np.where(group == "a", 10.0, 0.0) + rng.randn(n),
        "count": rng.randint(0, 5, n),
        "income": np.where(rng.rand(n) < 0.15, np.nan, np.round(rng.lognormal(3, 1, n), 2)),
        "size": pd.Categorical(rng.choice(["S", "M", "L"], n)),
        "flag": rng.rand(n) < 0.3,
        "when": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.randint(0, 900, n), unit="D"),
    })


@pytest.fixture(scope="module")
def table():
    return _table()


@pytest.fixture(scope="module")
def parquet_dir(table, tmp_path_factory):
    """The table in three Parquet files of several row groups; the one 'rare' row sits in the last file."""
    folder = tmp_path_factory.mktemp("parts")
    for i, part in enumerate(np.array_split(np.arange(len(table)), 3)):
        table.iloc[part].to_parquet(folder / f"part-{i}.parquet", row_group_size=400)
    return folder


@pytest.fixture
def small_buffers(monkeypatch):
    monkeypatch.setattr(table_kind, "FIT_SAMPLE_ROWS", 800)
    monkeypatch.setattr(table_kind, "BUFFER_ROWS", 700)
    monkeypatch.setattr(_sources, "PIECE_ROWS", 250)


def _codec_summary(codec):
    out = []
    for c in codec.codecs_:
        levels = None if c.levels is None else sorted(map(str, c.levels))
        out.append((c.name, c.kind, c.has_missing, round(c.missing_rate, 12), c.low, c.high, levels))
    return out


def test_exact_statistics_match_the_in_memory_fit(table, parquet_dir, small_buffers):
    streamed = GANSampler(max_epochs=1, random_state=0).fit(str(parquet_dir / "*.parquet"))
    in_memory = GANSampler(max_epochs=1, random_state=0).fit(table)
    # Kinds, levels (the rare level too, though the sample of 800 rows may miss it),
    # ranges and missing rates (which sampling follows: see the next test) are exact;
    # quantiles are estimated from the sample.
    assert _codec_summary(streamed.codec_) == _codec_summary(in_memory.codec_)
    rows = streamed.sample(300, random_state=0)
    assert rows.dtypes.equals(table.dtypes) and list(rows.columns) == list(table.columns)
    assert not streamed.fitted_on_array_ and list(streamed.feature_names_in_) == list(table.columns)


def test_a_streamed_fit_draws_the_exact_missing_rates(table, parquet_dir, small_buffers):
    # Untrained networks: the drawn levels are what the level calibration makes of them. Its target
    # for a column's missing level is the rate the first pass counted on every row, not the share
    # in the 800-row sample the rest is fitted on.
    params = dict(max_epochs=1, batch_size=100, lr=1e-12, latent_classes=0, random_state=0, n_threads=1)
    streamed = GANSampler(**params).fit(str(parquet_dir / "*.parquet"))
    exact = table["income"].isna().mean()
    (income,) = [c for c in streamed.codec_.codecs_ if c.name == "income"]
    assert income.missing_rate == pytest.approx(exact)
    drawn = streamed.sample(30_000, random_state=1)["income"].isna().mean()
    assert abs(drawn - exact) < 0.006, (drawn, exact)


def test_an_epoch_is_one_pass_over_every_row(parquet_dir, small_buffers):
    sampler = GANSampler(max_epochs=2, batch_size=100, latent_classes=0, random_state=0).fit(parquet_dir)
    assert sampler.n_epochs_ == 2
    assert [len(epoch["batches"]) for epoch in sampler.history_] == [30, 30]


def test_csv_files_a_pyarrow_dataset_and_a_dask_frame_are_read(table, tmp_path, small_buffers):
    import pyarrow.dataset as ds

    csv = tmp_path / "table.csv"
    table.to_csv(csv, index=False)
    parquet = tmp_path / "table.parquet"
    table.to_parquet(parquet)
    dask_dd = pytest.importorskip("dask.dataframe")
    for source in (csv, ds.dataset(parquet), dask_dd.from_pandas(table, npartitions=4)):
        sampler = GANSampler(max_epochs=1, batch_size=200, latent_classes=0, random_state=0).fit(source)
        assert list(sampler.sample(20, random_state=0).columns) == list(table.columns)
        assert [len(e["batches"]) for e in sampler.history_] == [len(table) // 200]


@pytest.mark.slow
def test_a_streamed_fit_learns_what_an_in_memory_fit_learns(table, parquet_dir, small_buffers):
    """x is about 10 in group 'a' and 0 elsewhere: the streamed model gets the gap as the
    in-memory one does, an untrained one does not."""

    def gap(sampler):
        rows = sampler.sample(3000, random_state=0)
        return rows.loc[rows["group"] == "a", "x"].mean() - rows.loc[rows["group"] != "a", "x"].mean()

    params = dict(max_epochs=30, batch_size=100, random_state=0)
    streamed = gap(GANSampler(**params).fit(parquet_dir))
    in_memory = gap(GANSampler(**params).fit(table))
    untrained = gap(GANSampler(**{**params, "max_epochs": 1}, lr=1e-12, latent_classes=0,
                               calibrate_levels=False).fit(parquet_dir))
    assert abs(untrained) < 3
    assert streamed > 8 and abs(streamed - in_memory) < 1.5


_MEMORY_SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np, pandas as pd, pyarrow as pa, pyarrow.parquet as pq
    from skgen import GANSampler
    from skgen._tabular import _kind
    _kind.FIT_SAMPLE_ROWS = _kind.BUFFER_ROWS = 20_000
    n_rows, path, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    writer = None
    for start in range(0, n_rows, 50_000):
        rng = np.random.RandomState(start)
        n = min(50_000, n_rows - start)
        piece = pd.DataFrame({"g": rng.choice(list("abcdef"), n), "x": rng.randn(n), "y": rng.lognormal(0, 1, n),
                              "k": rng.randint(0, 9, n)})
        table = pa.Table.from_pandas(piece, preserve_index=False)
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table, row_group_size=25_000)
    writer.close()
    def peak_mb():
        # VmHWM: this address space's peak (ru_maxrss keeps the parent's peak across fork and exec).
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
    X = pd.read_parquet(path) if mode == "memory" else path
    before = peak_mb()
    GANSampler(max_epochs=1, batch_size=8000, latent_classes=0, random_state=0).fit(X)
    print(peak_mb() - before)
""")


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the peak RSS from /proc")
def test_peak_memory_does_not_grow_with_the_rows(tmp_path):
    def growth(n_rows, mode):
        result = subprocess.run(
            [sys.executable, "-c", _MEMORY_SCRIPT, str(n_rows), str(tmp_path / f"{n_rows}.parquet"), mode],
            capture_output=True, text=True, check=True,
        )
        return float(result.stdout.strip().splitlines()[-1])

    small, large = growth(200_000, "stream"), growth(800_000, "stream")
    in_memory = growth(800_000, "memory")
    # Four times the rows: the streamed fit's peak grows by the allocator's settling only (measured
    # 17-25 MB, flat beyond: 4 epochs of 1.6M rows stayed within 690-720 MB), the in-memory fit's by
    # its rows (measured 157 MB over the streamed 200k-row fit).
    assert large - small < 40, (small, large)
    assert in_memory > large + 80, (in_memory, large)


def test_bad_sources_are_refused_before_training(table, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table.iloc[:10].to_parquet(tmp_path / "one.parquet")
    table.iloc[:10].drop(columns="x").to_parquet(tmp_path / "two.parquet")
    pq.write_table(pa.table({"v": [[1, 2], [3]]}), tmp_path / "lists.parquet")
    table.iloc[:10].to_csv(tmp_path / "one.csv", index=False)
    empty = tmp_path / "empty"
    empty.mkdir()
    cases = [
        (tmp_path / "missing.parquet", "File not found"),
        (str(tmp_path / "nothing-*.parquet"), "No file matches"),
        (str(tmp_path / "[ot]*.parquet"), "have different schemas .*column 'x'"),
        (tmp_path / "lists.parquet", "Column 'v' .* has type list<.*cannot learn"),
        (str(tmp_path / "one.*"), "mixes Parquet and CSV"),
        (empty, "holds no .csv, .tsv, .txt, .parquet or .pq file"),
    ]
    for source, message in cases:
        with pytest.raises(ValueError, match=message):
            GANSampler(max_epochs=1).fit(source)
    with pytest.raises(ValueError, match="needs the table in memory"):
        GANSampler(max_epochs=1, dp_epsilon=1.0).fit(tmp_path / "one.parquet")
    with pytest.raises(TypeError, match="not data; read the file first"):
        from skgen import AutoencoderTransformer

        AutoencoderTransformer().fit(str(tmp_path / "one.parquet"))



def test_each_pass_reads_every_row_once_in_a_new_order(table, parquet_dir, small_buffers):
    from skgen._tabular._streaming import StreamingDataset

    seen = []
    def encode(frame):
        seen.append(frame)
        return types.SimpleNamespace()

    dataset = StreamingDataset(_sources.TableSource(parquet_dir), len(table), encode, 700, seed=0)
    passes = []
    for _ in range(2):
        seen.clear()
        list(dataset.buffers())
        assert all(len(frame) <= 700 + 250 for frame in seen)
        passes.append(pd.concat(seen, ignore_index=True))
    for rows in passes:
        assert len(rows) == len(table)
        pd.testing.assert_frame_equal(
            rows.sort_values(["when", "x"]).reset_index(drop=True), table.sort_values(["when", "x"]).reset_index(drop=True)
        )
    assert not passes[0]["x"].equals(passes[1]["x"])  # pieces in another order
    assert not np.array_equal(passes[0]["x"].to_numpy()[:250], table["x"].to_numpy()[:250])  # not the file order


def test_the_next_buffer_is_made_in_the_background_one_ahead(table, parquet_dir, small_buffers):
    import threading
    import time

    from skgen._tabular._streaming import StreamingDataset

    makers = []

    def encode(frame):
        makers.append(threading.current_thread().name)
        return types.SimpleNamespace()

    dataset = StreamingDataset(_sources.TableSource(parquet_dir), len(table), encode, 700, seed=0)
    buffers = dataset.buffers()
    next(buffers)
    deadline = time.monotonic() + 10
    while len(makers) < 2 and time.monotonic() < deadline:  # the caller asks for nothing meanwhile
        time.sleep(0.01)
    time.sleep(0.2)
    assert len(makers) == 2, makers  # the second buffer is made while the first is used, no third
    assert not any(name == threading.current_thread().name for name in makers)
    buffers.close()
    assert not any(t.name.startswith("skgen-buffer") for t in threading.enumerate())
    assert sum(data.source_rows for data in dataset.buffers()) == len(table)  # a whole pass after a closed one


def test_an_error_while_reading_ahead_reaches_the_caller(table, parquet_dir, small_buffers):
    from skgen._tabular._streaming import StreamingDataset

    def encode(frame):
        if encode.calls == 1:
            raise ValueError("Cannot read part-9.parquet: truncated")
        encode.calls += 1
        return types.SimpleNamespace()

    encode.calls = 0
    dataset = StreamingDataset(_sources.TableSource(parquet_dir), len(table), encode, 700, seed=0)
    buffers = dataset.buffers()
    next(buffers)
    with pytest.raises(ValueError, match="Cannot read part-9.parquet: truncated"):
        next(buffers)


def test_a_semicolon_csv_with_decimal_commas_is_read_as_its_columns(table, tmp_path, small_buffers):
    # The dialect is guessed from the file, as the command line guesses it: read as commas and
    # points, this file would be one text column of whole lines.
    path = tmp_path / "european.csv"
    table.drop(columns="when").to_csv(path, sep=";", decimal=",", index=False, encoding="latin-1")
    expected = pd.read_csv(path, sep=";", decimal=",", encoding="latin-1")
    sampler = GANSampler(max_epochs=1, batch_size=200, latent_classes=0, random_state=0).fit(path)
    assert list(sampler.feature_names_in_) == list(expected.columns)
    rows = sampler.sample(50, random_state=0)
    assert rows["x"].dtype.kind == "f" and rows["count"].dtype.kind == "i"
    in_memory = GANSampler(max_epochs=1, random_state=0).fit(expected)
    assert _codec_summary(sampler.codec_) == _codec_summary(in_memory.codec_)


def test_held_out_rows_are_set_aside_row_by_row_whatever_the_reading(table, parquet_dir, monkeypatch):
    def rows(source, rng=None):
        frame = pd.concat(list(source.pieces(rng)), ignore_index=True)
        return frame.sort_values(["when", "x"]).reset_index(drop=True)

    source = _sources.TableSource(parquet_dir, holdout=0.25, seed=3)
    train, held_out = rows(source), rows(source.held_out())
    assert abs(len(held_out) / len(table) - 0.25) < 0.04
    both = pd.concat([train, held_out]).sort_values(["when", "x"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(both, table.sort_values(["when", "x"]).reset_index(drop=True))
    assert not set(train["x"]) & set(held_out["x"])
    # The same rows whatever the order the units are read in and however they are cut in pieces.
    pd.testing.assert_frame_equal(rows(source, np.random.RandomState(1)), train)
    monkeypatch.setattr(_sources, "PIECE_ROWS", 97)
    pd.testing.assert_frame_equal(rows(_sources.TableSource(parquet_dir, holdout=0.25, seed=3).held_out()), held_out)
    other_seed = rows(_sources.TableSource(parquet_dir, holdout=0.25, seed=4).held_out())
    assert not set(other_seed["x"]) == set(held_out["x"])
    # A sampler fitted on the source trains on the other rows only.
    sampler = GANSampler(max_epochs=1, batch_size=100, latent_classes=0, random_state=0).fit(source)
    assert [len(e["batches"]) for e in sampler.history_] == [len(train) // 100]


def test_a_small_file_is_learned_as_the_same_table_in_memory(tmp_path):
    # The first pass keeps every row of a small file both as drawn and as an exemplar: kept
    # twice, the key would look repeated (so copied) and the incomes snapped to the real ones.
    rng = np.random.RandomState(0)
    n = 300
    table = pd.DataFrame({"id": [f"C{k:05d}" for k in rng.permutation(10_000)[:n]], "income": np.round(rng.lognormal(10, 0.5, n), 2),
                          "city": rng.choice(["x", "y", "z"], n)})
    table.to_parquet(tmp_path / "small.parquet")
    for X in (table, tmp_path / "small.parquet"):
        rows = GANSampler(max_epochs=2, random_state=0).fit(X).sample(200, random_state=0)
        assert not set(rows["id"]) & set(table["id"]), type(X)
        assert rows["income"].isin(table["income"]).mean() < 0.2, type(X)

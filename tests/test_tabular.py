"""The DataFrame <-> matrix codec (skgen._tabular)."""

import numpy as np
import pandas as pd
import pytest

import skgen
from skgen import GANSampler

from skgen._tabular import _numeric
from skgen._tabular import BOOLEAN, CATEGORICAL, CONTINUOUS, DATETIME, INTEGER, TabularCodec, infer_kind


def mixed_frame(n=200, seed=0):
    rng = np.random.RandomState(seed)
    frame = pd.DataFrame(
        {
            "real": rng.randn(n) * 3 + 1,
            "spiky": np.where(rng.rand(n) < 0.6, 0.0, rng.exponential(1000, n)),
            "count": rng.randint(0, 5, n),
            "big_int": rng.randint(0, 10**12, n).astype(np.int64),
            "flag": rng.rand(n) > 0.3,
            "nullable_flag": pd.array(np.where(rng.rand(n) < 0.1, None, rng.rand(n) > 0.5), dtype="boolean"),
            "city": rng.choice(["paris", "rome", "oslo"], n).astype(object),
            "cat": pd.Categorical(rng.choice(["a", "b", "c"], n), categories=["c", "b", "a", "unused"]),
            "text": pd.array(rng.choice(["x", "y"], n), dtype="string"),
            "when": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.randint(0, 1000, n), unit="D"),
            "nullable_int": pd.array(np.where(rng.rand(n) < 0.2, None, rng.randint(0, 100, n)), dtype="Int64"),
            "with_nan": np.where(rng.rand(n) < 0.25, np.nan, rng.randn(n)),
        }
    )
    frame.loc[rng.rand(n) < 0.1, "city"] = None
    return frame


def test_kinds_are_inferred():
    frame = mixed_frame()
    kinds = {name: infer_kind(frame[name]) for name in frame.columns}
    assert kinds["real"] == CONTINUOUS and kinds["count"] == INTEGER and kinds["when"] == DATETIME
    assert kinds["flag"] == BOOLEAN and kinds["nullable_flag"] == BOOLEAN
    assert kinds["city"] == CATEGORICAL and kinds["cat"] == CATEGORICAL and kinds["text"] == CATEGORICAL


def test_round_trip_returns_the_rows():
    frame = mixed_frame()
    codec = TabularCodec().fit(frame)
    decoded = codec.inverse_transform(codec.transform(frame))
    assert list(decoded.columns) == list(frame.columns)
    for column in frame.columns:
        assert decoded[column].dtype == frame[column].dtype, column
    for column in ("count", "flag", "nullable_flag", "city", "cat", "text", "when", "nullable_int"):
        pd.testing.assert_series_equal(decoded[column], frame[column], check_exact=True, obj=column)
    # Continuous values pass through float32: equal to float32 precision of the range.
    for column in ("real", "spiky", "with_nan", "big_int"):
        span = frame[column].max() - frame[column].min()
        np.testing.assert_allclose(decoded[column], frame[column], rtol=0, atol=1e-5 * span, err_msg=column)
    assert decoded["cat"].cat.categories.tolist() == ["c", "b", "a", "unused"]


@pytest.mark.parametrize("n_distinct", [35, 40])  # 7 bins (odd), 8 bins (even)
def test_a_score_of_zero_is_placed_anywhere_in_its_bin(n_distinct):
    # An untrained generator started at zero scores every row 0; with the bin from a latent class
    # (in_bin), each value takes a uniform place in its bin, as the data's own values do there.
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"age": rng.randint(0, n_distinct, 2000).astype(float)})
    codec = TabularCodec().fit(frame)
    assert next(c for c in codec.codecs_ if c.name == "age").bins == n_distinct // 5
    matrix = codec.transform(frame)
    matrix[:, codec.segments_[-1].start] = 0.0  # the score
    decoded = codec.inverse_transform(matrix, rng=np.random.RandomState(1), in_bin=True)["age"]
    # Every value keeps its share (about 1 / n_distinct): none gets a whole bin's rows.
    assert decoded.value_counts(normalize=True).max() < 2.0 / n_distinct
    assert decoded.nunique() == n_distinct


def test_a_value_placed_in_its_bin_is_one_the_bin_holds():
    # A count repeats its values: the rows of one value span a range of quantiles, which a bin edge
    # can cut; encoding puts them all in one bin, so that bin must decode to them, not its neighbour's.
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"count": rng.geometric(0.04, 3000).astype(float)})
    codec = TabularCodec().fit(frame)
    column = codec.codecs_[0]
    assert column.bins == 10 and len(column.spikes) == 0
    matrix = codec.transform(frame)
    segment = column.discrete_segment
    level = matrix[:, segment.start : segment.start + segment.width].argmax(1)
    matrix[:, codec.segments_[-1].start] = 0.0  # the untrained generator's score: a uniform place in the bin
    decoded = codec.inverse_transform(matrix, rng=np.random.RandomState(1), in_bin=True)["count"].to_numpy()
    held = [set(frame["count"][level == b]) for b in range(column.bins)]
    foreign = np.mean([value not in held[b] for value, b in zip(decoded, level)])
    # Measured: 0.011, values between sparse tail values (with the nominal edges: 0.056).
    assert foreign < 0.02, foreign


def test_spikes_become_categories():
    frame = mixed_frame()
    codec = TabularCodec().fit(frame)
    spiky = next(c for c in codec.codecs_ if c.name == "spiky")
    assert 0.0 in spiky.spikes
    assert [s.kind for s in spiky.segments] == ["softmax", "numeric"]


def test_missing_values_get_an_indicator():
    frame = mixed_frame()
    codec = TabularCodec().fit(frame)
    with_nan = next(c for c in codec.codecs_ if c.name == "with_nan")
    assert with_nan.has_missing and _numeric.levels(with_nan)[-1] == ("missing", None)
    decoded = codec.inverse_transform(codec.transform(frame))
    assert decoded["with_nan"].isna().sum() == frame["with_nan"].isna().sum()
    assert decoded["city"].isna().sum() == frame["city"].isna().sum()


def test_constant_and_single_column_frames():
    frame = pd.DataFrame({"const": [3.0] * 10, "one_level": ["a"] * 10, "x": np.arange(10.0)})
    codec = TabularCodec().fit(frame)
    decoded = codec.inverse_transform(codec.transform(frame))
    pd.testing.assert_frame_equal(decoded, frame)
    single = pd.DataFrame({"x": np.linspace(0, 1, 50)})
    codec = TabularCodec().fit(single)
    assert codec.n_encoded_ == 11  # ten quantile bins and the position in the bin


def test_high_cardinality_is_capped_and_drawn_back():
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"id": [f"u{i}" for i in rng.randint(0, 5000, 20000)]})
    codec = TabularCodec(max_categories=50).fit(frame)
    assert codec.n_encoded_ == 50
    decoded = codec.inverse_transform(codec.transform(frame), rng=np.random.RandomState(0))
    assert decoded["id"].nunique() > 1000  # pooled levels come back, not one placeholder
    assert set(decoded["id"]) <= set(frame["id"])


def test_category_dtype_with_more_levels_than_max_categories_decodes():
    # A pandas category column above max_categories used to fit, then fail
    # in sample() with KeyError '__skgen_other__' (the object column worked).
    rng = np.random.RandomState(0)
    levels = [f"l{i}" for i in range(30)]
    frame = pd.DataFrame({"c": pd.Categorical(rng.choice(levels, 600), categories=levels)})
    codec = TabularCodec(max_categories=10).fit(frame)
    encoded = codec.transform(frame)
    for rng_seed in (0, 1):
        decoded = codec.inverse_transform(encoded, rng=np.random.RandomState(rng_seed))
        assert decoded["c"].dtype == frame["c"].dtype
        assert decoded["c"].notna().all()
        assert decoded["c"].nunique() > 10  # pooled levels drawn back, as categories
    kept = codec.codecs_[0].levels[:-1]  # the nine levels not pooled
    unpooled = frame[frame["c"].isin(kept)]
    pd.testing.assert_series_equal(codec.inverse_transform(codec.transform(unpooled))["c"], unpooled["c"].reset_index(drop=True))


def test_coordinates_keep_their_seven_decimal_places():
    rng = np.random.RandomState(0)
    n = 300
    frame = pd.DataFrame({"latitude": np.round(42 + rng.rand(n) / 10, 7), "ratio": 50 + rng.rand(n)})
    codec = TabularCodec().fit(frame)
    assert [c.decimals for c in codec.codecs_] == [7, None]  # (full precision: left alone)
    noisy = codec.transform(frame) + rng.randn(n, codec.n_encoded_).astype(np.float32) * 0.3
    scaled = codec.inverse_transform(noisy)["latitude"] * 10**7
    assert np.allclose(scaled, np.round(scaled), atol=1e-4)


def test_whole_numbers_with_missing_values_and_decimal_places_are_kept():
    # pandas reads a column of whole numbers with a missing value as float: it
    # must come back whole (years, not 1996.2346); money keeps its 2 decimals.
    rng = np.random.RandomState(0)
    n = 400
    year = rng.randint(1950, 2020, n).astype(float)
    year[rng.rand(n) < 0.2] = np.nan
    price = np.round(rng.lognormal(3, 1, n), 2)
    ratio = rng.rand(n)  # full precision: left alone
    frame = pd.DataFrame({"year": year, "price": price, "ratio": ratio})
    codec = TabularCodec().fit(frame)
    assert [c.kind for c in codec.codecs_] == [INTEGER, CONTINUOUS, CONTINUOUS]
    noisy = codec.transform(frame) + rng.randn(n, codec.n_encoded_).astype(np.float32) * 0.3
    decoded = codec.inverse_transform(noisy)
    assert decoded.dtypes.equals(frame.dtypes)
    years = decoded["year"].dropna()
    assert len(years) and (years == np.round(years)).all()
    assert decoded["year"].isna().any()
    cents = decoded["price"] * 100
    assert np.allclose(cents, np.round(cents), atol=1e-6)
    assert not np.allclose(decoded["ratio"] * 1e6, np.round(decoded["ratio"] * 1e6), atol=1e-6)
    restored = TabularCodec.from_state(codec.get_state())
    pd.testing.assert_frame_equal(restored.inverse_transform(noisy), decoded)



def test_numeric_columns_with_few_distinct_values_stay_on_their_grid():
    # Wind speeds in steps of 0.7 knots (40 values): a detector spots a row
    # whose value the column never takes; a column of 300 distinct values is
    # left continuous.
    rng = np.random.RandomState(0)
    n = 600
    grid = np.round(0.7 * np.arange(40), 1)
    frame = pd.DataFrame({"wind": rng.choice(grid, n), "fine": rng.lognormal(0, 1, n)})
    codec = TabularCodec().fit(frame)
    noisy = codec.transform(frame) + rng.randn(n, codec.n_encoded_).astype(np.float32) * 0.3
    decoded = codec.inverse_transform(noisy)
    assert decoded["wind"].isin(grid).all()
    assert decoded["wind"].nunique() > 30  # spread over the grid, not piled on a few values
    assert decoded["fine"].isin(frame["fine"]).mean() < 0.05  # (the ends are clipped to the min and max)
    restored = TabularCodec.from_state(codec.get_state())
    pd.testing.assert_frame_equal(restored.inverse_transform(noisy), decoded)

def test_values_stay_in_range_and_integers_round():
    frame = mixed_frame()
    codec = TabularCodec().fit(frame)
    noisy = codec.transform(frame) + np.random.RandomState(0).randn(len(frame), codec.n_encoded_).astype(np.float32) * 3
    decoded = codec.inverse_transform(noisy)
    assert decoded["real"].between(frame["real"].min(), frame["real"].max()).all()
    assert decoded["big_int"].between(frame["big_int"].min(), frame["big_int"].max()).all()
    assert decoded["big_int"].dtype == np.int64


@pytest.mark.parametrize(
    "frame, match",
    [
        (pd.DataFrame({"a": []}), "empty"),
        (pd.DataFrame(index=range(3)), "no columns"),
        (pd.DataFrame({"a": [np.nan, np.nan]}), "only missing values"),
        (pd.DataFrame({"a": [1.0, np.inf]}), "infinite"),
        (pd.DataFrame({"a": [1 + 2j, 3j]}), "Complex data not supported"),
        (pd.DataFrame({"a": pd.to_timedelta([1, 2], unit="D")}), "cannot model"),
    ],
)
def test_bad_frames(frame, match):
    with pytest.raises((ValueError, TypeError), match=match):
        TabularCodec().fit(frame)


def test_unknown_forced_categorical_column():
    with pytest.raises(ValueError, match="unknown column"):
        TabularCodec(categorical_columns=["nope"]).fit(pd.DataFrame({"a": [1, 2]}))


def test_input_frame_is_not_modified():
    frame = mixed_frame()
    copy = frame.copy()
    codec = TabularCodec().fit(frame)
    codec.transform(frame)
    pd.testing.assert_frame_equal(frame, copy)


def test_low_cardinality_nullable_integers_with_missing_values_round_trip():
    """Found by the fuzz tests: an Int64 column with few levels and <NA>."""
    frame = pd.DataFrame({"n": pd.array([1, 2, None, 2, 1, None, 3, 1], dtype="Int64"),
                          "x": np.linspace(0, 1, 8)})
    codec = TabularCodec().fit(frame)
    decoded = codec.inverse_transform(codec.transform(frame))
    pd.testing.assert_series_equal(decoded["n"], frame["n"])


def test_pandas_sparse_columns_come_back_sparse(tmp_path):
    rng = np.random.RandomState(0)
    dense = pd.DataFrame(rng.binomial(1, 0.2, (200, 2)) * [1.0, 3.0], columns=["a", "b"])
    X = dense.astype(pd.SparseDtype(float, 0))
    sampler = GANSampler(max_epochs=2, batch_size=50, random_state=0).fit(X)
    out = sampler.sample(50, random_state=0)
    assert all(isinstance(dtype, pd.SparseDtype) for dtype in out.dtypes)
    assert out.dtypes.equals(X.dtypes)
    assert set(np.unique(out.sparse.to_dense().to_numpy())) <= {0.0, 1.0, 3.0}
    sampler.save(tmp_path / "sparse.skgen")
    pd.testing.assert_frame_equal(skgen.load(tmp_path / "sparse.skgen").sample(50, random_state=0), out)


def test_text_keys_are_generated_new_never_copied():
    rng = np.random.RandomState(0)
    n = 300
    frame = pd.DataFrame({"name": [f"person {i}" for i in rng.permutation(n)], "x": rng.randn(n),
                          "c": rng.choice(list("abc"), n)})
    with pytest.warns(UserWarning, match="distinct text value on every row"):
        sampler = GANSampler(max_epochs=2, batch_size=100, random_state=0).fit(frame)
    out = sampler.sample(500, random_state=0)
    assert out.dtypes.equals(frame.dtypes)
    assert not out["name"].isin(frame["name"]).any() and out["name"].is_unique
    assert out["c"].isin(["a", "b", "c"]).all()
    learned = GANSampler(max_epochs=2, batch_size=100, random_state=0, categorical_columns=["name"]).fit(frame)
    assert learned.sample(200, random_state=0)["name"].isin(frame["name"]).all()  # asked for: its values learned
    with pytest.raises(ValueError, match="Every column is a key"):
        GANSampler(max_epochs=2).fit(frame[["name"]])

"""Numeric values drawn inside their bin from training rows like the generated one (skgen._tabular._value_trees)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.tree import DecisionTreeRegressor

from skgen import GANSampler, load
from skgen._tabular._value_trees import COPY_MARGIN, ValueTrees, apply_tree
from ._settings import TINY_TABLE_GAN

FAST = TINY_TABLE_GAN


def weather(n, seed):
    """``humid`` a smooth function of ``temp`` and ``dewp`` (finer than any bin), a spike and missing values."""
    rng = np.random.RandomState(seed)
    temp = rng.normal(20, 8, n)
    dewp = temp - np.abs(rng.normal(3, 2, n))
    humid = 100 * np.exp(0.06 * (dewp - temp))
    rain = np.where(rng.rand(n) < 0.6, 0.0, rng.exponential(2, n)).round(2)
    gust = np.where(rng.rand(n) < 0.2, np.nan, rng.gamma(3, 5, n)).round(1)
    return pd.DataFrame({"temp": temp.round(2), "dewp": dewp.round(2), "humid": humid.round(2), "rain": rain,
                         "gust": gust, "site": rng.choice(["EWR", "JFK", "LGA"], n)})


def humid_error(frame):
    return float(np.median(np.abs(frame["humid"] - 100 * np.exp(0.06 * (frame["dewp"] - frame["temp"])))))


@pytest.fixture(scope="module")
def table():
    return weather(1500, 0)


@pytest.fixture(scope="module")
def fitted(table):
    return GANSampler(**FAST).fit(table)


def test_a_relation_finer_than_a_bin_is_kept_far_better_than_by_the_generator(table, fitted):
    by_generator = GANSampler(**FAST, numeric_values="generator").fit(table)
    assert not hasattr(by_generator.codec_, "value_trees_")
    drawn, generated = fitted.sample(3000, random_state=0), by_generator.sample(3000, random_state=0)
    assert humid_error(table) < 0.05  # (the rounding to two decimals)
    # The same levels either way (the same training and level draws): only values drawn differ.
    assert humid_error(drawn) < 0.6 * humid_error(generated)


def test_drawn_values_are_training_values_and_point_masses_and_missing_stay_the_generator_s(table, fitted):
    rows = fitted.sample(3000, random_state=1)
    by_generator = fitted.codec_.value_trees_
    fitted.codec_.value_trees_ = None
    try:
        levels_only = fitted.sample(3000, random_state=1)
    finally:
        fitted.codec_.value_trees_ = by_generator
    for column in ["temp", "dewp", "humid", "gust"]:
        assert rows[column].dropna().isin(table[column]).all()
    # Point masses and missing values stay the generator's: only values inside a bin are drawn.
    pd.testing.assert_series_equal(rows["rain"] == 0, levels_only["rain"] == 0)
    pd.testing.assert_series_equal(rows["gust"].isna(), levels_only["gust"].isna())
    # Training rows come back whole no more often than the leaves are sized for (the generator's places: none).
    assert rows.merge(table.drop_duplicates(), how="inner").shape[0] <= COPY_MARGIN * len(rows)


def routes(n, seed):
    """A duration set by one of 60 routes (the way ``air_time`` follows ``origin`` and ``dest``), beside
    columns that do not depend on it: more than the latent classes resolve."""
    rng = np.random.RandomState(seed)
    route = rng.randint(60, size=n)
    frame = pd.DataFrame({"route": np.array([f"R{i:02d}" for i in range(60)])[route],
                          "minutes": (np.linspace(40, 600, 60)[route] * (1 + 0.03 * rng.randn(n))).round(0)})
    for k in range(4):
        frame[f"x{k}"] = rng.gamma(2 + k, 3, n).round(2)
    return frame.assign(kind=rng.choice(list("abc"), n))


def test_a_value_follows_its_category_where_the_generator_s_bin_does_not():
    train = routes(2000, 0)
    span = train.groupby("route")["minutes"].agg(["min", "max"])

    def within_route(rows):
        low, high = span.loc[rows["route"], "min"].to_numpy(), span.loc[rows["route"], "max"].to_numpy()
        return float(((rows["minutes"].to_numpy() >= low) & (rows["minutes"].to_numpy() <= high)).mean())

    drawn = GANSampler(**FAST).fit(train).sample(4000, random_state=0)
    generated = GANSampler(**FAST, numeric_values="generator").fit(train).sample(4000, random_state=0)
    # The bins the generator gives a route are often another route's; a leaf holds its route's values
    # whatever bin the generator picked (a tree that reads the bin too kept 83% of rows in range).
    assert within_route(generated) < 0.7
    assert within_route(drawn) > 0.97


def combinations_with_a_measure(n, seed):
    """Four discrete columns whose rows fall in about 200 combinations, and a measure no two rows share."""
    rng = np.random.RandomState(seed)
    combination = rng.randint(200, size=n)
    digits = [(combination // 5**k) % 5 for k in range(4)]
    frame = pd.DataFrame({name: np.array(list("vwxyz"))[d] for name, d in zip("abcd", digits)})
    return frame.assign(measure=(combination + rng.rand(n)).round(6))


def copied(train, rows):
    return rows.merge(train.drop_duplicates(), how="left", indicator=True)["_merge"].eq("both").mean()


def test_leaves_grow_until_the_rows_copy_no_more_training_rows_than_the_generator_s(table):
    train = combinations_with_a_measure(2000, 0)
    assert not train.duplicated().any()
    sampler = GANSampler(**FAST).fit(train)
    by_generator = GANSampler(**FAST, numeric_values="generator").fit(train)
    rows = sampler.sample(5000, random_state=0)
    # Ten-row leaves hold one combination each: every drawn measure would rebuild a training row.
    assert getattr(sampler, "value_tree_leaf_rows_", None) != 10
    assert copied(train, rows) <= copied(train, by_generator.sample(5000, random_state=0)) + 0.01
    # Where the rows copy nothing, the smallest leaves are kept.
    assert GANSampler(**FAST).fit(table).value_tree_leaf_rows_ == 10


def test_a_range_condition_keeps_its_column_in_range_and_the_rest_drawn(table, fitted):
    rows = fitted.sample(500, conditions={"temp": (10.0, 12.0)}, random_state=0)  # filtered: 1 row in 10
    assert rows["temp"].between(10.0, 12.0).all()
    assert rows["humid"].isin(table["humid"]).all()
    # A range too narrow to filter for is generated inside it: its column is not drawn from the
    # bin's training values (they would lie outside it, and be clipped onto its ends).
    narrow = fitted.sample(500, conditions={"temp": (20.0, 20.05)}, random_state=0)
    assert narrow["temp"].between(20.0, 20.05).all()
    assert narrow["temp"].isin([20.0, 20.05]).mean() < 0.2
    # A column with no row in a bin (all at its point mass) draws nothing and informs the next ones.
    dry = fitted.sample(50, conditions={"rain": 0.0}, random_state=0)
    assert (dry["rain"] == 0).all() and dry["gust"].dropna().isin(table["gust"]).all()


def test_the_trees_are_saved_and_pickled_with_the_model(tmp_path, fitted):
    import pickle

    fitted.save(tmp_path / "model.skgen")
    expected = fitted.sample(200, random_state=4)
    pd.testing.assert_frame_equal(load(tmp_path / "model.skgen").sample(200, random_state=4), expected)
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(fitted)).sample(200, random_state=4), expected)


@pytest.mark.parametrize("added_later", [["leaf_trees"], ["pairs"], ["leaf_trees", "pairs"]])
def test_a_model_saved_before_the_leaf_trees_or_the_bounds_still_draws_training_values(fitted, added_later):
    import copy

    state = fitted.codec_.value_trees_.get_state()
    assert state["pairs"] == [["dewp", "temp"]]
    for key in added_later:
        del state[key]
    older = copy.deepcopy(fitted)
    older.codec_.value_trees_ = ValueTrees.from_state(state)
    rows = older.sample(2000, random_state=3)
    assert rows["temp"].notna().all() and rows["temp"].isin(fitted.codec_.value_trees_.values[0]).all()


def test_no_trees_without_latent_classes_or_with_differential_privacy(table):
    assert not hasattr(GANSampler(**FAST, latent_classes=0).fit(table).codec_, "value_trees_")
    private = GANSampler(**dict(FAST, max_epochs=1), dp_epsilon=10.0).fit(table)
    assert not hasattr(private.codec_, "value_trees_")


def test_a_streamed_fit_draws_from_its_first_pass_sample(table, tmp_path):
    path = tmp_path / "weather.csv"
    table.to_csv(path, index=False)
    streamed = GANSampler(**FAST).fit(path)
    rows = streamed.sample(1000, random_state=0)
    assert rows["humid"].isin(table["humid"]).all()


def test_a_leaf_is_found_from_the_node_arrays_as_sklearn_finds_it():
    rng = np.random.RandomState(0)
    X, y = rng.randint(0, 5, size=(400, 3)).astype(float), rng.rand(400)
    tree = DecisionTreeRegressor(min_samples_leaf=10, random_state=0).fit(X, y).tree_
    arrays = (tree.children_left, tree.children_right, tree.feature, tree.threshold)
    other = rng.randint(-1, 6, size=(300, 3)).astype(float)
    np.testing.assert_array_equal(apply_tree(arrays, other), tree.apply(other.astype(np.float32)))
    # Many rows (walked a block at a time), stored by column, and only some of them.
    many = np.asfortranarray(rng.randint(-1, 6, size=(30_000, 3)).astype(float))
    rows = np.flatnonzero(rng.rand(30_000) < 0.7)
    expected = tree.apply(many.astype(np.float32))
    np.testing.assert_array_equal(apply_tree(arrays, many), expected)
    np.testing.assert_array_equal(apply_tree(arrays, many, rows), expected[rows])
    part = np.ascontiguousarray(np.hstack([many, many]))[:, :3]  # a view neither C- nor F-ordered
    assert not (part.flags.c_contiguous or part.flags.f_contiguous)
    np.testing.assert_array_equal(apply_tree(arrays, part), expected)


def test_bad_numeric_values_setting_is_refused_before_training(table):
    sampler = GANSampler(**FAST, numeric_values="real")
    with pytest.raises(ValueError, match="numeric_values"):
        sampler.fit(table)
    assert not hasattr(sampler, "net_")


def sizes_and_totals(n, seed):
    """``part <= total`` on every row, the total a little above its part (a house's first floor and its
    living area), beside a column that does not depend on them."""
    rng = np.random.RandomState(seed)
    part = np.exp(rng.normal(7, 0.4, n)).round(0)
    total = (part * (1 + rng.uniform(0, 0.15, n))).round(0)
    return pd.DataFrame({"part": part, "total": total, "other": rng.gamma(2, 3, n).round(2),
                         "kind": rng.choice(list("abc"), n)})


def test_a_drawn_value_keeps_the_inequalities_with_the_columns_known_before_it():
    train = sizes_and_totals(2000, 0)
    sampler = GANSampler(**FAST, infer_constraints=False).fit(train)
    trees = sampler.codec_.value_trees_
    assert trees.pairs == [("part", "total")]
    rows = sampler.sample(4000, random_state=0)
    trees.pairs = []  # the same model, its draws unbounded
    try:
        unbounded = sampler.sample(4000, random_state=0)
    finally:
        trees.pairs = [("part", "total")]
    assert (unbounded["part"] > unbounded["total"]).mean() > 0.02  # (0.04)
    assert (rows["part"] > rows["total"]).mean() < 0.005
    assert rows["total"].isin(train["total"]).all()  # still training values


def basements(n, seed):
    """``part <= total`` on every row, the part anywhere from a tenth of the total to all of it, and
    both 0 on a quarter of the rows (a house without a basement): a point mass."""
    rng = np.random.RandomState(seed)
    total = np.exp(rng.normal(7, 0.4, n)).round(0)
    part = (total * rng.uniform(0.1, 1.0, n)).round(0)
    none = rng.rand(n) < 0.25
    total[none], part[none] = 0, 0
    return pd.DataFrame({"part": part, "total": total, "other": rng.gamma(2, 3, n).round(2),
                         "kind": rng.choice(list("abc"), n)})


def test_a_point_mass_bounds_the_draw_and_a_value_without_donors_in_bounds_takes_the_nearest():
    """Where the generator puts the total at its point mass 0 beside a part in a bin, no donor of
    the part's leaf is within the bound: the part takes the nearest training value that is (0).
    Without the point masses as known values, or without that last step, 15 of 4,000 rows break."""
    train = basements(2000, 0)
    sampler = GANSampler(**FAST, infer_constraints=False).fit(train)
    trees = sampler.codec_.value_trees_
    assert trees.pairs == [("part", "total")]
    rows = sampler.sample(4000, random_state=0)
    trees.pairs = []
    try:
        unbounded = sampler.sample(4000, random_state=0)
    finally:
        trees.pairs = [("part", "total")]
    assert ((unbounded["part"] > unbounded["total"]) & (unbounded["total"] == 0)).sum() >= 10  # (15)
    assert (rows["part"] > rows["total"]).sum() == 0
    assert rows["part"].isin(train["part"]).all() and rows["total"].isin(train["total"]).all()


def test_a_tree_splits_a_category_by_its_levels_ranked_by_value_as_cart_does():
    from types import SimpleNamespace

    from skgen._tabular._value_trees import _grown

    # Twenty levels of six rows each, whose values alternate low / high in code order. A tree of
    # ten-row leaves that reads the codes as numbers can only group neighbouring codes, so every
    # leaf mixes low and high values; with the levels ranked by their mean value, one split parts them.
    rng = np.random.RandomState(0)
    codes = np.repeat(np.arange(20), 6).astype(float)
    quantile = np.where(codes % 2 == 0, 0.2, 0.8) + rng.uniform(-0.05, 0.05, len(codes))
    X, level = codes[:, None], np.ones(len(codes), dtype=np.int64)
    column = SimpleNamespace(spikes=np.array([]), bins=10, has_missing=False)

    def high_share_per_leaf(categorical):
        arrays, _, _ = _grown(X, quantile, level, quantile, column, 10, 0, categorical)
        leaves = apply_tree(arrays, X)
        return [float((quantile[leaves == leaf] > 0.5).mean()) for leaf in np.unique(leaves)]

    assert all(share in (0.0, 1.0) for share in high_share_per_leaf({0: 20}))
    assert not all(share in (0.0, 1.0) for share in high_share_per_leaf({}))  # the codes as numbers


def test_a_model_saved_before_the_ordered_splits_reads_its_trees_codes_as_numbers(fitted):
    import copy

    state = fitted.codec_.value_trees_.get_state()
    assert all(len(tree) == 6 for tree in state["trees"])
    state["trees"] = [tree[:4] for tree in state["trees"]]
    state["leaf_trees"][0] = [tree[:4] for tree in state["leaf_trees"][0]]
    older = copy.deepcopy(fitted)
    older.codec_.value_trees_ = ValueTrees.from_state(state)
    rows = older.sample(2000, random_state=3)
    assert rows["temp"].notna().all() and rows["temp"].isin(fitted.codec_.value_trees_.values[0]).all()

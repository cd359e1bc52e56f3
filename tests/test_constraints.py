"""GANSampler(constraints=[...]): every sampled row keeps every rule; bad rules and data are refused."""

import numpy as np
import pandas as pd
import pytest

import skgen
from skgen import GANSampler
from skgen.constraints import FixedCombinations, FunctionOf, Inequality, LinearEquation, Unique
from skgen._tabular._constraint_parser import parse_constraint
from ._settings import TINY_TABLE_GAN

FAST = dict(TINY_TABLE_GAN, batch_size=200, generator_dims=(256,), discriminator_dims=(128, 256), n_threads=1)
MODELS = {"ford": ["focus", "fiesta", "ka"], "bmw": ["m3", "x5"], "fiat": ["panda", "uno", "500"]}


def _loans(n=600, seed=0):
    rng = np.random.RandomState(seed)
    make = rng.choice(list(MODELS), n)
    start = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.randint(0, 300, n), unit="D")
    frame = pd.DataFrame(
        {
            "id": np.arange(n) * 3 + 7,
            "code": [f"L{i:05d}" for i in range(n)],
            "make": make,
            "model": [MODELS[m][rng.randint(len(MODELS[m]))] for m in make],
            "start": start,
            "end": start + pd.to_timedelta(rng.randint(0, 60, n), unit="D"),
            "principal": rng.uniform(100, 1000, n).round(2),
            "interest": rng.uniform(0, 100, n).round(2),
            "fees": rng.randint(0, 20, n),
            "age": rng.randint(18, 90, n),
            "score": np.where(rng.rand(n) < 0.2, np.nan, rng.normal(600, 50, n)),
        }
    )
    # Just above the score (or anywhere when the score is missing): a tight relation.
    frame["limit"] = frame["score"].fillna(600) + rng.exponential(5, n)
    frame["paid_total"] = frame["principal"] + frame["interest"] + frame["fees"]
    frame["senior"] = np.where(frame["age"] >= 65, "yes", "no")
    return frame


@pytest.fixture(scope="module")
def loans():
    return _loans()


CASES = {
    "start <= end": lambda f: f["start"] <= f["end"],
    "age >= 18": lambda f: f["age"] >= 18,
    "score < limit": lambda f: f["score"].isna() | (f["score"] < f["limit"]),
    "paid_total = principal + interest + fees": lambda f: np.isclose(
        f["paid_total"], f["principal"] + f["interest"] + f["fees"], rtol=0, atol=1e-9
    ),
    "combinations": lambda f: [m in MODELS[k] for k, m in zip(f["make"], f["model"])],
    "function": lambda f: f["senior"] == np.where(f["age"] >= 65, "yes", "no"),
    "unique": lambda f: ~f["id"].duplicated() & ~f["id"].isin(_loans()["id"]),
}


def _constraint(name):
    return {
        "combinations": FixedCombinations(["make", "model"]),
        "function": FunctionOf("senior", "age"),
        "unique": Unique("id"),
    }.get(name, name)


@pytest.mark.parametrize("name", list(CASES))
def test_every_sampled_row_keeps_the_constraint(loans, name):
    """With the constraint all rows keep it; the same sampler without it breaks it (without value trees
    too, which keep a column that is a function of another by drawing from rows with its level)."""
    data = loans
    check = CASES[name]
    kept = GANSampler(**FAST, constraints=[_constraint(name)]).fit(data).sample(2000, random_state=0)
    assert kept.dtypes.equals(data.dtypes) and list(kept.columns) == list(data.columns)
    assert np.all(check(kept))
    free = GANSampler(**FAST, infer_constraints=False, numeric_values="generator").fit(data)
    free = free.sample(2000, random_state=0)
    if name != "age >= 18":  # the codec keeps values in the training range by itself
        assert not np.all(check(free))


def test_all_constraints_at_once_survive_save_and_load(loans, tmp_path):
    data = loans
    sampler = GANSampler(**FAST, constraints=[_constraint(name) for name in CASES]).fit(data)
    rows = sampler.sample(3000, random_state=0)
    for name, check in CASES.items():
        assert np.all(check(rows)), name
    sampler.save(tmp_path / "loans.skgen")
    loaded = skgen.load(tmp_path / "loans.skgen")
    assert loaded.get_params()["constraints"] == sampler.get_params()["constraints"]
    pd.testing.assert_frame_equal(loaded.sample(200, random_state=5), sampler.sample(200, random_state=5))


def test_text_keys_are_new(loans):
    rows = GANSampler(**FAST, constraints=[Unique("code")]).fit(loans).sample(500, random_state=0)
    assert not rows["code"].isin(loans["code"]).any() and not rows["code"].duplicated().any()


def test_conditions_on_rebuilt_columns_are_met(loans):
    """A rebuilt column (an equation's target, an inequality's upper side) can be conditioned on: its rows
    are kept from the rule's own rows; a condition no row meets names the rule, never an internal column."""
    sampler = GANSampler(**FAST, constraints=["paid_total = principal + interest + fees", "start <= end"],
                         infer_constraints=False).fit(loans)
    rows = sampler.sample(300, conditions={"principal": (200.0, 300.0)}, random_state=0)
    assert rows["principal"].between(200, 300).all()
    assert np.allclose(rows["paid_total"], rows["principal"] + rows["interest"] + rows["fees"])
    rows = sampler.sample(200, conditions={"paid_total": (700.0, 900.0)}, random_state=0)
    assert len(rows) == 200 and rows["paid_total"].between(700, 900).all()
    assert np.allclose(rows["paid_total"], rows["principal"] + rows["interest"] + rows["fees"])
    for side, condition in (("end", ("2020-09-01", None)), ("start", (None, "2020-02-01"))):
        rows = sampler.sample(200, conditions={side: condition}, random_state=0)
        low, high = (pd.Timestamp(v) if v else None for v in condition)
        assert len(rows) == 200 and rows[side].between(low or rows[side].min(), high or rows[side].max()).all()
        assert (rows["start"] <= rows["end"]).all()
    with pytest.raises(ValueError, match=r"No generated row met the conditions paid_total=\(5000\.0, None\) \(rebuilt by "
                                         r"rule paid_total = principal \+ interest \+ fees\)"):
        sampler.sample(5, conditions={"paid_total": (5000.0, None)})


def _graded(n=800, seed=0):
    """``grade`` and ``grade_num`` map one to one (as Adult's education and education-num)."""
    rng = np.random.RandomState(seed)
    level = rng.randint(10, size=n)
    names = np.array([f"g{chr(65 + i)}" for i in range(10)])
    return pd.DataFrame({"grade": names[level], "x": level + rng.randn(n), "grade_num": level + 1,
                         "flag": rng.rand(n) < 0.5})


def test_one_to_one_columns_are_inferred_and_kept_together():
    frame = _graded()
    sampler = GANSampler(**FAST, latent_classes=0).fit(frame)
    assert [str(c) for c in sampler.constraints_.constraints] == ["FixedCombinations(['grade', 'grade_num'])"]
    rows = sampler.sample(3000, random_state=0)
    assert rows.dtypes.equals(frame.dtypes) and list(rows.columns) == list(frame.columns)
    pairs = set(zip(frame["grade"], frame["grade_num"]))
    assert all(p in pairs for p in zip(rows["grade"], rows["grade_num"]))
    # Without the rule (a user constraint on the column turns inference off for it) pairs break.
    free = GANSampler(**FAST, latent_classes=0, constraints=["grade_num >= 1"]).fit(frame).sample(3000, random_state=0)
    assert np.mean([p not in pairs for p in zip(free["grade"], free["grade_num"])]) > 0.3
    # Either column can be conditioned on (through the combination it fixes).
    for conditions in ({"grade": "gC"}, {"grade_num": 3}, {"grade": "gC", "grade_num": 3, "flag": True}):
        got = sampler.sample(200, conditions=conditions, random_state=0)
        assert (got["grade"] == "gC").all() and (got["grade_num"] == 3).all()
    with pytest.raises(ValueError, match="no training row has"):
        sampler.sample(5, conditions={"grade": "gC", "grade_num": 4})


def test_user_fixed_combinations_take_a_condition_on_any_of_their_columns(loans):
    sampler = GANSampler(**FAST, constraints=[FixedCombinations(["make", "model"])]).fit(loans)
    model = loans["model"].iloc[0]
    rows = sampler.sample(100, conditions={"model": model}, random_state=0)
    assert (rows["model"] == model).all() and (rows["make"] == loans["make"].iloc[0]).all()
    make = loans["make"].iloc[0]  # several combinations: rows are kept by it
    rows = sampler.sample(100, conditions={"make": make}, random_state=0)
    assert (rows["make"] == make).all() and rows["model"].isin(MODELS[make]).all()
    assert rows["model"].nunique() == len(MODELS[make])
    with pytest.raises(ValueError, match="no training row has it"):
        sampler.sample(5, conditions={"make": "ford", "model": "m3"})


def test_training_rows_that_break_a_constraint_are_named_or_dropped(loans):
    broken = loans.copy()
    broken.loc[[3, 10], "end"] = broken.loc[[3, 10], "start"] - pd.Timedelta(days=1)
    with pytest.raises(ValueError, match=r"breaks constraint start <= end in 2 row\(s\), first at index \[3, 10\]"):
        GANSampler(**FAST, constraints=["start <= end"]).fit(broken)
    with pytest.warns(UserWarning, match="Dropped 2 training row"):
        sampler = GANSampler(**FAST, constraints=["start <= end"], constraint_violations="drop").fit(broken)
    rows = sampler.sample(500, random_state=0)
    assert (rows["start"] <= rows["end"]).all()


def test_not_a_function_is_named(loans):
    broken = loans.copy()
    broken.loc[0, "senior"] = "yes" if broken.loc[0, "senior"] == "no" else "no"
    same_age = broken.index[(broken["age"] == broken.loc[0, "age"])]
    assert len(same_age) > 1  # another row holds the same age with the other value
    with pytest.raises(ValueError, match="breaks constraint FunctionOf"):
        GANSampler(**FAST, constraints=[FunctionOf("senior", "age")]).fit(broken)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("start <= end", Inequality("start", "end")),
        ("end >= start", Inequality("start", "end")),
        ("age > 17", Inequality(17.0, "age", strict=True)),
        ("-5 <= age", Inequality(-5.0, "age")),
        ("hours-per-week <= 99", Inequality("hours-per-week", 99.0)),
        ("`my col` < 3", Inequality("my col", 3.0, strict=True)),
        ("total = a + b - c", LinearEquation("total", {"a": 1.0, "b": 1.0, "c": -1.0}, 0.0)),
        ("total == 2 * a + 0.5 * b + 10", LinearEquation("total", {"a": 2.0, "b": 0.5}, 10.0)),
    ],
)
def test_the_grammar(text, expected):
    columns = ["start", "end", "age", "hours-per-week", "hours", "my col", "total", "a", "b", "c"]
    assert parse_constraint(text, columns) == expected


@pytest.mark.parametrize("equation", [
    LinearEquation("total", {"a": 1.0, "b": -1.0}, -2.5),
    LinearEquation("total", {"a": -12.0, "b": 12.0}, 1.0),
    LinearEquation("total", {"a": 1 / 12}, -1 / 3),
])
def test_an_equation_reads_back_from_its_text(equation):
    assert parse_constraint(str(equation), ["total", "a", "b"]) == equation


@pytest.mark.parametrize(
    "text, match",
    [
        ("start <= nope", "unknown column 'nope'"),
        ("__import__('os').system('x') = 1", "unknown column '__import__'"),
        ("a <= b <= c", "one comparison"),
        ("1 <= 2", "two numbers"),
        ("total = 5", "constant"),
        ("total = total + a", "both sides"),
        ("a + b <= c", "one column or one number"),
        ("total = a +", "ends with an operator"),
        ("total = a b", "expected '\\+' or '-'"),
        ("`a <= b", "backtick"),
        ("start end", "one comparison"),
    ],
)
def test_unparsable_constraints_are_refused(text, match):
    with pytest.raises(ValueError, match=match):
        parse_constraint(text, ["start", "end", "total", "a", "b", "c"])


@pytest.mark.parametrize(
    "constraints, match",
    [
        (["start <= nope"], "unknown column"),
        ([FixedCombinations(["make", "nope"])], "unknown column"),
        ([Unique("paid_total"), "paid_total = principal + interest + fees"], "both rebuild column 'paid_total'"),
        ([FunctionOf("senior", "age"), FixedCombinations(["senior", "make"])], "both rebuild column 'senior'"),
        ([42], "must be a string"),
        ([Inequality("age", 90, repair=True)], r"repair=True .* a column on each side"),
        ([Inequality("interest", "principal", strict=True, rebuild=False, repair=True)], r"non-strict rule"),
        ([Inequality("interest", "principal", rebuild=False, repair="yes")], "repair must be True or False"),
    ],
)
def test_bad_constraints_are_refused_before_training(loans, constraints, match):
    sampler = GANSampler(**FAST, constraints=constraints)
    with pytest.raises((ValueError, TypeError), match=match):
        sampler.fit(loans)
    assert not hasattr(sampler, "net_")


def test_repairing_inequalities_raise_the_upper_side_along_a_chain():
    """``repair=True`` mends a row instead of drawing it again: ``a <= b <= c`` in one pass, whatever
    the order the rules were given in; an integer upper side is raised to the next whole number."""
    from skgen._tabular._constraint_set import ConstraintSet

    train = pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [1.0, 2.0, 3.0], "c": [2, 3, 4]})
    rules = [Inequality("b", "c", rebuild=False, repair=True), Inequality("a", "b", rebuild=False, repair=True)]
    constraint_set, _ = ConstraintSet.fit(rules, train)
    generated = pd.DataFrame({"a": [5.0, 0.0, 2.5], "b": [1.0, 0.5, 3.0], "c": [0, 1, 4]})
    mended = constraint_set.from_model(generated, np.random.RandomState(0))
    assert mended.to_dict("list") == {"a": [5.0, 0.0, 2.5], "b": [5.0, 0.5, 3.0], "c": [5, 1, 4]}
    assert constraint_set.satisfied(mended).all()
    assert generated["b"].tolist() == [1.0, 0.5, 3.0]  # the model's rows are not changed in place
    checked, _ = ConstraintSet.fit([Inequality("a", "b", rebuild=False)], train)
    assert not checked.satisfied(checked.from_model(generated, np.random.RandomState(0))).all()


def routes_with_flight_times(n, seed):
    """150 routes (origin, dest) of uneven frequency, each with its distance, and a flight time set by it."""
    rng = np.random.RandomState(seed)
    weights = 1.0 / np.arange(1, 151) ** 0.7
    route = rng.choice(150, size=n, p=weights / weights.sum())
    distance = rng.permutation(np.linspace(100, 2500, 150).round(0))
    return pd.DataFrame({"origin": np.array(["EWR", "JFK", "LGA"])[route % 3], "dest": [f"D{r // 3:02d}" for r in route],
                         "distance": distance[route], "air_time": (distance[route] / 8 * (1 + 0.02 * rng.randn(n))).round(0),
                         "seats": rng.randint(50, 300, n)})


def test_rare_combinations_go_with_the_rest_of_their_row():
    # More combinations than max_categories: pooled and drawn back by frequency, a rare route would
    # come with another route's flight time; the combination column keeps them all, in value order.
    train = routes_with_flight_times(3000, 0)
    rule = FixedCombinations(["origin", "dest", "distance"])
    sampler = GANSampler(**FAST, constraints=[rule], infer_constraints=False).fit(train)
    rows = sampler.sample(4000, random_state=0)
    rare = ~rows["distance"].isin(train["distance"].value_counts().index[:99])
    assert rare.mean() > 0.05
    near = (rows["air_time"] - rows["distance"] / 8).abs() < 0.1 * rows["distance"] / 8
    # Pooled: 0.12 of the rare routes' rows. Combinations in order of appearance, which the value trees
    # split as levels: 0.62 (in value order a leaf holds routes of similar distance).
    assert near[rare].mean() > 0.75 and near[rare].mean() > near[~rare].mean() - 0.1


def test_fixed_combinations_check_rows_against_the_table_they_were_last_given():
    # The training combinations' codes are kept between checks; fitting again or a loaded state replaces them.
    first = pd.DataFrame({"make": ["a", "a", "b"], "model": ["x", "y", "z"]})
    second = pd.DataFrame({"make": ["a", "b", "b"], "model": ["z", "x", "y"]})
    rule = FixedCombinations(["make", "model"])._fit(first)
    np.testing.assert_array_equal(rule.satisfied(first), [True, True, True])
    np.testing.assert_array_equal(rule.satisfied(second), [False, False, False])
    rule._fit(second)
    np.testing.assert_array_equal(rule.satisfied(second), [True, True, True])
    np.testing.assert_array_equal(rule.satisfied(first), [False, False, False])
    rule.set_state(FixedCombinations(["make", "model"])._fit(first).state())
    np.testing.assert_array_equal(rule.satisfied(first), [True, True, True])

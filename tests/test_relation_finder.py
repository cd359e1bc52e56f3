"""skgen.constraints.infer: the exact relations a table holds, and none where there are none."""

import warnings

import numpy as np
import pandas as pd
import pytest

from skgen import GANSampler
from skgen.constraints import DatetimeParts, FixedCombinations, FunctionOf, Inequality, LinearEquation, MissingWith, infer

from skgen._tabular._constraint_parser import parse_constraint

from ._settings import TINY_TABLE_GAN

# Two routes share each of the last two distances: a distance does not tell the route.
ROUTES = {("EWR", "HNL"): 4963, ("JFK", "HNL"): 4983, ("JFK", "LAX"): 2475, ("EWR", "LAX"): 2454,
          ("LGA", "ORD"): 733, ("EWR", "ORD"): 719, ("JFK", "BOS"): 187, ("LGA", "BOS"): 184,
          ("EWR", "MIA"): 1085, ("LGA", "DTW"): 1085}


def flights(n=1_500, seed=0):
    """A table with the relations of nycflights13's ``flights``, made here."""
    rng = np.random.RandomState(seed)
    route = rng.randint(len(ROUTES), size=n)
    origin, dest = zip(*[list(ROUTES)[r] for r in route])
    local = pd.Timestamp("2013-01-01") + pd.to_timedelta(rng.randint(0, 365 * 24, n), unit="h")
    time_hour = local.tz_localize("America/New_York", nonexistent="shift_forward", ambiguous=False)
    frame = pd.DataFrame({
        "origin": origin, "dest": dest, "distance": [ROUTES[(o, d)] for o, d in zip(origin, dest)],
        "time_hour": time_hour.tz_convert("UTC").tz_localize(None),
        "minute": rng.randint(0, 60, n),
        "dep_delay": np.where(rng.rand(n) < 0.05, np.nan, rng.gamma(1.0, 15.0, n) - 5),
        "air_time": rng.normal(200, 50, n).round(),
    })
    frame.insert(4, "hour", time_hour.hour)
    frame.insert(4, "month", time_hour.month)
    frame["sched_dep_time"] = 100 * frame["hour"] + frame["minute"]
    frame["arr_delay"] = (frame["dep_delay"] + rng.normal(0, 10, n)).where(rng.rand(n) > 0.02)
    return frame


def independent(n, kind, seed):
    rng = np.random.RandomState(seed)
    columns = {}
    if kind in ("numeric", "mixed"):
        columns.update(a=rng.normal(size=n), b=rng.exponential(size=n) * 3, c=rng.randint(0, 10, n),
                       d=rng.randint(0, 5, n), e=rng.uniform(0, 100, n).round(1), f=rng.poisson(2, n),
                       m=rng.randint(0, 60, n))  # (an integer grid of more levels than the codec's categories)
    if kind in ("discrete", "mixed"):
        columns.update(g=rng.choice(list("abc"), n), h=rng.choice(["x", "y"], n, p=[0.9, 0.1]),
                       i=rng.choice([f"l{k}" for k in range(40)], n), j=rng.rand(n) < 0.5, k=rng.randint(0, 3, n))
    frame = pd.DataFrame(columns)
    if kind == "mixed":
        frame["t"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.randint(0, 10**6, n), unit="min")
        frame["hour"] = rng.randint(0, 24, n)
        for column, rate in (("a", 0.2), ("g", 0.2), ("b", 0.3)):
            frame.loc[rng.rand(n) < rate, column] = np.nan
    return frame


@pytest.mark.parametrize("n", [30, 100, 1_000, 30_000])
@pytest.mark.parametrize("kind", ["numeric", "discrete", "mixed"])
def test_independent_columns_give_no_rule(n, kind):
    for seed in range(3 if n < 30_000 else 1):
        assert infer(independent(n, kind, seed)).empty


@pytest.fixture(scope="module")
def flight_rules():
    return infer(flights()).set_index("rule")


@pytest.mark.parametrize("rule, kind", [
    ("hour = hour, month = month of time_hour in time zone America/New_York", "datetime part"),
    ("sched_dep_time = 100 * hour + minute", "equation"),
    ("FixedCombinations(['origin', 'dest', 'distance'])", "function"),
    ("arr_delay is missing where dep_delay is missing", "missing"),
])
def test_the_relations_of_a_flights_table_are_found(flight_rules, rule, kind):
    assert flight_rules.loc[rule, "kind"] == kind
    assert flight_rules.loc[rule, "log10_chance"] < -10


def test_a_fixed_offset_a_sum_an_inequality_and_a_function_are_found():
    rng = np.random.RandomState(1)
    n = 400
    when = pd.Timestamp("2021-03-01") + pd.to_timedelta(rng.randint(0, 10**5, n), unit="min")
    parts = rng.randint(0, 500, (n, 2))
    code = rng.choice(["A1", "B2", "C3", "D4", "E5"], n)
    table = pd.DataFrame({
        "when": when, "local_hour": (when - pd.Timedelta(hours=5)).hour,
        "x": parts[:, 0], "y": parts[:, 1], "total": parts.sum(axis=1), "low": rng.normal(0, 1, n),
        "code": code, "label": [{"A1": "alpha", "B2": "beta", "C3": "alpha", "D4": "delta", "E5": "beta"}[c]
                                for c in code],
    })
    table["high"] = table["low"] + rng.exponential(0.3, n)
    rules = dict(zip(infer(table)["rule"], infer(table)["constraint"]))
    assert rules["local_hour = hour of when in time zone -05:00"] == DatetimeParts("when", {"hour": "local_hour"}, "-05:00")
    assert rules["total = x + y"] == LinearEquation("total", {"x": 1, "y": 1})
    assert rules["low <= high"] == Inequality("low", "high", rebuild=False, repair=True)
    assert rules["FunctionOf('label', 'code')"] == FunctionOf("label", "code")


def test_a_count_fixed_by_a_month_index_of_many_levels_is_found():
    # A month index (35 levels, more than the codec makes categories of) and a count set once a month.
    rng = np.random.RandomState(2)
    month = rng.randint(1, 36, 1_000)
    table = pd.DataFrame({"price": rng.gamma(2.0, 900, 1_000).round(), "month": month,
                          "ads": rng.randint(40, 340, 36)[month]})
    rules = dict(zip(infer(table)["rule"], infer(table)["constraint"]))
    assert rules["FunctionOf('ads', 'month')"] == FunctionOf("ads", "month")


def test_a_decimal_date_is_rebuilt_from_its_year_and_month():
    # R's monthly time index: year + (month - 1) / 12. The equation has twelfths for coefficients, and
    # its target is the date (many values), not the month computed back from a year and a date.
    rng = np.random.RandomState(3)
    year, month = rng.randint(2000, 2016, 800), rng.randint(1, 13, 800)
    table = pd.DataFrame({"year": year, "month": month, "sales": rng.gamma(2.0, 300, 800).round(),
                          "date": year + (month - 1) / 12})
    found = infer(table, kinds=["equations"])
    assert list(found["rule"]) == ["date = year + 0.08333333333333333 * month - 0.08333333333333333"]
    (rule,) = found["constraint"]
    assert rule == LinearEquation("date", {"year": 1, "month": 1 / 12}, -1 / 12)
    assert parse_constraint(str(rule), list(table.columns)) == rule


def test_a_rule_broken_in_a_few_rows_is_not_inferred():
    table = flights()
    table.loc[[3, 50, 700], "sched_dep_time"] += 1
    table.loc[[10], "month"] = (table.loc[10, "month"] % 12) + 1
    rules = set(infer(table)["rule"])
    assert not any(rule.startswith("sched_dep_time =") for rule in rules)
    assert not any(rule.startswith("month =") for rule in rules)
    assert "hour = hour of time_hour in time zone America/New_York" in rules


def test_constant_missing_and_key_columns_take_part_in_no_rule():
    table = flights(400)
    table["constant"] = 7
    table["empty"] = np.nan
    table["id"] = [f"row-{i}" for i in range(len(table))]
    table["id_copy"] = table["id"]
    found = infer(table)
    involved = {c for columns in found["columns"] for c in columns}
    assert not {"constant", "empty"} & involved
    assert [c for c in found.loc[found["kind"] == "key", "columns"]] == [["id"], ["id_copy"]]
    assert not {"id", "id_copy"} & {c for k, cs in zip(found["kind"], found["columns"]) if k != "key" for c in cs}


def test_kinds_and_excluded_columns_restrict_the_search():
    found = infer(flights(400), kinds=["equations"], exclude=["minute"])
    assert found.empty
    assert set(infer(flights(400), kinds="equations")["kind"]) == {"equation"}
    with pytest.raises(ValueError, match=r"Unknown kind\(s\) of rule \['sums'\]"):
        infer(flights(100), kinds=["sums"])
    with pytest.raises(TypeError, match="needs a pandas DataFrame"):
        infer(np.zeros((50, 2)))


def _relations_kept(frame):
    """Share of rows keeping each relation of :func:`flights` (checked by hand, not by the finder)."""
    local = frame["time_hour"].dt.tz_localize("UTC").dt.tz_convert("America/New_York")
    return {
        "clock": (frame["sched_dep_time"] == 100 * frame["hour"] + frame["minute"]).mean(),
        "hour": (frame["hour"] == local.dt.hour).mean(),
        "month": (frame["month"] == local.dt.month).mean(),
        "route": np.mean([ROUTES.get((o, d)) == km for o, d, km in zip(frame["origin"], frame["dest"],
                                                                          frame["distance"])]),
        "missing": (frame["arr_delay"].isna() | frame["dep_delay"].notna()).mean(),
    }


@pytest.fixture(scope="module")
def fitted_flights():
    table = flights()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inferred = GANSampler(**TINY_TABLE_GAN).fit(table)
        declared_only = GANSampler(**TINY_TABLE_GAN, infer_constraints=False).fit(table)
    return table, inferred, declared_only


def test_the_sampler_keeps_every_inferred_relation_in_every_row(fitted_flights):
    table, inferred, declared_only = fitted_flights
    rows = inferred.sample(1_000, random_state=0)
    assert rows.dtypes.equals(table.dtypes)
    assert all(share == 1.0 for share in _relations_kept(rows).values()), _relations_kept(rows)
    # Without the rules the value trees keep some relations in most rows (a month with its date), none in all.
    without = _relations_kept(declared_only.sample(1_000, random_state=0))
    assert all(share < 1.0 for name, share in without.items() if name != "missing"), without
    assert sum(share < 0.9 for name, share in without.items() if name != "missing") >= 3, without
    assert declared_only.inferred_constraints_.empty


def test_the_inferred_rules_are_listed_and_survive_save_and_load(fitted_flights, tmp_path):
    import skgen

    _, sampler, _ = fitted_flights
    listed = sampler.inferred_constraints_
    assert "sched_dep_time = 100 * hour + minute" in set(listed["rule"])
    assert {"rule", "kind", "support", "log10_chance", "why", "constraint"} <= set(listed.columns)
    sampler.save(tmp_path / "flights.skgen")
    loaded = skgen.load(tmp_path / "flights.skgen")
    assert loaded.inferred_constraints_.drop(columns="constraint").equals(listed.drop(columns="constraint"))
    assert loaded.sample(200, random_state=3).equals(sampler.sample(200, random_state=3))


def test_inferred_rules_can_be_declared_and_the_rest_left_out(fitted_flights, tmp_path):
    import skgen

    table, sampler, _ = fitted_flights
    listed = sampler.inferred_constraints_
    equation = "sched_dep_time = 100 * hour + minute"
    chosen = [equation if str(c) == equation else c for c in listed.loc[listed["kind"] != "inequality", "constraint"]]
    assert equation in chosen and len(chosen) >= 4
    refit = GANSampler(**TINY_TABLE_GAN, constraints=chosen, infer_constraints=False).fit(table)
    assert refit.inferred_constraints_.empty
    assert [str(c) for c in refit.constraints_.constraints] == [str(c) for c in chosen]
    refit.save(tmp_path / "declared.skgen")
    assert skgen.load(tmp_path / "declared.skgen").get_params()["constraints"] == chosen


def test_a_bad_inference_setting_is_refused_before_training():
    with pytest.raises(ValueError, match=r"Unknown kind\(s\) of rule \['sum'\]"):
        GANSampler(**TINY_TABLE_GAN, infer_constraints=["sum"]).fit(flights(200))


def test_a_streamed_fit_drops_a_rule_a_later_piece_breaks(tmp_path):
    table = flights(3_000)
    broken = table.copy()
    # The last rows only, copies of earlier ones but for a clock time other rows have: no value of
    # theirs is new or extreme, so the first pass's sample need not hold them.
    broken = pd.concat([broken.iloc[:2_995], broken.iloc[:5]], ignore_index=True)
    broken.loc[2_995:, "sched_dep_time"] = broken.loc[20, "sched_dep_time"]
    pytest.importorskip("pyarrow")
    for i, start in enumerate(range(0, len(broken), 500)):
        broken.iloc[start:start + 500].to_parquet(tmp_path / f"part-{i}.parquet")
    from skgen._tabular import _kind

    with pytest.warns(UserWarning, match=r"inferred rule 'sched_dep_time = 100 \* hour \+ minute' held on the "
                                         r"sample but not on every row"):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_kind, "FIT_SAMPLE_ROWS", 300)
            sampler = GANSampler(**TINY_TABLE_GAN).fit(tmp_path)
    assert "sched_dep_time = 100 * hour + minute" not in set(sampler.inferred_constraints_["rule"])
    assert "hour = hour, month = month of time_hour in time zone America/New_York" in set(sampler.inferred_constraints_["rule"])


def test_a_rule_that_keeps_a_missing_value_blanks_it():
    rule = MissingWith("arr", "dep")
    frame = pd.DataFrame({"dep": [1.0, np.nan, 3.0], "arr": [2.0, 5.0, np.nan]})
    assert rule.satisfied(frame).tolist() == [True, False, True]
    assert rule.from_model(frame, None)["arr"].isna().tolist() == [False, True, True]
    assert str(FixedCombinations(["a", "b"])) == "FixedCombinations(['a', 'b'])"


def test_a_rule_found_on_the_search_sample_is_checked_on_every_row(monkeypatch):
    from skgen.constraints import _finder

    table = flights()
    table.loc[[7, 1_200], "sched_dep_time"] += 1
    monkeypatch.setattr(_finder, "SEARCH_ROWS", 50)
    rules = set(infer(table)["rule"])
    assert "hour = hour, month = month of time_hour in time zone America/New_York" in rules
    assert not any(rule.startswith("sched_dep_time =") for rule in rules)


def test_conditions_on_the_columns_of_inferred_rules_carry_the_rules(fitted_flights):
    _, sampler, _ = fitted_flights
    july = sampler.sample(200, conditions={"month": 7}, random_state=0)  # a rebuilt column
    assert len(july) == 200 and (july["month"] == 7).all() and _relations_kept(july)["month"] == 1.0
    window = ("2013-07-01 04:00", "2013-08-01 03:00")  # July in New York, as UTC
    by_time = sampler.sample(200, conditions={"time_hour": window}, random_state=0)
    assert (by_time["month"] == 7).all()
    hawaii = sampler.sample(200, conditions={"dest": "HNL"}, random_state=0)  # one column of a route
    assert (hawaii["dest"] == "HNL").all() and set(hawaii["distance"]) == {4963, 4983}  # both routes
    cancelled = sampler.sample(100, conditions={"dep_delay": None}, random_state=0)
    assert cancelled["dep_delay"].isna().all() and cancelled["arr_delay"].isna().all()
    assert all(share == 1.0 for share in _relations_kept(hawaii).values())


def test_a_datetime_takes_its_generated_parts_in_its_time_zone():
    """The part columns are the model's; the datetime is rebuilt around them (a time a zone repeats
    when clocks go back is no valid row, and is drawn again)."""
    rows = pd.DataFrame({
        "time_hour": pd.to_datetime(["2013-01-01 10:00", "2013-07-04 03:00", "2013-11-03 06:00", None]),
        "hour": [5.0, 6, 1, np.nan], "day": [1.0, 4, 3, np.nan],
    })
    rule = DatetimeParts("time_hour", {"day": "day", "hour": "hour"}, "America/New_York")
    rebuilt = rule.from_model(rows, None)
    assert rebuilt["time_hour"].tolist()[:2] == [pd.Timestamp("2013-01-01 10:00"), pd.Timestamp("2013-07-04 10:00")]
    assert rule.satisfied(rebuilt).tolist() == [True, True, False, True]
    assert rebuilt[["hour", "day"]].equals(rows[["hour", "day"]])


def test_auto_leaves_inequalities_out_and_true_keeps_them_by_raising_the_upper_side():
    rng = np.random.RandomState(3)
    table = pd.DataFrame({"low": rng.normal(0, 1, 300), "code": rng.choice(["A1", "B2", "C3"], 300)})
    table["high"] = table["low"] + rng.exponential(0.3, 300)
    table["label"] = table["code"].map({"A1": "alpha", "B2": "beta", "C3": "alpha"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        auto = GANSampler(**TINY_TABLE_GAN).fit(table).inferred_constraints_
        every = GANSampler(**TINY_TABLE_GAN, infer_constraints=True).fit(table)
    assert set(auto["kind"]) == {"function"}
    assert set(every.inferred_constraints_["kind"]) == {"function", "inequality"}
    rule = every.inferred_constraints_.loc[every.inferred_constraints_["kind"] == "inequality", "constraint"].iloc[0]
    assert (rule.low, rule.high, rule.repair, rule.rebuild) == ("low", "high", True, False)
    rows = every.sample(500, random_state=0)
    assert (rows["low"] <= rows["high"]).all()
    # A two-epoch model breaks the rule in many rows: they are mended (the upper side raised to the
    # lower one, so the sides meet) rather than drawn again.
    assert (rows["low"] == rows["high"]).mean() > 0.05 > (table["low"] == table["high"]).mean()


def test_a_condition_on_the_side_an_inequality_repair_raises_is_still_met():
    rng = np.random.RandomState(3)
    table = pd.DataFrame({"low": rng.normal(0, 1, 300)})
    table["high"] = table["low"] + rng.exponential(0.3, 300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sampler = GANSampler(**TINY_TABLE_GAN, infer_constraints=True).fit(table)
    # Rare enough (0.2% of rows) to be generated under the condition, not filtered from plain rows.
    rows = sampler.sample(300, random_state=0, conditions={"high": (None, -2.0)})
    assert (rows["high"] <= -2.0).all() and (rows["low"] <= rows["high"]).all()
    rows = sampler.sample(300, random_state=0, conditions={"low": (0.5, None)})
    assert (rows["low"] >= 0.5).all() and (rows["low"] <= rows["high"]).all()

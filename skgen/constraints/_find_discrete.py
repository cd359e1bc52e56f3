"""Finding rules among discrete and datetime columns: keys, one-to-one groups, functions, datetime parts, missing values."""

import zoneinfo
from itertools import combinations

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from ._derived import DATETIME_PARTS, SETTABLE_PARTS, DatetimePart, DatetimeParts, MissingWith, datetime_part
from ._evidence import Relation, collision_log10, function_log10_chance, threshold, value_codes
from ._rules import FixedCombinations, FunctionOf, Unique

# Integer columns with at most this many distinct values count as discrete (the codec's threshold).
DISCRETE_INTEGER_LEVELS = 20
# ... and as the single source of a function: a grid the codec generates on (its MAX_SUPPORT), such as a
# month index that fixes a monthly count. Pairs of sources stay within DISCRETE_INTEGER_LEVELS.
GRID_INTEGER_LEVELS = 100
# Source pairs tried for functions of two columns, at most (the pairs with fewest levels first).
MAX_PAIR_TESTS = 20_000
# Rows a time zone is first tried on, before all rows are checked.
ZONE_PROBE_ROWS = 300
# Time zones tried first (of those with the same rules, the name a user knows).
COMMON_ZONES = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Sao_Paulo",
    "Europe/London", "Europe/Paris", "Europe/Berlin", "Europe/Moscow", "Asia/Kolkata", "Asia/Shanghai",
    "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland",
)

_PART_RANGES = {
    "year": (1, 9999), "quarter": (1, 4), "month": (1, 12), "day": (1, 31), "dayofyear": (1, 366),
    "weekday": (0, 6), "hour": (0, 23), "minute": (0, 59), "second": (0, 59),
}


def is_text(series):
    dtype = series.dtype
    return ptypes.is_object_dtype(dtype) or ptypes.is_string_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype)


def is_text_key(series):
    """A text column with a distinct value on every row (an id, a name, free text)."""
    if not is_text(series):
        return False
    values = series.dropna()
    return len(values) == len(series) and values.is_unique and values.map(type).eq(str).all()


def is_integral(series):
    dtype = series.dtype
    if ptypes.is_bool_dtype(dtype) or not ptypes.is_numeric_dtype(dtype):
        return False
    values = series.dropna()
    return ptypes.is_integer_dtype(dtype) or bool((values % 1 == 0).all())


def discrete_codes(series, max_levels, integer_levels=DISCRETE_INTEGER_LEVELS):
    """Level codes of a discrete column (missing a level of its own), or None for other columns
    (integer ones count as discrete up to ``integer_levels`` levels)."""
    integer = is_integral(series)
    if not (is_text(series) or integer or ptypes.is_bool_dtype(series.dtype)):
        return None
    codes = value_codes(series)
    n_levels = int(codes.max()) + 1 if len(codes) else 0
    limit = min(integer_levels, max_levels) if integer else max_levels
    return codes if 2 <= n_levels <= limit else None


def find_keys(frame, columns):
    return [Relation("key", Unique(c), len(frame), -np.inf, "a distinct text value on every row")
            for c in columns if is_text_key(frame[c])]


def one_to_one_groups(frame, columns, max_levels):
    """Groups of discrete ``columns`` whose levels map one to one (both ways), in table order,
    each with the chance of that by coincidence; ``(groups, n_tests)``."""
    codes = {c: k for c in columns if (k := discrete_codes(frame[c], max_levels)) is not None}
    names = list(codes)
    parent = {c: c for c in names}
    chance = {}

    def root(c):
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    levels = {c: int(codes[c].max()) + 1 for c in names}
    n_tests = len(names) * (len(names) - 1) // 2
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if levels[a] != levels[b] or root(a) == root(b):
                continue
            if np.unique(codes[a] * levels[b] + codes[b]).size == levels[a]:
                log10_chance, _ = function_log10_chance(codes[a], codes[b])
                if log10_chance < threshold(n_tests):
                    ra, rb = root(a), root(b)
                    parent[rb] = ra
                    chance[ra] = min(chance.get(ra, 0.0), chance.get(rb, 0.0), log10_chance)
    groups = {}
    for c in names:
        groups.setdefault(root(c), []).append(c)
    return [(group, chance[root(group[0])]) for group in groups.values() if len(group) > 1]


def find_combinations(frame, columns, max_levels):
    return [
        Relation("one-to-one", FixedCombinations(group), len(frame), log10_chance, "levels map one to one")
        for group, log10_chance in one_to_one_groups(frame, columns, max_levels)
    ]


def find_functions(frame, columns, max_levels, taken):
    """Columns determined by one or two discrete columns (``FunctionOf``), targets not in ``taken``."""
    n = len(frame)
    # Text columns of any number of levels may determine another (an item its restaurant); the evidence
    # test asks for enough repeated levels.
    sources = {c: k for c in columns if (k := discrete_codes(frame[c], n if is_text(frame[c]) else max_levels,
                                                              GRID_INTEGER_LEVELS)) is not None and int(k.max()) + 1 < n}
    targets = {c: value_codes(frame[c]) for c in columns if c not in taken and frame[c].nunique(dropna=False) >= 2}
    found, determined = [], set()
    by_source = {c: _Groups(x) for c, x in sources.items()}
    by_target = {c: by_source[c] if c in by_source else _Groups(y) for c, y in targets.items()}
    n_single = len(sources) * len(targets)
    for target, y in targets.items():
        for source, x in sources.items():
            if source == target or target in determined:
                continue
            if by_source[source].determine(y) and not by_target[target].determine(x):
                log10_chance, repeats = function_log10_chance(x, y)
                if log10_chance < threshold(n_single):
                    found.append(Relation("function", FunctionOf(target, source), repeats, log10_chance,
                                          f"each {source} has one {target}"))
                    determined.add(target)
    free = [c for c in sorted(sources, key=lambda c: sources[c].max()) if c not in determined and c not in taken
            and (not is_integral(frame[c]) or sources[c].max() < DISCRETE_INTEGER_LEVELS)]
    pairs = sorted(combinations(free, 2), key=lambda p: int(sources[p[0]].max() + 1) * int(sources[p[1]].max() + 1))
    open_targets = [t for t in targets if t not in determined]
    pairs = pairs[: max(0, MAX_PAIR_TESTS // max(1, len(open_targets)))]
    n_pair_tests = len(pairs) * len(open_targets)
    for a, b in pairs:
        if {a, b} & determined:
            continue
        key = value_codes(pd.Series(sources[a] * (int(sources[b].max()) + 1) + sources[b]))
        if int(key.max()) + 1 > n // 2:
            continue
        kept, key_groups = [], _Groups(key)
        for target in open_targets:
            if target in determined or target in (a, b) or not key_groups.determine(targets[target]):
                continue
            log10_chance, repeats = function_log10_chance(key, targets[target])
            if log10_chance < threshold(n_pair_tests):
                kept.append((target, log10_chance, repeats))
                determined.add(target)
        if kept:
            # Kept as the combinations the data has (one rule per pair of sources): sources generated
            # on their own could pair otherwise.
            names = [t for t, _, _ in kept]
            found.append(Relation("function", FixedCombinations([a, b, *names]), min(r for _, _, r in kept),
                                  max(c for _, c, _ in kept), f"each ({a}, {b}) has one {', '.join(names)}"))
            determined |= {a, b}
    return found


class _Groups:
    """The rows of codes ``x`` sorted by code, kept to ask of many columns whether ``x`` determines
    them (one sort per column instead of a ``np.unique`` per pair: ames' 74 columns took 2.5 s that way)."""

    def __init__(self, x):
        self.order = np.argsort(x, kind="stable")
        sorted_x = x[self.order]
        self.repeated = sorted_x[1:] == sorted_x[:-1]  # a row sharing its code with the row before

    def determine(self, y):
        """Whether the codes determine codes ``y`` on every row."""
        sorted_y = y[self.order]
        return bool(np.array_equal(sorted_y[1:][self.repeated], sorted_y[:-1][self.repeated]))


def find_datetime_parts(frame, columns, taken):
    """Integer columns equal to a part of a datetime column (in one time zone, searched if need be)."""
    datetimes = [c for c in columns if ptypes.is_datetime64_any_dtype(frame[c].dtype) and frame[c].notna().sum() >= 2]
    parts = [c for c in columns if c not in taken and is_integral(frame[c]) and frame[c].nunique() >= 2]
    found, n_tests = [], max(1, len(datetimes) * len(parts) * len(DATETIME_PARTS))
    for source in datetimes:
        values = frame[source]
        zones = [None]
        # Twice: an hour column may reveal the time zone the columns before it are in.
        for target in parts + parts:
            if any(r.constraint.target == target for r in found):
                continue
            column = frame[target]
            if not column.isna().equals(values.isna()):
                continue
            low, high = column.min(), column.max()
            for part in DATETIME_PARTS:
                if not (_PART_RANGES[part][0] <= low and high <= _PART_RANGES[part][1]):
                    continue
                zone = _matching_zone(values, column, part, zones)
                if zone is False:
                    continue
                if zone not in zones:
                    zones.append(zone)
                present = column.notna().to_numpy()
                pairs = pd.DataFrame({"d": values[present], "p": column[present]}).drop_duplicates()
                log10_chance = (len(pairs) - 1) * collision_log10(value_codes(column[present]))
                if log10_chance < threshold(n_tests):
                    where = "" if zone is None else f" in {zone}"
                    found.append(Relation("datetime part", DatetimePart(target, source, part, zone), len(pairs),
                                          log10_chance, f"{part} of {source}{where}"))
                break
    return _grouped(found)


def _grouped(found):
    """The parts a datetime can be given back, one :class:`DatetimeParts` rule per datetime and zone
    (first), then the parts that follow from them (quarter, day of year, weekday) as they were."""
    groups, derived = {}, []
    for relation in found:
        rule = relation.constraint
        if rule.part in SETTABLE_PARTS:
            groups.setdefault((rule.source, rule.timezone), []).append(relation)
        else:
            derived.append(relation)
    grouped = []
    for (source, zone), members in groups.items():
        parts = {r.constraint.part: r.constraint.target for r in members}
        where = "" if zone is None else f" in {zone}"
        grouped.append(Relation("datetime part", DatetimeParts(source, parts, zone), min(r.support for r in members),
                                max(r.log10_chance for r in members),
                                f"{', '.join(parts)} of {source}{where}; {source} takes the generated parts"))
    return grouped + derived


def _matching_zone(values, column, part, zones):
    """The time zone (None: as stored) in which ``part`` of ``values`` equals ``column`` on every row,
    trying ``zones`` found for other parts first; False when none does."""
    actual = column.to_numpy(dtype=np.float64, na_value=np.nan)
    present = ~np.isnan(actual)
    for zone in zones:
        if np.array_equal(datetime_part(values, part, zone)[present], actual[present]):
            return zone
    if part != "hour":
        return False
    hours = datetime_part(values, "hour", "+00:00" if values.dt.tz is not None else None)
    shifts = np.unique(np.mod(actual[present] - hours[present], 24))
    if len(shifts) == 1:
        shift = int(shifts[0]) if shifts[0] <= 14 else int(shifts[0]) - 24
        zone = f"{'+' if shift >= 0 else '-'}{abs(shift):02d}:00"
        return zone if np.array_equal(datetime_part(values, part, zone)[present], actual[present]) else False
    if len(shifts) != 2 or (shifts[1] - shifts[0]) % 24 not in (1, 23):
        return False
    probe = np.flatnonzero(present)[:ZONE_PROBE_ROWS]
    others = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    for zone in [*COMMON_ZONES, *others]:
        if np.array_equal(datetime_part(values.iloc[probe], part, zone), actual[probe]):
            if np.array_equal(datetime_part(values, part, zone)[present], actual[present]):
                return zone
    return False


def find_missing_together(frame, columns):
    """``column`` missing wherever ``when`` is (both sometimes missing, sometimes not), as few rules as
    keep every such relation: columns missing on the same rows share one representative (blanked where
    any of them is, then blanking them), and a group is blanked where a group whose missing rows hold
    its own is, unless a chain of others implies it; groups in order, ancestors first."""
    missing = {c: frame[c].isna().to_numpy() for c in columns}
    missing = {c: m for c, m in missing.items() if 0 < m.sum() < len(m)}
    n_tests = len(missing) * (len(missing) - 1)
    groups = {}
    for column, blank in missing.items():
        groups.setdefault(blank.tobytes(), []).append(column)
    groups = [members for members in groups.values()]
    rep = {g: members[0] for g, members in enumerate(groups)}
    blank = {g: missing[members[0]] for g, members in enumerate(groups)}

    def evidence(when, column):
        return int(blank[when].sum()) * float(np.log10(blank[column].mean()))

    implies = {(a, b) for a in blank for b in blank if a != b and np.all(blank[b][blank[a]])
               and evidence(a, b) < threshold(n_tests)}
    parents = {b: {a for a, c in implies if c == b} for b in blank}
    ancestors = {g: set() for g in blank}
    for g in sorted(blank, key=lambda g: blank[g].sum()):  # (a parent has fewer missing rows)
        for a in parents[g]:
            ancestors[g] |= {a} | ancestors[a]
    found = []
    for g in sorted(blank, key=lambda g: (blank[g].sum(), g)):
        members = groups[g]
        for member in members[1:]:
            found.append(_missing_rule(frame, rep[g], member, n_tests))
        direct = [a for a in parents[g] if not any(a in ancestors[b] for b in parents[g] if b != a)]
        for a in sorted(direct):
            found.append(_missing_rule(frame, rep[g], rep[a], n_tests))
        for member in members[1:]:
            found.append(_missing_rule(frame, member, rep[g], n_tests))
    return [r for r in found if r.log10_chance < threshold(n_tests)]


def _missing_rule(frame, column, when, n_tests):
    blank = frame[when].isna().to_numpy()
    rate = frame[column].isna().to_numpy().mean()
    log10_chance = int(blank.sum()) * float(np.log10(rate))
    return Relation("missing", MissingWith(column, when), int(blank.sum()), log10_chance,
                    f"{column} is missing in all {int(blank.sum())} rows {when} is")

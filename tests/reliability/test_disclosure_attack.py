"""Attack the published file as a reader would (metrics.md, "Disclosure control"; issue 18).

The attacker knows only the published tables and their grain (marts.md). It does not read the
`meta.disclosure` declarations that orchestration/disclosure.py closes: it derives the sums from the data.

1. Sums along a key: group a table's rows by every grain column but one; a row whose label on that column
   equals the sum of the others in most fully published groups is a total ('All', 'ICS', 'System', ...).
   The same against every numeric column of another published table whose grain shares the other key
   columns (partners' rows of mart_turnover against mart_system_kpis numerators, categories of
   mart_leavers against mart_turnover's leavers).
2. Sums across columns: a column that equals the sum of two others, or of a family of columns sharing a
   name prefix (service bands), in the same row or in the row of the same grain in another table;
   believed only where each member is non-zero in some of the rows where it held (else it is no evidence).
3. Ratios: a rate published beside its denominator gives the numerator back (numerator = rate x
   denominator), and beside its numerator the denominator.
4. Across months: a column equal to another column of the same row a month, a quarter or a year earlier
   (the stability denominator is the headcount a year before), or to the mean of the two (the turnover
   denominator).

Each recovery is one addition, subtraction or multiplication of published values. A candidate counts as a
recovery only when it equals the true value exactly: the truth is the same marts built by dbt with the
count threshold off (`disclosure_max_small_count: 0`) on a copy of the refreshed warehouse. The target:
0 suppressed counts (1 to 4 people) recovered. The information cost is the number of values the working
warehouse's marts publish that the published file hides (secondary suppression and its dependents).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pytest

from tests.conftest import PROJECT_ROOT, Workspace, refresh_into

MIN_GROUPS = 5  # a relation is believed when it holds in this many fully published groups ...
MIN_SHARE = 0.9  # ... and in at least this share of them (relations that are true hold in 97-100%)


@dataclass
class Report:
    relations: list[str] = field(default_factory=list)
    candidates: int = 0
    recovered: Counter = field(default_factory=Counter)  # (table, column, "small count" | "other") -> n
    how: Counter = field(default_factory=Counter)  # relation that recovered a value -> n
    suppressed_counts: int = 0  # cells hidden whose true value is a count of 1 to 4 people
    cost: Counter = field(default_factory=Counter)  # table -> values hidden by secondary suppression
    skipped: list[str] = field(default_factory=list)  # cross-table matches too wide to try (MAX_PAIRS)

    def small_recovered(self) -> int:
        return sum(n for (_, _, kind), n in self.recovered.items() if kind == "small count")


def grains(manifest: Path) -> dict[str, tuple[str, ...]]:
    """Each published mart's grain, from its `meta.grain` sentence: 'one row per (a, b, c)'."""
    nodes = json.loads(manifest.read_text())["nodes"].values()
    found = {}
    for node in nodes:
        grain = ((node.get("config") or {}).get("meta") or {}).get("grain") or ""
        match = re.search(r"\(([^)]*)\)", grain)
        if node.get("resource_type") == "model" and match:
            found[node["name"]] = tuple(c.strip() for c in match.group(1).split(","))
    return found


def unsuppressed_marts(space: Workspace, root: Path, tables: list[str]) -> Path:
    """The same marts without count suppression, built by dbt on a copy of the refreshed warehouse."""
    copy = root / "unsuppressed.duckdb"
    shutil.copyfile(space.warehouse, copy)
    project = PROJECT_ROOT / "dbt_project"
    env = {**os.environ, "WF_WAREHOUSE": str(copy), "DBT_TARGET_PATH": str(root / "target")}
    subprocess.run(
        [
            *(str(Path(sys.executable).with_name("dbt")), "run", "--quiet", "--project-dir", str(project)),
            *("--profiles-dir", str(project), "--vars", "{disclosure_max_small_count: 0}", "--select", *tables),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
    )
    return copy


def _values(column: np.ndarray) -> np.ndarray:
    """A fetched numeric column as floats, NULL as nan."""
    return np.ma.filled(np.ma.asarray(column).astype(float), np.nan)


def _texts(column: np.ndarray) -> list:
    """A fetched varchar column as Python strings, NULL as None."""
    texts = np.array(np.ma.getdata(column), dtype=object)
    texts[np.ma.getmaskarray(column)] = None
    return texts.tolist()


def _row_ids(codes: list[np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """For rows described by the key codes, an id per distinct key numbered in order of first appearance
    (as a dict filled row by row numbers them), and the first row of each id."""
    if not codes:
        return np.zeros(n, dtype=int), np.zeros(min(n, 1), dtype=int)
    _, first, inverse = np.unique(np.stack(codes, axis=1), axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first)
    renumber = np.empty_like(order)
    renumber[order] = np.arange(len(order))
    return renumber[inverse.ravel()], first[order]


def _lookup(table_codes: list[np.ndarray], query_codes: list[np.ndarray]) -> np.ndarray:
    """For each query key, the row of the table with that key (-1 where there is none)."""
    n = len(table_codes[0])
    ids, _ = _row_ids(
        [np.concatenate([t, q]) for t, q in zip(table_codes, query_codes, strict=True)], n + len(query_codes[0])
    )
    row_of_id = np.full(ids.max(initial=-1) + 1, -1)
    row_of_id[ids[:n]] = np.arange(n)
    return row_of_id[ids[n:]]


class Frames:
    """Published and true values of one table, aligned row by row on its grain. Key values are also coded
    as integers (`vocabulary`, shared by every table) so that rows are grouped and matched by numpy."""

    def __init__(self, con: duckdb.DuckDBPyConnection, table: str, keys: tuple[str, ...], vocabulary: dict):
        columns = con.execute(
            "select column_name, data_type from duckdb_columns() where database_name = 'pub' and table_name = ?",
            [table],
        ).fetchall()
        self.numeric = [c for c, t in columns if t in ("BIGINT", "DOUBLE", "INTEGER", "HUGEINT") and c not in keys]
        self.counts = {c for c, t in columns if t == "BIGINT" and c not in keys} | {
            c for c in self.numeric if c in ("numerator", "denominator") or c.endswith(("_numerator", "_denominator"))
        }
        select = ", ".join(f'p."{c}" as "p_{c}", t."{c}" as "t_{c}"' for c in self.numeric)
        on = " and ".join(f'p."{k}" is not distinct from t."{k}"' for k in keys)
        key_text = ", ".join(f'cast(p."{k}" as varchar) as "{k}"' for k in keys)
        rows = con.execute(
            f"select {key_text}, p.is_suppressed, {select} from pub.main.{table} p "
            f"join tru.marts.{table} t on {on} order by all"
        ).fetchnumpy()
        self.table, self.keys, self.n, self.vocabulary = table, keys, len(rows["is_suppressed"]), vocabulary
        self._hidden: dict[str, np.ndarray] = {}
        self.key = {k: _texts(rows[k]) for k in keys}
        self.code = {
            k: np.array([vocabulary.setdefault(v, len(vocabulary)) for v in self.key[k]], dtype=int) for k in keys
        }
        self.published = {c: _values(rows[f"p_{c}"]) for c in self.numeric}
        self.truth = {c: _values(rows[f"t_{c}"]) for c in self.numeric}

    def hidden(self, column: str) -> np.ndarray:
        """Rows whose value of column was withheld; computed once per column (every candidate scored asks)."""
        if column not in self._hidden:
            self._hidden[column] = np.isnan(self.published[column]) & ~np.isnan(self.truth[column])
        return self._hidden[column]


def _score(report: Report, frames: Frames, column: str, row: int, candidate: float) -> None:
    report.candidates += 1
    if not frames.hidden(column)[row]:
        return
    truth = frames.truth[column][row]
    if abs(candidate - truth) > 1e-6 * max(1.0, abs(truth)):
        return
    small = column in frames.counts and truth in (1, 2, 3, 4)
    report.recovered[(frames.table, column, "small count" if small else "other")] += 1
    report.how[report.relations[-1]] += 1  # the relation being tried is the last one found


@dataclass
class Groups:
    """A table's rows grouped by every grain column but `along`: per group, the sum of the published
    values of a column, how many are unknown and the first unknown row."""

    gid: np.ndarray
    first: np.ndarray  # the first row of each group

    @classmethod
    def of(cls, frames: Frames, by: tuple[str, ...]) -> Groups:
        return cls(*_row_ids([frames.code[k] for k in by], frames.n))

    def sums(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        unknown = np.isnan(values)
        n = len(self.first)
        total = np.bincount(self.gid, np.where(unknown, 0, values), minlength=n)
        unknowns = np.bincount(self.gid, unknown, minlength=n).astype(int)
        size = np.bincount(self.gid, minlength=n)
        first_unknown = np.full(n, -1)
        unknown_rows = np.flatnonzero(unknown)
        groups_with_unknown, first = np.unique(self.gid[unknown_rows], return_index=True)
        first_unknown[groups_with_unknown] = unknown_rows[first]
        return total, unknowns, size, first_unknown


class Believed(set):
    """Labels of the rows that hold a sum, and in how many fully published groups it held."""

    def __init__(self, labels: set, held: int, seen: int):
        super().__init__(labels)
        self.evidence = f" (held in {held} of {seen} fully published groups)"


@dataclass
class Labels:
    """A label per row (the value of the key summed along), coded: `values[ids[row]]` is row's label."""

    ids: np.ndarray
    values: list

    @classmethod
    def of(cls, frames: Frames, keys: str | tuple[str, ...]) -> Labels:
        """Labels on one key are its values; on several keys, tuples of them."""
        by = (keys,) if isinstance(keys, str) else keys
        ids, first = _row_ids([frames.code[k] for k in by], frames.n)
        values = [tuple(frames.key[k][r] for k in by) for r in first]
        return cls(ids, [v for (v,) in values] if isinstance(keys, str) else values)

    def believed(self, holds: np.ndarray, tried: np.ndarray) -> Believed:
        """Labels for which the sum held in enough fully published groups."""
        seen = np.bincount(self.ids[tried], minlength=len(self.values))
        held = np.bincount(self.ids[tried & holds], minlength=len(self.values))
        believed = np.flatnonzero((held >= MIN_GROUPS) & (held >= MIN_SHARE * seen))
        return Believed({self.values[b] for b in believed}, int(held[believed].sum()), int(seen[believed].sum()))

    def among(self, believed: Believed) -> np.ndarray:
        """Rows whose label is believed."""
        return np.isin(self.ids, [i for i, v in enumerate(self.values) if v in believed])


def attack_sums_along_keys(report: Report, tables: dict[str, Frames]) -> None:
    """Within a table: a total row of a group against its other rows."""
    for frames in tables.values():
        for along in frames.keys:
            groups = Groups.of(frames, tuple(k for k in frames.keys if k != along))
            labels = Labels.of(frames, along)
            for column in frames.numeric:
                values = frames.published[column]
                total, unknowns, size, first_unknown = groups.sums(values)
                unknown = np.isnan(values)
                others = total[groups.gid] - np.where(unknown, 0, values)
                others_unknown = unknowns[groups.gid] - unknown
                tried = (unknowns[groups.gid] == 0) & (size[groups.gid] >= 3) & (others > 0)
                believed = labels.believed(np.abs(values - others) < 1e-6, tried)
                if not believed:
                    continue
                report.relations.append(
                    f"{frames.table}.{column}: rows along {along} add up to {sorted(believed)}{believed.evidence}"
                )
                # Only a total unknown beside known members, or a known total beside one unknown member, gives
                # a value back.
                recoverable = (unknown & (others_unknown == 0)) | (~unknown & (others_unknown == 1))
                for row in np.flatnonzero(labels.among(believed) & (size[groups.gid] >= 2) & recoverable):
                    if unknown[row] and others_unknown[row] == 0:
                        _score(report, frames, column, int(row), float(others[row]))
                    elif not unknown[row] and others_unknown[row] == 1:
                        member = int(first_unknown[groups.gid[row]])
                        _score(report, frames, column, member, float(values[row] - others[row]))


def _matches(groups: Groups, group_codes: list[np.ndarray], other_codes: list[np.ndarray]) -> tuple | None:
    """Every (group, row of the other table) with the same shared keys, by group then row; None when there are
    more than MAX_PAIRS."""
    n_groups = len(groups.first)
    ids, _ = _row_ids(
        [np.concatenate([c[groups.first], o]) for c, o in zip(group_codes, other_codes, strict=True)],
        n_groups + len(other_codes[0]),
    )
    group_id, row_id = ids[:n_groups], ids[n_groups:]
    rows_by_id = np.argsort(row_id, kind="stable")
    per_id = np.bincount(row_id, minlength=ids.max(initial=-1) + 1)
    start = np.cumsum(per_id) - per_id
    per_group = per_id[group_id]
    if per_group.sum() > MAX_PAIRS:
        return None
    g = np.repeat(np.arange(n_groups), per_group)
    within = np.arange(len(g)) - np.repeat(np.cumsum(per_group) - per_group, per_group)
    return g, rows_by_id[start[group_id][g] + within]


# A group matched with more rows of another table than this shares too few keys with it (a period and a sector
# against every profile row) to be a sum a reader forms; trying it costs minutes per pair of tables. Each skip is
# printed with the report.
MAX_PAIRS = 2_000_000


def attack_sums_into_other_tables(report: Report, tables: dict[str, Frames]) -> None:
    """A table's rows along one key against a row of another table sharing the other keys."""
    for (name, frames), (other_name, other) in itertools.permutations(tables.items(), 2):
        for along in frames.keys:
            by = tuple(k for k in frames.keys if k != along)
            shared = tuple(k for k in by if k in other.keys)
            extra = tuple(k for k in other.keys if k not in shared)
            if not shared or along in other.keys:
                continue
            groups = Groups.of(frames, by)
            pairs = _matches(groups, [frames.code[k] for k in shared], [other.code[k] for k in shared])
            if pairs is None:  # keys shared too weakly (a period, a sector) to be a sum
                report.skipped.append(f"{name} along {along} against {other_name} on {shared}")
                continue
            g, rows = pairs
            if not len(g):
                continue
            labels = Labels.of(other, extra)
            labels = Labels(labels.ids[rows], labels.values)
            for column in frames.numeric:
                total, unknowns, size, first_unknown = groups.sums(frames.published[column])
                tried = (unknowns[g] == 0) & (size[g] >= 2) & (total[g] > 0)
                for total_column in other.numeric:
                    target = other.published[total_column][rows]
                    believed = labels.believed(np.abs(target - total[g]) < 1e-6, tried & ~np.isnan(target))
                    if not believed:
                        continue
                    report.relations.append(
                        f"{name}.{column} along {along} adds up to {other_name}.{total_column} "
                        f"at {sorted(believed)[:3]}{' ...' if len(believed) > 3 else ''}{believed.evidence}"
                    )
                    unknown = np.isnan(target)
                    recoverable = (unknown & (unknowns[g] == 0)) | (~unknown & (unknowns[g] == 1))
                    for i in np.flatnonzero(labels.among(believed) & recoverable):
                        if np.isnan(target[i]) and unknowns[g[i]] == 0:
                            _score(report, other, total_column, int(rows[i]), float(total[g[i]]))
                        elif not np.isnan(target[i]) and unknowns[g[i]] == 1:
                            _score(report, frames, column, int(first_unknown[g[i]]), float(target[i] - total[g[i]]))


def _row_frames(tables: dict[str, Frames]) -> list[tuple[str, dict[str, Frames], list[tuple[str, str]]]]:
    """Tables of one grain side by side (mart_turnover and mart_vacancy), and each table alone."""
    by_grain: dict[tuple, list[Frames]] = {}
    for frames in tables.values():
        by_grain.setdefault(frames.keys, []).append(frames)
    return [(f.table, {f.table: f}, [(f.table, c) for c in f.numeric]) for f in tables.values()] + [
        (
            "+".join(f.table for f in group),
            {f.table: f for f in group},
            [(f.table, c) for f in group for c in f.numeric],
        )
        for group in by_grain.values()
        if len(group) > 1
    ]


def _aligned(frames: dict[str, Frames]) -> dict[str, np.ndarray]:
    """Row numbers of each table for the grain values they share (inner join on the keys), in the first
    table's row order."""
    first, *others = frames.values()
    rows = {f.table: _lookup([f.code[k] for k in f.keys], [first.code[k] for k in f.keys]) for f in others}
    common = np.ones(first.n, dtype=bool)
    for found in rows.values():
        common &= found >= 0
    return {first.table: np.flatnonzero(common), **{t: r[common] for t, r in rows.items()}}


def attack_row_sums_and_ratios(report: Report, tables: dict[str, Frames]) -> None:
    for name, frames, columns in _row_frames(tables):
        rows = _aligned(frames)
        published = {(t, c): frames[t].published[c][rows[t]] for t, c in columns}
        if not len(rows[next(iter(rows))]):
            continue
        families: dict[str, list[tuple[str, str]]] = {}
        for t, c in columns:
            families.setdefault(f"{t}.{c.split('_')[0]}", []).append((t, c))
        sums = [(total, pair) for total in columns for pair in itertools.combinations(columns, 2) if total not in pair]
        sums += [
            (total, tuple(family))
            for total in columns
            for family in families.values()
            if len(family) >= 3 and total not in family
        ]
        # Thousands of sums and ratios are tried per frame: what depends on one column is worked out once.
        known = {m: ~np.isnan(v) for m, v in published.items()}
        positive = {m: v > 0 for m, v in published.items()}
        tolerance = {m: 1e-9 * np.maximum(1, np.abs(v)) for m, v in published.items()}
        for total, members in sums:
            values = np.column_stack([published[m] for m in members])
            summed = values.sum(axis=1)
            full = np.logical_and.reduce([known[m] for m in members]) & known[total] & (summed > 0)
            exact = full & (np.abs(published[total] - summed) < 1e-6)
            if exact.sum() < MIN_GROUPS or exact.sum() < 0.95 * full.sum():
                continue
            # A member that was 0 wherever the sum held is no evidence it belongs to the sum (orgs_reporting =
            # retire_and_return_12m + orgs_sending_route_columns held only where nobody retired and returned):
            # its "recoveries" are guesses that happen to be right.
            if any(((values[:, j] != 0) & exact).sum() < MIN_GROUPS for j in range(len(members))):
                continue
            report.relations.append(f"{name}: {total[1]} = {' + '.join(c for _, c in members)}")
            # A value comes back where the total is unknown and no member is, or the total is known and one
            # member is not.
            members_unknown = np.isnan(values).sum(axis=1)
            total_unknown = np.isnan(published[total])
            recoverable = (total_unknown & (members_unknown == 0)) | (~total_unknown & (members_unknown == 1))
            for i in np.flatnonzero(recoverable):
                cells = [(t, c, rows[t][i]) for t, c in members]
                total_row = rows[total[0]][i]
                member_values = [frames[t].published[c][r] for t, c, r in cells]
                unknown = [j for j, v in enumerate(member_values) if np.isnan(v)]
                total_value = frames[total[0]].published[total[1]][total_row]
                if np.isnan(total_value) and not unknown:
                    _score(report, frames[total[0]], total[1], total_row, float(np.sum(member_values)))
                elif not np.isnan(total_value) and len(unknown) == 1:
                    t, c, r = cells[unknown[0]]
                    _score(report, frames[t], c, r, float(total_value - np.nansum(member_values)))
        for rate, numerator, denominator in itertools.permutations(columns, 3):
            if rate[1].endswith(("numerator", "denominator")):  # a count, never taken for a rate
                continue
            r, n, d = published[rate], published[numerator], published[denominator]
            full = known[rate] & positive[numerator] & positive[denominator]
            exact = full & (np.abs(r * d - n) < tolerance[numerator])
            if exact.sum() < MIN_GROUPS or exact.sum() < 0.95 * full.sum():
                continue
            report.relations.append(f"{name}: {rate[1]} = {numerator[1]} / {denominator[1]}")
            # A published, non-zero rate gives back whichever of its numerator and denominator is unknown.
            recoverable = ~np.isnan(r) & (r != 0) & (np.isnan(n) != np.isnan(d))
            for i in np.flatnonzero(recoverable):
                rv, nv, dv = r[i], n[i], d[i]
                if np.isnan(nv) and not np.isnan(dv):
                    _score(report, frames[numerator[0]], numerator[1], rows[numerator[0]][i], float(round(rv * dv, 6)))
                elif np.isnan(dv) and not np.isnan(nv):
                    _score(
                        report,
                        frames[denominator[0]],
                        denominator[1],
                        rows[denominator[0]][i],
                        float(round(nv / rv, 6)),
                    )


def _shifted(frames: Frames, months: int) -> np.ndarray:
    """For each row, the row of the same other keys `months` earlier (-1 where there is none)."""
    import datetime as dt

    def back(period: str) -> str:
        day = dt.date.fromisoformat(period)
        first = dt.date(day.year + (day.month - 1 - months) // 12, (day.month - 1 - months) % 12 + 1, 1)
        following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return str(following - dt.timedelta(days=1))

    # Each distinct period is moved back once; a period earlier than any published has no row to match.
    periods, period_ids = np.unique(np.array(frames.key["period"], dtype=object), return_inverse=True)
    earlier = np.array([frames.vocabulary.get(back(p), -1) for p in periods])[period_ids.ravel()]
    keys = [frames.code[k] for k in frames.keys]
    wanted = [earlier if k == "period" else frames.code[k] for k in frames.keys]
    return _lookup(keys, wanted)


def attack_across_periods(report: Report, tables: dict[str, Frames]) -> None:
    """The same people in another month's row: b at M = a at M-s (the stability denominator is the headcount
    a year before), or b at M = (a at M-s + a at M) / 2 (the turnover denominator)."""
    for frames in (f for f in tables.values() if "period" in f.keys):
        for months in (1, 3, 12):
            earlier = _shifted(frames, months)
            has = earlier >= 0
            if not has.any():
                continue
            for a, b in itertools.permutations(frames.numeric, 2):
                now_a, then_a, now_b = frames.published[a], np.full(frames.n, np.nan), frames.published[b]
                then_a[has] = frames.published[a][earlier[has]]
                for form, expected in (("=", then_a), ("= half of itself plus", (then_a + now_a) / 2)):
                    full = ~np.isnan(expected) & ~np.isnan(now_b) & (now_b > 0)
                    exact = full & (np.abs(expected - now_b) < 1e-6)
                    if exact.sum() < MIN_GROUPS or exact.sum() < MIN_SHARE * full.sum():
                        continue
                    report.relations.append(
                        f"{frames.table}: {b} at M {form} {a} at M-{months} (held in {exact.sum()} of {full.sum()})"
                    )
                    known_before, known_now, known_value = ~np.isnan(then_a), ~np.isnan(now_a), ~np.isnan(now_b)
                    if form == "=":  # one side known, the other not
                        recoverable = known_value != known_before
                    else:  # the mean known, one of its two terms not
                        recoverable = known_value & (known_before != known_now)
                    for row in np.flatnonzero(has & recoverable):
                        before, now, value = then_a[row], now_a[row], now_b[row]
                        if form == "=":
                            if np.isnan(value) and not np.isnan(before):
                                _score(report, frames, b, int(row), float(before))
                            elif np.isnan(before) and not np.isnan(value):
                                _score(report, frames, a, int(earlier[row]), float(value))
                        elif not np.isnan(value):
                            if np.isnan(before) and not np.isnan(now):
                                _score(report, frames, a, int(earlier[row]), float(2 * value - now))
                            elif np.isnan(now) and not np.isnan(before):
                                _score(report, frames, a, int(row), float(2 * value - before))


def attack(space: Workspace, root: Path, manifest: Path) -> Report:
    grain = grains(manifest)
    with duckdb.connect(str(space.marts), read_only=True) as con:
        published = {
            t
            for (t,) in con.execute(
                "select table_name from duckdb_columns() where column_name = 'is_suppressed'"
            ).fetchall()
        }
    tables = sorted(t for t in published if t in grain)
    truth = unsuppressed_marts(space, root, tables)
    report = Report()
    con = duckdb.connect()
    try:
        con.execute(f"attach '{space.marts}' as pub (read_only)")
        con.execute(f"attach '{truth}' as tru (read_only)")
        con.execute(f"attach '{space.warehouse}' as wh (read_only)")
        vocabulary: dict = {}
        frames = {t: Frames(con, t, grain[t], vocabulary) for t in tables}
        for t, f in frames.items():
            report.suppressed_counts += int(
                sum((f.hidden(c) & np.isin(f.truth[c], (1, 2, 3, 4))).sum() for c in f.numeric if c in f.counts)
            )
            # The cost: values the working warehouse's marts publish and the published file hides.
            for c in f.numeric:
                on = " and ".join(f'p."{k}" is not distinct from w."{k}"' for k in grain[t])
                report.cost[t] += con.execute(
                    f"select count(*) from pub.main.{t} p join wh.marts.{t} w on {on} "
                    f'where p."{c}" is null and w."{c}" is not null'
                ).fetchone()[0]
    finally:
        con.close()
    attack_sums_along_keys(report, frames)
    attack_sums_into_other_tables(report, frames)
    attack_row_sums_and_ratios(report, frames)
    attack_across_periods(report, frames)
    return report


def _check(report: Report, label: str) -> None:
    print(f"\n{label}: {len(report.relations)} relations found in the data, {report.candidates} recoveries tried")
    for relation in report.relations:
        print("  ", relation)
    for skipped in report.skipped:
        print("   not tried (too wide):", skipped)
    print(f"{label}: suppressed counts of 1-4 people in the published file: {report.suppressed_counts}")
    print(f"{label}: recovered exactly: {dict(report.recovered)}")
    for relation, n in report.how.most_common():
        print(f"   {n} by {relation}")
    print(f"{label}: information cost (values hidden by secondary suppression): {dict(report.cost)}")
    assert report.relations, "the attacker found no relation at all: the attack is vacuous"
    assert report.suppressed_counts > 50, "too few suppressed counts for the attack to mean anything"
    assert report.small_recovered() == 0, f"{label}: suppressed counts recovered: {dict(report.recovered)}"


def test_demo_suppressed_counts_cannot_be_recovered(demo, dbt_manifest, tmp_path):
    _check(attack(demo, tmp_path, dbt_manifest), "demo")


@pytest.fixture(scope="module")
def held_out(tmp_path_factory, dbt_manifest) -> Workspace:
    """A generated ICS the models were not written against: the demo's size with another seed."""
    from simulator.generate import generate

    root = tmp_path_factory.mktemp("held_out")
    generate("demo", 7, root / "returns")
    return refresh_into(root / "returns", root)


def test_held_out_ics_suppressed_counts_cannot_be_recovered(held_out, dbt_manifest, tmp_path):
    _check(attack(held_out, tmp_path, dbt_manifest), "held-out ICS (seed 7)")


@pytest.mark.slow
def test_ics_scale_suppressed_counts_cannot_be_recovered(ics_scale, dbt_manifest, tmp_path):
    _check(attack(ics_scale[0], tmp_path, dbt_manifest), "ics scale")

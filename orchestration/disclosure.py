"""Secondary suppression of the published file (metrics.md, "Disclosure control in what analysts can read").

The marts suppress small counts one value at a time (primary suppression, dbt_project/macros/disclosure.sql).
A reader can still subtract: an organisation's suppressed leavers are the sector total in
`mart_system_kpis` minus the other partners' published values. This step closes those sums, once, over
every published table, from the hierarchies each model declares next to itself in its YAML
(`config: meta: disclosure:`):

    disclosure:
      keys: [period, sector, org_code, profession]       # the grain
      counts:                                            # counts of people; value: rows where it counts people
        headcount:
        vacancies: "vacancy_basis = 'headcount'"
      dependents:                                        # what goes NULL with a count (it would reveal it)
        leavers_12m: [turnover_rate_12m, early_leaver_share_12m]
      lagged_dependents:                                 # counts of another row equal to (part of) a count,
                                                         # or rates repeating one resting on it
        - {column: headcount, row: {period: "last_day(period + interval 12 month)"}, columns: [stability_denominator]}
      relations:
        - name: professions add up to All                # rows along one key add up to its total row
          along: profession
          total: All
          columns: [headcount, leavers_12m]
        - name: organisations add up to the sector value # ... or to a row of another published table
          along: org_code
          members_where: "org_code in (select org_code from dim_organisation)"
          total_table: mart_system_kpis
          match: [period, sector, profession]
          columns:
            - {column: leavers_12m, total_column: numerator, total_where: "kpi = 'leavers_12m'"}
        - name: service bands add up to headcount        # columns of one row add up to another column
          total_column: headcount
          columns: [service_lt1, service_1_2]
          also: {table: mart_turnover, columns: [headcount]}   # and columns of the matching row elsewhere
        # a relation to another table may add `shares_of_total: [share_of_leavers]`: member shares of a
        # hidden total (count / share would give it back) go NULL with it

A value is hidden when it is NULL on a row whose `is_suppressed` is true (a NULL on an unsuppressed row
is "not computable" and takes no part in a sum). Rule (metrics.md): wherever exactly one value of a sum
(its members and its total) is hidden, the smallest published non-zero member (by value, then key) is
hidden too, with its dependents, and so on until no sum has exactly one hidden value. Zero is never
hidden (a sum with one hidden value and only zeros besides hides its total instead). FTE and days are
never counts, so never hidden. Where a sum cannot be closed that way it is reported (`unclosed`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

log = logging.getLogger(__name__)


class DisclosureRuleError(ValueError):
    """A model's `meta.disclosure` block is malformed; the message names the model and the key."""


@dataclass(frozen=True)
class Part:
    """Cells of one column of one table, on the rows `where` selects, grouped into sums."""

    table: str
    column: str
    where: str
    group: tuple[str, ...]  # the columns whose values name the sum a member belongs to
    match: tuple[str, ...]  # the columns joining members to their total (same names in both tables)


@dataclass(frozen=True)
class Relation:
    name: str
    members: tuple[Part, ...]
    totals: tuple[Part, ...]
    shares: tuple[str, ...] = ()  # columns of the members' rows giving member / total: NULL with a hidden total


@dataclass
class TableRule:
    table: str
    keys: tuple[str, ...]
    counts: dict[str, str]  # column -> rows where it counts people ("true" = every row)
    dependents: dict[str, tuple[str, ...]]
    lagged: list[tuple[str, dict[str, str], tuple[str, ...]]] = field(default_factory=list)


@dataclass
class Cost:
    """What secondary suppression hid, per table: counts, and rates/shares that would have revealed them."""

    counts: dict[str, int] = field(default_factory=dict)
    dependents: dict[str, int] = field(default_factory=dict)
    iterations: int = 0
    unclosed: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values()) + sum(self.dependents.values())


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def declared_rules(manifest: dict | Path | None = None) -> tuple[dict[str, TableRule], list[Relation]]:
    """Every model's `meta.disclosure` from the dbt manifest, as table rules and relations."""
    if manifest is None:
        from orchestration.dbt import dbt_project_manifest  # the code location's manifest (lazy: dbt imports us)

        manifest = dbt_project_manifest()
    if isinstance(manifest, Path):
        manifest = json.loads(manifest.read_text())
    rules: dict[str, TableRule] = {}
    relations: list[Relation] = []
    for node in manifest["nodes"].values():
        meta = (node.get("config") or {}).get("meta") or {}
        if node.get("resource_type") != "model" or "disclosure" not in meta:
            continue
        table = node.get("alias") or node["name"]
        rule, table_relations = _parse(table, meta["disclosure"])
        rules[table] = rule
        relations.extend(table_relations)
    return rules, relations


def _parse(table: str, spec: dict[str, Any]) -> tuple[TableRule, list[Relation]]:
    def need(mapping: dict, key: str, where: str) -> Any:
        if key not in mapping:
            raise DisclosureRuleError(f"{table}: meta.disclosure{where} has no '{key}' (orchestration/disclosure.py)")
        return mapping[key]

    keys = tuple(need(spec, "keys", ""))
    counts = {column: (condition or "true") for column, condition in (spec.get("counts") or {}).items()}
    dependents = {column: tuple(cols) for column, cols in (spec.get("dependents") or {}).items()}
    rule = TableRule(table, keys, counts, dependents)
    for index, item in enumerate(spec.get("lagged_dependents") or []):
        where = f".lagged_dependents[{index}]"
        columns = tuple(need(item, "columns", where))
        # the hidden column is a count; what it hides elsewhere is a count (hidden in turn) or a rate copied
        # from it (a rate a year before: NULLed with it, as a dependent)
        if need(item, "column", where) not in counts:
            raise DisclosureRuleError(f"{table}: meta.disclosure{where} names a column that is not a count")
        rule.lagged.append((item["column"], dict(need(item, "row", where)), columns))
    relations = []
    for index, item in enumerate(spec.get("relations") or []):
        where = f".relations[{index}]"
        name = f"{table}: {item.get('name') or index}"
        columns = need(item, "columns", where)
        if "total_column" in item:  # columns of one row add up to another column of it
            total_column = item["total_column"]
            condition = item.get("where", "true")
            members = [Part(table, column, condition, keys, keys) for column in columns]
            also = item.get("also")
            if also:
                other_keys = tuple(also.get("keys") or keys)
                other = need(also, "columns", where)
                members += [Part(also["table"], column, "true", other_keys, other_keys) for column in other]
            relations.append(Relation(name, tuple(members), (Part(table, total_column, condition, keys, keys),)))
            continue
        along = need(item, "along", where)
        if along not in keys:
            raise DisclosureRuleError(f"{table}: meta.disclosure{where}.along '{along}' is not one of keys {keys}")
        group = tuple(key for key in keys if key != along)
        members_where = item.get("members_where", "true")
        if "total" in item:  # the total is a row of the same table
            total = _literal(str(item["total"]))
            member_where = f"{_ident(along)} <> {total} and ({members_where})"
            for column in columns:
                relations.append(
                    Relation(
                        f"{name} ({column})",
                        (Part(table, column, member_where, group, group),),
                        (Part(table, column, f"{_ident(along)} = {total}", group, group),),
                    )
                )
            continue
        total_table = need(item, "total_table", where)
        match = tuple(item.get("match") or group)
        for entry in columns:
            column = need(entry, "column", f"{where}.columns")
            relations.append(
                Relation(
                    f"{name} ({column} -> {total_table}.{entry['total_column']} where {entry.get('total_where')})",
                    (Part(table, column, members_where, group, match),),
                    (Part(total_table, entry["total_column"], entry.get("total_where", "true"), match, match),),
                    tuple(item.get("shares_of_total") or ()),
                )
            )
    return rule, relations


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    rows = con.execute(
        "select table_name, column_name from duckdb_columns() where database_name = current_database() "
        "and schema_name = 'main' and not internal"
    ).fetchall()
    tables: dict[str, set[str]] = {}
    for table, column in rows:
        tables.setdefault(table, set()).add(column)
    return tables


def _key_text(columns: tuple[str, ...]) -> str:
    if not columns:  # a relation along a table's only key: one sum
        return "''"
    return "concat_ws('|', " + ", ".join(f"coalesce(cast({_ident(c)} as varchar), '')" for c in columns) + ")"


def apply_secondary_suppression(
    con: duckdb.DuckDBPyConnection, manifest: dict | Path | None = None, max_iterations: int = 200
) -> Cost:
    """Hide, in the published tables of con (schema main), whatever a sum would reveal. Returns the cost."""
    rules, relations = declared_rules(manifest)
    present = _tables(con)
    rules = {t: r for t, r in rules.items() if t in present and "is_suppressed" in present[t]}
    for table, rule in rules.items():
        missing = sorted(
            {*rule.keys, *rule.counts, *(c for cols in rule.dependents.values() for c in cols)} - present[table]
        )
        if missing:
            raise DisclosureRuleError(f"{table}: meta.disclosure names columns the table does not have: {missing}")
    relations = [
        r
        for r in relations
        if all(p.table in rules and p.column in rules[p.table].counts for p in (*r.members, *r.totals))
    ]
    cost = Cost()
    if not rules:
        return cost
    numbers = _count_columns(rules)  # one numbering of the count columns, for the cells and the links alike
    _build_cells(con, rules, numbers)
    _build_dependencies(con, rules)
    con.execute("create or replace temp table _sdc_fresh (id bigint)")
    _close_dependencies(con, frontier="select id from _sdc_cells where hidden")
    relation_ranges = _build_links(con, rules, numbers, relations)
    _count_hidden_per_sum(con)
    for iteration in range(1, max_iterations + 1):
        cost.iterations = iteration
        if not _hide_one_more(con):
            break
        _close_dependencies(con, frontier="select id from _sdc_fresh")
        _count_fresh_per_sum(con)
    cost.unclosed = con.execute(f"select count(*) from ({OPEN_SUMS})").fetchone()[0]
    _write_back(con, rules, relations, relation_ranges, cost)
    con.execute(
        "drop table _sdc_cells; drop table _sdc_links; drop table _sdc_sums; drop table _sdc_dependencies; "
        "drop table _sdc_fresh; drop table if exists _sdc_newly_hidden"
    )
    log.info(
        "secondary suppression: %s counts and %s dependent values hidden in %s passes (%s sums left open)",
        sum(cost.counts.values()),
        sum(cost.dependents.values()),
        cost.iterations,
        cost.unclosed,
    )
    return cost


def _build_cells(
    con: duckdb.DuckDBPyConnection, rules: dict[str, TableRule], numbers: dict[tuple[str, str], int]
) -> None:
    """One row per count value: hidden (NULL on a suppressed row) and its value."""
    selects = []
    for (table, column), number in numbers.items():
        col = _ident(column)
        condition = rules[table].counts[column]
        selects.append(
            f"select {_cell_id(number)} as id, {_literal(table)} as tbl, rowid as rid, {_literal(column)} as col, "
            f"cast({col} as double) as value, {_hidden(column)} as hidden, "
            f"coalesce({condition}, false) as is_count, "
            f"{_key_text(rules[table].keys)} || '|' || {_literal(column)} as sort_key "
            f"from main.{_ident(table)} where {_is_cell(column, condition)}"
        )
    # A cell that may be hidden by a pass (published, a count of people, above zero) is ranked in the order
    # a sum's members are hidden (by value, then key); the others (hidden already, or never to be: zero, not
    # a count of people) have no rank. Stored by id (table and column, then row), so DuckDB's zone maps find
    # each column's cells.
    con.execute(
        f"""create or replace temp table _sdc_cells as
        with cells as (
            select *, coalesce(not hidden and is_count and value > 0, false) as may_hide
            from ({" union all ".join(selects)})
        )
        select * exclude (sort_key, may_hide), row_number() over (order by value, sort_key, id) as rank,
            false as is_secondary
        from cells where may_hide
        union all
        select * exclude (sort_key, may_hide), null as rank, false as is_secondary
        from cells where not may_hide
        order by id"""
    )


# A cell's id is its table's row number plus a multiple of this for its (table, column), so a relation finds
# its cells' ids from the table alone, without joining the cells on rowid (a published table has far fewer rows).
CELL_ID_STRIDE = 1 << 40


def _count_columns(rules: dict[str, TableRule]) -> dict[tuple[str, str], int]:
    """Each (table, count column) numbered: the multiple of CELL_ID_STRIDE its cells' ids start at."""
    return {
        (table, column): number
        for number, (table, column) in enumerate((t, c) for t, rule in rules.items() for c in rule.counts)
    }


def _cell_id(number: int) -> str:
    return f"{number} * {CELL_ID_STRIDE} + rowid"


def _hidden(column: str) -> str:
    """A value is hidden when it is NULL on a suppressed row."""
    return f"({_ident(column)} is null and coalesce(is_suppressed, false))"


def _is_cell(column: str, condition: str) -> str:
    """The rows where a count column has a cell: a value, or a hidden count of people. A NULL that is not
    (not computable, or an FTE row of a mixed column) takes no part in a sum."""
    return f"({_ident(column)} is not null or (coalesce(is_suppressed, false) and coalesce({condition}, false)))"


def _build_links(
    con: duckdb.DuckDBPyConnection,
    rules: dict[str, TableRule],
    numbers: dict[tuple[str, str], int],
    relations: list[Relation],
) -> dict[str, tuple[int, int]]:
    """Which cells form which sum. A sum is (relation, total cell, member group), numbered by an integer (rel)
    so each pass groups links by a number; a relation's sums take one range of numbers, returned by relation
    name. A sum with two values the marts hid can never have exactly one (cells are only ever hidden), so
    its links are left out (most of them: the profile's small categories are hidden by the marts), unless
    the relation has shares, whose write-back needs every sum's total."""
    con.execute("create or replace temp table _sdc_links (rel bigint, cell bigint, is_total boolean)")
    ranges: dict[str, tuple[int, int]] = {}
    last = 0
    for relation in relations:
        members = " union all ".join(_part_select(p, rules, numbers) for p in relation.members)
        totals = " union all ".join(_part_select(p, rules, numbers) for p in relation.totals)
        can_open = "true" if relation.shares else "hidden_in_sum < 2"
        # members x totals is one row per (member, total): a part's cells are distinct, and there is one
        # total part. A sum's number is arbitrary (a pass ranks its candidates by rank), so no sort.
        con.execute(
            f"""insert into _sdc_links
            with members as ({members}), totals as ({totals}),
            pairs as (
                select members.cell as member, members.hidden as member_hidden, members.grp,
                    totals.cell as total, totals.hidden as total_hidden
                from members join totals on members.match = totals.match
            ),
            sums as (
                select {last} + row_number() over () as rel, total, grp from (
                    select total, grp, count(*) filter (where member_hidden) + max(total_hidden::int) as hidden_in_sum
                    from pairs group by total, grp
                ) where {can_open}
            )
            select sums.rel, pairs.member, false from pairs join sums using (total, grp)
            union all
            select rel, total, true from sums"""
        )
        # rel grows with each insert, so the filter lets DuckDB skip the earlier relations' row groups.
        first, last = (
            last + 1,
            con.execute(f"select coalesce(max(rel), {last}) from _sdc_links where rel > {last}").fetchone()[0],
        )
        ranges[relation.name] = (first, last)
    return ranges


def _part_select(part: Part, rules: dict[str, TableRule], numbers: dict[tuple[str, str], int]) -> str:
    condition = rules[part.table].counts[part.column]
    return (
        f"select {_cell_id(numbers[part.table, part.column])} as cell, {_hidden(part.column)} as hidden, "
        f"{_key_text(part.group)} as grp, {_key_text(part.match)} as match from main.{_ident(part.table)} "
        f"where coalesce({part.where}, false) and {_is_cell(part.column, condition)}"
    )


def _build_dependencies(con: duckdb.DuckDBPyConnection, rules: dict[str, TableRule]) -> None:
    """A count hidden hides the counts of the same row that depend on it (turnover_denominator on headcount)."""
    pairs = [
        (table, column, dependent)
        for table, rule in rules.items()
        for column, dependents in rule.dependents.items()
        for dependent in dependents
        if dependent in rule.counts
    ]
    con.execute("create or replace temp table _sdc_dependencies (cell bigint, dependent bigint)")
    for table, rule in rules.items():
        for column, row, dependents in rule.lagged:
            # The row a hidden count points to: its keys with the declared expressions (period + 12 months).
            moved = ", ".join(f"{row.get(k, _ident(k))} as {_ident(k)}" for k in rule.keys)
            same = " and ".join(f"src.{_ident(k)} is not distinct from dst.{_ident(k)}" for k in rule.keys)
            for dependent in dependents:
                con.execute(
                    f"""insert into _sdc_dependencies
                    with src as (select rowid as rid, {moved} from main.{_ident(table)}),
                    dst as (select rowid as rid, * from main.{_ident(table)})
                    select a.id, b.id from _sdc_cells a join src on a.rid = src.rid join dst on {same}
                    join _sdc_cells b on b.tbl = a.tbl and b.rid = dst.rid and b.col = ?
                    where a.tbl = ? and a.col = ?""",
                    [dependent, table, column],
                )
    for table, column, dependent in pairs:
        con.execute(
            "insert into _sdc_dependencies select a.id, b.id from _sdc_cells a join _sdc_cells b "
            "on a.tbl = b.tbl and a.rid = b.rid where a.tbl = ? and a.col = ? and b.col = ?",
            [table, column, dependent],
        )


def _close_dependencies(con: duckdb.DuckDBPyConnection, frontier: str) -> None:
    """Hide the dependents of the cells just hidden (the ids frontier selects), and theirs, until none is
    left; each cell hidden here joins _sdc_fresh (the cells whose sums are not yet counted)."""
    con.execute(f"create or replace temp table _sdc_frontier as {frontier}")
    while _hide(
        con,
        "select d.dependent from _sdc_dependencies d join _sdc_frontier f on f.id = d.cell",
        also="not hidden and value <> 0",
        into="_sdc_frontier",
    ):
        pass
    con.execute("drop table _sdc_frontier")


def _hide(con: duckdb.DuckDBPyConnection, ids: str, also: str = "true", into: str | None = None) -> int:
    """Hide the cells ids selects (where also holds); add them to _sdc_fresh and, if named, make them the
    whole of table into. Returns how many were hidden. The ids stay in DuckDB (a pass can hide millions)."""
    con.execute(
        f"create or replace temp table _sdc_newly_hidden as select id from _sdc_cells where {also} and id in ({ids})"
    )
    con.execute(
        "update _sdc_cells set hidden = true, is_secondary = true where id in (select id from _sdc_newly_hidden)"
    )
    con.execute("insert into _sdc_fresh select id from _sdc_newly_hidden")
    if into:
        con.execute(f"create or replace temp table {into} as select id from _sdc_newly_hidden")
    return con.execute("select count(*) from _sdc_newly_hidden").fetchone()[0]


def _count_hidden_per_sum(con: duckdb.DuckDBPyConnection) -> None:
    """How many hidden values each sum has, once; then each pass adds those of the cells it hid."""
    con.execute(
        "create or replace temp table _sdc_sums as select l.rel, count(*) filter (where c.hidden) as hidden "
        "from _sdc_links l join _sdc_cells c on c.id = l.cell group by l.rel"
    )
    con.execute("delete from _sdc_fresh")


def _count_fresh_per_sum(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "update _sdc_sums set hidden = _sdc_sums.hidden + fresh.n from ("
        "select l.rel, count(*) as n from _sdc_links l join _sdc_fresh f on f.id = l.cell group by l.rel"
        ") as fresh where _sdc_sums.rel = fresh.rel"
    )
    con.execute("delete from _sdc_fresh")


# Sums with exactly one hidden value.
OPEN_SUMS = "select rel from _sdc_sums where hidden = 1"


def _hide_one_more(con: duckdb.DuckDBPyConnection) -> int:
    """In every sum with exactly one hidden value, hide the smallest published non-zero member count (by
    value, then key); only where there is none, the total. Returns how many values were hidden."""
    return _hide(
        con,
        f"""with open_sums as ({OPEN_SUMS}),
        candidates as (
            select l.rel, c.id, row_number() over (partition by l.rel order by l.is_total, c.rank) as turn
            from _sdc_links l join open_sums using (rel) join _sdc_cells c on c.id = l.cell
            where not c.hidden and c.is_count and c.value > 0
        )
        select id from candidates where turn = 1""",
    )


def _write_back(
    con: duckdb.DuckDBPyConnection,
    rules: dict[str, TableRule],
    relations: list[Relation],
    relation_ranges: dict[str, tuple[int, int]],
    cost: Cost,
) -> None:
    """NULL the counts hidden here and every rate or share resting on a hidden count; flag the rows."""
    for table, rule in rules.items():
        t = _ident(table)
        hidden_counts = 0
        for column in rule.counts:
            hidden_counts += con.execute(
                f"update main.{t} set {_ident(column)} = null, is_suppressed = true where rowid in "
                "(select rid from _sdc_cells where tbl = ? and col = ? and hidden and value is not null)",
                [table, column],
            ).fetchone()[0]
        hidden_dependents = 0
        for column, dependents in rule.dependents.items():
            for dependent in dependents:
                if dependent in rule.counts:
                    continue
                hidden_dependents += con.execute(
                    # A rate of 0 reveals only a numerator of 0, and zero is never hidden: it stays.
                    f"update main.{t} set {_ident(dependent)} = null, is_suppressed = true "
                    f"where {_ident(dependent)} <> 0 and rowid in "
                    "(select rid from _sdc_cells where tbl = ? and col = ? and hidden)",
                    [table, column],
                ).fetchone()[0]
        for column, row, dependents in rule.lagged:
            # a rate of another row that repeats one resting on a hidden count (vacancy_rate_12m_ago)
            moved = ", ".join(f"{row.get(k, _ident(k))} as {_ident(k)}" for k in rule.keys)
            same = " and ".join(f"src.{_ident(k)} is not distinct from main.{t}.{_ident(k)}" for k in rule.keys)
            for dependent in (d for d in dependents if d not in rule.counts):
                hidden_dependents += con.execute(
                    f"update main.{t} set {_ident(dependent)} = null, is_suppressed = true "
                    f"where {_ident(dependent)} <> 0 and exists (select 1 from (select rowid as rid, {moved} "
                    f"from main.{t}) as src join _sdc_cells as c on c.rid = src.rid and c.tbl = ? and c.col = ? "
                    f"and c.hidden where {same})",
                    [table, column],
                ).fetchone()[0]
        for relation in (r for r in relations if r.shares and r.members[0].table == table):
            first, last = relation_ranges[relation.name]
            for share in relation.shares:
                # A share of a hidden total reveals it (total = member / share): NULL the members' shares.
                hidden_dependents += con.execute(
                    f"update main.{t} set {_ident(share)} = null, is_suppressed = true "
                    f"where {_ident(share)} <> 0 and rowid in ("
                    "select m.rid from _sdc_links lm join _sdc_cells m on m.id = lm.cell and not lm.is_total "
                    "join _sdc_links lt on lt.rel = lm.rel and lt.is_total "
                    "join _sdc_cells tc on tc.id = lt.cell and tc.hidden where m.tbl = ? and lm.rel between ? and ?)",
                    [table, first, last],
                ).fetchone()[0]
        if hidden_counts:
            cost.counts[table] = hidden_counts
        if hidden_dependents:
            cost.dependents[table] = hidden_dependents
